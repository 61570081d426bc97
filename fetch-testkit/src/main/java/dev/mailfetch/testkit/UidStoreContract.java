package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.UidRecord.State;
import dev.mailfetch.api.UidStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every durable {@link UidStore} keeps, as tests: extend this class, implement {@link
 * #open(String)} to open the store of an account over what the earlier stores of that account
 * synced, and the store is checked through the calls the engine makes.
 *
 * <pre>{@code
 * class MyUidStoreContractTest extends UidStoreContract {
 *   @TempDir Path root;
 *
 *   @Override
 *   protected UidStore open(String account) throws Exception {
 *     return JournalUidStore.open(JournalUidStore.directoryFor(root, account));
 *   }
 * }
 * }</pre>
 *
 * <p>What it checks: every kind of record comes back exactly after a reopen (unicode and 1000-
 * character UIDs, sizes beyond 4 GiB, an error's words escaped and bounded); the first run is
 * recorded once; what was not synced is gone after a reopen, as after a crash, but seen at once
 * before; UIDs gone from the server are marked, then forgotten after 30 days (the stores' default)
 * unless listed again, durably; the mailbox mark, its forgetting, and a mark that could break a
 * line refused; header fingerprints where the store keeps them; accounts kept apart; many threads
 * at once; and random sequences of writes, syncs and crashes, after each of which a reopened store
 * holds exactly what was synced.
 *
 * <p>Each test uses accounts of its own ({@link #account(String)}), so a store over a shared
 * database needs no cleaning between tests.
 */
@Timeout(120)
public abstract class UidStoreContract {
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  /** For a subclass that names the store under test. */
  protected UidStoreContract() {}

  /**
   * Opens the store of {@code account}: a new store object over what earlier stores of it synced.
   * The contract ends each with {@link #close(UidStore)} before it opens the account again.
   */
  protected abstract UidStore open(String account) throws Exception;

  /**
   * Ends a store as a clean stop or a crash would: what it did not sync may be lost. Closes it
   * where it is {@link AutoCloseable}; override to release what {@link #open} took (a lease).
   */
  protected void close(UidStore store) throws Exception {
    if (store instanceof AutoCloseable c) {
      c.close();
    }
  }

  /** An account name of this test's own. */
  protected final String account(String name) {
    return name + "-" + run + "@example.org";
  }

  private static UidRecord delivered(String uid, Instant seen) {
    return UidRecord.of(uid, State.DELIVERED, seen, DeliveryKey.of("acct", uid));
  }

  private interface WithStore {
    void run(UidStore s) throws Exception;
  }

  private void with(String account, WithStore body) throws Exception {
    UidStore s = open(account);
    try {
      body.run(s);
    } finally {
      close(s);
    }
  }

  @Test
  void everyKindOfRecord_survivesAReopen_exactly() throws Exception {
    String a = account("kinds");
    List<UidRecord> records =
        List.of(
            UidRecord.of("b1", State.BASELINE, T0, null),
            delivered("d1", T0.plusSeconds(5)),
            UidRecord.of("dup", State.DUPLICATE, T0, null),
            delivered("gone-1", T0).deleted(),
            UidRecord.of("f1", State.FAILED, T0, null)
                .failedOnce(FetchError.READ_ERROR)
                .failedOnce(FetchError.SINK_FAILED),
            delivered("ünïcødé-ÜID", T0),
            delivered("x".repeat(1000), T0),
            delivered("big", T0).withSize(5_000_000_000L),
            delivered("empty", T0).withSize(0));
    with(
        a,
        s -> {
          for (UidRecord r : records) {
            s.put(r);
          }
          s.recordFirstRun(T0);
          s.sync();
        });
    with(
        a,
        s -> {
          for (UidRecord r : records) {
            assertEquals(Optional.of(r), s.get(r.uid()), r.uid());
          }
          assertEquals(Optional.of(T0), s.firstRun());
          assertEquals(Optional.empty(), s.get("never"));
          s.recordFirstRun(T0.plusSeconds(99));
          assertEquals(Optional.of(T0), s.firstRun(), "the first run is recorded once");
          s.sync();
        });
    with(a, s -> assertEquals(Optional.of(T0), s.firstRun(), "and stays the first"));
  }

  @Test
  void whatWasNotSynced_isGoneAfterAReopen_asAfterACrash_butIsSeenAtOnce() throws Exception {
    String a = account("unsynced");
    with(
        a,
        s -> {
          s.put(delivered("synced", T0));
          s.sync();
          s.put(delivered("not-synced", T0));
          s.put(s.get("synced").orElseThrow().deleted());
          assertTrue(s.get("not-synced").isPresent(), "visible at once");
          assertEquals(State.DELETED, s.get("synced").orElseThrow().state(), "visible at once");
        });
    with(
        a,
        s -> {
          assertEquals(State.DELIVERED, s.get("synced").orElseThrow().state());
          assertEquals(Optional.empty(), s.get("not-synced"));
          assertEquals(Optional.empty(), s.firstRun());
        });
  }

  @Test
  void uidsGoneFromTheServer_areMarked_thenForgottenAfter30Days_unlessListedAgain()
      throws Exception {
    String a = account("gone");
    with(
        a,
        s -> {
          for (String u : List.of("stays", "leaves", "returns")) {
            s.put(delivered(u, T0));
          }
          assertEquals(
              Set.of("leaves", "returns"), s.retainListed(Set.of("stays"), T0.plus(days(1))));
          assertEquals(
              Set.of("leaves"), s.retainListed(Set.of("stays", "returns"), T0.plus(days(10))));
          // "returns" leaves again: its clock restarts
          assertEquals(
              Set.of("leaves", "returns"), s.retainListed(Set.of("stays"), T0.plus(days(20))));
          s.sync();
        });
    with(
        a,
        s -> {
          assertEquals(
              Set.of("returns"),
              s.retainListed(Set.of("stays"), T0.plus(days(31)).plusSeconds(1)),
              "gone 30 days: forgotten; gone 11 days: kept and still gone");
          assertEquals(Optional.empty(), s.get("leaves"));
          assertTrue(s.get("returns").isPresent());
          assertTrue(s.get("stays").isPresent());
          s.sync();
        });
    with(
        a,
        s -> {
          assertEquals(Optional.empty(), s.get("leaves"), "forgetting is durable");
          assertTrue(s.get("returns").isPresent());
        });
  }

  @Test
  void theLastErrorsWords_comeBackEscapedAndBounded_andMailfetchsOwnWordsAsTheyWere()
      throws Exception {
    String a = account("words");
    String hostile = "RETR failed \"\r\n2026 INFO fake line\u001b[2J " + "x".repeat(400);
    UidRecord failed =
        UidRecord.of("f", State.FAILED, T0, null)
            .withSize(5_000_000_000L)
            .failedOnce(new FetchException(FetchError.PROTOCOL, hostile, "-ERR \u00e9\r\n", null));
    String own = "the server refused message 2 (RFC 1939 §4) — Grüße \ud83d\udce7";
    with(
        a,
        s -> {
          s.put(failed);
          s.put(
              UidRecord.of("words", State.FAILED, T0, null)
                  .failedOnce(new FetchException(FetchError.PROTOCOL, own)));
          s.sync();
        });
    with(
        a,
        s -> {
          UidRecord f = s.get("f").orElseThrow();
          assertEquals(failed, f);
          assertEquals(UidRecord.MAX_DETAIL_CHARS, f.lastErrorDetail().length(), "bounded");
          assertTrue(
              f.lastErrorDetail()
                  .startsWith("RETR failed \"\\x0D\\x0A2026 INFO fake line\\x1B[2J xx"),
              f.lastErrorDetail());
          assertEquals(own, s.get("words").orElseThrow().lastErrorDetail());
        });
  }

  @Test
  void theMailboxMark_survivesAReopen_andSoDoesForgettingIt_butNotWithoutASync() throws Exception {
    String a = account("mark");
    with(
        a,
        s -> {
          assertEquals(Optional.empty(), s.mailboxMark());
          s.put(delivered("1", T0));
          s.recordMailboxMark(Optional.of("INBOX 1733500000 43 42"));
          assertEquals(Optional.of("INBOX 1733500000 43 42"), s.mailboxMark());
          s.sync();
          s.recordMailboxMark(Optional.of("not synced"));
        });
    with(
        a,
        s -> {
          assertEquals(Optional.of("INBOX 1733500000 43 42"), s.mailboxMark());
          assertTrue(s.get("1").isPresent());
          s.recordMailboxMark(Optional.empty());
          s.sync();
        });
    with(a, s -> assertEquals(Optional.empty(), s.mailboxMark()));
  }

  @Test
  void aMarkThatCouldBreakALine_isRefused() throws Exception {
    with(
        account("badmark"),
        s -> {
          assertThrows(
              IllegalArgumentException.class, () -> s.recordMailboxMark(Optional.of("a\r\nb")));
          assertThrows(IllegalArgumentException.class, () -> s.recordMailboxMark(Optional.of("")));
          assertEquals(Optional.empty(), s.mailboxMark());
        });
  }

  @Test
  void headerFingerprints_ofDeliveredMessages_surviveAReopen() throws Exception {
    String a = account("fingerprints");
    byte[] one = new byte[32];
    byte[] two = new byte[32];
    for (int i = 0; i < 32; i++) {
      one[i] = (byte) i;
      two[i] = (byte) (255 - i);
    }
    with(
        a,
        s -> {
          assumeTrue(s.keepsFingerprints(), "this store keeps no fingerprints");
          s.put(delivered("1", T0));
          s.put(delivered("2", T0));
          s.recordFingerprint("1", one);
          s.recordFingerprint("2", two);
          assertArrayEquals(one, s.fingerprints(Set.of("1")).get("1"), "seen at once");
          s.sync();
        });
    with(
        a,
        s -> {
          Map<String, byte[]> f = s.fingerprints(Set.of("1", "2", "3"));
          assertEquals(Set.of("1", "2"), f.keySet());
          assertArrayEquals(one, f.get("1"));
          assertArrayEquals(two, f.get("2"));
        });
  }

  @Test
  void twoAccounts_neverSeeEachOthersRecords() throws Exception {
    String a = account("one");
    String b = account("two");
    UidStore sa = open(a);
    UidStore sb = open(b);
    try {
      sa.put(delivered("same-uid", T0));
      sa.recordFirstRun(T0);
      sa.recordMailboxMark(Optional.of("mark-a"));
      sa.sync();
      sb.put(UidRecord.of("same-uid", State.BASELINE, T0.plusSeconds(1), null));
      sb.sync();
    } finally {
      close(sa);
      close(sb);
    }
    with(
        a,
        s -> {
          assertEquals(State.DELIVERED, s.get("same-uid").orElseThrow().state());
          assertEquals(Optional.of("mark-a"), s.mailboxMark());
        });
    with(
        b,
        s -> {
          assertEquals(State.BASELINE, s.get("same-uid").orElseThrow().state());
          assertEquals(Optional.empty(), s.firstRun());
          assertEquals(Optional.empty(), s.mailboxMark());
        });
  }

  @Test
  void manyThreadsPuttingAtOnce_loseNothing() throws Exception {
    String a = account("threads");
    with(
        a,
        s -> {
          ExecutorService pool = Executors.newFixedThreadPool(4);
          try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
              int thread = t;
              done.add(
                  pool.submit(
                      () -> {
                        for (int i = 0; i < 100; i++) {
                          s.put(delivered("t" + thread + "-" + i, T0));
                          if (i % 25 == 0) {
                            s.sync();
                          }
                        }
                        return null;
                      }));
            }
            for (Future<?> f : done) {
              f.get();
            }
          } finally {
            pool.shutdown();
          }
          s.sync();
        });
    with(
        a,
        s -> {
          for (int t = 0; t < 4; t++) {
            for (int i = 0; i < 100; i++) {
              assertTrue(s.get("t" + t + "-" + i).isPresent(), "t" + t + "-" + i);
            }
          }
        });
  }

  @Test
  void randomWritesSyncsAndCrashes_aReopenedStoreHoldsExactlyWhatWasSynced() throws Exception {
    List<String> uids = List.of("1", "2", "3", "ü", "a b", "x".repeat(200));
    Random random = new Random(2026);
    for (int round = 0; round < 12; round++) {
      String a = account("random" + round);
      Map<String, UidRecord> durable = new HashMap<>();
      Map<String, UidRecord> pending = new HashMap<>();
      UidStore store = open(a);
      try {
        for (int op = 0; op < 30; op++) {
          int kind = random.nextInt(10);
          if (kind < 6) {
            UidRecord r = randomRecord(random, uids);
            store.put(r);
            pending.put(r.uid(), asKept(r));
          } else if (kind < 9) {
            store.sync();
            durable.putAll(pending);
            pending.clear();
          } else {
            close(store);
            pending.clear();
            store = open(a);
          }
          for (String uid : uids) {
            UidRecord expected = pending.containsKey(uid) ? pending.get(uid) : durable.get(uid);
            assertEquals(
                Optional.ofNullable(expected), store.get(uid), "round " + round + ", op " + op);
          }
        }
      } finally {
        close(store);
      }
      UidStore again = open(a);
      try {
        for (String uid : uids) {
          assertEquals(Optional.ofNullable(durable.get(uid)), again.get(uid), uid);
        }
      } finally {
        close(again);
      }
    }
  }

  private static UidRecord randomRecord(Random random, List<String> uids) {
    String uid = uids.get(random.nextInt(uids.size()));
    State st = State.values()[random.nextInt(State.values().length)];
    long sec = random.nextLong(-5_000_000_000L, 9_000_000_000L);
    DeliveryKey key =
        st == State.DELIVERED || st == State.DELETED || sec % 3 == 0
            ? DeliveryKey.of("acct", uid)
            : null;
    FetchError err =
        random.nextBoolean()
            ? null
            : FetchError.values()[random.nextInt(FetchError.values().length)];
    return new UidRecord(
            uid,
            st,
            Instant.ofEpochSecond(sec, random.nextInt(1000)),
            key,
            random.nextInt(100),
            err)
        .withSize(random.nextBoolean() ? UidRecord.UNKNOWN_SIZE : random.nextLong(0, 1L << 40));
  }

  /** What a store keeps of a record: whole seconds. */
  private static UidRecord asKept(UidRecord r) {
    return new UidRecord(
        r.uid(),
        r.state(),
        Instant.ofEpochSecond(r.firstSeen().getEpochSecond()),
        r.deliveryKey(),
        r.failures(),
        r.lastError(),
        r.lastErrorDetail(),
        r.size());
  }

  private static Duration days(int n) {
    return Duration.ofDays(n);
  }
}
