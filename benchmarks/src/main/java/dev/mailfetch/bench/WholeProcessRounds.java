package dev.mailfetch.bench;

import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code mailfetch} command timed as a whole process, as people who compare it with mpop time
 * it (issue 22): every row is a process of its own under {@code /usr/bin/time -v} (wall time, user
 * and system CPU, peak RSS), run as a child of the shell of {@code benchmarks/run.sh whole-process}
 * (its fifos, {@code -Dshell}), never of this JVM, which only waits while a row runs.
 *
 * <p>Rows: {@code bare} (the pipelined POP3 loop of {@link Contenders} as its own JVM, writing the
 * messages durably into a Maildir: the practical limit for Java), {@code library} (README's {@code
 * fetchNewMail} as a program of its own, {@link LibraryFetch}: the library without the command, the
 * JDK's defaults as for bare), {@code jar} ({@code java -jar fetch-cli/target/mailfetch.jar fetch
 * pop3://…}), {@code launcher} (the same through the checkout's {@code ./mailfetch} script, {@code
 * JAVA_OPTS} passed through), and where installed {@code mpop}, {@code fetchmail} and {@code
 * getmail} ({@link Pop3Fetchers} says how each is set up). Workloads: {@code first} (10,000 typical
 * messages, ~266 MB, from a private Dovecot into a fresh Maildir with a fresh state, keep mode),
 * {@code nothing-new} (the same mailbox again in the same folder right after: every message known,
 * the cron case; bare only lists the UIDs) and {@code rtt10} (1,000 small messages from a second
 * Dovecot through a {@link DelayRelay} adding a 10 ms round trip). {@code syncs} (not among the
 * defaults) runs each row once on the 1,000 small messages under {@code strace -f -c} and counts
 * its fsync-family calls. With {@code -Dsecurity=tls} every workload is fetched over implicit TLS
 * (Dovecot's pop3s port, its certificate checked against the test CA) by the rows that can ({@code
 * bare}, {@code library}, {@code jar}, {@code launcher}, {@code mpop}).
 *
 * <p>Each round runs the rows in an order rotated by one from the round before. Every shot is
 * checked (the Maildir holds as many messages as the server; nothing-new adds none and leaves
 * nothing in tmp/), so a broken row cannot look fast. Before the first round every row fetches the
 * small mailbox once, untimed: a row that fails stops the run before any timing, and the JDK's and
 * tools' files are in the page cache for all rows alike.
 *
 * <p>Properties: {@code rounds} (3), {@code rows}, {@code once} (rows shot in the first round
 * only), {@code workloads} (first,nothing-new,rtt10), {@code messages} (10000), {@code small}
 * (1000), {@code rtt} (10 ms), {@code maildir} ({@code tmpfs}: under /dev/shm; {@code disk}: under
 * benchmarks/target, on the checkout's disk), {@code security} ({@code plain}, or {@code tls}:
 * implicit TLS, fetchmail and getmail left out), {@code dedup} (the {@code --dedup} policy of the
 * jar and launcher rows, {@code none} by default: every new message delivered, as the other rows
 * do), {@code cli} and {@code launcher} (the jar and the script), {@code shell} (set by run.sh).
 */
public final class WholeProcessRounds {
  private WholeProcessRounds() {}

  private static final List<String> EXTERNAL = List.of("mpop", "fetchmail", "getmail");

