package dev.mailfetch.bench;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.Retention;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.imap.ImapSource;
import dev.mailfetch.sink.MaildirSink;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Fetching a whole IMAP INBOX into a Maildir, every contender in alternating order in one JVM and
 * one private Dovecot (the corpus written into its Maildir, indexed before the first shot): {@code
 * bareImap} ({@link BareImapFetch}, the ceiling), {@code bareImapOneBatch} (the same with
 * mailfetch's pipeline shape: 50 UIDs per command, one in flight, the next sent before the files
 * are synced; not among the default rows), {@code mailfetchImap} ({@link ImapSource} through the
 * engine into a {@link MaildirSink}, keep mode, a fresh in-memory state each shot), {@code
 * angusImap} (Angus Mail's IMAP provider at its best: {@code partialfetch} off, each message's
 * {@code writeTo} into a file), and where installed the whole processes of {@code mbsync} (isync),
 * {@code offlineimap} (offlineimap3) and {@code getmail} (getmail6), and {@code cliImap} (the whole
 * {@code mailfetch fetch imap://…} process, where {@code fetch-cli/target/mailfetch.jar} is built).
 * Each shot writes a fresh Maildir that must hold every message afterwards (checked, then removed,
 * outside the time). Prints each shot with the load average, then each row's minimum, median and
 * ratio of medians to {@code bareImap}.
 *
 * <pre>{@code
 * java -Drounds=1 -cp benchmarks/target/benchmarks.jar dev.mailfetch.bench.ImapSourceRounds
 * }</pre>
 *
 * <p>Properties: {@code messages} (10000), {@code rounds} (1), {@code passes} (2: forwards and
 * back), {@code warmup} (1 unrecorded pass of the in-JVM rows), {@code rows} (a comma list), {@code
 * cli} (the shaded jar), {@code once} (rows shot in a round's first pass only), {@code stamps}
 * (true: each shot's start and end, to cut a JFR recording into shots), {@code bench.batch} (the
 * engine's batch, 50), {@code shell} (a folder with the fifos of {@code benchmarks/run.sh
 * imap-source}: the external fetchers and the command then run as children of that shell, under
 * {@code /usr/bin/time -v}, their CPU time added to the client's; without it they are this JVM's
 * children, where getmail cannot run). {@code ImapPollRounds} is the nothing-new poll of a large
 * folder.
 */
public final class ImapSourceRounds {
  private ImapSourceRounds() {}

  public static void main(String[] args) throws Exception {
    int messages = Integer.getInteger("messages", 10_000);
    int rounds = Integer.getInteger("rounds", 1);
    int warmup = Integer.getInteger("warmup", 1);
    int passes = Integer.getInteger("passes", 2);
    // rows shot in the first pass of a round only (getmail takes minutes), between the others'
    List<String> once = Arrays.asList(System.getProperty("once", "").split(","));
    Path cliJar = Path.of(System.getProperty("cli", "fetch-cli/target/mailfetch.jar"));
    List<String> rows =
        new ArrayList<>(
            Arrays.asList(
                System.getProperty(
                        "rows",
                        "bareImap,mailfetchImap,angusImap,mbsync,offlineimap,getmail,cliImap")
                    .split(",")));
    for (String tool : List.of("mbsync", "offlineimap", "getmail")) {
      if (rows.contains(tool) && !ExternalFetchers.installed(tool)) {
        System.out.println("# " + tool + " is not installed here: its row is left out");
        rows.remove(tool);
      }
    }
    if (rows.contains("cliImap") && !Files.isRegularFile(cliJar)) {
      System.out.println("# no " + cliJar + ": the cliImap row is left out");
      rows.remove("cliImap");
    }
    MailCorpus corpus = EndToEndBenchmark.typical(messages);
    PrivateDovecot dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP),
            corpus::writeMaildir,
            TestCertificates.generate(),
            PrivateDovecot.Saving.NO_FSYNC);
    Path work = Files.createTempDirectory("i20-bench-imap-");
    System.out.printf(
        Locale.ROOT,
        "# %d messages (%d bytes) in Dovecot's INBOX, engine batch %d, %d round(s) of %d pass(es)"
            + " over %s%n",
        messages,
        corpus.messages().stream().mapToLong(MailCorpus.Message::size).sum(),
        Integer.getInteger("bench.batch", 50),
        rounds,
        passes,
        rows);
    try {
      dovecot.doveadm("mailbox", "status", "messages", "INBOX"); // indexed before any timing
      Shots shots = new Shots(rows, messages);
      for (int w = 0; w < warmup; w++) {
        for (String row : rows) {
          if (row.startsWith("bareImap")
              || row.equals("mailfetchImap")
              || row.equals("angusImap")) {
            System.out.printf(
                Locale.ROOT,
                "warm-up %-14s %8.1f s%n",
                row,
                shot(row, dovecot, work, messages, cliJar));
          }
        }
      }
      for (int r = 0; r < rounds; r++) {
        List<String> order = new ArrayList<>(rows);
        for (int pass = 0; pass < passes; pass++) {
          for (String row : order) {
            if (pass > 0 && once.contains(row)) {
              continue;
            }
            double[] cpu0 = Cpu.now(dovecot);
            ExternalFetchers.lastShellCpu = Double.NaN;
            long startedMillis = System.currentTimeMillis();
            double s = shot(row, dovecot, work, messages, cliJar);
            if (Boolean.getBoolean("stamps")) { // to cut a JFR recording into shots
              System.out.printf(
                  Locale.ROOT,
                  "shot %s from %d to %d (epoch ms)%n",
                  row,
                  startedMillis,
                  startedMillis + Math.round(s * 1000));
            }
            dovecot.awaitSessionsEnded(Duration.ofSeconds(30)); // its CPU time counted
            double[] cpu = Cpu.since(cpu0, dovecot);
            if (!Double.isNaN(ExternalFetchers.lastShellCpu)) {
              cpu[0] += ExternalFetchers.lastShellCpu; // the shell's child: not in this JVM's
            }
            shots.add(row, s, cpu);
            System.out.printf(
                Locale.ROOT,
                "round %d %-14s %8.1f s  %6.2f ms/message  load %s  cpu client %.1f s server %.1f"
                    + " s%n",
                r + 1,
                row,
                s,
                s * 1000 / messages,
                Shots.load(),
                cpu[0],
                cpu[1]);
          }
          Collections.reverse(order);
        }
      }
      shots.print("bareImap");
    } finally {
      dovecot.stop();
      EndToEndBenchmark.delete(work);
    }
  }

  /** One whole INBOX through {@code row} into a fresh Maildir, in seconds; checked after. */
  private static double shot(
      String row, PrivateDovecot dovecot, Path work, int messages, Path cliJar) throws Exception {
    Path dest = Files.createTempDirectory(work, row + "-");
    int port = dovecot.imapPort();
    long t0 = System.nanoTime();
    Path maildir =
        switch (row) {
          case "bareImap" -> {
            BareImapFetch.fetch(
                "127.0.0.1", port, PrivateDovecot.USER, PrivateDovecot.PASSWORD, dest);
            yield dest;
          }
          case "bareImapOneBatch" -> {
            BareImapFetch.fetch(
                "127.0.0.1", port, PrivateDovecot.USER, PrivateDovecot.PASSWORD, dest, 50, 1);
            yield dest;
          }
          case "mailfetchImap" -> {
            mailfetch(port, dest);
            yield dest;
          }
          case "angusImap" -> {
            angus(port, dest);
            yield null;
          }
          case "cliImap" -> ExternalFetchers.cli(cliJar, port, dest);
          default -> ExternalFetchers.run(row, port, dest);
        };
    double s = (System.nanoTime() - t0) / 1e9;
    long held =
        maildir == null
            ? count(dest)
            : count(maildir.resolve("new")) + count(maildir.resolve("cur"));
    if (held != messages) {
      throw new IllegalStateException(row + " wrote " + held + " messages, not " + messages);
    }
    EndToEndBenchmark.delete(dest);
    return s;
  }

  /** mailfetch: ImapSource through the engine into a MaildirSink, keep mode, a fresh state. */
  static FetchResult mailfetch(int port, Path maildir) throws IOException {
    ImapSource source =
        ImapSource.builder()
            .host("127.0.0.1")
            .port(port)
            .security(ImapSecurity.NONE)
            .allowPlaintextAuthentication(true)
            .user(PrivateDovecot.USER)
            .password(() -> PrivateDovecot.PASSWORD)
            .build();
    try (MaildirSink sink = MaildirSink.open(maildir)) {
      FetchResult r =
          Fetcher.builder()
              .source(source)
              .sink(sink)
              .uidStore(InMemoryUidStore.create())
              .retention(Retention.KEEP)
              .batchSize(Integer.getInteger("bench.batch", 50))
              .build()
              .run();
      if (!r.ok()) {
        throw new IllegalStateException("mailfetch failed: " + r.summary());
      }
      return r;
    }
  }

  /**
   * Angus Mail's IMAP provider at its best: the whole {@code BODY.PEEK[]} in one FETCH per message
   * ({@code mail.imap.partialfetch=false}; by default it fetches 16 KiB slices), each written with
   * {@code writeTo} into a file of its own (no fsync: Angus promises nothing about the disk).
   */
  static void angus(int port, Path dir) throws Exception {
    Properties props = new Properties();
    props.put("mail.imap.partialfetch", "false");
    props.put("mail.imap.peek", "true");
    props.put("mail.imap.connectiontimeout", "10000");
    Store store = Session.getInstance(props).getStore("imap");
    store.connect("127.0.0.1", port, PrivateDovecot.USER, PrivateDovecot.PASSWORD);
    Folder inbox = store.getFolder("INBOX");
    inbox.open(Folder.READ_ONLY);
    int i = 0;
    for (Message m : inbox.getMessages()) {
      try (OutputStream out =
          new BufferedOutputStream(Files.newOutputStream(dir.resolve("angus." + i++)))) {
        m.writeTo(out);
      }
    }
    inbox.close(false);
    store.close();
  }

  static long count(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  /**
   * CPU time (user and system, in seconds) of this JVM with its children reaped (the external
   * fetchers', the command's), and of the private Dovecot's master with its reaped children (each
   * IMAP session's process ends at LOGOUT): clock ticks from {@code /proc}, so that a shot's own
   * work shows apart from what the machine's load did to its time.
   */
  static final class Cpu {
    private Cpu() {}

    static double[] now(PrivateDovecot dovecot) {
      Path pid = dovecot.maildir().getParent().getParent().getParent().resolve("base/master.pid");
      double server = Double.NaN;
      try {
        server = ticks(Path.of("/proc", Files.readString(pid).strip(), "stat"));
      } catch (IOException e) {
        // no figure for the server
      }
      return new double[] {ticks(Path.of("/proc/self/stat")), server};
    }

    static double[] since(double[] before, PrivateDovecot dovecot) {
      double[] now = now(dovecot);
      return new double[] {now[0] - before[0], now[1] - before[1]};
    }

    /** utime + stime + cutime + cstime of a {@code /proc/PID/stat}, in seconds (100 Hz ticks). */
    private static double ticks(Path stat) {
      try {
        String s = Files.readString(stat, StandardCharsets.US_ASCII);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        long t = 0;
        for (int i = 11; i <= 14; i++) { // fields 14-17 of proc(5), counted from the state
          t += Long.parseLong(f[i]);
        }
        return t / 100.0;
      } catch (IOException | RuntimeException e) {
        return Double.NaN;
      }
    }
  }

  /** Shots per row, and the table of them. */
  static final class Shots {
    private final Map<String, List<Double>> shots = new LinkedHashMap<>();
    private final Map<String, List<double[]>> cpu = new LinkedHashMap<>();
    private final int messages;

    Shots(List<String> rows, int messages) {
      for (String row : rows) {
        shots.put(row, new ArrayList<>());
        cpu.put(row, new ArrayList<>());
      }
      this.messages = messages;
    }

    void add(String row, double seconds) {
      shots.get(row).add(seconds);
    }

    void add(String row, double seconds, double[] cpuSeconds) {
      add(row, seconds);
      cpu.get(row).add(cpuSeconds);
    }

    void print(String baseline) {
      System.out.println();
      System.out.println(
          "| row | shots | min | median | per message (median) | ratio to "
              + baseline
              + " | CPU client, server (medians) |");
      System.out.println("|---|---|---|---|---|---|---|");
      for (Map.Entry<String, List<Double>> e : shots.entrySet()) {
        List<Double> s = e.getValue();
        String ratio =
            shots.containsKey(baseline) && !shots.get(baseline).isEmpty()
                ? String.format(Locale.ROOT, "%.2f×", median(s) / median(shots.get(baseline)))
                : "";
        List<double[]> c = cpu.getOrDefault(e.getKey(), List.of());
        System.out.printf(
            Locale.ROOT,
            "| %s | %s | %.2f s | %.2f s | %.3f ms | %s | %s |%n",
            e.getKey(),
            s.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList(),
            s.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
            median(s),
            median(s) * 1000 / messages,
            ratio,
            c.isEmpty()
                ? ""
                : String.format(
                    Locale.ROOT,
                    "%.1f s, %.1f s",
                    median(c.stream().map(x -> x[0]).toList()),
                    median(c.stream().map(x -> x[1]).toList())));
      }
    }

    static double median(List<Double> s) {
      double[] a = s.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      if (a.length == 0) {
        return Double.NaN;
      }
      return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    static String load() {
      try {
        String[] f =
            Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
      } catch (IOException e) {
        return "?";
      }
    }
  }
}
