package dev.mailfetch.gmail;

import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.MailCorpus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The mailbox the proofs fetch: a generated corpus in which an exact share of the messages has no
 * Message-ID (the testkit's corpus leaves it out of about 3%; the crash test wants a known share,
 * since a message without one is what Gmail cannot be asked about after a crash). The Message-ID
 * header is taken out of messages whose Message-ID no other message shares, so a duplicate pair
 * stays a pair.
 */
final class ProofMailbox {
  /** One message: its unique id, bytes (CRLF) and whether it carries a Message-ID. */
  record Message(String uid, byte[] content, String messageId) {
    boolean hasMessageId() {
      return messageId != null;
    }
  }

  private final List<Message> messages;

  private ProofMailbox(List<Message> messages) {
    this.messages = List.copyOf(messages);
  }

  /**
   * {@code count} messages from {@code seed}, {@code withoutMessageId} of them without a
   * Message-ID.
   */
  static ProofMailbox generate(long seed, int count, int withoutMessageId) {
    MailCorpus corpus = MailCorpus.generate(seed, count);
    Map<String, Integer> sharing = new HashMap<>();
    int missing = 0;
    for (MailCorpus.Message m : corpus.messages()) {
      if (m.messageId() == null) {
        missing++;
      } else {
        sharing.merge(m.messageId(), 1, Integer::sum);
      }
    }
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < corpus.messages().size(); i++) {
      MailCorpus.Message m = corpus.messages().get(i);
      if (m.messageId() != null && sharing.get(m.messageId()) == 1) {
        candidates.add(i);
      }
    }
    Collections.shuffle(candidates, new Random(seed ^ 0x5eedL));
    Set<Integer> strip =
        new HashSet<>(
            candidates.subList(
                0, Math.max(0, Math.min(candidates.size(), withoutMessageId - missing))));
    List<Message> out = new ArrayList<>(count);
    for (int i = 0; i < corpus.messages().size(); i++) {
      MailCorpus.Message m = corpus.messages().get(i);
      if (strip.contains(i)) {
        out.add(new Message(m.uid(), withoutMessageId(m.content(), m.messageId()), null));
      } else {
        out.add(new Message(m.uid(), m.content(), m.messageId()));
      }
    }
    return new ProofMailbox(out);
  }

  /** The bytes without the line {@code Message-ID: <id>}; everything else as it was. */
  private static byte[] withoutMessageId(byte[] content, String messageId) {
    String text = new String(content, StandardCharsets.ISO_8859_1);
    String line = "Message-ID: " + messageId + "\r\n";
    int at = text.indexOf(line);
    if (at < 0) {
      throw new IllegalStateException("no Message-ID line in a message that has one: " + messageId);
    }
    return (text.substring(0, at) + text.substring(at + line.length()))
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  List<Message> messages() {
    return messages;
  }

  /** How many messages carry this Message-ID. */
  int sharing(String messageId) {
    return (int) messages.stream().filter(m -> messageId.equals(m.messageId())).count();
  }

  int withoutMessageId() {
    return (int) messages.stream().filter(m -> !m.hasMessageId()).count();
  }

  long totalBytes() {
    return messages.stream().mapToLong(m -> m.content().length).sum();
  }

  /** A fake POP3 mailbox holding them under their unique ids. */
  FakeMailbox toFakeMailbox() {
    FakeMailbox box = FakeMailbox.create();
    for (Message m : messages) {
      box.add(m.uid(), m.content());
    }
    return box;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "%d messages, %d without a Message-ID, %.1f MB",
        messages.size(),
        withoutMessageId(),
        totalBytes() / 1e6);
  }
}
