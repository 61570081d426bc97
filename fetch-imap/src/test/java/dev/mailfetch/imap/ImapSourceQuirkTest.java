package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.ForwardingMessageSink;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MailPush;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Retention;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapQuirk;
import dev.mailfetch.testkit.imap.ImapSeed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IMAP source against each catalogued IMAP server behaviour (docs/quirks.md, "IMAP servers"),
 * end to end: {@link ImapSource} through the {@link Fetcher} into an {@link InMemorySink}, against
 * the testkit's fake server playing the {@link ImapQuirk}. Each test is named after its ID and
 * proves the outcome the catalogue promises: nothing lost, nothing delivered twice, nothing
 * delivered altered, and where a run must fail, the typed error it fails with.
 */
@Timeout(30)
class ImapSourceQuirkTest {
  static final int COUNT = 4;

  static byte[] message(int i) {
    return ("From: sender"
            + i
            + "@example.org\r\nSubject: message "
            + i
            + "\r\nMessage-ID: <q"
            + i
            + "@example.org>\r\n\r\nBody of message "
            + i
            + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  static List<byte[]> messages() {
    List<byte[]> all = new ArrayList<>();
    for (int i = 1; i <= COUNT; i++) {
      all.add(message(i));
    }
    return all;
  }

  static FakeImapServer.Builder server(ImapQuirk... quirks) {
    FakeImapServer.Builder b = FakeImapServer.builder().account("u", "p").quirk(quirks);
    for (byte[] m : messages()) {
      b.message("u", "INBOX", ImapSeed.of(m));
    }
    return b;
  }

  static ImapSource.Builder source(FakeImapServer imap) {
    return ImapSource.builder()
        .host(imap.host())
        .port(imap.port())
        .security(ImapSecurity.NONE)
        .allowPlaintextAuthentication(true)
        .user("u")
        .password(() -> "p");
  }

  /** One engine and its state, run as often as a test needs (a poll's runs). */
  static final class Runs {
    final InMemorySink sink = InMemorySink.create();
    final InMemoryUidStore store = InMemoryUidStore.keepingFingerprints();
    final FakeImapServer imap;
    final List<FetchResult> results = new ArrayList<>();

    Runs(FakeImapServer imap) {
      this.imap = imap;
    }

    FetchResult run() {
      return run(source(imap).build(), Retention.KEEP);
    }

    FetchResult run(ImapSource source, Retention retention) {
      FetchResult r =
          Fetcher.builder()
              .source(source)
              .sink(sink)
              .uidStore(store)
              .retention(retention)
              .build()
              .run();
      results.add(r);
      return r;
    }

    /** The sink holds exactly {@code expected}, each once, byte for byte (in any order). */
    void holdsEachOnce(List<byte[]> expected) {
      List<byte[]> held = new ArrayList<>();
      sink.messages().forEach(m -> held.add(m.content()));
      assertEquals(expected.size(), held.size(), "held: " + texts(held));
      for (byte[] e : expected) {
        assertEquals(
            1,
            held.stream().filter(h -> Arrays.equals(h, e)).count(),
            "held once: " + new String(e, StandardCharsets.US_ASCII));
      }
    }
  }

  static List<String> texts(List<byte[]> all) {
    return all.stream().map(b -> new String(b, StandardCharsets.US_ASCII)).toList();
  }

  static List<byte[]> without(int... numbers) {
    List<byte[]> all = messages();
    List<byte[]> gone = new ArrayList<>();
    for (int n : numbers) {
      gone.add(all.get(n - 1));
    }
    all.removeAll(gone);
    return all;
  }

  static void assertError(FetchResult r, Set<FetchError> codes, String words) {
    assertFalse(r.ok(), r.summary());
    FetchException e = r.firstError().orElseThrow(() -> new AssertionError(r.summary()));
    assertTrue(codes.contains(e.error()), e.error() + ": " + e.getMessage());
    String text = e.getMessage() + " " + e.serverReply().orElse("");
    assertTrue(text.contains(words), "the server's words are passed on: " + text);
  }

  @Test
  void I01_unsolicitedExpungeDuringFetch() {
    try (FakeImapServer imap = server(ImapQuirk.I01_UNSOLICITED_EXPUNGE_DURING_FETCH).start()) {
      Runs runs = new Runs(imap);
      FetchResult first = runs.run();
      FetchResult second = runs.run();
      assertTrue(second.ok(), second.summary());
      assertEquals(0, second.count(MessageOutcome.Kind.DELIVERED), second.summary());
      runs.holdsEachOnce(without(2));
      assertTrue(first.count(MessageOutcome.Kind.DELIVERED) == COUNT - 1, first.summary());
    }
  }

  @Test
  void I02_literalLongerThanAnnounced() {
    literalThatLies(ImapQuirk.I02_LITERAL_LONGER_THAN_ANNOUNCED);
  }

  /** The lying session fails, delivering nothing altered; the next run fetches every message. */
  private static void literalThatLies(ImapQuirk quirk) {
    try (FakeImapServer imap = server(quirk).start()) {
      Runs runs = new Runs(imap);
      FetchResult first = runs.run();
      assertError(first, Set.of(FetchError.PROTOCOL, FetchError.READ_ERROR), "");
      FetchResult second = runs.run();
      assertTrue(second.ok(), second.summary());
      runs.holdsEachOnce(messages());
    }
  }

  @Test
  void I03_fetchExpungedNo() {
    bodyOfAMessageDeletedMeanwhile(ImapQuirk.I03_FETCH_EXPUNGED_NO);
  }

  @Test
  void I03_fetchExpungedNil() {
    bodyOfAMessageDeletedMeanwhile(ImapQuirk.I03_FETCH_EXPUNGED_NIL);
  }

  @Test
  void I03_fetchExpungedEmpty() {
    bodyOfAMessageDeletedMeanwhile(ImapQuirk.I03_FETCH_EXPUNGED_EMPTY);
  }

  /** The vanished message is not delivered; every other is, once; the next run is clean. */
  private static void bodyOfAMessageDeletedMeanwhile(ImapQuirk quirk) {
    try (FakeImapServer imap = server(quirk).start()) {
      Runs runs = new Runs(imap);
      runs.run();
      FetchResult second = runs.run();
      assertTrue(second.ok(), second.summary());
      runs.holdsEachOnce(without(1));
    }
  }

  @Test
  void I04_uidsOutOfOrder() {
    everyMessageOnceInOneRun(ImapQuirk.I04_UIDS_OUT_OF_ORDER);
  }

  @Test
  void I05_noUidNext() {
    try (FakeImapServer imap = server(ImapQuirk.I05_NO_UIDNEXT).start()) {
      Runs runs = new Runs(imap);
      assertTrue(runs.run().ok(), runs.results.get(0).summary());
      runs.holdsEachOnce(messages());
      imap.source().deliver("u", "INBOX", ImapSeed.of(message(9)));
      FetchResult second = runs.run();
      assertEquals(
          1,
          second.count(MessageOutcome.Kind.DELIVERED),
          "a new message is seen: " + second.summary());
    }
  }

  @Test
  void I07_gmailThrottled() {
    everyMessageOnceInOneRun(ImapQuirk.I07_GMAIL_THROTTLED);
  }

  /** The first run stops with the typed error and the server's words; the next fetches all. */
  private static void refusedOnceThenFetched(ImapQuirk quirk, Set<FetchError> codes, String words) {
    try (FakeImapServer imap = server(quirk).start()) {
      Runs runs = new Runs(imap);
      FetchResult first = runs.run();
      if (!first.ok()) {
        assertError(first, codes, words);
      }
      FetchResult second = runs.run();
      assertTrue(second.ok(), second.summary());
      runs.holdsEachOnce(messages());
    }
  }

  @Test
  void I08_idleDroppedSilently() throws Exception {
    idleDroppedEarly(ImapQuirk.I08_IDLE_DROPPED_SILENTLY);
  }

  @Test
  void I08_idleBye() throws Exception {
    idleDroppedEarly(ImapQuirk.I08_IDLE_BYE);
  }

  /**
   * The push watch hears the drop, watches again and says "look now" for the gap; a message that
   * came in the gap is fetched by the check that follows, with every other, once.
   */
  private static void idleDroppedEarly(ImapQuirk quirk) throws Exception {
    BlockingQueue<String> said = new LinkedBlockingQueue<>();
    MailPush.Listener listener =
        new MailPush.Listener() {
          @Override
          public void arrived(String mailbox) {
            said.add("arrived");
          }

          @Override
          public void ended(String mailbox, FetchException why) {
            said.add("ended " + why.error());
          }

          @Override
          public void watching(String mailbox) {
            said.add("watching");
          }

          @Override
          public void interrupted(String mailbox, FetchException why) {
            said.add("interrupted");
          }
        };
    try (FakeImapServer imap = server(quirk).dropIdleAfter(Duration.ofMillis(400)).start();
        MailPush.Watch w =
            source(imap).build().push().orElseThrow().watch("INBOX", listener, Thread::new)) {
      assertEquals("watching", said.poll(10, TimeUnit.SECONDS));
      imap.source().awaitIdling(1, Duration.ofSeconds(5));
      imap.source().deliver("u", "INBOX", ImapSeed.of(message(5)));
      assertEquals("arrived", said.poll(10, TimeUnit.SECONDS), "told at once");
      assertEquals("interrupted", said.poll(10, TimeUnit.SECONDS), "the drop is heard");
      assertEquals("watching", said.poll(10, TimeUnit.SECONDS), "and the watch comes back");
      assertEquals("arrived", said.poll(10, TimeUnit.SECONDS), "look now: mail may have come");
      assertTrue(imap.sessions().size() >= 2, "a new connection");
      assertTrue(w.watching() || said.peek() != null, "still on duty: " + said);
      Runs runs = new Runs(imap);
      assertTrue(runs.run().ok(), runs.results.get(0).summary());
      List<byte[]> all = messages();
      all.add(message(5));
      runs.holdsEachOnce(all);
    }
  }

  @Test
  void I09_fetchWithoutUid() {
    everyMessageOnceInOneRun(ImapQuirk.I09_FETCH_WITHOUT_UID);
  }

  /**
   * The held messages are recognised under the new UIDVALIDITY by their header fingerprints, none
   * fetched again, and the run says so. A real journal store: it notes which UIDs went (an
   * in-memory store does not, so it cannot tell a renumbering).
   */
  @Test
  void I10_uidvalidityChangesEachSession(@TempDir Path state) throws Exception {
    try (FakeImapServer imap = server(ImapQuirk.I10_UIDVALIDITY_CHANGES_EACH_SESSION).start();
        JournalUidStore store = JournalUidStore.open(state)) {
      InMemorySink sink = InMemorySink.create();
      Fetcher fetcher =
          Fetcher.builder().source(source(imap).build()).sink(sink).uidStore(store).build();
      FetchResult first = fetcher.run();
      assertTrue(first.ok(), first.summary());
      FetchResult second = fetcher.run();
      assertEquals(
          0,
          second.count(MessageOutcome.Kind.DELIVERED),
          "renumbered, none fetched again: " + second.summary());
      assertEquals(COUNT, sink.size());
      assertTrue(
          second.warnings().stream().anyMatch(w -> w.getMessage().contains("UIDVALIDITY")),
          "and said so: " + second.warnings());
    }
  }

  @Test
  void I11_sizeLargerThanBody() {
    everyMessageOnceInOneRun(ImapQuirk.I11_SIZE_LARGER_THAN_BODY);
  }

  @Test
  void I12_fetchItemsReordered() {
    everyMessageOnceInOneRun(ImapQuirk.I12_FETCH_ITEMS_REORDERED);
  }

  @Test
  void I14_unavailableOnce() {
    refusedOnceThenFetched(
        ImapQuirk.I14_UNAVAILABLE_ONCE, Set.of(FetchError.SERVER_TEMPORARY), "Temporary failure");
  }

  @Test
  void I15_capabilitiesGrowAfterLogin() {
    try (FakeImapServer imap = server(ImapQuirk.I15_CAPABILITIES_GROW_AFTER_LOGIN).start()) {
      Runs runs = new Runs(imap);
      FetchResult r = runs.run(source(imap).build(), Retention.DELETE_AFTER_DELIVERY);
      assertTrue(r.ok(), r.summary());
      runs.holdsEachOnce(messages());
      assertEquals(
          List.of(1L, 2L, 3L, 4L),
          imap.source().expunged("u", "INBOX"),
          "UID EXPUNGE, seen after login");
      assertEquals(List.of(), imap.source().moved("u"));
    }
  }

  @Test
  void I16_nilDelimiter() {
    everyMessageOnceInOneRun(ImapQuirk.I16_NIL_DELIMITER);
  }

  @Test
  void I17_untaggedAlert() {
    everyMessageOnceInOneRun(ImapQuirk.I17_UNTAGGED_ALERT);
  }

  @Test
  void I18_selectWithoutRecentAndFlags() {
    everyMessageOnceInOneRun(ImapQuirk.I18_SELECT_WITHOUT_RECENT_AND_FLAGS);
  }

  @Test
  void I19_peekSetsSeen() {
    everyMessageOnceInOneRun(ImapQuirk.I19_PEEK_SETS_SEEN);
  }

  @Test
  void I21_noUidplus() {
    try (FakeImapServer imap =
        server(ImapQuirk.I21_NO_UIDPLUS).specialUse("u", "Trash", "\\Trash").start()) {
      Runs runs = new Runs(imap);
      FetchResult r = runs.run(source(imap).build(), Retention.DELETE_AFTER_DELIVERY);
      assertTrue(r.ok(), r.summary());
      runs.holdsEachOnce(messages());
      assertEquals(List.of(), imap.source().uids("u", "INBOX"), "none left behind");
      assertEquals(
          4, imap.source().moved("u").size(), "moved to Trash: " + imap.source().moved("u"));
    }
  }

  @Test
  void I22_noMove() {
    try (FakeImapServer imap =
        server(ImapQuirk.I22_NO_MOVE).specialUse("u", "Trash", "\\Trash").start()) {
      Runs runs = new Runs(imap);
      FetchResult r =
          runs.run(
              source(imap).deletion(ImapDeletion.TRASH).build(), Retention.DELETE_AFTER_DELIVERY);
      assertTrue(r.ok(), r.summary());
      runs.holdsEachOnce(messages());
      assertEquals(List.of(), imap.source().uids("u", "INBOX"), "none left behind");
      assertEquals(4, imap.source().uids("u", "Trash").size(), "copied to Trash, then expunged");
    }
  }

  @Test
  void I13_byeAutologout() {
    try (FakeImapServer imap =
        server(ImapQuirk.I13_BYE_AUTOLOGOUT).idleTimeout(Duration.ofMillis(400)).start()) {
      Runs runs = new Runs(imap);
      MessageSink slow =
          new ForwardingMessageSink(runs.sink) {
            @Override
            public Delivery begin(Envelope envelope) throws IOException {
              if (envelope.uid().endsWith(";UID=2")) {
                sleep(900); // the server's inactivity timer runs out meanwhile
              }
              return super.begin(envelope);
            }
          };
      Fetcher.builder().source(source(imap).build()).sink(slow).uidStore(runs.store).build().run();
      FetchResult second = runs.run();
      assertTrue(second.ok(), second.summary());
      runs.holdsEachOnce(messages());
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void I20_retrievalFailedNotice() {
    try (FakeImapServer imap = server(ImapQuirk.I20_RETRIEVAL_FAILED_NOTICE).start()) {
      Runs runs = new Runs(imap);
      FetchResult r = runs.run();
      // The notice is what the server holds as that message: mailfetch cannot tell it from mail,
      // and delivers it (docs/quirks.md I20 says what a person does about it).
      List<byte[]> expected = without(1);
      expected.add(
          "Retrieval using the IMAP4 protocol failed for the following message: 1\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      runs.holdsEachOnce(expected);
      assertTrue(r.ok(), r.summary());
    }
  }

  /**
   * Courier's notice in place of a message removed meanwhile is not delivered as that message: it
   * fails as one deleted meanwhile, naming I26, nothing is recorded as delivered for it, and every
   * other message arrives byte for byte.
   */
  @Test
  void I26_expungedServedAsNotice() {
    try (FakeImapServer imap = server(ImapQuirk.I26_EXPUNGED_SERVED_AS_NOTICE).start()) {
      Runs runs = new Runs(imap);
      FetchResult first = runs.run();
      assertError(
          first, Set.of(FetchError.SERVER_TEMPORARY), "it was deleted or moved since the listing");
      MessageOutcome gone =
          first.outcomes().stream()
              .filter(o -> o.ref().number() == 1)
              .findFirst()
              .orElseThrow(() -> new AssertionError(first.summary()));
      assertEquals(MessageOutcome.Kind.FAILED, gone.kind(), first.summary());
      assertEquals(Optional.of(QuirkId.I26), gone.error().quirk());
      assertTrue(
          gone.error().serverReply().orElse("").contains("no longer available on the server"),
          gone.error().getMessage());
      assertTrue(first.quirks().contains(QuirkId.I26), first.summary());
      assertEquals(COUNT - 1, first.count(MessageOutcome.Kind.DELIVERED), first.summary());
      assertTrue(
          runs.store.get(gone.ref().uid()).map(r -> !r.state().isSettled()).orElse(true),
          "nothing recorded as delivered for it");
      runs.holdsEachOnce(without(1));
      FetchResult second = runs.run();
      assertTrue(second.ok(), second.summary());
      runs.holdsEachOnce(without(1));
    }
  }

  @Test
  void I24_webalertLogin() {
    try (FakeImapServer imap = server(ImapQuirk.I24_WEBALERT_LOGIN).start()) {
      Runs runs = new Runs(imap);
      assertError(runs.run(), Set.of(FetchError.AUTH_FAILED), "Please log in via your web browser");
      assertEquals(0, runs.sink.size());
    }
  }

  @Test
  void I25_unsolicitedFlagsDuringFetch() {
    everyMessageOnceInOneRun(ImapQuirk.I25_UNSOLICITED_FLAGS_DURING_FETCH);
  }

  /** Tolerated: one run delivers every message, byte for byte, and a second delivers none. */
  private static void everyMessageOnceInOneRun(ImapQuirk quirk) {
    try (FakeImapServer imap = server(quirk).start()) {
      Runs runs = new Runs(imap);
      FetchResult first = runs.run();
      assertTrue(first.ok(), first.summary());
      assertEquals(COUNT, first.count(MessageOutcome.Kind.DELIVERED), first.summary());
      runs.holdsEachOnce(messages());
      FetchResult second = runs.run();
      assertTrue(second.ok(), second.summary());
      assertEquals(0, second.count(MessageOutcome.Kind.DELIVERED), second.summary());
    }
  }

  @Test
  void I06_exchangeThrottled() {
    refusedOnceThenFetched(
        ImapQuirk.I06_EXCHANGE_THROTTLED,
        Set.of(FetchError.SERVER_TEMPORARY),
        "Request is throttled");
  }

  @Test
  void I23_tooManyConnections() throws Exception {
    try (FakeImapServer imap = server(ImapQuirk.I23_TOO_MANY_CONNECTIONS).start()) {
      Runs runs = new Runs(imap);
      try (Socket other = loggedIn(imap)) {
        FetchResult first = runs.run();
        assertError(
            first,
            Set.of(FetchError.SERVER_TEMPORARY, FetchError.LOCKED),
            "Too many simultaneous connections");
        assertEquals(0, runs.sink.size());
        assertFalse(other.isClosed(), "the other session stays");
      }
      imap.awaitSessionsEnded(Duration.ofSeconds(5));
      assertTrue(runs.run().ok(), runs.results.get(1).summary());
      runs.holdsEachOnce(messages());
    }
  }

  @Test
  void I02_literalShorterThanAnnounced() {
    literalThatLies(ImapQuirk.I02_LITERAL_SHORTER_THAN_ANNOUNCED);
  }

  @Test
  void I07_gmailBandwidthExceeded() {
    refusedOnceThenFetched(
        ImapQuirk.I07_GMAIL_BANDWIDTH_EXCEEDED,
        Set.of(FetchError.SERVER_TEMPORARY, FetchError.QUOTA_EXCEEDED),
        "bandwidth limits");
  }

  /** Another client's session, logged in as the source's user. */
  private static Socket loggedIn(FakeImapServer imap) throws Exception {
    Socket s = new Socket(imap.host(), imap.port());
    s.setSoTimeout(5000);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    in.readLine();
    s.getOutputStream().write("o1 LOGIN u p\r\n".getBytes(StandardCharsets.US_ASCII));
    assertTrue(in.readLine().startsWith("o1 OK"));
    return s;
  }
}
