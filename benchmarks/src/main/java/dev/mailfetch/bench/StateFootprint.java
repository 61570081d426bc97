package dev.mailfetch.bench;

import dev.mailfetch.dedup.JournalUidStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The heap a {@link JournalUidStore} keeps for a million UIDs, per UID and beyond the UID's own
 * bytes: used heap after a full GC with the store open, minus the same without it.
 *
 * <p>Run: {@code java -Xmx1g -cp benchmarks/target/benchmarks.jar
 * dev.mailfetch.bench.StateFootprint}
 */
public final class StateFootprint {
  private StateFootprint() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path dir = StateBenchmark.journalOf(n);
    long uidBytes = 0;
    for (int i = 0; i < n; i++) {
      uidBytes += StateBenchmark.uid(i).length();
    }
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long before = settledHeap(mem);
    long t0 = System.nanoTime();
    JournalUidStore store = JournalUidStore.open(dir);
    long openMs = (System.nanoTime() - t0) / 1_000_000;
    long after = settledHeap(mem);
    long perEntry = (after - before) / n;
    long beyondUid = (after - before - uidBytes) / n;
    System.out.printf(
        java.util.Locale.ROOT,
        "uids=%d journal=%d bytes open=%d ms heap=%d bytes (%d per UID, %d beyond the UID's own bytes)%n",
        n,
        Files.size(store.journal()),
        openMs,
        after - before,
        perEntry,
        beyondUid);
    store.close();
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static long settledHeap(MemoryMXBean mem) throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
