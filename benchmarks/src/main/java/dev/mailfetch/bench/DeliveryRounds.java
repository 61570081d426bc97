package dev.mailfetch.bench;

import dev.mailfetch.testkit.PrivateDovecot;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link DeliveryBenchmark}'s rows in alternating order in one Dovecot and one JVM, so that a
 * change in the machine's load falls on every row alike: each round runs the rows forwards (bare
 * IMAP, mailfetch IMAP, bare LMTP, mailfetch LMTP, then the whole {@code mailfetch} process into
 * IMAP where its jar is built) and then backwards. Prints each shot, then each row's minimum and
 * median and the ratio mailfetch / bare of the medians.
 *
 * <pre>{@code
 * java -Drounds=2 -Dsaving=NO_FSYNC -Dcli=fetch-cli/target/mailfetch.jar \
 *     -cp benchmarks/target/benchmarks.jar dev.mailfetch.bench.DeliveryRounds
 * }</pre>
 *
 * <p>Properties: {@code messages} (10000), {@code rounds} (2), {@code passes} (2: forwards and
 * back; 1: forwards only), {@code warmup} (1: one unrecorded pass of the in-JVM rows), {@code
 * saving} ({@code NO_FSYNC} or {@code DURABLE}, Dovecot's defaults), {@code rows} (a comma list,
 * default the five above; also {@code mailfetchImapNoJournal} and {@code mailfetchLmtpNoJournal},
 * the sinks without their journal, to see what its forces cost), {@code cli} (the shaded jar; the
 * CLI row is left out where it does not exist), {@code bench.batch} (the engine's batch, 50).
 */
public final class DeliveryRounds {
  private static final String POP3_PASSWORD = "bench";

  private DeliveryRounds() {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.getInteger("rounds", 2);
    int warmup = Integer.getInteger("warmup", 1);
    int passes = Integer.getInteger("passes", 2);
    Path cliJar = Path.of(System.getProperty("cli", "fetch-cli/target/mailfetch.jar"));
    List<String> rows =
        new ArrayList<>(
            Arrays.asList(
                System.getProperty("rows", "bareImap,mailfetchImap,bareLmtp,mailfetchLmtp,cliImap")
                    .split(",")));
    if (rows.contains("cliImap") && !Files.isRegularFile(cliJar)) {
      System.out.println("# no " + cliJar + ": the cliImap row is left out");
      rows.remove("cliImap");
    }
    DeliveryBenchmark b = new DeliveryBenchmark();
    b.messages = Integer.getInteger("messages", 10_000);
    b.saving = PrivateDovecot.Saving.valueOf(System.getProperty("saving", "NO_FSYNC"));
    System.out.printf(
        Locale.ROOT,
        "# %d messages, Dovecot saving %s, engine batch %d, %d round(s) of %d pass(es) over %s%n",
        b.messages,
        b.saving,
        Integer.getInteger("bench.batch", 50),
        rounds,
        passes,
        rows);
    b.start();
    Process fakeServer = null;
    Path work = Files.createTempDirectory("i19-bench-rounds-");
    try {
      int fakePort = 0;
      if (rows.contains("cliImap")) {
        Path maildir = work.resolve("corpus");
        b.corpus.writeMaildir(maildir);
        fakePort = freePort();
        ProcessBuilder pb =
            new ProcessBuilder(
                    javaBin(),
                    "-jar",
                    cliJar.toString(),
                    "fake-server",
                    "--port",
                    Integer.toString(fakePort),
                    "--tls",
                    "none",
                    "--user",
                    "alice",
                    "--password-env",
                    "FAKE_PW",
                    "--maildir",
                    maildir.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("fake-server.log").toFile());
        pb.environment().put("FAKE_PW", POP3_PASSWORD);
        fakeServer = pb.start();
        awaitGreeting(fakePort, work.resolve("fake-server.log"));
      }
      Map<String, List<Double>> shots = new LinkedHashMap<>();
      for (String row : rows) {
        shots.put(row, new ArrayList<>());
      }
      for (int w = 0; w < warmup; w++) {
        for (String row : rows) {
          if (!row.equals("cliImap")) {
            System.out.printf(Locale.ROOT, "warm-up %-14s %8.1f s%n", row, shot(b, row, 0, work));
          }
        }
      }
      for (int r = 0; r < rounds; r++) {
        List<String> order = new ArrayList<>(rows);
        for (int pass = 0; pass < passes; pass++) {
          for (String row : order) {
            double s = shot(b, row, fakePort, work);
            shots.get(row).add(s);
            System.out.printf(
                Locale.ROOT,
                "round %d %-14s %8.1f s  %6.2f ms/message  load %s%n",
                r + 1,
                row,
                s,
                s * 1000 / b.messages,
                load());
          }
          java.util.Collections.reverse(order);
        }
      }
      System.out.println();
      System.out.println("| row | shots | min | median | per message (median) | ratio to bare |");
      System.out.println("|---|---|---|---|---|---|");
      for (Map.Entry<String, List<Double>> e : shots.entrySet()) {
        List<Double> s = e.getValue();
        String bare = e.getKey().contains("Lmtp") ? "bareLmtp" : "bareImap";
        String ratio =
            shots.containsKey(bare)
                ? String.format(Locale.ROOT, "%.2f×", median(s) / median(shots.get(bare)))
                : "";
        System.out.printf(
            Locale.ROOT,
            "| %s | %d | %.1f s | %.1f s | %.2f ms | %s |%n",
            e.getKey(),
            s.size(),
            min(s),
            median(s),
            median(s) * 1000 / b.messages,
            ratio);
      }
    } finally {
      if (fakeServer != null) {
        fakeServer.destroy();
        fakeServer.waitFor(10, TimeUnit.SECONDS);
      }
      b.stop();
      EndToEndBenchmark.delete(work);
    }
  }

  /** One whole mailbox through {@code row}, in seconds; Dovecot checked and emptied after it. */
  private static double shot(DeliveryBenchmark b, String row, int fakePort, Path work)
      throws Exception {
    long t0 = System.nanoTime();
    switch (row) {
      case "bareImap" -> b.bareImap();
      case "mailfetchImap" -> b.mailfetchImap();
      case "bareLmtp" -> b.bareLmtp();
      case "mailfetchLmtp" -> b.mailfetchLmtp();
      case "mailfetchImapNoJournal" -> b.mailfetchImap(false);
      case "mailfetchLmtpNoJournal" -> b.mailfetchLmtp(false);
      case "cliImap" -> cli(fakePort, b.dovecot().imapPort(), work);
      default -> throw new IllegalArgumentException("no row " + row);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    b.checkAndEmpty();
    return s;
  }

  /** benchmarks/deliver-cli.sh: the whole command under /usr/bin/time, its line printed. */
  private static void cli(int pop3Port, int imapPort, Path work) throws Exception {
    Path state = Files.createTempDirectory(work, "state-");
    Path log = work.resolve("cli.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                "benchmarks/deliver-cli.sh",
                Integer.toString(pop3Port),
                Integer.toString(imapPort),
                state.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("MAIL_PW", POP3_PASSWORD);
    pb.environment().put("IMAP_PW", PrivateDovecot.PASSWORD);
    int exit = pb.start().waitFor();
    String out = Files.readString(log, StandardCharsets.UTF_8);
    if (exit != 0) {
      throw new IllegalStateException("deliver-cli.sh failed (exit " + exit + "): " + out);
    }
    for (String line : out.split("\n")) {
      if (line.startsWith("time:")) {
        System.out.println("  cliImap " + line);
      }
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void awaitGreeting(int port, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        if (s.getInputStream().read() == '+') {
          return;
        }
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException(
        "mailfetch fake-server did not start: " + Files.readString(log));
  }

  private static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private static double min(List<Double> s) {
    return s.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double median(List<Double> s) {
    double[] a = s.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (a.length == 0) {
      return Double.NaN;
    }
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
