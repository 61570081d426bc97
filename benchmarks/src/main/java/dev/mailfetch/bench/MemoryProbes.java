package dev.mailfetch.bench;

import dev.mailfetch.api.FetchLimits;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.Retention;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.pop3.Pop3Limits;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Memory, measured where it matters: in a child JVM with a small heap, started once per contender,
 * against a testkit server in this JVM.
 *
 * <ul>
 *   <li>{@code big}: one 200 MB message fetched under {@code -Xmx32m} by each contender; the child
 *       reports its heap in use when idle (after a GC), the peak heap while fetching (the sum of
 *       the heap pools' peaks: an upper bound) and its peak RSS ({@code VmHWM}).
 *   <li>{@code scale}: a 1,000,000-message mailbox with nothing new, under {@code -Xmx256m}: a
 *       first run records every UID without downloading ({@code onlyNew}), the measured second run
 *       is the poll: its time, its peak heap, and the commands the server saw (one UIDL, no RETR).
 * </ul>
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.mailfetch.bench.MemoryProbes big}
 * (or {@code scale}); it prints one line per contender.
 */
public final class MemoryProbes {
  private static final long BIG = 200L << 20;

  private MemoryProbes() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 1 && args[0].equals("child")) {
      child(args[1], args[2], Integer.parseInt(args[3]), args.length > 4 ? args[4] : null);
      return;
    }
    String what = args.length > 0 ? args[0] : "big";
    if (what.equals("big")) {
      big();
    } else if (what.equals("scale")) {
      scale(args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000);
    } else {
      throw new IllegalArgumentException("big or scale");
    }
  }

  private static void big() throws Exception {
    FakeMailbox box = FakeMailbox.create().add(bigMessage());
    try (FakePop3Server server =
        FakePop3Server.builder().account("alice", "bench", box).maxSessions(100).start()) {
      System.out.println(
          "one 200 MB message, each contender in a child JVM with -Xmx32m (" + jdk() + ")");
      System.out.println(
          "contender        outcome  idle-heap-MB  peak-heap-MB  above-idle-MB  live-peak-MB  peak-RSS-MB  seconds");
      for (String c : List.of("bare", "mailfetch", "commonsNet", "angusMail")) {
        System.out.println(runChild("-Xmx32m", "big", c, server.port(), null));
      }
    }
  }

  private static void scale(int count) throws Exception {
    FakeMailbox box = FakeMailbox.create();
    byte[] tiny = "Subject: s\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < count; i++) {
      box.add("u" + i, tiny);
    }
    Path state = Files.createTempDirectory("mailfetch-scale");
    try (FakePop3Server server =
        FakePop3Server.builder().account("alice", "bench", box).maxSessions(100).start()) {
      System.out.println(
          count + " messages, nothing new, in a child JVM with -Xmx256m (" + jdk() + ")");
      System.out.println(
          "contender        outcome  idle-heap-MB  peak-heap-MB  above-idle-MB  live-peak-MB  peak-RSS-MB  seconds");
      // The first run (recording every UID without downloading) in a roomy child; the poll measured
      // alone.
      System.out.println(
          runChild("-Xmx2g", "scale-fill", "mailfetch", server.port(), state.toString())
              .replace("mailfetch       ", "(first run)    "));
      for (String xmx : System.getProperty("scale.xmx", "-Xmx256m,-Xmx1g").split(",")) {
        System.out.println(
            runChild(xmx, "scale", "mailfetch", server.port(), state.toString()) + "  " + xmx);
      }
      server.awaitSessionsEnded(java.time.Duration.ofSeconds(30));
      var last = server.lastSession().orElseThrow();
      System.out.println(
          "the polled session sent: UIDL x"
              + last.commands("UIDL").size()
              + ", LIST x"
              + last.commands("LIST").size()
              + ", RETR x"
              + last.commands("RETR").size()
              + ", TOP x"
              + last.commands("TOP").size());
    } finally {
      EndToEndBenchmark.delete(state);
    }
  }

  private static String runChild(String xmx, String what, String contender, int port, String state)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                xmx,
                "-cp",
                System.getProperty("java.class.path"),
                MemoryProbes.class.getName(),
                "child",
                what,
                contender,
                Integer.toString(port)));
    if (state != null) {
      cmd.add(state);
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    StringBuilder out = new StringBuilder();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("RESULT ")) {
          out.append(line.substring(7));
        }
      }
    }
    p.waitFor();
    return out.length() > 0
        ? out.toString()
        : String.format(
            Locale.ROOT, "%-16s %s", contender, "no result (exit " + p.exitValue() + ")");
  }

  /** In the child: measure idle, run the contender, measure the peak. */
  private static void child(String what, String contender, int port, String state)
      throws Exception {
    Contenders.Server target = new Contenders.Server("127.0.0.1", port, "alice", "bench", null);
    System.gc();
    long idle = heapUsed();
    PeakHeap.watch();
    long t0 = System.nanoTime();
    String outcome = "ok";
    try {
      if (what.startsWith("scale")) {
        pollNothingNew(target, Path.of(state), what.equals("scale-fill"));
      } else {
        long n =
            switch (contender) {
              case "bare" -> Contenders.bare(target);
              case "mailfetch" ->
                  Contenders.mailfetch(
                      target,
                      new EngineBenchmark.CountingSink(),
                      FetchLimits.builder().maxMessageSize(1L << 30).build());
              case "commonsNet" -> Contenders.commonsNet(target);
              default -> Contenders.angusMail(target);
            };
        if (n < BIG) {
          outcome = "short";
        }
      }
    } catch (OutOfMemoryError e) {
      outcome = "OOM";
    } catch (Exception e) {
      outcome = "failed:" + e.getClass().getSimpleName();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long peak = PeakHeap.peak();
    System.out.println(
        "RESULT "
            + String.format(
                Locale.ROOT,
                "%-16s %-8s %12.1f  %12.1f  %13.1f  %12.1f  %11.1f  %7.2f",
                contender,
                outcome,
                idle / 1048576.0,
                peak / 1048576.0,
                (peak - idle) / 1048576.0,
                PeakHeap.live() / 1048576.0,
                peakRssKb() / 1024.0,
                seconds));
  }

  private static void pollNothingNew(Contenders.Server target, Path state, boolean fill)
      throws IOException {
    Pop3Source source =
        Pop3Source.builder()
            .host(target.host())
            .port(target.port())
            .user(target.user())
            .password(target::password)
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .limits(Pop3Limits.builder().commandTimeout(java.time.Duration.ofMinutes(5)).build())
            .build();
    FetchLimits limits = FetchLimits.builder().maxListing(2_000_000).build();
    if (fill) {
      try (JournalUidStore store = JournalUidStore.open(state)) {
        FetchResult first =
            Fetcher.builder()
                .source(source)
                .sink(new EngineBenchmark.CountingSink())
                .uidStore(store)
                .retention(Retention.KEEP)
                .onlyNew(true)
                .limits(limits)
                .build()
                .run();
        if (!first.ok()) {
          throw new IllegalStateException(first.summary());
        }
      }
      return;
    }
    try (JournalUidStore store = JournalUidStore.open(state)) {
      FetchResult poll =
          Fetcher.builder()
              .source(source)
              .sink(new EngineBenchmark.CountingSink())
              .uidStore(store)
              .retention(Retention.KEEP)
              .limits(limits)
              .build()
              .run();
      if (!poll.ok() || poll.bytesDelivered() != 0) {
        throw new IllegalStateException(poll.summary());
      }
    }
  }

  private static long heapUsed() {
    long n = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        n += pool.getUsage().getUsed();
      }
    }
    return n;
  }

  /**
   * The most heap in use at any moment: the heap just before each collection (from the JVM's GC
   * notifications, where the peaks are), and the heap in use now.
   */
  static final class PeakHeap {
    private static volatile long peak;
    private static volatile long live;
    private static boolean listening;

    static synchronized void watch() {
      reset();
      if (listening) {
        return;
      }
      listening = true;
      for (java.lang.management.GarbageCollectorMXBean gc :
          ManagementFactory.getGarbageCollectorMXBeans()) {
        ((javax.management.NotificationEmitter) gc)
            .addNotificationListener(
                (n, handback) -> {
                  if (!n.getType()
                      .equals(
                          com.sun.management.GarbageCollectionNotificationInfo
                              .GARBAGE_COLLECTION_NOTIFICATION)) {
                    return;
                  }
                  var info =
                      com.sun.management.GarbageCollectionNotificationInfo.from(
                          (javax.management.openmbean.CompositeData) n.getUserData());
                  long before = 0;
                  for (var e : info.getGcInfo().getMemoryUsageBeforeGc().entrySet()) {
                    if (heapPool(e.getKey())) {
                      before += e.getValue().getUsed();
                    }
                  }
                  long after = 0;
                  for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    if (heapPool(e.getKey())) {
                      after += e.getValue().getUsed();
                    }
                  }
                  record(before);
                  recordLive(after);
                },
                null,
                null);
      }
    }

    static void reset() {
      peak = heapUsed();
      live = peak;
    }

    private static synchronized void recordLive(long used) {
      if (used > live) {
        live = used;
      }
    }

    /** The most heap still in use after a collection: what the run really held at once. */
    static long live() {
      return live;
    }

    private static synchronized void record(long used) {
      if (used > peak) {
        peak = used;
      }
    }

    static long peak() {
      record(heapUsed());
      return peak;
    }

    private static boolean heapPool(String name) {
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getName().equals(name)) {
          return pool.getType() == MemoryType.HEAP;
        }
      }
      return false;
    }
  }

  private static long peakRssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return -1;
  }

  /** A 200 MB message: headers, then base64-like lines of 76 characters. */
  private static byte[] bigMessage() {
    byte[] head =
        ("From: big@example.org\r\nTo: alice@example.org\r\nSubject: 200 MB\r\nMessage-ID: <big@bench>\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[(int) BIG];
    System.arraycopy(head, 0, out, 0, head.length);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int col = 0;
    long x = 42;
    for (int i = head.length; i < out.length; i++) {
      if (i >= out.length - 2) {
        out[i] = (byte) (i == out.length - 2 ? '\r' : '\n');
      } else if (col == 76) {
        out[i] = '\r';
        col++;
      } else if (col == 77) {
        out[i] = '\n';
        col = 0;
      } else {
        x = x * 6364136223846793005L + 1442695040888963407L;
        out[i] = (byte) alphabet.charAt((int) (x >>> 58));
        col++;
      }
    }
    return out;
  }

  private static String jdk() {
    return "JDK " + System.getProperty("java.version");
  }
}
