package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.LoopbackClients;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Issue 21's proof: three {@code mailfetch poll} processes (child JVMs running the command's main)
 * share 300 accounts of one config file, their state and leases in a real PostgreSQL, against a
 * testkit POP3 server that records every session (monotonic start and end, the UIDs each UPDATE
 * removed, and which process sent each DELE, found from {@code /proc} by the client's port). Mail
 * keeps arriving. One process is SIGKILLed mid-run; another is SIGSTOPped past its lease, then
 * resumed; the rest are stopped with SIGTERM. From the server's records and the Maildirs:
 *
 * <ul>
 *   <li>no two sessions of one account overlap (the server takes no maildrop lock here, so an
 *       overlap would happen, not be refused);
 *   <li>every message that arrived is in its account's Maildir exactly once ({@code dedup = none}:
 *       nothing hides a second copy), and the 100 delete-mode mailboxes are empty at the end, each
 *       message removed once;
 *   <li>no DELE came from an instance while the lease table (read every 100 ms) showed another
 *       holding the account just before and just after it: none from an instance fenced off (one
 *       whose own lease had merely expired, or that changed hands between two reads, is printed);
 *   <li>no instance holds more than its fair share plus the slack (5 %) once the three run;
 *   <li>the killed and the stopped instance's accounts are each checked again within one lease time
 *       plus one interval (measured, and printed);
 *   <li>after the clean stop no lease is held.
 * </ul>
 *
 * <p>The server's autologout ({@code idleTimeout}, 2 s) ends the frozen sessions of the stopped
 * process as a real server's does, sooner than its lease (10 s) ends.
 */
@Timeout(300)
class SharedPollProcessesTest {
  private static final int ACCOUNTS = 300;
  private static final int FIRST_DELETING = 200; // u200 to u299 delete what they fetched
  // Long enough that the leases settle on this 2-core machine under the load of other builds;
  // -DsharedPoll.lease=6 for a shorter one (the bound below follows it).
  private static final Duration LEASE = Duration.ofSeconds(Long.getLong("sharedPoll.lease", 10));
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  private static final Duration MAX_INTERVAL = Duration.ofSeconds(4);
  private static final Duration IDLE = Duration.ofSeconds(2);
  private static final String PASSWORD = "pop-pw";
  private static final List<String> NAMES = List.of("poller-a", "poller-b", "poller-c");

  @TempDir Path tmp;

  private final Map<Long, String> pidNames = new ConcurrentHashMap<>();
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private long t0;

