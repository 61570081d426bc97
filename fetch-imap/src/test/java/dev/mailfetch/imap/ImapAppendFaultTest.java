package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.UidStore;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapFault;
import dev.mailfetch.testkit.imap.ImapMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fake IMAP server's named faults ({@link ImapFault}) against the real {@link ImapAppendSink},
 * end to end: a {@link Fetcher} in delete mode from the testkit's POP3 server into the sink. Each
 * test proves the same four things: the run's error says what happened, nothing left the POP3
 * server that the IMAP server had not taken, nothing is stored twice, and nothing hangs (short
 * {@link ImapLimits}; each test finishes in seconds).
 */
@Timeout(30)
class ImapAppendFaultTest {
  private static final int MESSAGES = 5;
  private static final Pattern MESSAGE_ID =
      Pattern.compile("(?im)^Message-ID: <(\\d+)@fault\\.test>");

  /** Deadlines short enough that a fault that would hang shows in a second or two. */
  static final ImapLimits SHORT =
      ImapLimits.builder()
          .connectTimeout(Duration.ofSeconds(2))
          .handshakeTimeout(Duration.ofSeconds(2))
          .readTimeout(Duration.ofSeconds(2))
          .commandTimeout(Duration.ofSeconds(3))
          .continuationTimeout(Duration.ofSeconds(1))
          .maxUntaggedPerCommand(1000)
          .build();

  /** What the engine adds when the sink's server is lost (a SINK_FAILED whose place is gone). */
  private static final String UNREACHABLE =
      "; the place where mail is stored cannot be reached or does not answer, so the run stopped"
          + " at this first failure rather than download the rest to fail each message: the"
          + " messages not fetched stay on the server for the next run, and none of this counts"
          + " against them";

