package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.ForwardingMessageSink;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.Retention;
import dev.mailfetch.imap.ImapDeletion;
import dev.mailfetch.imap.ImapSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ImapSource against GreenMail's IMAP in the JVM, over implicit TLS (GreenMail has no STARTTLS:
 * that is Dovecot's test): keep leaves the server as it was, {@code \Seen} included; markSeen marks
 * what was fetched; delete removes exactly the fetched messages; LF line ends for a sink that wants
 * them; a second run fetches nothing.
 */
@Timeout(60)
class ImapSourceGreenMailTest {
  private GreenMailImap greenMail;

  @BeforeEach
  void start() {
    greenMail = new GreenMailImap(); // the test CA of every GreenMail test: GreenMail keeps one
  }

  @AfterEach
  void stop() {
    greenMail.close();
  }

  private ImapSource.Builder source() {
    return ImapSource.builder()
        .host("localhost")
        .port(greenMail.imapsPort())
        .sslContext(GreenMailImap.CERTS.clientContext())
        .user(GreenMailImap.USER)
        .password(() -> GreenMailImap.PASSWORD);
  }

  private ImapSession admin() throws Exception {
    ImapSession s = ImapSession.open(greenMail.plain());
    s.login();
    return s;
  }

  static byte[] message(int i) {
    return ("From: sender"
            + i
            + "@example.org\r\nTo: alice@localhost\r\nSubject: message "
            + i
            + "\r\nMessage-ID: <m"
            + i
            + "@example.org>\r\n\r\nBody of message "
            + i
            + "\r\nwith a second line\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Appends the messages to INBOX with {@code flags}; returns them. */
  private List<byte[]> put(int count, String... flags) throws Exception {
    List<byte[]> out = new ArrayList<>();
    try (ImapSession s = admin()) {
      for (int i = 1; i <= count; i++) {
        byte[] m = message(i);
        s.ok(
            s.await(
                s.commands()
                    .append(
                        "INBOX",
                        new ImapCommands.Message(List.of(flags), null, LiteralSource.of(m)))));
        out.add(m);
      }
    }
    return out;
  }

  /** The FLAGS of every INBOX message, by UID order, as the server has them. */
  private List<String> flags() throws Exception {
    try (ImapSession s = admin()) {
      s.commands().examine("INBOX");
      TaggedReply r =
          s.expectOk(ImapCommand.of("UID FETCH").atom("1:*").atom("(UID FLAGS)").build());
      return r.untagged("FETCH").stream().map(l -> l.data()).toList();
    }
  }

  private FetchResult run(
      ImapSource source, MessageSink sink, InMemoryUidStore store, Retention r) {
    return Fetcher.builder().source(source).sink(sink).uidStore(store).retention(r).build().run();
  }

  @Test
  void keep_fetchesEveryMessageAsSent_overImplicitTls_andLeavesTheFlagsAsTheyWere()
      throws Exception {
    List<byte[]> sent = put(4);
    InMemorySink sink = InMemorySink.create();
    InMemoryUidStore store = InMemoryUidStore.create();
    FetchResult first = run(source().build(), sink, store, Retention.KEEP);
    assertTrue(first.ok(), first.summary());
    assertEquals(4, first.count(MessageOutcome.Kind.DELIVERED), first.summary());
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(sent.get(i), sink.messages().get(i).content());
    }
    assertTrue(
        sink.messages().get(0).envelope().uid().matches("INBOX;UIDVALIDITY=\\d+/;UID=\\d+"),
        sink.messages().get(0).envelope().uid());
    for (String f : flags()) {
      assertFalse(f.contains("\\Seen"), "BODY.PEEK[] marked a message: " + f);
    }
    FetchResult second = run(source().build(), sink, store, Retention.KEEP);
    assertEquals(0, second.count(MessageOutcome.Kind.DELIVERED), second.summary());
    assertEquals(4, sink.size());
    assertEquals(4, flags().size(), "keep removed a message");
  }

  @Test
  void markSeen_marksWhatWasFetched() throws Exception {
    put(2);
    FetchResult r =
        run(
            source().markSeen(true).build(),
            InMemorySink.create(),
            InMemoryUidStore.create(),
            Retention.KEEP);
    assertEquals(2, r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    for (String f : flags()) {
      assertTrue(f.contains("\\Seen"), f);
    }
  }

  @Test
  void lfSink_getsEachCrlfAsLf() throws Exception {
    List<byte[]> sent = put(3);
    InMemorySink memory = InMemorySink.create();
    MessageSink lf =
        new ForwardingMessageSink(memory) {
          @Override
          public LineEnding lineEnding() {
            return LineEnding.LF;
          }
        };
    FetchResult r = run(source().build(), lf, InMemoryUidStore.create(), Retention.KEEP);
    assertEquals(3, r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    for (int i = 0; i < 3; i++) {
      String crlf = new String(sent.get(i), StandardCharsets.US_ASCII);
      assertEquals(
          crlf.replace("\r\n", "\n"),
          new String(memory.messages().get(i).content(), StandardCharsets.US_ASCII));
    }
  }

  @Test
  void deleteAfterDelivery_removesTheFetchedMessages() throws Exception {
    put(3);
    FetchResult r =
        run(
            source().build(),
            InMemorySink.create(),
            InMemoryUidStore.create(),
            Retention.DELETE_AFTER_DELIVERY);
    assertTrue(r.ok(), r.summary());
    assertEquals(3, r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    assertEquals(List.of(), flags(), "messages left after delete");
  }

  @Test
  void deletion_touchesOnlyTheUidsDeleteAccepted_notAnotherClientsDeletedMessage()
      throws Exception {
    put(2);
    put(1, "\\Deleted"); // marked by another client, not yet expunged by it
    try (FetchSession s = source().build().open()) {
      List<MessageRef> listed = new ArrayList<>();
      s.list(
          new ListingHandler() {
            @Override
            public void count(int messages, long octets) {}

            @Override
            public void message(MessageRef ref) {
              listed.add(ref);
            }
          });
      assertEquals(3, listed.size());
      assertEquals(1, s.delete(List.of(listed.get(0))).size());
      assertTrue(s.quit());
    }
    List<String> left = flags();
    assertEquals(2, left.size(), left.toString());
    assertTrue(left.get(1).contains("\\Deleted"), left.toString());
  }

  @Test
  void markSeenDeletion_keepsTheMessages_andMarksThemSeen() throws Exception {
    put(2);
    FetchResult r =
        run(
            source().deletion(ImapDeletion.MARK_SEEN).build(),
            InMemorySink.create(),
            InMemoryUidStore.create(),
            Retention.DELETE_AFTER_DELIVERY);
    assertTrue(r.ok(), r.summary());
    List<String> left = flags();
    assertEquals(2, left.size());
    for (String f : left) {
      assertTrue(f.contains("\\Seen") && !f.contains("\\Deleted"), f);
    }
  }

  @Test
  void closeWithoutQuit_deletesNothing() throws Exception {
    put(2);
    try (FetchSession s = source().build().open()) {
      List<MessageRef> listed = new ArrayList<>();
      s.list(
          new ListingHandler() {
            @Override
            public void count(int messages, long octets) {}

            @Override
            public void message(MessageRef ref) {
              listed.add(ref);
            }
          });
      assertEquals(2, s.delete(listed).size());
    }
    assertEquals(2, flags().size());
    for (String f : flags()) {
      assertFalse(f.contains("\\Deleted"), f);
    }
  }
}
