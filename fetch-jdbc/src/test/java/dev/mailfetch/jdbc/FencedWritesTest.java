package dev.mailfetch.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.UidRecord.State;
import dev.mailfetch.dedup.DedupStore;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every state write carries its lease's fencing token: an instance paused past its lease writes
 * nothing once another took the account over; and two writers of one account leave one record per
 * message.
 */
@Timeout(60)
class FencedWritesTest {
  private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
  private static ReusedConnections ds;
  private final TestDatabase.ManualClock clock = new TestDatabase.ManualClock(T0);

  @BeforeAll
  static void database() throws Exception {
    ds = TestDatabase.create("fenced_writes");
  }

  private JdbcAccountLeases leases(JdbcState state, String owner) {
    return JdbcAccountLeases.builder(state).owner(owner).leaseTime(Duration.ofMinutes(2)).build();
  }

  private static UidRecord delivered(String uid) {
    return UidRecord.of(uid, State.DELIVERED, T0, DeliveryKey.of("acct", uid));
  }

  @Test
  void anInstancePausedPastItsLease_writesNothing_onceAnotherTookTheAccountOver() throws Exception {
    JdbcState state = JdbcState.builder(ds).clock(clock).open();
    JdbcAccountLeases a = leases(state, "instance-a");
    JdbcAccountLeases b = leases(state, "instance-b");
    String account = "paused@example.org";
    JdbcUidStore paused = JdbcUidStore.open(state, a.take(account).orElseThrow());
    paused.put(delivered("1"));
    paused.sync(); // written while the lease is held
    paused.put(delivered("2").deleted());
    paused.recordMailboxMark(Optional.of("stale mark"));

    clock.advance(Duration.ofMinutes(5)); // SIGSTOP, a GC pause, a partition: past the lease
    JdbcAccountLeases.Lease taken = b.take(account).orElseThrow();
    JdbcUidStore current = JdbcUidStore.open(state, taken);
    current.put(delivered("2"));
    current.sync();

    FetchException e = assertThrows(FetchException.class, paused::sync);
    assertEquals(FetchError.LOCKED, e.error());
    assertTrue(e.detail().contains("\"instance-b\" took it over"), e.detail());
    assertEquals(
        "D",
        TestDatabase.psql(
            "fenced_writes",
            "SELECT state FROM mailfetch_uid WHERE account = 'paused@example.org' AND uid = '2'"),
        "the current owner's record stands: the paused instance's DELETED was not written");
    assertEquals(
        "",
        TestDatabase.psql(
            "fenced_writes",
            "SELECT coalesce(mailbox_mark, '') FROM mailfetch_account"
                + " WHERE account = 'paused@example.org'"));
    assertThrows(FetchException.class, paused::sync, "and stays refused");
    paused.close();
    current.close();
  }

  @Test
  void aStoreOfAReleasedLease_writesNothing() throws Exception {
    JdbcState state = JdbcState.builder(ds).clock(clock).open();
    JdbcAccountLeases a = leases(state, "instance-a");
    JdbcAccountLeases.Lease lease = a.take("released@example.org").orElseThrow();
    JdbcUidStore s = JdbcUidStore.open(state, lease);
    a.release(lease);
    s.put(delivered("1"));
    FetchException e = assertThrows(FetchException.class, s::sync);
    assertEquals(FetchError.LOCKED, e.error());
    assertTrue(e.detail().contains("it was released"), e.detail());
    s.close();
  }

  @Test
  void twoWritersOfOneAccount_atOnce_leaveOneRecordPerMessage() throws Exception {
    // Two stores writing under one lease (two threads of an embedder that opened the account
    // twice):
    // the primary key (account, uid) holds, every write is an atomic insert-or-replace, none fails.
    JdbcState state = JdbcState.builder(ds).clock(clock).open();
    JdbcAccountLeases.Lease lease =
        leases(state, "instance-a").take("two-writers@example.org").orElseThrow();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        writers.add(
            pool.submit(
                () -> {
                  try (JdbcUidStore s = JdbcUidStore.open(state, lease)) {
                    for (int i = 0; i < 200; i++) {
                      s.put(delivered("m" + i));
                      if (i % 10 == 9) {
                        s.sync();
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : writers) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(
        "200|200",
        TestDatabase.psql(
            "fenced_writes",
            "SELECT COUNT(*), COUNT(DISTINCT uid) FROM mailfetch_uid"
                + " WHERE account = 'two-writers@example.org'"));
  }

  @Test
  void twoInstancesRememberingTheSameMessage_agreeOnOneFirstCopy() throws Exception {
    JdbcState state = JdbcState.open(ds);
    Instant now = Instant.now();
    try (JdbcDedupStore one = JdbcDedupStore.open(state, "sink-x", DedupStore.Window.DEFAULT);
        JdbcDedupStore two = JdbcDedupStore.open(state, "sink-x", DedupStore.Window.DEFAULT)) {
      for (int i = 0; i < 100; i++) {
        one.remember("mid <" + i + "@x>", DeliveryKey.of("one", "" + i), now);
        two.remember("mid <" + i + "@x>", DeliveryKey.of("two", "" + i), now);
      }
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> f1 =
            pool.submit(
                () -> {
                  one.sync();
                  return null;
                });
        Future<?> f2 =
            pool.submit(
                () -> {
                  two.sync();
                  return null;
                });
        f1.get();
        f2.get();
      } finally {
        pool.shutdown();
      }
      for (int i = 0; i < 100; i++) {
        DeliveryKey first = one.firstCopy("mid <" + i + "@x>", now).orElseThrow();
        assertEquals(Optional.of(first), two.firstCopy("mid <" + i + "@x>", now), "key " + i);
      }
      assertEquals(100, one.size());
    }
  }

  @Test
  void aTakeoverWaitsForAWriteInFlight_soNoWriteOfTheOldOwnerLandsAfterTheNewToken()
      throws Exception {
    JdbcState state = JdbcState.builder(ds).clock(clock).open();
    JdbcAccountLeases a = leases(state, "instance-a");
    JdbcAccountLeases b = leases(state, "instance-b");
    JdbcAccountLeases.Lease held = a.take("in-flight@example.org").orElseThrow();
    clock.advance(Duration.ofMinutes(5));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection write = ds.getConnection()) {
      // What JdbcUidStore.sync does first: the fence, holding the lease row until its commit.
      write.setAutoCommit(false);
      JdbcAccountLeases.checkFence(state.db, write, held);
      Future<Optional<JdbcAccountLeases.Lease>> takeover =
          pool.submit(() -> b.take("in-flight@example.org"));
      Thread.sleep(300);
      assertFalse(takeover.isDone(), "the taker waits while the old owner's write is open");
      write.commit();
      JdbcAccountLeases.Lease taken = takeover.get(10, TimeUnit.SECONDS).orElseThrow();
      assertEquals(held.fencingToken() + 1, taken.fencingToken());
    } finally {
      pool.shutdown();
    }
  }
}
