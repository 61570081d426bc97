package dev.mailfetch.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DedupPolicy;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchListener;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.UidStore;
import dev.mailfetch.dedup.Dedup;
import dev.mailfetch.dedup.DedupStore;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine over the JDBC state: one state transaction per batch (at its barrier), none for a poll
 * with nothing new, and an instance paused past its lease deletes nothing from the server.
 */
@Timeout(60)
class EngineWithJdbcStateTest {
  private static final String PW = "jdbc engine test";
  private static ReusedConnections ds;
  private final TestDatabase.ManualClock clock =
      new TestDatabase.ManualClock(Instant.parse("2026-12-06T12:00:00Z"));

  @BeforeAll
  static void database() throws Exception {
    ds = TestDatabase.create("engine");
  }

  private static Fetcher fetcher(
      FakePop3Server s, InMemorySink sink, UidStore store, Retention retention, FetchListener l) {
    return fetcher(s, "u", sink, store, retention, l, DedupPolicy.none());
  }

  private static Fetcher fetcher(
      FakePop3Server s,
      String user,
      InMemorySink sink,
      UidStore store,
      Retention retention,
      FetchListener l,
      DedupPolicy dedup) {
    Pop3Source source =
        Pop3Source.builder()
            .host("127.0.0.1")
            .port(s.port())
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .user(user)
            .password(() -> PW)
            .account(user + "@jdbc")
            .build();
    return Fetcher.builder()
        .source(source)
        .sink(sink)
        .uidStore(store)
        .retention(retention)
        .batchSize(10)
        .listener(l)
        .dedupPolicy(dedup)
        .build();
  }

  @Test
  void threeBatches_writeTheStateInOneTransactionEach_andAPollWithNothingNewWritesNone()
      throws Exception {
    JdbcState state = JdbcState.builder(ds).clock(clock).open();
    JdbcAccountLeases leases = JdbcAccountLeases.builder(state).owner("batches").build();
    try (FakePop3Server s =
            FakePop3Server.builder()
                .account("u", PW, MailCorpus.generate(21, 30).toMailbox())
                .start();
        JdbcUidStore store = JdbcUidStore.open(state, leases.take("batches@jdbc").orElseThrow())) {
      InMemorySink sink = InMemorySink.create();
      AtomicInteger barriers = new AtomicInteger();
      FetchListener counting =
          new FetchListener() {
            @Override
            public void batchSynced(int messages) {
              barriers.incrementAndGet();
            }
          };
      int before = ds.commits.get();
      FetchResult first = fetcher(s, sink, store, Retention.KEEP, counting).run();
      int written = ds.commits.get() - before;
      assertEquals(30, first.count(MessageOutcome.Kind.DELIVERED), first::summary);
      assertEquals(3, barriers.get(), "three batches of ten");
      assertEquals(
          1 + 3,
          written,
          "one for the plan (the first run recorded), then one per batch, none per message");

      before = ds.commits.get();
      FetchResult second = fetcher(s, sink, store, Retention.KEEP, counting).run();
      assertTrue(second.ok(), second::summary);
      assertEquals(0, ds.commits.get() - before, "a poll with nothing new writes nothing");
    }
  }

