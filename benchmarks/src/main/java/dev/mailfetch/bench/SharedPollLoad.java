package dev.mailfetch.bench;

import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailArrival;
import dev.mailfetch.testkit.PrivatePostgres;
import dev.mailfetch.testkit.RecordedSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Issue 21's load: {@code accounts} (10,000) POP3 accounts on {@code servers} (10) testkit servers
 * in this JVM, one config file, and {@code processes} (3) {@code mailfetch poll} processes (the
 * runnable jar) sharing them through a private PostgreSQL for {@code seconds} (300), with mail
 * arriving ({@code arrivalsPerSecond}, 20). Measured over {@code seconds} after a {@code warmup}
 * (60 s):
 *
 * <ul>
 *   <li>checks a second: whole sessions (logged in, QUIT) the servers recorded;
 *   <li>database transactions per check: {@code pg_stat_database} commits and rollbacks of the
 *       database, and its sessions (connections), over the checks;
 *   <li>the lease table's write rate: {@code pg_stat_user_tables} inserts, updates and deletes of
 *       {@code mailfetch_lease} a second (and of every other table);
 *   <li>CPU of each poll process, of PostgreSQL (the postmaster with its reaped children) and of
 *       this JVM (the servers), from {@code /proc}; each poll's resident memory at the end;
 *   <li>how the leases were shared, and the longest gap between two checks of one account.
 * </ul>
 *
 * <pre>{@code
 * java -Daccounts=10000 -Dseconds=300 -cp benchmarks/target/benchmarks.jar dev.mailfetch.bench.SharedPollLoad
 * }</pre>
 *
 * Other properties: {@code minInterval}, {@code maxInterval} (the polls' schedule, default 30s and
 * 60s), {@code leaseTime} (default: the command's), {@code maxChecks} (16 a process), {@code jar}
 * (default fetch-cli/target/mailfetch.jar), {@code pollArgs} (more options, space-separated),
 * {@code pollHeap} (each poll's {@code -Xmx}, default {@code -Xmx1g}; the 10,000-account run of
 * docs/scale.md needed {@code -Xmx3g} for the command's set-up of the file until issue 22, which
 * now fits in 96 MB). The measured run starts once every poll holds leases and checks run (the
 * start-up is timed and printed), after {@code warmup}.
 */
public final class SharedPollLoad {
  private static final String PASSWORD = "load-pw";

  private SharedPollLoad() {}

  public static void main(String[] args) throws Exception {
    int accounts = Integer.getInteger("accounts", 10_000);
    int servers = Integer.getInteger("servers", 10);
    int processes = Integer.getInteger("processes", 3);
    int seconds = Integer.getInteger("seconds", 300);
    int warmup = Integer.getInteger("warmup", 60);
    int arrivals = Integer.getInteger("arrivalsPerSecond", 20);
    String minInterval = System.getProperty("minInterval", "30s");
    String maxInterval = System.getProperty("maxInterval", "60s");
    String leaseTime = System.getProperty("leaseTime", "");
    String maxChecks = System.getProperty("maxChecks", "16");
    String extra = System.getProperty("pollArgs", "");
    String pollHeap = System.getProperty("pollHeap", "-Xmx1g");
    Path jar =
        Path.of(System.getProperty("jar", "fetch-cli/target/mailfetch.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "build the command first: ./mvnw -q -pl fetch-cli -am package -DskipTests (" + jar + ")");
    }
    Path dir = Files.createTempDirectory("mailfetch-shared-load-");
    PrivatePostgres pg = PrivatePostgres.start();
    List<FakePop3Server> started = new ArrayList<>();
    List<Process> polls = new ArrayList<>();
    MailArrival arrival = null;
    // Ended early (Ctrl-C, SIGTERM): the polls and the cluster go with it.
    Thread cleanup =
        new Thread(
            () -> {
              polls.forEach(Process::destroyForcibly);
              pg.close();
            });
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      String db = pg.createDatabase("shared_load");
      String url = pg.jdbcUrl(db) + "?user=" + PrivatePostgres.USER;
      Map<String, FakeMailbox> boxes = new TreeMap<>();
      StringBuilder config = new StringBuilder();
      int perServer = (accounts + servers - 1) / servers;
      for (int k = 0, n = 0; k < servers && n < accounts; k++) {
        FakePop3Server.Builder b = FakePop3Server.builder().maxSessions(1000);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < perServer && n < accounts; i++, n++) {
          String user = String.format(Locale.ROOT, "u%05d", n);
          FakeMailbox box = FakeMailbox.create();
          b.account(user, PASSWORD, box);
          boxes.put(user, box);
          users.add(user);
        }
        FakePop3Server s = b.start();
        started.add(s);
        for (String u : users) {
          config.append(u).append(".url = pop3://").append(u).append("@localhost:");
          config.append(s.port()).append('\n');
          config.append(u).append(".password-env = PW\n");
          config
              .append(u)
              .append(".tls = none\n")
              .append(u)
              .append(".allow-plaintext-auth = true\n");
          config.append(u).append(".to = maildir:").append(dir.resolve("Mail").resolve(u));
          config.append('\n');
        }
      }
      Path file = dir.resolve("accounts.properties");
      Files.writeString(file, config, StandardCharsets.UTF_8);
      arrival = MailArrival.start(boxes, Duration.ofNanos(1_000_000_000L / arrivals), 21);
      long t0 = System.nanoTime();
      for (int p = 0; p < processes; p++) {
        List<String> cmd =
            new ArrayList<>(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    pollHeap,
                    "-jar",
                    jar.toString(),
                    "poll",
                    "--config",
                    file.toString(),
                    "--state",
                    url,
                    "--instance",
                    "load-" + (char) ('a' + p),
                    "--min-interval",
                    minInterval,
                    "--max-interval",
                    maxInterval,
                    "--max-checks",
                    maxChecks,
                    "--max-checks-per-host",
                    maxChecks,
                    "--quiet"));
        if (!leaseTime.isEmpty()) {
          cmd.addAll(List.of("--lease-time", leaseTime));
        }
        for (String a : extra.split(" ")) {
          if (!a.isBlank()) {
            cmd.add(a);
          }
        }
        ProcessBuilder pb =
            new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("poll-" + p + ".log").toFile());
        pb.environment().put("PW", PASSWORD);
        pb.environment().put("MAILFETCH_STATE_PASSWORD", "trusted-on-loopback");
        polls.add(pb.start());
        if (p == 0) {
          System.out.println("first command: " + String.join(" ", cmd));
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%d accounts on %d servers, %d poll processes, %d s (figures after %d s), %d messages"
              + " arriving a second; schedule %s to %s%s%n",
          accounts,
          servers,
          processes,
          seconds,
          warmup,
          arrivals,
          minInterval,
          maxInterval,
          leaseTime.isEmpty() ? "" : ", lease " + leaseTime);
      // Start-up: until every poll holds leases and checks run (each poll reads the file and
      // sets every account up first); then the measured run, plus the warm-up.
      long next = t0;
      Sample s;
      do {
        next += TimeUnit.SECONDS.toNanos(10);
        TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
        s = sample(pg, db, started, polls, t0);
        System.out.println(s.line());
        alive(polls, dir);
      } while ((s.shares().size() < processes || s.checks() == 0)
          && System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(15));
      System.out.printf(
          Locale.ROOT,
          "start-up: %.0f s until every poll held leases and checks ran%n",
          (System.nanoTime() - t0) / 1e9);
      Sample start = s;
      for (int tick = 10; tick <= warmup + seconds; tick += 10) {
        next += TimeUnit.SECONDS.toNanos(10);
        TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
        s = sample(pg, db, started, polls, t0);
        System.out.println(s.line());
        if (tick == warmup) {
          start = s;
        }
        alive(polls, dir);
      }
      report(start, s, polls, started, accounts, t0);
    } finally {
      if (arrival != null) {
        arrival.close();
      }
      for (Process p : polls) {
        p.destroy();
      }
      for (Process p : polls) {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      System.out.println("polls stopped (SIGTERM); leases still held: " + heldLeases(pg));
      started.forEach(FakePop3Server::close);
      pg.stop();
      deleteTree(dir);
    }
  }

  private static void alive(List<Process> polls, Path dir) {
    for (int p = 0; p < polls.size(); p++) {
      if (!polls.get(p).isAlive()) {
        throw new IllegalStateException(
            "poll " + p + " ended (exit " + polls.get(p).exitValue() + "): " + tail(dir, p));
      }
    }
  }

  /** What was counted up to one moment. */
  record Sample(
      long nanos,
      long checks,
      long transactions,
      long connections,
      Map<String, Long> tableWrites,
      long[] pollCpuNanos,
      long postgresCpuNanos,
      long selfCpuNanos,
      Map<String, Integer> shares) {
    String line() {
      return String.format(
          Locale.ROOT,
          "t=%4.0f s  checks %7d  transactions %8d  connections %7d  lease writes %7d  shares %s",
          nanos / 1e9,
          checks,
          transactions,
          connections,
          tableWrites.getOrDefault("mailfetch_lease", 0L),
          shares);
    }
  }

  private static Sample sample(
      PrivatePostgres pg, String db, List<FakePop3Server> servers, List<Process> polls, long t0)
      throws Exception {
    long now = System.nanoTime();
    long checks = 0;
    for (FakePop3Server s : servers) {
      for (RecordedSession r : s.sessions()) {
        if (r.endedNanos().isPresent() && !r.commands("QUIT").isEmpty()) {
          checks++;
        }
      }
    }
    String[] x =
        pg.psql(
                db,
                "SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database WHERE datname"
                    + " = current_database()")
            .strip()
            .split("\\|");
    Map<String, Long> writes = new TreeMap<>();
    for (String line :
        pg.psql(db, "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables")
            .strip()
            .split("\n")) {
      String[] f = line.split("\\|");
      if (f.length == 2) {
        writes.put(f[0], Long.parseLong(f[1].strip()));
      }
    }
    Map<String, Integer> shares = new TreeMap<>();
    String held;
    try {
      held =
          pg.psql(
              db,
              "SELECT owner, count(*) FROM mailfetch_lease WHERE owner IS NOT NULL AND"
                  + " expires_at_ms > extract(epoch from clock_timestamp()) * 1000 GROUP BY"
                  + " owner");
    } catch (IOException noTableYet) {
      held = ""; // the polls have not created the schema yet
    }
    for (String line : held.strip().split("\n")) {
      String[] f = line.split("\\|");
      if (f.length == 2) {
        shares.put(f[0], Integer.parseInt(f[1].strip()));
      }
    }
    long[] cpu = new long[polls.size()];
    for (int i = 0; i < polls.size(); i++) {
      cpu[i] = ProcessCpu.ownNanos(polls.get(i).pid());
    }
    return new Sample(
        now - t0,
        checks,
        Long.parseLong(x[0].strip()),
        Long.parseLong(x[1].strip()),
        writes,
        cpu,
        ProcessCpu.postgresNanos(pg),
        ProcessCpu.ownNanos(ProcessHandle.current().pid()),
        shares);
  }

  private static void report(
      Sample a,
      Sample b,
      List<Process> polls,
      List<FakePop3Server> servers,
      int accounts,
      long t0) {
    double s = (b.nanos() - a.nanos()) / 1e9;
    long checks = b.checks() - a.checks();
    long tx = b.transactions() - a.transactions();
    long conns = b.connections() - a.connections();
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "## over %.0f s (from %.0f s to %.0f s)%n",
        s,
        a.nanos() / 1e9,
        b.nanos() / 1e9);
    System.out.printf(Locale.ROOT, "checks: %d, %.1f a second%n", checks, checks / s);
    System.out.printf(
        Locale.ROOT,
        "database transactions: %d, %.2f per check (%.1f a second); connections: %d, %.2f per"
            + " check%n",
        tx,
        (double) tx / Math.max(1, checks),
        tx / s,
        conns,
        (double) conns / Math.max(1, checks));
    Map<String, Long> rates = new LinkedHashMap<>();
    b.tableWrites().forEach((t, n) -> rates.put(t, n - a.tableWrites().getOrDefault(t, 0L)));
    for (Map.Entry<String, Long> e : rates.entrySet()) {
      System.out.printf(
          Locale.ROOT,
          "rows written in %s: %d, %.1f a second, %.3f per check%n",
          e.getKey(),
          e.getValue(),
          e.getValue() / s,
          (double) e.getValue() / Math.max(1, checks));
    }
    for (int i = 0; i < polls.size(); i++) {
      long cpu = b.pollCpuNanos()[i] - a.pollCpuNanos()[i];
      System.out.printf(
          Locale.ROOT,
          "poll %d: CPU %.1f s (%.0f%% of a core), %.2f ms a check of the three's; resident %s%n",
          i,
          cpu / 1e9,
          100 * cpu / 1e9 / s,
          cpu / 1e6 / Math.max(1, checks) * polls.size(),
          ProcessCpu.residentMemory(polls.get(i).pid()));
    }
    long pgCpu = b.postgresCpuNanos() - a.postgresCpuNanos();
    long self = b.selfCpuNanos() - a.selfCpuNanos();
    System.out.printf(
        Locale.ROOT,
        "PostgreSQL: CPU %.1f s (%.0f%% of a core, %.2f ms a check); the servers' JVM: %.1f s"
            + " (%.0f%%)%n",
        pgCpu / 1e9,
        100 * pgCpu / 1e9 / s,
        pgCpu / 1e6 / Math.max(1, checks),
        self / 1e9,
        100 * self / 1e9 / s);
    System.out.println("leases at the end: " + b.shares());
    // The longest wait of an account between two of its checks (within the measured window).
    Map<String, List<Long>> starts = new HashMap<>();
    long from = a.nanos();
    for (FakePop3Server srv : servers) {
      for (RecordedSession r : srv.sessions()) {
        if (r.acceptedNanos() - t0 >= from) {
          r.loggedInUser()
              .ifPresent(
                  u -> starts.computeIfAbsent(u, k -> new ArrayList<>()).add(r.acceptedNanos()));
        }
      }
    }
    long worst = 0;
    List<Long> gaps = new ArrayList<>();
    for (List<Long> l : starts.values()) {
      l.sort(Comparator.naturalOrder());
      for (int i = 1; i < l.size(); i++) {
        long gap = l.get(i) - l.get(i - 1);
        gaps.add(gap);
        worst = Math.max(worst, gap);
      }
    }
    gaps.sort(Comparator.naturalOrder());
    System.out.printf(
        Locale.ROOT,
        "accounts checked: %d of %d; gap between two checks of an account: median %.1f s, 99th"
            + " percentile %.1f s, longest %.1f s%n",
        starts.size(),
        accounts,
        gaps.isEmpty() ? 0 : gaps.get(gaps.size() / 2) / 1e9,
        gaps.isEmpty() ? 0 : gaps.get((int) (gaps.size() * 0.99)) / 1e9,
        worst / 1e9);
  }

  private static String heldLeases(PrivatePostgres pg) {
    try {
      return pg.psql("shared_load", "SELECT count(*) FROM mailfetch_lease WHERE owner IS NOT NULL")
          .strip();
    } catch (Exception e) {
      return "(" + e.getMessage() + ")";
    }
  }

  private static String tail(Path dir, int p) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("poll-" + p + ".log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
