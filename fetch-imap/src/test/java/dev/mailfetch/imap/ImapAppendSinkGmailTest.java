package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On Gmail's IMAP ({@code X-GM-EXT-1}, the testkit's fake behaving as Gmail): one copy of each
 * message, its labels set on it with {@code X-GM-LABELS}, archived meaning no {@code \Inbox}.
 */
@Timeout(30)
class ImapAppendSinkGmailTest {
  private static final String ME = "me@gmail.com";
  private static final String ACCOUNT = "pop@example.org";

  @Test
  void labelsAreSetOnTheOneCopy_andArchivedMeansNotInTheInbox() throws Exception {
    try (FakeImapServer gmail =
        FakeImapServer.builder().gmail().account(ME, "app password").start()) {
      byte[] inbox = "Subject: kept\n\nin the inbox\n".getBytes(StandardCharsets.US_ASCII);
      byte[] archived = "Subject: archived\n\nlabelled only\n".getBytes(StandardCharsets.US_ASCII);
      try (ImapAppendSink sink =
          ImapAppendSink.builder()
              .host(gmail.host())
              .port(gmail.port())
              .security(ImapSecurity.NONE)
              .allowPlaintextAuthentication(true)
              .user(ME)
              .password(() -> "app password")
              .build()) {
        deliver(sink, "1", inbox, Set.of("Work", "Lists/News"), false);
        deliver(sink, "2", archived, Set.of("Work"), true);
        sink.sync();
        assertTrue(sink.addLabels(DeliveryKey.of(ACCOUNT, "2"), Set.of("Later")));
      }
      List<ImapMessage> all = gmail.messages(ME);
      assertEquals(2, all.size(), "one copy each, not a copy per label: " + all);
      ImapMessage first = find(all, DeliveryKey.of(ACCOUNT, "1"));
      ImapMessage second = find(all, DeliveryKey.of(ACCOUNT, "2"));
      assertTrue(
          first.labels().containsAll(Set.of("\\Inbox", "Work", "Lists/News")), first.toString());
      assertTrue(second.labels().containsAll(Set.of("Work", "Later")), second.toString());
      assertFalse(second.labels().contains("\\Inbox"), "archived: " + second);
      byte[] line =
          (ImapAppendSink.KEY_HEADER + ": " + DeliveryKey.of(ACCOUNT, "1") + "\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      assertArrayEquals(
          "Subject: kept\r\n\r\nin the inbox\r\n".getBytes(StandardCharsets.US_ASCII),
          Arrays.copyOfRange(first.content(), line.length, first.content().length),
          "the bytes as sent, LF made CRLF, after the key header");
    }
  }

  private static void deliver(
      ImapAppendSink sink, String uid, byte[] m, Set<String> labels, boolean archived)
      throws Exception {
    Delivery d = sink.begin(new Envelope(ACCOUNT, uid, m.length, labels, archived));
    d.write(ByteBuffer.wrap(m));
    d.complete(DeliveryKey.of(ACCOUNT, uid));
  }

  private static ImapMessage find(List<ImapMessage> all, DeliveryKey key) {
    String line = ImapAppendSink.KEY_HEADER + ": " + key + "\r\n";
    return all.stream()
        .filter(m -> new String(m.content(), StandardCharsets.ISO_8859_1).startsWith(line))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no message with key " + key));
  }
}