  public static void main(String[] args) throws Exception {
    Path shell = Path.of(System.getProperty("shell", "")); // set by run.sh
    if (!Files.exists(shell.resolve("request"))) {
      throw new IllegalStateException("run me as: benchmarks/run.sh whole-process [short|full]");
    }
    int rounds = Integer.getInteger("rounds", 3);
    int messages = Integer.getInteger("messages", 10_000);
    int small = Integer.getInteger("small", 1_000);
    int rtt = Integer.getInteger("rtt", 10);
    boolean tls =
        switch (System.getProperty("security", "plain")) {
          case "plain" -> false;
          case "tls" -> true;
          default -> throw new IllegalArgumentException("-Dsecurity is plain or tls");
        };
    // rows shot in the first round only (fetchmail and getmail take minutes per 10,000 messages)
    List<String> once = Arrays.asList(System.getProperty("once", "").split(","));
    List<String> workloads =
        List.of(System.getProperty("workloads", "first,nothing-new,rtt10").split(","));
    List<String> rows =
        new ArrayList<>(
            Arrays.asList(
                System.getProperty("rows", "bare,library,jar,launcher,mpop,fetchmail,getmail")
                    .split(",")));
    for (String tool : EXTERNAL) {
      if (rows.contains(tool) && !ExternalFetchers.installed(tool)) {
        System.out.println("# " + tool + " is not installed here: its row is left out");
        rows.remove(tool);
      }
    }
    for (String tool : List.of("fetchmail", "getmail")) {
      if (tls && rows.remove(tool)) {
        System.out.println("# " + tool + " is measured over plain POP3 only: its row is left out");
      }
    }
    if (!Files.isRegularFile(Pop3Fetchers.cliJar())) {
      throw new IllegalStateException(
          "no "
              + Pop3Fetchers.cliJar()
              + ": build it first (./mvnw -pl benchmarks,fetch-cli -am package -DskipTests)");
    }
    boolean disk = "disk".equals(System.getProperty("maildir", "tmpfs"));
    Path work =
        disk
            ? Files.createTempDirectory(
                Files.createDirectories(Path.of("benchmarks/target").toAbsolutePath()),
                "whole-process-")
            : Files.createTempDirectory(Path.of("/dev/shm"), "mailfetch-whole-process-");
    MailCorpus corpus = EndToEndBenchmark.typical(messages);
    long bytes = corpus.messages().stream().mapToLong(MailCorpus.Message::size).sum();
    MailCorpus smallCorpus = MailCorpus.generate(99, small * 3).filter(m -> m.size() < 8 * 1024);
    int[] n = {0};
    MailCorpus smallOnes = smallCorpus.filter(m -> n[0]++ < small);
    TestCertificates certs = TestCertificates.generate();
    PrivateDovecot big = null;
    PrivateDovecot little = null;
    DelayRelay relay = null;
    try {
      big =
          PrivateDovecot.start(
              EnumSet.of(PrivateDovecot.Service.POP3),
              corpus::writeMaildir,
              certs,
              PrivateDovecot.Saving.NO_FSYNC);
      corpus = null; // Dovecot has it: the memory goes back before any timing
      little =
          PrivateDovecot.start(
              EnumSet.of(PrivateDovecot.Service.POP3),
              smallOnes::writeMaildir,
              certs,
              PrivateDovecot.Saving.NO_FSYNC);
      Path ca = tls ? certs.writeCaPem(work) : null;
      int bigPort = tls ? big.tlsPort() : big.port();
      int littlePort = tls ? little.tlsPort() : little.port();
      relay =
          new DelayRelay(new InetSocketAddress("127.0.0.1", littlePort), Duration.ofMillis(rtt));
      System.out.printf(
          Locale.ROOT,
          "# first, nothing-new: %d messages (%d bytes) in a private Dovecot's POP3 mailbox;"
              + " rtt%d: %d messages under 8 KB behind a relay adding a %d ms round trip%n"
              + "# Maildirs in %s (%s); %d round(s) of %s over %s; JAVA_OPTS=%s; dedup %s; %s%n",
          messages,
          bytes,
          rtt,
          small,
          rtt,
          work,
          disk ? "the checkout's disk" : "tmpfs",
          rounds,
          workloads,
          rows,
          System.getenv().getOrDefault("JAVA_OPTS", ""),
          Pop3Fetchers.dedup(),
          tls ? "implicit TLS (pop3s), the test CA's certificate checked" : "plain POP3");
      // Dovecot reads each mailbox once (its index, the page cache), outside any timing.
      Contenders.Server server =
          new Contenders.Server(
              "127.0.0.1",
              bigPort,
              PrivateDovecot.USER,
              PrivateDovecot.PASSWORD,
              tls ? Contenders.trusting(ca) : null);
      Contenders.bare(server);
      Shooter shooter = new Shooter(shell, work, ca);
      for (String row : rows) { // every row checked once before any timing
        ExternalFetchers.Timing t = shooter.fetch(row, littlePort, small, null);
        System.out.printf(Locale.ROOT, "check %-10s %s%n", row, line(t));
      }
      if (workloads.contains("syncs")) {
        Syncs.count(shooter, rows, littlePort, small);
      }
      Map<String, Results> results = new LinkedHashMap<>();
      for (String w : List.of("first", "nothing-new", "rtt10")) {
        if (workloads.contains(w)) {
          results.put(w, new Results(rows));
        }
      }
      for (int r = 0; r < rounds && !results.isEmpty(); r++) {
        List<String> order = new ArrayList<>(rows);
        java.util.Collections.rotate(order, -r);
        if (r > 0) {
          order.removeAll(once);
        }
        if (results.containsKey("first") || results.containsKey("nothing-new")) {
          for (String row : order) {
            Path dest = shooter.newDest(row);
            ExternalFetchers.Timing t = shooter.fetch(row, bigPort, messages, dest);
            record(results, "first", r, row, t);
            if (results.containsKey("nothing-new")) {
              t = shooter.again(row, bigPort, dest);
              record(results, "nothing-new", r, row, t);
            }
            EndToEndBenchmark.delete(dest);
          }
        }
        if (results.containsKey("rtt10")) {
          for (String row : order) {
            record(results, "rtt10", r, row, shooter.fetch(row, relay.port(), small, null));
          }
        }
      }
      for (Map.Entry<String, Results> e : results.entrySet()) {
        e.getValue().print(e.getKey());
      }
    } finally {
      if (relay != null) {
        relay.close();
      }
      if (big != null) {
        big.stop();
      }
      if (little != null) {
        little.stop();
      }
      EndToEndBenchmark.delete(work);
    }
  }

