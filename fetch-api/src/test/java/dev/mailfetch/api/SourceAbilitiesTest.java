package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What the engine does with a session's {@link SourceLabels} and {@link MailboxMarks}: a mailbox of
 * folders, as an IMAP source sees one, written here in memory.
 */
class SourceAbilitiesTest {
  private static final String ACCOUNT = "alice@imap.test.invalid";

  private final FolderMailbox mailbox = new FolderMailbox();
  private final InMemorySink sink = InMemorySink.create();
  private final InMemoryUidStore store = InMemoryUidStore.create();

  private static String message(String id, String subject) {
    return "Message-ID: <"
        + id
        + "@test>\r\nSubject: "
        + subject
        + "\r\n\r\nbody of "
        + id
        + "\r\n";
  }

  private Fetcher.Builder fetcher() {
    return Fetcher.builder().source(mailbox).sink(sink).uidStore(store);
  }

  private Envelope envelopeOf(String uid) {
    for (InMemorySink.StoredMessage m : sink.messages()) {
      if (uid.equals(m.envelope().uid())) {
        return m.envelope();
      }
    }
    throw new AssertionError("not delivered: " + uid);
  }

  @Test
  void sourceLabels_joinThePolicysLabels_andArchiveWhenEitherSays() {
    mailbox.add("INBOX", "1", message("a", "in the inbox"));
    mailbox.add("Work", "2", message("b", "filed at work"));
    mailbox.add("Junk", "3", message("c", "junk"));

    FetchResult result =
        fetcher().labelPolicy(LabelPolicy.fixed(Set.of("fetched"), false)).build().run();

    assertTrue(result.ok(), result.summary());
    assertEquals(3, result.count(MessageOutcome.Kind.DELIVERED));
    Envelope inbox = envelopeOf("INBOX/1");
    assertEquals(Set.of("fetched"), inbox.labels());
    assertFalse(inbox.archived());
    Envelope work = envelopeOf("Work/2");
    assertEquals(Set.of("fetched", "Work"), work.labels());
    assertTrue(work.archived(), "found outside the inbox: archived, though the policy says not");
    Envelope junk = envelopeOf("Junk/3");
    assertEquals(Set.of("fetched", LabelDecision.JUNK), junk.labels());
    assertTrue(junk.archived());
  }

  @Test
  void aDuplicatesSourceLabels_goToItsFirstCopy() {
    mailbox.add("INBOX", "1", message("same", "first copy"));
    mailbox.add("Work", "2", message("same", "second copy"));

    FetchResult result =
        fetcher()
            .labelPolicy(LabelPolicy.fixed(Set.of("fetched"), false))
            .dedupPolicy(new MessageIdDedup())
            .build()
            .run();

    assertTrue(result.ok(), result.summary());
    assertEquals(1, result.count(MessageOutcome.Kind.DUPLICATE));
    assertEquals(1, sink.size());
    assertEquals(Set.of("fetched", "Work"), new TreeSet<>(envelopeOf("INBOX/1").labels()));
  }

  @Test
  void anUnchangedMailbox_isNotListed_andTheRunSaysSo() {
    mailbox.add("INBOX", "1", message("a", "one"));
    mailbox.add("Work", "2", message("b", "two"));
    assertTrue(fetcher().build().run().ok());
    List<String> heard = new ArrayList<>();
    FetchListener listener =
        new FetchListener() {
          @Override
          public void unchangedSinceLastCheck() {
            heard.add("unchanged");
          }

          @Override
          public void listed(int messages, long octets) {
            heard.add("listed");
          }
        };
    int listings = mailbox.listings;

    FetchResult second = fetcher().listener(listener).build().run();

    assertEquals(listings, mailbox.listings, "the mailbox was not listed");
    assertTrue(second.unchanged());
    assertEquals(FetchResult.Status.OK, second.status());
    assertEquals(0, second.listed());
    assertEquals(List.of("unchanged"), heard);
    assertEquals(ACCOUNT + ": unchanged since the last check, nothing listed", second.summary());

    mailbox.add("INBOX", "3", message("c", "three"));
    FetchResult third = fetcher().build().run();
    assertFalse(third.unchanged());
    assertEquals(1, third.count(MessageOutcome.Kind.DELIVERED));
    assertEquals(3, sink.size());
  }

  @Test
  void afterAFailedMessage_theNextRunLists() {
    mailbox.add("INBOX", "1", message("a", "one"));
    mailbox.add("INBOX", "2", message("b", "two"));
    mailbox.refused.add("INBOX/2");
    assertEquals(1, fetcher().build().run().count(MessageOutcome.Kind.FAILED));
    mailbox.refused.clear();
    int listings = mailbox.listings;

    FetchResult second = fetcher().build().run();

    assertEquals(listings + 1, mailbox.listings, "the failed message is tried again");
    assertFalse(second.unchanged());
    assertEquals(1, second.count(MessageOutcome.Kind.DELIVERED));
    assertTrue(fetcher().build().run().unchanged(), "once all is settled, the shortcut holds");
  }