  @TempDir Path tmp;
  private final List<AutoCloseable> open = new ArrayList<>();
  private FakePop3Server pop3;
  private FakeImapServer imap;
  private final UidStore store = InMemoryUidStore.create();
  private int quarantineAfter = Fetcher.DEFAULT_QUARANTINE_AFTER;

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  static byte[] message(int i) {
    return ("From: a@example.org\r\nSubject: fault "
            + i
            + "\r\nMessage-ID: <"
            + i
            + "@fault.test>\r\nDate: Sat, 21 Nov 2026 20:48:0"
            + i
            + " +0100\r\n\r\nBody of message "
            + i
            + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private void servers(FakeImapServer.Builder imapBuilder) {
    servers(imapBuilder, 0);
  }

  /** The servers, message {@code big} (if not 0) with 4 KB more in its body. */
  private void servers(FakeImapServer.Builder imapBuilder, int big) {
    FakeMailbox box = FakeMailbox.create();
    for (int i = 1; i <= MESSAGES; i++) {
      byte[] m = message(i);
      if (i == big) {
        m =
            (new String(m, StandardCharsets.US_ASCII) + "x".repeat(76).concat("\r\n").repeat(52))
                .getBytes(StandardCharsets.US_ASCII);
      }
      box.add("uid-" + i, m);
    }
    pop3 = FakePop3Server.builder().account("pop", "pop-pw", box).start();
    open.add(pop3);
    imap = imapBuilder.account("alice", "imap-pw").start();
    open.add(imap);
  }

  private ImapAppendSink sink() {
    ImapAppendSink sink =
        ImapAppendSink.builder()
            .host("127.0.0.1")
            .port(imap.port())
            .security(ImapSecurity.NONE)
            .allowPlaintextAuthentication(true)
            .user("alice")
            .password(() -> "imap-pw")
            .journal(tmp.resolve("imap-journal"))
            .limits(SHORT)
            .build();
    open.add(sink);
    return sink;
  }

  /** One run, in delete mode, with a sink of its own over the same journal. */
  private FetchResult run() throws Exception {
    Pop3Source source =
        Pop3Source.builder()
            .host("127.0.0.1")
            .port(pop3.port())
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .user("pop")
            .password(() -> "pop-pw")
            .account("pop@fault-test")
            .build();
    ImapAppendSink sink = sink();
    long started = System.nanoTime();
    FetchResult r =
        Fetcher.builder()
            .source(source)
            .sink(sink)
            .uidStore(store)
            .retention(Retention.DELETE_AFTER_DELIVERY)
            .quarantineAfter(quarantineAfter)
            .build()
            .run();
    sink.close();
    open.remove(sink);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "the run took " + took);
    // A run that retrieved a message it could not store ends without QUIT (RetrievedMarks), so
    // the server frees the maildrop only when it sees the close: the next run must not race it.
    pop3.awaitSessionsEnded(Duration.ofSeconds(5));
    return r;
  }

  /** How many times each message (by its number) is on the IMAP server. */
  private Map<Integer, Integer> onImap() {
    Map<Integer, Integer> count = new HashMap<>();
    for (ImapMessage m : imap.messages("alice")) {
      Matcher id = MESSAGE_ID.matcher(new String(m.content(), StandardCharsets.US_ASCII));
      assertTrue(id.find(), "a message the test did not send: " + m);
      count.merge(Integer.parseInt(id.group(1)), 1, Integer::sum);
    }
    return count;
  }

  /** The numbers of the messages still on the POP3 server. */
  private List<Integer> onPop3() {
    List<Integer> left = new ArrayList<>();
    for (FakeMailbox.Message m : pop3.mailbox("pop").messages()) {
      left.add(Integer.parseInt(m.uid().substring(4)));
    }
    return left;
  }

  /** Nothing twice on IMAP; whatever left POP3 is on IMAP (once). */
  private void nothingLostNothingTwice() {
    Map<Integer, Integer> stored = onImap();
    stored.forEach((n, c) -> assertEquals(1, c, "message " + n + " stored " + c + " times"));
    List<Integer> left = onPop3();
    for (int i = 1; i <= MESSAGES; i++) {
      assertTrue(
          left.contains(i) || stored.containsKey(i),
          "message " + i + " left the POP3 server but is not on the IMAP server");
    }
  }

  private static FetchException error(FetchResult r) {
    return r.firstError().orElseThrow(() -> new AssertionError("no error: " + r.summary()));
  }

  private static String words(FetchException e) {
    return (e.getMessage() + " " + e.serverReply().orElse("")).toLowerCase(Locale.ROOT);
  }

  @Test
  void dropMidLiteralLeavesTheMessageOnThePop3Server() throws Exception {
    servers(FakeImapServer.builder().fault(ImapFault.dropMidLiteral(2)));
    FetchResult r = run();
    assertFalse(r.ok(), r.summary());
    FetchException e = error(r);
    // The destination's lost connection, not the source's code: its place is unreachable.
    assertEquals(FetchError.SINK_FAILED, e.error(), e.getMessage());
    // One code, said once: the sink's words inside the engine's context, no second code. Whether
    // the client sees the close while reading or while still writing the literal is a race, and
    // the JDK words the second ("Broken pipe"): either is the same broken connection.
    String before =
        "SINK_FAILED: sink failed delivering message 2: the connection to the IMAP server"
            + " 127.0.0.1:"
            + imap.port()
            + " broke";
    assertTrue(
        e.getMessage().equals(before + " (the server closed it)" + UNREACHABLE)
            || e.getMessage().equals(before + ": Broken pipe" + UNREACHABLE),
        e.getMessage());
    nothingLostNothingTwice();
    assertFalse(onPop3().isEmpty(), "the dropped message stays on the POP3 server");
    assertTrue(imap.sessions().size() >= 2, "the sink tried once more on a new connection");
  }

  /**
   * The destination's lost connection is no message's fault: with quarantine after 2 runs, three
   * runs that the IMAP server breaks in the middle of the first message each time leave every
   * message not taken without a strike, on the POP3 server, and never quarantined.
   */
  @Test
  void aDestinationThatBreaksInEveryRunStrikesNoMessage() throws Exception {
    servers(FakeImapServer.builder().fault(ImapFault.dropMidLiteral(1)));
    quarantineAfter = 2;
    for (int i = 0; i < 3; i++) {
      FetchResult r = run();
      assertFalse(r.ok(), r.summary());
      assertEquals(FetchError.SINK_FAILED, error(r).error(), error(r).getMessage());
      assertEquals(0, r.count(MessageOutcome.Kind.SKIPPED), "none quarantined: " + r.summary());
      nothingLostNothingTwice();
    }
    List<Integer> left = onPop3();
    assertEquals(MESSAGES, left.size(), "what the server never took stays on the POP3 server");
    for (int n : left) {
      UidRecord rec = store.get("uid-" + n).orElse(null);
      assertTrue(
          rec == null || rec.failures() == 0,
          "message " + n + " got a strike for the destination's failure: " + rec);
    }
  }

  /**
   * An IMAP server that cannot be reached at all (its port closed) is the sink's place, not the
   * message's: SINK_FAILED naming the IMAP server, the run stopped, no strike and no quarantine.
   */
  @Test
  void anUnreachableDestinationStrikesNoMessage() throws Exception {
    servers(FakeImapServer.builder());
    imap.close(); // the port is closed: every connection is refused
    quarantineAfter = 2;
    for (int i = 0; i < 3; i++) {
      FetchResult r = run();
      assertFalse(r.ok(), r.summary());
      FetchException e = error(r);
      assertEquals(FetchError.SINK_FAILED, e.error(), e.getMessage());
      assertTrue(
          words(e).contains("the imap server 127.0.0.1:" + imap.port() + " cannot be reached"),
          e.getMessage());
      assertEquals(0, r.count(MessageOutcome.Kind.SKIPPED), "none quarantined: " + r.summary());
    }
    List<Integer> left = onPop3();
    assertEquals(MESSAGES, left.size(), "nothing leaves the POP3 server");
    for (int n : left) {
      UidRecord rec = store.get("uid-" + n).orElse(null);
      assertTrue(
          rec == null || rec.failures() == 0,
          "message " + n + " got a strike for the destination's failure: " + rec);
    }
  }

  @Test
  void dropMidLiteralInOneSessionIsHealedByTheSecondConnection() throws Exception {
    servers(FakeImapServer.builder().fault(ImapFault.dropMidLiteral(2).inSession(1)));
    FetchResult r = run();
    assertTrue(r.ok(), r.summary());
    assertEquals(MESSAGES, r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    nothingLostNothingTwice();
    assertEquals(MESSAGES, onImap().size());
    assertEquals(List.of(), onPop3());
  }

  @Test
  void overquotaStopsTheRunDeletesWhatTheServerTookAndKeepsTheRestOnThePop3Server()
      throws Exception {
    servers(FakeImapServer.builder().fault(ImapFault.overquotaAfter(2)));
    FetchResult r = run();
    assertFalse(r.ok(), r.summary());
    FetchException e = error(r);
    assertEquals(FetchError.SINK_FAILED, e.error(), e.getMessage());
    assertTrue(words(e).contains("over its quota"), e.getMessage());
    assertEquals(
        "NO [OVERQUOTA] Quota exceeded (mailbox for user is full)",
        e.serverReply().orElseThrow(),
        "the server's words");
    nothingLostNothingTwice();
    assertEquals(2, onImap().size());
    assertEquals(2, r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    assertEquals(List.of(3, 4, 5), onPop3(), "the two taken are deleted now, the refused stay");

    FetchResult again = run(); // still over quota: nothing more is taken
    assertFalse(again.ok(), again.summary());
    nothingLostNothingTwice();
    assertEquals(2, onImap().size());
    assertEquals(List.of(3, 4, 5), onPop3());
  }

  @Test
  void byeMidBatchLosesNoMessageAndStoresNoneTwice() throws Exception {
    servers(FakeImapServer.builder().fault(ImapFault.byeMidBatch(2)));
    FetchResult r = run();
    assertFalse(r.ok(), r.summary());
    FetchException e = error(r);
    assertEquals(FetchError.SINK_FAILED, e.error(), e.getMessage());
    // Whether the client reads the BYE before its next write fails is a race (with small
    // messages it usually wins): the BYE's words, or the broken connection.
    assertTrue(
        words(e).contains("the connection to the imap server 127.0.0.1:" + imap.port() + " broke"),
        e.getMessage());
    assertTrue(
        words(e).contains("ended the session (bye)") || words(e).contains("closed it"),
        e.getMessage());
    assertTrue(e.getMessage().contains(UNREACHABLE), e.getMessage());
    nothingLostNothingTwice();
    assertFalse(onPop3().isEmpty(), "what the BYE cut off stays on the POP3 server");
    assertTrue(
        onPop3().size() < MESSAGES,
        "what the server took before its BYE is deleted in the same run: " + onPop3());

    // Each later run finds what was taken and appends the rest, two a session before the next
    // BYE; how many the first run got in depends on a race, so run until the POP3 server is empty.
    for (int i = 0; i < 3 && !onPop3().isEmpty(); i++) {
      run();
      nothingLostNothingTwice();
    }
    assertEquals(MESSAGES, onImap().size());
    assertEquals(List.of(), onPop3());
  }

  /**
   * A server without APPENDLIMIT that ends the session over a too-big {@code {n+}} literal ({@code
   * * BYE [TOOBIG]}, as Dovecot does): that message alone is refused (SINK_REJECTED, so the
   * engine's quarantine takes it after N runs), the others are delivered on the new connection,
   * where each literal waits for "+" and the big one gets its NO before its bytes.
   */
  @Test
  void tooBigWithoutAppendLimitIsRefusedAloneAndTheOthersAreDelivered() throws Exception {
    servers(FakeImapServer.builder().maxLiteralBytes(2048), 3);
    FetchResult r = run();
    assertEquals(MESSAGES - 1, r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    assertEquals(1, r.count(MessageOutcome.Kind.FAILED), r.summary());
    FetchException e =
        r.outcomes().stream()
            .filter(o -> o.kind() == MessageOutcome.Kind.FAILED)
            .findFirst()
            .orElseThrow()
            .error();
    assertEquals(FetchError.SINK_REJECTED, e.error(), e.getMessage());
    assertTrue(words(e).contains("larger than it takes (toobig)"), e.getMessage());
    assertEquals(List.of(3), onPop3(), "only the big one stays on the POP3 server");
    assertEquals(Map.of(1, 1, 2, 1, 4, 1, 5, 1), onImap());
    assertEquals(2, imap.sessions().size(), "one BYE [TOOBIG], one new connection");

    FetchResult again = run(); // the next run: the same refusal, nothing else to do
    assertEquals(1, again.count(MessageOutcome.Kind.FAILED), again.summary());
    assertEquals(List.of(3), onPop3());
    nothingLostNothingTwice();
  }

  @Test
  void continuationNeverComesEndsWithinTheContinuationDeadline() throws Exception {
    servers(
        FakeImapServer.builder()
            .capabilities("IMAP4rev1", "UIDPLUS", "AUTH=PLAIN")
            .fault(ImapFault.continuationNeverComes(1)));
    FetchResult r = run();
    assertFalse(r.ok(), r.summary());
    FetchException e = error(r);
    // One code, said once: the destination's, naming the deadline, not inside a CONNECTION_RESET.
    assertEquals(
        "SINK_FAILED: sink failed making the batch durable (sync): the connection to the IMAP"
            + " server 127.0.0.1:"
            + imap.port()
            + " timed out: it did not ask for the literal of APPEND (no \"+\") within 1 s"
            + UNREACHABLE,
        e.getMessage());
    nothingLostNothingTwice();
    assertEquals(0, onImap().size());
    assertEquals(MESSAGES, onPop3().size());
  }

  @Test
  void okLostIsLookedUpOnTheNewConnectionNotAppendedTwice() throws Exception {
    servers(FakeImapServer.builder().fault(ImapFault.okLost(2).inSession(1)));
    FetchResult r = run();
    assertTrue(r.ok(), r.summary());
    nothingLostNothingTwice();
    assertEquals(MESSAGES, onImap().size());
    assertEquals(List.of(), onPop3());
    assertFalse(imap.session(2).commands("UID SEARCH").isEmpty(), "looked up: " + imap.session(2));
  }

  @Test
  void okLostTwiceIsLookedUpOnTheNextRunNotAppendedTwice() throws Exception {
    servers(
        FakeImapServer.builder()
            .fault(ImapFault.okLost(1).inSession(1))
            .fault(ImapFault.okLost(1).inSession(2)));
    FetchResult first = run();
    nothingLostNothingTwice();
    FetchResult second = run();
    assertTrue(second.ok(), first.summary() + " / " + second.summary());
    nothingLostNothingTwice();
    assertEquals(MESSAGES, onImap().size());
    assertEquals(List.of(), onPop3());
  }

  @Test
  void endlessUntaggedIsCutOffByTheUntaggedLimit() throws Exception {
    servers(FakeImapServer.builder().fault(ImapFault.endlessUntagged("APPEND", 1)));
    FetchResult r = run();
    assertFalse(r.ok(), r.summary());
    FetchException e = error(r);
    assertEquals(FetchError.LIMIT_EXCEEDED, e.error(), e.getMessage());
    assertTrue(words(e).contains("more than 1000 untagged responses to append"), e.getMessage());
    nothingLostNothingTwice();
    assertEquals(MESSAGES, onPop3().size() + onImap().size());
  }
}