  @Test
  void threePollsShareThreeHundredAccounts_oneKilled_oneStoppedPastItsLease_everyMessageOnce()
      throws Exception {
    PrivatePostgres pg = PrivatePostgres.shared();
    String url = pg.jdbcUrl(pg.createDatabase("shared_poll")) + "?user=" + PrivatePostgres.USER;
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url);
    Map<String, FakeMailbox> boxes = new TreeMap<>();
    FakePop3Server.Builder b =
        FakePop3Server.builder()
            .maxSessions(200)
            .maildropLock(false)
            .idleTimeout(IDLE)
            .identifyClients(
                port ->
                    LoopbackClients.processOf(port, pidNames.keySet())
                        .map(pidNames::get)
                        .orElse("unknown"));
    for (int i = 0; i < ACCOUNTS; i++) {
      String user = user(i);
      FakeMailbox box = FakeMailbox.create();
      b.account(user, PASSWORD, box);
      boxes.put(user, box);
    }
    t0 = System.nanoTime();
    try (FakePop3Server server = b.start();
        LeaseTimeline leases = new LeaseTimeline(ds, 100)) {
      MailArrival arrival = MailArrival.start(boxes, Duration.ofMillis(40), 21);
      boxes.keySet().forEach(arrival::deliver); // one message each before the polls start
      Path config = writeConfig(server.port());
      Map<String, String> accountOf = new HashMap<>(); // user -> the account's name in the database
      boxes.keySet().forEach(u -> accountOf.put(u, AccountName.of(u, "localhost", server.port())));
      try {
        for (String name : NAMES) {
          start(name, config, url);
        }
        // 1. The three share the accounts.
        awaitOrFail(
            Duration.ofSeconds(90),
            () -> NAMES.stream().allMatch(n -> held(leases, n).size() >= ACCOUNTS / 3 - 10),
            "the three instances to share the accounts",
            leases);
        Map<String, Integer> shares = new TreeMap<>();
        NAMES.forEach(n -> shares.put(n, held(leases, n).size()));
        log("shares after start: " + shares);
        TimeUnit.SECONDS.sleep(4);
        NAMES.forEach(n -> shares.put(n, held(leases, n).size()));
        log("shares 4 s later: " + shares);
        List<String> problems = new ArrayList<>();
        int fair = (ACCOUNTS + 2) / 3;
        int slack = Math.max(1, (fair + 19) / 20); // docs/scale.md: a twentieth of the share
        shares.forEach(
            (n, held) -> {
              if (held > fair + slack) {
                problems.add(n + " holds " + held + " accounts, over its share and slack");
              }
            });

        // 2. SIGKILL one mid-run; its accounts must be checked again within a lease plus an
        // interval.
        Set<String> killedAccounts = held(leases, NAMES.get(0));
        long tKill = System.nanoTime();
        processes.get(NAMES.get(0)).destroyForcibly(); // SIGKILL
        assertTrue(processes.get(NAMES.get(0)).waitFor(10, TimeUnit.SECONDS));
        log("SIGKILL " + NAMES.get(0) + " holding " + killedAccounts.size() + " accounts");
        Map<String, Long> killTakeover =
            awaitCheckedAgain(server, accountOf, killedAccounts, tKill, leases);
        TimeUnit.SECONDS.sleep(2);

        // 3. SIGSTOP another past its lease, then SIGCONT.
        String stopped = NAMES.get(1);
        Set<String> stoppedAccounts = held(leases, stopped);
        long tStop = System.nanoTime();
        signal(processes.get(stopped), "STOP");
        log("SIGSTOP " + stopped + " holding " + stoppedAccounts.size() + " accounts");
        TimeUnit.MILLISECONDS.sleep(LEASE.toMillis() + 4_000);
        Map<String, Long> stopTakeover =
            awaitCheckedAgain(server, accountOf, stoppedAccounts, tStop, leases);
        long tCont = System.nanoTime();
        signal(processes.get(stopped), "CONT");
        log("SIGCONT " + stopped);
        TimeUnit.SECONDS.sleep(8);
        shares.clear();
        NAMES.forEach(n -> shares.put(n, held(leases, n).size()));
        log("shares after the resumed instance came back: " + shares);

        // 4. The mail stops; every account gets a whole check after that; a clean stop.
        arrival.close();
        long tLastMail = System.nanoTime();
        awaitOrFail(
            Duration.ofSeconds(60),
            () -> boxes.keySet().stream().allMatch(u -> checkedWholeSince(server, u, tLastMail)),
            "a whole check of every account after the last message arrived",
            leases);
        for (String name : NAMES.subList(1, 3)) {
          processes.get(name).destroy(); // SIGTERM
        }
        for (String name : NAMES.subList(1, 3)) {
          assertTrue(
              processes.get(name).waitFor(60, TimeUnit.SECONDS),
              name + " ends at SIGTERM: " + tail(name));
        }
        server.awaitSessionsEnded(Duration.ofSeconds(10));

        // The server's records.
        List<RecordedSession> sessions = server.sessions();
        overlaps(sessions, problems);
        exactlyOnce(arrival.sent(), boxes, sessions, problems);
        deletionsByHolders(sessions, accountOf, leases, tStop, tCont, problems);
        long worstKill = worst(killTakeover);
        long worstStop = worst(stopTakeover);
        // The issue's bound, a lease and an interval; docs/scale.md's, a lease and a round (a
        // third of the lease): the interval here is the longer of the two.
        long bound = LEASE.plus(MAX_INTERVAL).toNanos();
        if (worstKill > bound || worstStop > bound) {
          problems.add(
              "an instance's accounts were checked again later than a lease plus an interval ("
                  + ms(bound)
                  + "): after SIGKILL "
                  + ms(worstKill)
                  + ", after SIGSTOP "
                  + ms(worstStop));
        }
        String stillHeld =
            pg.psql("shared_poll", "SELECT count(*) FROM mailfetch_lease WHERE owner IS NOT NULL")
                .strip();
        if (!stillHeld.equals("0")) {
          problems.add(stillHeld + " leases still held after the clean stop (SIGTERM)");
        }
        long checks =
            sessions.stream().filter(s -> s.commands("QUIT").size() > 0).count(); // whole checks
        double seconds = (System.nanoTime() - t0) / 1e9;
        log(
            String.format(
                Locale.ROOT,
                "%d sessions (%d whole checks, %.0f a second) in %.0f s; %d messages arrived,"
                    + " %d removed from the server; no overlap: %s; checked again after SIGKILL:"
                    + " %d accounts, worst %s, median %s; after SIGSTOP: %d accounts, worst %s,"
                    + " median %s (bound: lease %s + interval %s = %s)",
                sessions.size(),
                checks,
                checks / seconds,
                seconds,
                arrival.count(),
                sessions.stream().mapToInt(s -> s.removedUids().size()).sum(),
                problems.stream().noneMatch(p -> p.startsWith("overlap")),
                killTakeover.size(),
                ms(worstKill),
                ms(median(killTakeover)),
                stopTakeover.size(),
                ms(worstStop),
                ms(median(stopTakeover)),
                ms(LEASE.toNanos()),
                ms(MAX_INTERVAL.toNanos()),
                ms(bound)));
        if (!problems.isEmpty()) {
          fail(
              problems.size()
                  + " problems:\n"
                  + String.join("\n", problems.subList(0, Math.min(40, problems.size())))
                  + "\n"
                  + tails());
        }
        assertTrue(killedAccounts.size() >= ACCOUNTS / 3 - 10, "the killed one held its share");
        assertTrue(stoppedAccounts.size() >= 1, "the stopped one held accounts");
      } finally {
        arrival.close();
        for (Process p : processes.values()) {
          signal(p, "CONT");
          p.destroyForcibly();
        }
      }
    }
  }

  // ------------------------------------------------------------------ the processes

  private Path writeConfig(int port) throws IOException {
    StringBuilder c = new StringBuilder("# issue 21's proof: 300 accounts, three polls\n");
    for (int i = 0; i < ACCOUNTS; i++) {
      String u = user(i);
      c.append(u).append(".url = pop3://").append(u).append("@localhost:").append(port);
      c.append('\n').append(u).append(".password-env = PW\n");
      c.append(u).append(".tls = none\n").append(u).append(".allow-plaintext-auth = true\n");
      c.append(u).append(".to = maildir:").append(tmp.resolve("Mail").resolve(u)).append('\n');
      c.append(u).append(".dedup = none\n"); // nothing may hide a second copy
      if (i >= FIRST_DELETING) {
        c.append(u).append(".delete = true\n");
      }
    }
    Path config = tmp.resolve("accounts.properties");
    Files.writeString(config, c, StandardCharsets.UTF_8);
    return config;
  }

  private void start(String name, Path config, String url) throws IOException {
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "poll",
            "--config",
            config.toString(),
            "--state",
            url,
            "--lease-time",
            LEASE.toSeconds() + "s",
            "--instance",
            name,
            "--min-interval",
            MIN_INTERVAL.toSeconds() + "s",
            "--max-interval",
            MAX_INTERVAL.toSeconds() + "s",
            "--max-checks",
            "16",
            "--max-checks-per-host",
            "16",
            "--quiet");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve(name + ".log").toFile());
    pb.environment().put("PW", PASSWORD);
    pb.environment().put(PostgresState.PASSWORD_ENV, "trusted-on-loopback");
    Process p = pb.start();
    processes.put(name, p);
    pidNames.put(p.pid(), name);
  }

  private static void signal(Process p, String signal) throws Exception {
    if (p.isAlive()) {
      new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid()))
          .inheritIO()
          .start()
          .waitFor(10, TimeUnit.SECONDS);
    }
  }

  private String tail(String name) {
    try {
      List<String> lines = Files.readAllLines(tmp.resolve(name + ".log"));
      return name
          + "'s last lines:\n  "
          + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return name + ": no log (" + e.getMessage() + ")";
    }
  }

  private String tails() {
    StringBuilder s = new StringBuilder();
    NAMES.forEach(n -> s.append(tail(n)).append('\n'));
    return s.toString();
  }

  // ------------------------------------------------------------------ the leases

  /** The accounts {@code instance} holds in the latest read of the lease table. */
  private static Set<String> held(LeaseTimeline leases, String instance) {
    Set<String> out = new HashSet<>();
    leases
        .latest()
        .ifPresent(
            r ->
                r.owners()
                    .forEach(
                        (account, owner) -> {
                          if (instanceOf(owner).equals(instance)) {
                            out.add(account);
                          }
                        }));
    return out;
  }

  /** The instance a lease owner names ({@code --instance NAME}), or the owner as it is. */
  private static String instanceOf(String owner) {
    if (owner == null) {
      return "none";
    }
    for (String n : NAMES) {
      if (owner.equals(n) || owner.startsWith(n + "@") || owner.startsWith(n + "/")) {
        return n;
      }
    }
    return owner;
  }

  /**
   * Waits until each of {@code accounts} (database names) had a session accepted after {@code
   * since}; returns, per account, how long after {@code since} its first one came.
   */
  private Map<String, Long> awaitCheckedAgain(
      FakePop3Server server,
      Map<String, String> accountOf,
      Set<String> accounts,
      long since,
      LeaseTimeline leases)
      throws Exception {
    Map<String, String> userOf = new HashMap<>();
    accountOf.forEach((u, a) -> userOf.put(a, u));
    Map<String, Long> first = new TreeMap<>();
    awaitOrFail(
        Duration.ofSeconds(60),
        () -> {
          for (RecordedSession s : server.sessions()) {
            String user = s.loggedInUser().orElse(null);
            if (user != null && s.acceptedNanos() > since) {
              first.merge(accountOf.get(user), s.acceptedNanos() - since, Math::min);
            }
          }
          return first.keySet().containsAll(accounts);
        },
        "every account of the instance checked again",
        leases);
    first.keySet().retainAll(accounts);
    assertEquals(accounts.size(), first.size(), "each account checked again: " + userOf.size());
    return first;
  }

  // ------------------------------------------------------------------ what the server recorded

  /** Sessions of one user whose times intersect. */
  private void overlaps(List<RecordedSession> sessions, List<String> problems) {
    Map<String, List<RecordedSession>> byUser = new TreeMap<>();
    for (RecordedSession s : sessions) {
      s.loggedInUser().ifPresent(u -> byUser.computeIfAbsent(u, k -> new ArrayList<>()).add(s));
    }
    for (Map.Entry<String, List<RecordedSession>> e : byUser.entrySet()) {
      List<RecordedSession> list = e.getValue();
      list.sort(Comparator.comparingLong(RecordedSession::acceptedNanos));
      RecordedSession open = null;
      for (RecordedSession s : list) {
        if (open != null && s.acceptedNanos() < end(open)) {
          problems.add(
              String.format(
                  Locale.ROOT,
                  "overlap on %s: session %d (%s, %s to %s) and session %d (%s, from %s)",
                  e.getKey(),
                  open.number(),
                  open.client().orElse("?"),
                  ms(open.acceptedNanos() - t0),
                  ms(end(open) - t0),
                  s.number(),
                  s.client().orElse("?"),
                  ms(s.acceptedNanos() - t0)));
        }
        if (open == null || end(s) > end(open)) {
          open = s;
        }
      }
    }
  }

  private static long end(RecordedSession s) {
    return s.endedNanos().orElse(Long.MAX_VALUE);
  }

  /** Each message that arrived is in its account's Maildir once; removals once, all delivered. */
  private void exactlyOnce(
      Map<String, List<String>> sent,
      Map<String, FakeMailbox> boxes,
      List<RecordedSession> sessions,
      List<String> problems)
      throws IOException {
    Map<String, Set<String>> removed = new HashMap<>();
    for (RecordedSession s : sessions) {
      String user = s.loggedInUser().orElse("?");
      for (String uid : s.removedUids()) {
        if (!removed.computeIfAbsent(user, k -> new HashSet<>()).add(uid)) {
          problems.add("removed twice from " + user + ": " + uid);
        }
      }
    }
    for (Map.Entry<String, List<String>> e : sent.entrySet()) {
      String user = e.getKey();
      Map<String, Integer> held = MaildirMessageIds.count(tmp.resolve("Mail").resolve(user));
      for (String id : e.getValue()) {
        int n = held.getOrDefault(id, 0);
        if (n != 1) {
          problems.add(user + ": " + id + " delivered " + n + " times");
        }
      }
      Set<String> unexpected = new HashSet<>(held.keySet());
      unexpected.removeAll(e.getValue());
      if (!unexpected.isEmpty()) {
        problems.add(user + ": messages that never arrived: " + unexpected);
      }
      boolean deleting = Integer.parseInt(user.substring(1)) >= FIRST_DELETING;
      int left = boxes.get(user).size();
      int gone = removed.getOrDefault(user, Set.of()).size();
      if (deleting && (left != 0 || gone != e.getValue().size())) {
        problems.add(
            user + " (delete mode): " + left + " left on the server, " + gone + " removed");
      }
      if (!deleting && (left != e.getValue().size() || gone != 0)) {
        problems.add(user + " (keep mode): " + left + " on the server, " + gone + " removed");
      }
    }
  }

  /** Every session that sent DELE belongs to the instance holding the account's lease then. */
  private void deletionsByHolders(
      List<RecordedSession> sessions,
      Map<String, String> accountOf,
      LeaseTimeline leases,
      long tStop,
      long tCont,
      List<String> problems) {
    int afterResume = 0;
    for (RecordedSession s : sessions) {
      if (s.firstDeleNanos().isEmpty()) {
        continue;
      }
      long at = s.firstDeleNanos().getAsLong();
      String client = s.client().orElse("unknown");
      String user = s.loggedInUser().orElse("?");
      List<String> owners = leases.ownersAround(accountOf.get(user), at);
      // Another instance in the reads before and after: the DELE came from an instance fenced
      // off. Its own lease merely expired (no owner) or a change between the reads: noted. An
      // unattributed one is judged below (a killed instance's last DELE can be: its descriptors
      // went before /proc was read).
      boolean known = !client.equals("unknown");
      boolean other =
          known && owners.stream().allMatch(o -> o != null && !instanceOf(o).equals(client));
      boolean holder = owners.stream().allMatch(o -> instanceOf(o).equals(client));
      String line =
          String.format(
              Locale.ROOT,
              "DELE on %s at %s from %s, the lease held by %s (read before) and %s (read after)",
              user,
              ms(at - t0),
              client,
              instanceOf(owners.get(0)),
              instanceOf(owners.get(1)));
      // Unattributed (/proc missed the socket): fine only while one instance held the lease.
      boolean steady = owners.get(0) != null && owners.get(0).equals(owners.get(1));
      if (other || (client.equals("unknown") && !steady)) {
        problems.add(line);
      } else if (!holder) {
        log("noted: " + line);
      }
      if (client.equals(NAMES.get(1)) && at > tStop && at < tCont) {
        problems.add("DELE on " + user + " from the stopped instance while it was stopped");
      }
      if (client.equals(NAMES.get(1)) && at > tCont) {
        afterResume++;
      }
    }
    log("sessions with DELE from the resumed instance after SIGCONT: " + afterResume);
  }

  private static boolean checkedWholeSince(FakePop3Server server, String user, long since) {
    for (RecordedSession s : server.sessions()) {
      if (s.acceptedNanos() > since
          && user.equals(s.loggedInUser().orElse(null))
          && s.endedNanos().isPresent()
          && !s.commands("QUIT").isEmpty()) {
        return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ small things

  private void awaitOrFail(
      Duration timeout, BooleanSupplier condition, String what, LeaseTimeline leases)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      for (Map.Entry<String, Process> p : processes.entrySet()) {
        if (!p.getValue().isAlive() && p.getValue().exitValue() != 137) { // 137: our SIGKILL
          fail(
              "while waiting for "
                  + what
                  + ", "
                  + p.getKey()
                  + " ended (exit "
                  + p.getValue().exitValue()
                  + ")\n"
                  + tails());
        }
      }
      if (System.nanoTime() > deadline) {
        Map<String, Integer> shares = new TreeMap<>();
        leases
            .latest()
            .ifPresent(r -> r.owners().values().forEach(o -> shares.merge(o, 1, Integer::sum)));
        fail("waited " + timeout + " for " + what + "; leases held: " + shares + "\n" + tails());
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  private static String user(int i) {
    return String.format(Locale.ROOT, "u%03d", i);
  }

  private static long worst(Map<String, Long> gaps) {
    return gaps.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  private static long median(Map<String, Long> gaps) {
    List<Long> v = new ArrayList<>(gaps.values());
    v.sort(null);
    return v.isEmpty() ? 0 : v.get(v.size() / 2);
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }

  private void log(String line) {
    System.out.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - t0) / 1e9, line);
  }
}