  private static void record(
      Map<String, Results> results, String w, int round, String row, ExternalFetchers.Timing t) {
    if (results.containsKey(w)) {
      results.get(w).add(row, t);
      System.out.printf(
          Locale.ROOT,
          "round %d %-11s %-10s %s  load %s%n",
          round + 1,
          w,
          row,
          line(t),
          ImapSourceRounds.Shots.load());
    }
  }

  static String line(ExternalFetchers.Timing t) {
    return String.format(
        Locale.ROOT,
        "%6.2f s wall %6.2f s CPU (%.2f user %.2f sys) %6.1f MiB peak RSS",
        t.wall(),
        t.cpu(),
        t.user(),
        t.system(),
        t.rssKb() / 1024.0);
  }

  /** Runs a row's command through the shell and checks what it left in the Maildir. */
  static final class Shooter {
    private final Path shell;
    private final Path work;
    private final Path ca; // null: plain POP3

    Shooter(Path shell, Path work, Path ca) {
      this.shell = shell;
      this.work = work;
      this.ca = ca;
    }

    Path newDest(String row) throws IOException {
      return Files.createTempDirectory(work, row + "-");
    }

    /**
     * A first fetch of {@code expected} messages into a fresh Maildir in {@code dest} (a new folder
     * if null, removed after).
     */
    ExternalFetchers.Timing fetch(String row, int port, int expected, Path dest) throws Exception {
      boolean own = dest == null;
      Path d = own ? newDest(row) : dest;
      ExternalFetchers.Timing t = run(row, port, d, false, List.of());
      long held = held(d);
      boolean dedups = row.equals("jar") || row.equals("launcher");
      if (dedups && !Pop3Fetchers.dedup().equals("none")
          ? held < 1 || held > expected
          : held != expected) {
        throw new IllegalStateException(
            row + " wrote " + held + " messages, not " + expected + ": " + log(d));
      }
      if (own) {
        EndToEndBenchmark.delete(d);
      }
      return t;
    }

    /** The same mailbox again into the same folder: nothing may be written. */
    ExternalFetchers.Timing again(String row, int port, Path dest) throws Exception {
      long before = held(dest);
      ExternalFetchers.Timing t = run(row, port, dest, true, List.of());
      long held = held(dest);
      long left = ImapSourceRounds.count(Pop3Fetchers.maildir(dest).resolve("tmp"));
      if (held != before || left != 0) {
        throw new IllegalStateException(
            row
                + " with nothing new left "
                + held
                + " messages (not "
                + before
                + ") and "
                + left
                + " in tmp/: "
                + log(dest));
      }
      return t;
    }

    /** {@code row}'s command in {@code dest}, {@code prefix} before it (strace). */
    ExternalFetchers.Timing run(
        String row, int port, Path dest, boolean listOnly, List<String> prefix) throws Exception {
      Pop3Fetchers.Command c = Pop3Fetchers.command(row, port, dest, listOnly, ca);
      List<String> argv = new ArrayList<>(prefix);
      argv.addAll(c.argv());
      return ExternalFetchers.throughShell(shell, argv, dest, c.env());
    }

    static long held(Path dest) throws IOException {
      Path m = Pop3Fetchers.maildir(dest);
      return ImapSourceRounds.count(m.resolve("new")) + ImapSourceRounds.count(m.resolve("cur"));
    }

