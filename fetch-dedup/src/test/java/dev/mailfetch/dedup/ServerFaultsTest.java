package dev.mailfetch.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DedupPolicy;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.SkipReason;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server faults the engine works around and reports, end to end: the testkit's server with the
 * quirk, the real POP3 client, the durable state store. Q51: unique ids reused for new mail; Q53:
 * messages served empty.
 */
@Timeout(60)
class ServerFaultsTest {
  private static final String PW = "server faults";
  @TempDir Path tmp;

  private static Fetcher fetcher(
      FakePop3Server s,
      InMemorySink sink,
      JournalUidStore store,
      Retention retention,
      DedupPolicy dedup) {
    Pop3Source source =
        Pop3Source.builder()
            .host("127.0.0.1")
            .port(s.port())
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .user("u")
            .password(() -> PW)
            .account("u@faults")
            .build();
    return Fetcher.builder()
        .source(source)
        .sink(sink)
        .uidStore(store)
        .retention(retention)
        .dedupPolicy(dedup)
        .build();
  }

  private static Set<String> contents(InMemorySink sink) {
    Set<String> out = new HashSet<>();
    for (InMemorySink.StoredMessage m : sink.messages()) {
      assertTrue(out.add(new String(m.content(), StandardCharsets.ISO_8859_1)), "stored twice");
    }
    return out;
  }

