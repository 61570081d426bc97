package dev.mailfetch.bench;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.dedup.JournalUidStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The durable state at scale: opening an account whose journal holds a million delivered UIDs, and
 * a poll that finds nothing new (a get for every listed UID, the gone check, a sync that writes
 * nothing). {@link StateFootprint} measures the heap the same store keeps.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar StateBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class StateBenchmark {
  @Param({"1000000"})
  int uids;

  private Path dir;
  private Set<String> listing;
  private JournalUidStore open;

  /** A UID as long as Dovecot's and Gmail's usually are. */
  static String uid(int i) {
    return String.format("%08x%016x", i, (long) i * 0x9E3779B97F4A7C15L);
  }

  /** A journal of {@code n} delivered UIDs, written as a run would: in batches of 1,000. */
  static Path journalOf(int n) throws IOException {
    Path dir = Files.createTempDirectory("mailfetch-state-bench");
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      for (int i = 0; i < n; i++) {
        String u = uid(i);
        s.put(
            UidRecord.of(u, UidRecord.State.DELIVERED, t, DeliveryKey.of("bench@example.org", u)));
        if (i % 1000 == 999) {
          s.sync();
        }
      }
      s.recordFirstRun(t);
      s.sync();
    }
    return dir;
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = journalOf(uids);
    listing = new HashSet<>();
    for (int i = 0; i < uids; i++) {
      listing.add(uid(i));
    }
  }

  @TearDown(Level.Iteration)
  public void closeOpen() {
    if (open != null) {
      open.close();
      open = null;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Opening the account: the lease, reading and checking the whole journal. */
  @Benchmark
  public int open() throws IOException {
    open = JournalUidStore.open(dir);
    return open.firstRun().isPresent() ? 1 : 0;
  }

  /**
   * Open, then what a poll with nothing new asks of the store, then sync (which writes nothing).
   */
  @Benchmark
  public int pollNothingNew() throws IOException {
    open = JournalUidStore.open(dir);
    int settled = 0;
    for (String u : listing) {
      if (open.get(u).orElseThrow().state().isSettled()) {
        settled++;
      }
    }
    open.retainListed(listing, Instant.parse("2026-02-01T00:00:00Z"));
    open.sync();
    return settled;
  }
}
