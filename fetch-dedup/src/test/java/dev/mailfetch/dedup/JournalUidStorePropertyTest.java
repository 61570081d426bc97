package dev.mailfetch.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.UidRecord.State;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * Any sequence of puts, syncs, compactions and crashes (a close without sync) leaves, after a
 * reopen, exactly what a simple model says was synced.
 */
class JournalUidStorePropertyTest {
  private static final String ACCOUNT = "model@example.org";
  private static final List<String> UIDS = List.of("a", "b", "c", "ünï", "d#dup2", "e".repeat(300));
  private final Path root;

  JournalUidStorePropertyTest() throws IOException {
    root = Files.createTempDirectory("journal-property");
  }

  @AfterProperty
  void cleanUp() throws IOException {
    try (var walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  sealed interface Op permits Put, Sync, Crash, Compact {}

  record Put(UidRecord record) implements Op {}

  record Sync() implements Op {}

  record Crash() implements Op {}

  record Compact() implements Op {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<UidRecord> records =
        Combinators.combine(
                Arbitraries.of(UIDS),
                Arbitraries.of(State.values()),
                Arbitraries.longs().between(-5_000_000_000L, 9_000_000_000L),
                Arbitraries.integers().between(0, 200),
                Arbitraries.of(FetchError.values()).injectNull(0.5))
            .as(
                (uid, st, sec, fails, err) -> {
                  Instant seen = Instant.ofEpochSecond(sec);
                  DeliveryKey key =
                      st == State.DELIVERED || st == State.DELETED || sec % 3 == 0
                          ? DeliveryKey.of(ACCOUNT, uid)
                          : null;
                  return new UidRecord(uid, st, seen, key, fails, err);
                });
    Arbitrary<Op> op =
        Arbitraries.frequencyOf(
            Tuple.of(6, records.map(Put::new)),
            Tuple.of(2, Arbitraries.just(new Sync())),
            Tuple.of(1, Arbitraries.just(new Crash())),
            Tuple.of(1, Arbitraries.just(new Compact())));
    return op.list().ofMaxSize(40);
  }

  /** What the store keeps of a record: whole seconds, failures up to 127. */
  private static UidRecord asKept(UidRecord r) {
    return new UidRecord(
        r.uid(),
        r.state(),
        Instant.ofEpochSecond(r.firstSeen().getEpochSecond()),
        r.deliveryKey(),
        Math.min(127, r.failures()),
        r.lastError());
  }

  @Property(tries = 300)
  void reopening_findsExactlyWhatWasSynced(@ForAll("ops") List<Op> ops) throws IOException {
    Path dir = Files.createTempDirectory(root, "s");
    Map<String, UidRecord> durable = new HashMap<>();
    Map<String, UidRecord> pending = new HashMap<>();
    JournalUidStore store = JournalUidStore.open(dir);
    try {
      for (Op op : ops) {
        if (op instanceof Put p) {
          store.put(p.record());
          pending.put(p.record().uid(), asKept(p.record()));
        } else if (op instanceof Sync || op instanceof Compact) {
          if (op instanceof Sync) {
            store.sync();
          } else {
            store.compact();
          }
          durable.putAll(pending);
          pending.clear();
        } else {
          store.close();
          pending.clear();
          store = JournalUidStore.open(dir);
        }
        for (String uid : UIDS) {
          UidRecord expected = pending.containsKey(uid) ? pending.get(uid) : durable.get(uid);
          assertEquals(
              Optional.ofNullable(expected),
              store.get(uid),
              "live view of " + uid + " after " + op);
        }
      }
    } finally {
      store.close();
    }
    try (JournalUidStore again = JournalUidStore.open(dir)) {
      for (String uid : UIDS) {
        assertEquals(Optional.ofNullable(durable.get(uid)), again.get(uid), uid);
      }
    }
  }
}