  @Test
  void anInstancePausedPastItsLease_deletesNothing_andTheNewOwnerDeliversEachMessageOnce()
      throws Exception {
    JdbcState state = JdbcState.builder(ds).clock(clock).open();
    JdbcAccountLeases a =
        JdbcAccountLeases.builder(state)
            .owner("instance-a")
            .leaseTime(Duration.ofMinutes(1))
            .build();
    JdbcAccountLeases b =
        JdbcAccountLeases.builder(state)
            .owner("instance-b")
            .leaseTime(Duration.ofMinutes(1))
            .build();
    MailCorpus corpus = MailCorpus.generate(22, 20);
    try (FakePop3Server s = FakePop3Server.builder().account("u", PW, corpus.toMailbox()).start()) {
      InMemorySink sink = InMemorySink.create(); // the destination both instances deliver into
      JdbcUidStore paused = JdbcUidStore.open(state, a.take("paused@jdbc").orElseThrow());
      paused.recordFirstRun(
          clock.instant()); // an earlier run: this one's first write is a barrier's
      paused.sync();
      clock.advance(Duration.ofMinutes(2)); // instance-a stopped past its lease, then resumes
      JdbcUidStore current = JdbcUidStore.open(state, b.take("paused@jdbc").orElseThrow());

      FetchResult fenced =
          fetcher(s, sink, paused, Retention.DELETE_AFTER_DELIVERY, new FetchListener() {}).run();
      assertFalse(fenced.ok(), fenced::summary);
      assertEquals(FetchError.LOCKED, fenced.firstError().orElseThrow().error(), fenced::summary);
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(
          List.of(), s.session(1).commands("DELE"), "the fenced-off instance deleted none");
      assertEquals(20, s.mailbox("u").size());
      assertEquals(10, sink.size(), "its first batch reached the sink; its barrier was refused");

      FetchResult taken =
          fetcher(s, sink, current, Retention.DELETE_AFTER_DELIVERY, new FetchListener() {}).run();
      assertTrue(taken.ok(), taken::summary);
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(0, s.mailbox("u").size(), "the owner deleted what it delivered");
      Set<String> keys = new HashSet<>();
      sink.messages().forEach(m -> assertTrue(keys.add(m.key().toString()), "stored once"));
      assertEquals(20, sink.size(), "every message exactly once");
      paused.close();
      current.close();
    }
  }

  @Test
  void aCopyFetchedByAnotherInstance_isDiscarded_itsFirstCopyWrittenWithTheBatchThatDeliveredIt()
      throws Exception {
    String storeName = "shared-sink-" + UUID.randomUUID();
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("u", PW, sameFive())
            .account("v", PW, sameFive())
            .start()) {
      InMemorySink sink = InMemorySink.create();
      JdbcState one = JdbcState.open(ds);
      JdbcState two = JdbcState.open(ds); // another instance: nothing shared but the database
      try (JdbcDedupStore seenByOne =
              JdbcDedupStore.open(one, storeName, DedupStore.Window.DEFAULT);
          JdbcDedupStore seenByTwo =
              JdbcDedupStore.open(two, storeName, DedupStore.Window.DEFAULT);
          JdbcUidStore u =
              JdbcUidStore.builder(
                      one, JdbcAccountLeases.builder(one).build().take("u@jdbc").orElseThrow())
                  .firstCopies(seenByOne)
                  .open();
          JdbcUidStore v =
              JdbcUidStore.builder(
                      two, JdbcAccountLeases.builder(two).build().take("v@jdbc").orElseThrow())
                  .firstCopies(seenByTwo)
                  .open()) {
        int before = ds.commits.get();
        FetchResult first =
            fetcher(
                    s,
                    "u",
                    sink,
                    u,
                    Retention.KEEP,
                    new FetchListener() {},
                    Dedup.byName("message-id", seenByOne))
                .run();
        assertEquals(5, first.count(MessageOutcome.Kind.DELIVERED), first::summary);
        assertEquals(
            2, ds.commits.get() - before, "the plan and the one batch: no write of its own");
        assertEquals(
            "5",
            TestDatabase.psql(
                "engine",
                "SELECT COUNT(*) FROM mailfetch_first_copy WHERE store = '" + storeName + "'"),
            "the batch's first copies are in the database with the batch");

        FetchResult second =
            fetcher(
                    s,
                    "v",
                    sink,
                    v,
                    Retention.KEEP,
                    new FetchListener() {},
                    Dedup.byName("message-id", seenByTwo))
                .run();
        assertEquals(5, second.count(MessageOutcome.Kind.DUPLICATE), second::summary);
        assertEquals(5, sink.size(), "each message once, though two instances fetched it");
      }
    }
  }

  /** Five messages, each with its own Message-ID and Date: what reaches two accounts alike. */
  private static FakeMailbox sameFive() {
    FakeMailbox box = FakeMailbox.create();
    for (int i = 0; i < 5; i++) {
      box.add(
          "Message-ID: <copy-"
              + i
              + "@example.org>\r\nDate: Sun, 6 Dec 2026 12:00:0"
              + i
              + " +0000\r\nFrom: a@example.org\r\nSubject: to two accounts\r\n\r\nbody "
              + i
              + "\r\n");
    }
    return box;
  }
}