  @Test
  void withARetentionOfAnAge_everyRunLists() {
    mailbox.add("INBOX", "1", message("a", "one"));
    Retention inAWeek = Retention.deleteAfter(Duration.ofDays(7));
    assertTrue(fetcher().retention(inAWeek).build().run().ok());
    int listings = mailbox.listings;

    FetchResult second = fetcher().retention(inAWeek).build().run();

    assertEquals(listings + 1, mailbox.listings);
    assertFalse(second.unchanged());
    assertEquals(1, second.count(MessageOutcome.Kind.ALREADY_SEEN));
  }

  @Test
  void deletingAfterDelivery_takesTheShortcutOnceTheMailboxIsSettled() {
    mailbox.add("INBOX", "1", message("a", "one"));
    FetchResult first = fetcher().retention(Retention.DELETE_AFTER_DELIVERY).build().run();
    assertEquals(1, first.deleted());
    // The deletion changed the mailbox since its listing: the next run lists it, empty.
    FetchResult second = fetcher().retention(Retention.DELETE_AFTER_DELIVERY).build().run();
    assertFalse(second.unchanged());
    assertEquals(0, second.listed());

    FetchResult third = fetcher().retention(Retention.DELETE_AFTER_DELIVERY).build().run();

    assertTrue(third.unchanged());
    assertEquals(2, mailbox.listings);
  }

  /**
   * Folders of messages, each listed with uid {@code folder/n}: the folder is its label (INBOX
   * none, Junk {@link LabelDecision#JUNK}), and the mailbox's version is its mark.
   */
  private static final class FolderMailbox implements FetchSource {
    record Msg(String folder, String uid, byte[] content) {}

    final List<Msg> messages = new ArrayList<>();
    final Set<String> refused = new HashSet<>();
    int version;
    int listings;

    void add(String folder, String n, String content) {
      messages.add(new Msg(folder, folder + "/" + n, content.getBytes(StandardCharsets.US_ASCII)));
      version++;
    }

    @Override
    public String account() {
      return ACCOUNT;
    }

    @Override
    public FetchSession open() {
      return new Session();
    }

    private final class Session implements FetchSession, SourceLabels, MailboxMarks {
      private final List<Msg> snapshot = List.copyOf(messages);
      private final Map<String, Msg> byUid = new HashMap<>();
      private final Set<String> marked = new HashSet<>();
      private String listedMark;

      @Override
      public Capabilities capabilities() {
        return new Capabilities(true, Optional.empty(), Optional.empty(), Set.of("IMAP4rev1"));
      }

      @Override
      public String server() {
        return "imap.test.invalid:993";
      }

      @Override
      public void list(ListingHandler handler) throws FetchException {
        listings++;
        listedMark = "v" + version;
        long octets = 0;
        for (Msg m : snapshot) {
          octets += m.content().length;
        }
        handler.count(snapshot.size(), octets);
        int n = 0;
        for (Msg m : snapshot) {
          byUid.put(m.uid(), m);
          handler.message(new MessageRef(++n, m.uid(), m.content().length));
        }
      }

      @Override
      public void retrieve(Retrieval request, MessageHandler to) throws FetchException {
        MessageHandler handler = request.convertingFromCrlf(to);
        for (MessageRef ref : request.batch()) {
          if (refused.contains(ref.uid())) {
            handler.failed(
                ref, new FetchException(FetchError.PROTOCOL, "test: the server refused it"));
            continue;
          }
          handler.start(ref);
          handler.data(ByteBuffer.wrap(byUid.get(ref.uid()).content()));
          handler.end();
        }
      }

      @Override
      public Optional<SourceLabels> sourceLabels() {
        return Optional.of(this);
      }

      @Override
      public LabelDecision labelsOf(MessageRef ref) {
        String folder = byUid.get(ref.uid()).folder();
        switch (folder) {
          case "INBOX":
            return LabelDecision.INBOX;
          case "Junk":
            return new LabelDecision(Set.of(LabelDecision.JUNK), true);
          default:
            return new LabelDecision(Set.of(folder), true);
        }
      }

      @Override
      public Optional<MailboxMarks> mailboxMarks() {
        return Optional.of(this);
      }

      @Override
      public String listed() {
        return listedMark;
      }

      @Override
      public boolean unchangedSince(String mark) {
        return mark.equals("v" + version);
      }

      @Override
      public Set<MessageRef> delete(List<MessageRef> refs) {
        Set<MessageRef> accepted = new HashSet<>(refs);
        for (MessageRef ref : refs) {
          marked.add(ref.uid());
        }
        return accepted;
      }

      @Override
      public boolean quit() {
        if (messages.removeIf(m -> marked.contains(m.uid()))) {
          version++;
        }
        return true;
      }

      @Override
      public void close() {}
    }
  }
}