    private static String log(Path dest) throws IOException {
      Path log = dest.resolve("run.log");
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
  }

  /** Each row's shots in one workload, and their table. */
  static final class Results {
    private final Map<String, List<ExternalFetchers.Timing>> shots = new LinkedHashMap<>();

    Results(List<String> rows) {
      for (String row : rows) {
        shots.put(row, new ArrayList<>());
      }
    }

    void add(String row, ExternalFetchers.Timing t) {
      shots.get(row).add(t);
    }

    double median(String row, java.util.function.ToDoubleFunction<ExternalFetchers.Timing> f) {
      List<ExternalFetchers.Timing> s = shots.get(row);
      if (s == null || s.isEmpty()) {
        return Double.NaN;
      }
      return ImapSourceRounds.Shots.median(s.stream().map(f::applyAsDouble).toList());
    }

    void print(String workload) {
      System.out.println();
      System.out.println("## " + workload + " (medians; ratios to mpop's and bare's medians)");
      System.out.println();
      System.out.println(
          "| row | wall | CPU user+sys | peak RSS | wall ÷ mpop | CPU ÷ mpop | wall ÷ bare |"
              + " walls of the shots |");
      System.out.println("|---|---|---|---|---|---|---|---|");
      for (String row : shots.keySet()) {
        double wall = median(row, ExternalFetchers.Timing::wall);
        double cpu = median(row, ExternalFetchers.Timing::cpu);
        double rss = median(row, t -> t.rssKb() / 1024.0);
        System.out.printf(
            Locale.ROOT,
            "| %s | %.2f s | %.2f s | %.0f MiB | %s | %s | %s | %s |%n",
            row,
            wall,
            cpu,
            rss,
            ratio(wall, median("mpop", ExternalFetchers.Timing::wall)),
            ratio(cpu, median("mpop", ExternalFetchers.Timing::cpu)),
            ratio(wall, median("bare", ExternalFetchers.Timing::wall)),
            shots.get(row).stream()
                .map(t -> String.format(Locale.ROOT, "%.2f", t.wall()))
                .toList());
      }
    }

    private static String ratio(double a, double b) {
      return Double.isNaN(a) || Double.isNaN(b) || b == 0
          ? "—"
          : String.format(Locale.ROOT, "%.2f×", a / b);
    }
  }

  /**
   * Whether each row makes its messages durable at all: one fetch of the small mailbox under {@code
   * strace -f -c}, counting fsync, fdatasync, sync_file_range, syncfs, msync and sync calls (the
   * timings of these shots are strace's, not the row's).
   */
  static final class Syncs {
    private Syncs() {}

    static void count(Shooter shooter, List<String> rows, int port, int messages) throws Exception {
      System.out.println();
      System.out.println(
          "## syncs: calls under strace -f -c, one fetch of " + messages + " messages");
      System.out.println();
      System.out.println(
          "| row | fsync | fdatasync | sync_file_range | syncfs | msync | sync | per message |");
      System.out.println("|---|---|---|---|---|---|---|---|");
      List<String> calls =
          List.of("fsync", "fdatasync", "sync_file_range", "syncfs", "msync", "sync");
      for (String row : rows) {
        Path dest = shooter.newDest(row);
        Path out = dest.resolve("strace.txt");
        shooter.run(
            row,
            port,
            dest,
            false,
            List.of(
                "strace",
                "-f",
                "-c",
                "-o",
                out.toString(),
                "-e",
                "trace=" + String.join(",", calls)));
        long held = Shooter.held(dest);
        if (held != messages) {
          throw new IllegalStateException(row + " under strace wrote " + held + " messages");
        }
        Map<String, Long> counted = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
          String[] f = line.trim().split("\\s+");
          // "% time seconds usecs/call calls [errors] syscall"
          if (f.length >= 5 && calls.contains(f[f.length - 1]) && f[0].matches("[0-9.]+")) {
            counted.put(f[f.length - 1], Long.parseLong(f[3]));
          }
        }
        long total = counted.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder b = new StringBuilder("| " + row + " |");
        for (String call : calls) {
          b.append(' ').append(counted.getOrDefault(call, 0L)).append(" |");
        }
        b.append(String.format(Locale.ROOT, " %.2f |", total / (double) messages));
        System.out.println(b);
        EndToEndBenchmark.delete(dest);
      }
      System.out.println();
    }
  }
}