  private static String text(MailCorpus.Message m) {
    return new String(m.content(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void Q51_idsFromMessageNumbers_keepMode_aDeletionElsewhereAndNewMail_onlyTheNewMailIsFetched()
      throws Exception {
    MailCorpus corpus = MailCorpus.generate(51, 8);
    FakeMailbox box = FakeMailbox.create();
    for (MailCorpus.Message m : corpus.messages().subList(0, 6)) {
      box.add(m.uid(), m.content());
    }
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("u", PW, box)
            .quirk(Quirk.Q51_UIDL_FROM_MESSAGE_NUMBER)
            .start()) {
      InMemorySink sink = InMemorySink.create();
      try (JournalUidStore store = JournalUidStore.open(tmp.resolve("state"))) {
        assertEquals(
            6,
            fetcher(s, sink, store, Retention.KEEP, DedupPolicy.none())
                .run()
                .count(MessageOutcome.Kind.DELIVERED));
      }
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      // Message 2 is read and deleted elsewhere; the others move up a number, and with it an id.
      box.remove(List.of(box.messages().get(1)));
      box.add(corpus.messages().get(6).uid(), corpus.messages().get(6).content());
      box.add(corpus.messages().get(7).uid(), corpus.messages().get(7).content());

      try (JournalUidStore store = JournalUidStore.open(tmp.resolve("state"))) { // a new process
        FetchResult r = fetcher(s, sink, store, Retention.KEEP, DedupPolicy.none()).run();
        assertTrue(r.ok(), r::summary);
        assertEquals(2, r.count(MessageOutcome.Kind.DELIVERED), r::summary);
        assertEquals(5, r.count(MessageOutcome.Kind.ALREADY_SEEN), r::summary);
        assertTrue(r.quirks().contains(QuirkId.Q51), r.quirks()::toString);
        assertEquals(FetchError.PROTOCOL, r.warnings().get(0).error());
        assertEquals(8, contents(sink).size(), "every message once, none missed");
        assertTrue(
            contents(sink)
                .containsAll(
                    List.of(text(corpus.messages().get(6)), text(corpus.messages().get(7)))));
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals(2, s.session(2).commands("RETR").size(), "only the new mail downloaded");

        FetchResult again = fetcher(s, sink, store, Retention.KEEP, DedupPolicy.none()).run();
        assertEquals(7, again.count(MessageOutcome.Kind.ALREADY_SEEN), again::summary);
        assertEquals(List.of(), again.warnings());
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals(0, s.session(3).commands("TOP").size() + s.session(3).commands("RETR").size());
      }
    }
  }

  @Test
  void
      Q51_idsFromMessageNumbers_deleteMode_newMailUnderTheIdsOfDeletedMessages_isFetched_notDeletedUnread()
          throws Exception {
    MailCorpus corpus = MailCorpus.generate(52, 6);
    FakeMailbox box = FakeMailbox.create();
    for (MailCorpus.Message m : corpus.messages().subList(0, 3)) {
      box.add(m.uid(), m.content());
    }
    try (FakePop3Server s =
            FakePop3Server.builder()
                .account("u", PW, box)
                .quirk(Quirk.Q51_UIDL_FROM_MESSAGE_NUMBER)
                .start();
        JournalUidStore store = JournalUidStore.open(tmp.resolve("state"))) {
      InMemorySink sink = InMemorySink.create();
      fetcher(s, sink, store, Retention.DELETE_AFTER_DELIVERY, DedupPolicy.none()).run();
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(0, box.size());
      for (MailCorpus.Message m :
          corpus.messages().subList(3, 6)) { // they get the ids 1, 2, 3 again
        box.add(m.uid(), m.content());
      }

      FetchResult r =
          fetcher(s, sink, store, Retention.DELETE_AFTER_DELIVERY, DedupPolicy.none()).run();
      assertEquals(3, r.count(MessageOutcome.Kind.DELIVERED), r::summary);
      assertEquals(6, contents(sink).size());
      assertEquals(0, box.size());
      assertTrue(r.quirks().contains(QuirkId.Q51));
    }
  }

  @Test
  void Q53_messagesServedEmpty_areNotDuplicatesByDigest_areStored_reported_andLeftOnTheServer()
      throws Exception {
    MailCorpus corpus = MailCorpus.generate(53, 4);
    try (FakePop3Server s =
            FakePop3Server.builder()
                .account("u", PW, corpus.toMailbox())
                .quirk(Quirk.Q53_SERVED_EMPTY)
                .start();
        JournalUidStore store = JournalUidStore.open(tmp.resolve("state"))) {
      InMemorySink sink = InMemorySink.create();
      DedupPolicy digest =
          Dedup.byName("message-id+digest", DedupStore.inMemory(DedupStore.Window.DEFAULT));
      FetchResult r = fetcher(s, sink, store, Retention.DELETE_AFTER_DELIVERY, digest).run();

      assertEquals(
          List.of(
              MessageOutcome.Kind.DELIVERED,
              MessageOutcome.Kind.DELIVERED,
              MessageOutcome.Kind.DELIVERED,
              MessageOutcome.Kind.DELIVERED),
          r.outcomes().stream().map(MessageOutcome::kind).collect(Collectors.toList()),
          r::summary);
      assertEquals(2, s.mailbox("u").size(), "the two served empty stay on the server");
      List<String> said =
          r.warnings().stream().map(FetchException::detail).collect(Collectors.toList());
      assertEquals(2, said.size(), said::toString);
      assertTrue(
          said.get(0)
              .startsWith(
                  "message 2 (uid " + corpus.messages().get(1).uid() + ") was served empty"),
          said.get(0));
      assertTrue(
          said.get(0).contains("though the listing announces ") && said.get(0).contains(" kB."),
          said.get(0));
      assertFalse(
          said.get(0).contains(String.valueOf(corpus.messages().get(1).size())),
          "in words: " + said.get(0));
      assertEquals(FetchResult.Status.WARNING, r.status());

      // Every later run checks them again. The server serves empty what it numbers 2, 4, …: after
      // the
      // deletions, uid 2 is message 1 and comes whole (stored, then deleted), uid 4 is message 2
      // and
      // is still empty (said again, nothing stored twice, not deleted).
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      String two = corpus.messages().get(1).uid();
      String four = corpus.messages().get(3).uid();
      FetchResult again = fetcher(s, sink, store, Retention.DELETE_AFTER_DELIVERY, digest).run();
      assertEquals(FetchResult.Status.WARNING, again.status(), again::summary);
      List<String> saidAgain =
          again.warnings().stream().map(FetchException::detail).collect(Collectors.toList());
      assertEquals(2, saidAgain.size(), saidAgain::toString);
      assertTrue(
          saidAgain.stream()
              .anyMatch(w -> w.startsWith("message 2 (uid " + four + ") is still served empty")),
          saidAgain::toString);
      assertTrue(
          saidAgain.stream()
              .anyMatch(
                  w ->
                      w.startsWith(
                          "message 1 (uid "
                              + two
                              + "), served empty by an"
                              + " earlier run, was served whole this time")),
          saidAgain::toString);
      assertEquals(5, sink.messages().size(), "the whole message added, no second stub");
      assertTrue(
          sink.messages().stream()
              .anyMatch(m -> Arrays.equals(m.content(), corpus.messages().get(1).content())),
          "uid 2 whole, byte for byte");
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(Set.of(four), s.mailbox("u").uids(), "stored whole: deleted; still empty: kept");
    }
  }

  @Test
  void Q53_anEmptyCopy_isNeverTheFirstCopyOfAnything_soOneMailboxUnderTwoNames_losesNoMessage()
      throws Exception {
    MailCorpus corpus = MailCorpus.generate(54, 4);
    FakeMailbox box = corpus.toMailbox();
    try (FakePop3Server s =
            FakePop3Server.builder()
                .account("u", PW, box)
                .account("alias", PW, box)
                .quirk(Quirk.Q53_SERVED_EMPTY)
                .start();
        JournalUidStore first = JournalUidStore.open(tmp.resolve("first"));
        JournalUidStore second = JournalUidStore.open(tmp.resolve("second"))) {
      InMemorySink sink = InMemorySink.create();
      DedupPolicy byUid = Dedup.byName("uid", DedupStore.inMemory(DedupStore.Window.DEFAULT));
      FetchResult kept = fetcher(s, sink, first, Retention.KEEP, byUid).run();
      assertEquals(2, kept.warnings().size(), kept.warnings()::toString);
      s.awaitSessionsEnded(Duration.ofSeconds(5));

      // The same mailbox under another name, in delete mode: 1 and 3 are copies of what the first
      // account stored whole; 2 and 4 are served empty again, and only empty copies are held of
      // them.
      Pop3Source alias =
          Pop3Source.builder()
              .host("127.0.0.1")
              .port(s.port())
              .security(Security.NONE)
              .allowPlaintextAuthentication(true)
              .user("alias")
              .password(() -> PW)
              .account("alias@faults")
              .build();
      FetchResult r =
          Fetcher.builder()
              .source(alias)
              .sink(sink)
              .uidStore(second)
              .retention(Retention.DELETE_AFTER_DELIVERY)
              .dedupPolicy(byUid)
              .build()
              .run();
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(
          List.of(
              MessageOutcome.Kind.DUPLICATE,
              MessageOutcome.Kind.DELIVERED,
              MessageOutcome.Kind.DUPLICATE,
              MessageOutcome.Kind.DELIVERED),
          r.outcomes().stream().map(MessageOutcome::kind).collect(Collectors.toList()),
          r::summary);
      assertEquals(
          Set.of(corpus.messages().get(1).uid(), corpus.messages().get(3).uid()),
          box.uids(),
          "what only an empty copy stands for stays on the server");
      assertEquals(2, r.warnings().size(), r.warnings()::toString);
    }
  }

  /**
   * The review's case: the fake server's default corpus (seed 1), where message 2 is a copy of
   * message 1 by Message-ID. Served empty in the first run, whole in the second: a copy of what the
   * mailbox holds whole, so discarded and deleted, and said, never in silence.
   */
  @Test
  void Q53_aMessageServedEmpty_thenWholeAsACopyOfOneHeld_isDeletedOnlyWithAWarning()
      throws Exception {
    MailCorpus corpus = MailCorpus.generate(1, 4);
    assertEquals(
        corpus.messages().get(0).messageId(),
        corpus.messages().get(1).messageId(),
        "the corpus's copy");
    try (FakePop3Server s =
            FakePop3Server.builder()
                .account("u", PW, corpus.toMailbox())
                .quirk(Quirk.Q53_SERVED_EMPTY)
                .start();
        JournalUidStore store = JournalUidStore.open(tmp.resolve("state"))) {
      InMemorySink sink = InMemorySink.create();
      DedupPolicy byDefault =
          Dedup.byName("message-id+digest", DedupStore.inMemory(DedupStore.Window.DEFAULT));
      fetcher(s, sink, store, Retention.DELETE_AFTER_DELIVERY, byDefault).run();
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      String two = corpus.messages().get(1).uid();

      FetchResult r = fetcher(s, sink, store, Retention.DELETE_AFTER_DELIVERY, byDefault).run();
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      MessageOutcome m =
          r.outcomes().stream().filter(o -> o.ref().uid().equals(two)).findFirst().orElseThrow();
      assertEquals(MessageOutcome.Kind.DUPLICATE, m.kind(), r::summary);
      assertFalse(
          s.mailbox("u").uids().contains(two), "deleted: the mailbox holds message 1 whole");
      List<String> said =
          r.warnings().stream().map(FetchException::detail).collect(Collectors.toList());
      assertTrue(
          said.stream()
              .anyMatch(
                  w ->
                      w.startsWith(
                              "message 1 (uid "
                                  + two
                                  + "), served empty by an earlier"
                                  + " run, was served whole this time: a copy of a message the mailbox holds already (Message-ID")
                          && w.contains("deleted from the server, which is safe")),
          said::toString);
      assertEquals(FetchResult.Status.WARNING, r.status());
    }
  }

  /**
   * Q36: the connection drops inside the first RETR of every session, so message 1 fails run after
   * run. The run that quarantines it says it once: its error is the message's, the same instance,
   * with the quarantine's advice; a later process reads back what happened, not the code's summary.
   */
  @Test
  void Q36_DROP_MID_RETR_theRunThatQuarantinesAMessage_saysItOnce_andTheStateKeepsWhatHappened()
      throws Exception {
    MailCorpus corpus = MailCorpus.generate(36, 3);
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("u", PW, corpus.toMailbox())
            .quirk(Quirk.Q36_DROP_MID_RETR)
            .start()) {
      InMemorySink sink = InMemorySink.create();
      String happened;
      try (JournalUidStore store = JournalUidStore.open(tmp.resolve("state"))) {
        FetchResult first =
            Fetcher.builder()
                .source(source(s))
                .sink(sink)
                .uidStore(store)
                .quarantineAfter(2)
                .build()
                .run();
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        FetchException once = first.outcomes().get(0).error();
        assertEquals(FetchError.CONNECTION_RESET, once.error(), once::getMessage);
        assertTrue(
            first.outcomes().get(0).attempted(), "charged to message 1: " + once.getMessage());

        FetchResult r =
            Fetcher.builder()
                .source(source(s))
                .sink(sink)
                .uidStore(store)
                .quarantineAfter(2)
                .build()
                .run();
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        MessageOutcome m1 = r.outcomes().get(0);
        assertEquals(MessageOutcome.Kind.FAILED, m1.kind(), r::summary);
        FetchException e = r.error().orElseThrow();
        assertTrue(
            e == m1.error(),
            "one failure, said once: " + e.getMessage() + " / " + m1.error().getMessage());
        assertTrue(
            e.detail().contains("it has now failed in 2 runs and is quarantined"), e.detail());
        assertTrue(
            e.remedy().commandLine().contains("--retry-quarantined"), e.remedy().commandLine());
        // What the quarantining run met (reading message 1, or sending the RETR behind it) is its
        // last error.
        happened = e.detail().substring(0, e.detail().indexOf("; it has now failed"));
      }
      try (JournalUidStore store = JournalUidStore.open(tmp.resolve("state"))) { // a new process
        FetchResult later =
            Fetcher.builder()
                .source(source(s))
                .sink(sink)
                .uidStore(store)
                .quarantineAfter(2)
                .build()
                .run();
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        MessageOutcome m1 = later.outcomes().get(0);
        assertEquals(SkipReason.QUARANTINED, m1.skipReason(), later::summary);
        String said = m1.error().detail();
        assertTrue(said.endsWith("Its last error: " + happened), said);
        assertFalse(said.contains(FetchError.CONNECTION_RESET.summary()), said);
      }
    }
  }

  private static Pop3Source source(FakePop3Server s) {
    return Pop3Source.builder()
        .host("127.0.0.1")
        .port(s.port())
        .security(Security.NONE)
        .allowPlaintextAuthentication(true)
        .user("u")
        .password(() -> PW)
        .account("u@faults")
        .build();
  }
}
