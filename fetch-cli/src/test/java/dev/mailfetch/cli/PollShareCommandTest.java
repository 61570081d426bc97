package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivatePostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Two {@code mailfetch poll --config FILE --state jdbc:…} in one JVM over one real PostgreSQL share
 * the file's accounts: each holds half (within the slack), each message is delivered once, and the
 * one stopped cleanly gives its accounts back to the other within a round.
 */
@Timeout(120)
class PollShareCommandTest {
  private static final String MAIL_PW = "pop pw";
  private static final String STATE_PW = "pg-share-0815";
  private static final int ACCOUNTS = 12;
  private static PrivatePostgres pg;
  private static String url;
  @TempDir Path tmp;

  @BeforeAll
  static void database() throws Exception {
    pg = PrivatePostgres.shared();
    url = pg.jdbcUrl(pg.createDatabase("cli_share")) + "?user=" + PrivatePostgres.USER;
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PW", MAIL_PW);
    env.put(PostgresState.PASSWORD_ENV, STATE_PW);
    return env;
  }

  /** A poll running in this JVM. */
  private record Poll(
      PollCommand command, CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {
    String all() {
      return out + "\n" + err;
    }
  }

  private static Poll poll(String... args) {
    PollCommand poll = new PollCommand();
    poll.env = env();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(poll);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Poll(poll, CompletableFuture.supplyAsync(() -> cl.execute(args)), out, err);
  }

  private static String owners() throws Exception {
    return pg.psql(
            "cli_share",
            "SELECT string_agg(coalesce(owner, '-') || '=' || n, ',' ORDER BY owner) FROM"
                + " (SELECT owner, COUNT(*) AS n FROM mailfetch_lease GROUP BY owner) o")
        .strip();
  }

  private static int held(String owner) throws Exception {
    return Integer.parseInt(
        pg.psql("cli_share", "SELECT COUNT(*) FROM mailfetch_lease WHERE owner = '" + owner + "'")
            .strip());
  }

  private long delivered() throws IOException {
    long n = 0;
    for (int i = 0; i < ACCOUNTS; i++) {
      Path dir = tmp.resolve("Mail-" + i + "/new");
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          n += s.count();
        }
      }
    }
    return n;
  }

  private static void waitFor(BooleanSupplier condition, long seconds, Object what)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < until, () -> "not within " + seconds + " s: " + what);
      Thread.sleep(100);
    }
  }

  /** A poll's output as it is when a wait gives up (not when the wait starts). */
  private static Object output(Poll p) {
    return new Object() {
      @Override
      public String toString() {
        return p.all();
      }
    };
  }

  private static boolean quietly(Check c) {
    try {
      return c.holds();
    } catch (Exception e) {
      return false;
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  @Test
  void twoPollsOfOneFile_splitTheAccounts_deliverEachMessageOnce_andAStoppedOneHandsOver()
      throws Exception {
    FakePop3Server.Builder b = FakePop3Server.builder();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < ACCOUNTS; i++) {
      b.account("u" + i, MAIL_PW, MailCorpus.generate(400 + i, 3).toMailbox());
    }
    try (FakePop3Server s = b.start()) {
      for (int i = 0; i < ACCOUNTS; i++) {
        lines.add("a" + i + ".url = pop3://u" + i + "@localhost:" + s.port());
        lines.add("a" + i + ".password-env = PW");
        lines.add("a" + i + ".tls = none");
        lines.add("a" + i + ".allow-plaintext-auth = true");
        lines.add("a" + i + ".to = maildir:" + tmp.resolve("Mail-" + i));
      }
      Path config = tmp.resolve("accounts.properties");
      Files.writeString(config, String.join("\n", lines) + "\n");
      String[] common = {
        "--config",
        config.toString(),
        "--state",
        url,
        "--lease-time",
        "3s",
        "--min-interval",
        "1h",
        "--max-interval",
        "2h"
      };
      List<String> a = new ArrayList<>(List.of(common));
      a.addAll(List.of("--instance", "poll-a"));
      List<String> bArgs = new ArrayList<>(List.of(common));
      bArgs.addAll(List.of("--instance", "poll-b"));
      Poll pa = poll(a.toArray(new String[0]));
      Poll pb = poll(bArgs.toArray(new String[0]));
      try {
        waitFor(
            () ->
                quietly(
                    () -> {
                      int ha = held("poll-a");
                      int hb = held("poll-b");
                      return ha + hb == ACCOUNTS && ha <= 7 && hb <= 7;
                    }),
            20,
            (Object) "6 and 6 (+1 slack)");
        waitFor(() -> quietly(() -> delivered() == 3L * ACCOUNTS), 20, "every message");
        // The database's rows say who holds what before the holder has opened it and said so: the
        // first poll may take all twelve and check them before the second has opened its share.
        waitFor(() -> pa.out().toString().contains(": taken (fencing token "), 20, output(pa));
        waitFor(() -> pb.out().toString().contains(": taken (fencing token "), 20, output(pb));
        assertTrue(
            pa.out()
                .toString()
                .contains("sharing 12 accounts with the other polls of " + url + " as poll-a"),
            pa.all());
      } finally {
        pa.command().stop.countDown();
      }
      assertEquals(0, pa.exit().get(40, TimeUnit.SECONDS), pa.all());
      assertTrue(pa.out().toString().contains(": given back (stopping)"), pa.all());
      long stopped = System.nanoTime();
      try {
        waitFor(() -> quietly(() -> held("poll-b") == ACCOUNTS), 3, pb.all());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        assertTrue(ms < 3000, "within a lease time: " + ms + " ms");
        Thread.sleep(1500); // and b's checks of the accounts it took ran
        assertEquals(3L * ACCOUNTS, delivered(), "each message once");
      } finally {
        pb.command().stop.countDown();
      }
      assertEquals(0, pb.exit().get(40, TimeUnit.SECONDS), pb.all());
      assertEquals("-=" + ACCOUNTS, owners(), "every lease given back");
      assertEquals("0", pg.psql("cli_share", "SELECT COUNT(*) FROM mailfetch_instance").strip());
      assertFalse((pa.all() + pb.all()).contains(STATE_PW));
    }
  }

  @Test
  void leaseTimeAndInstance_areCheckedInTheirOwnWords() throws Exception {
    Path config = tmp.resolve("one.properties");
    Files.writeString(config, "x.url = pop3://u@localhost:1\nx.password-env = PW\n");
    FetchCommandTest.Run shortLease =
        FetchCommandTest.mailfetch(
            env(), "poll", "--config", config.toString(), "--state", url, "--lease-time", "1s");
    assertEquals(2, shortLease.exit(), shortLease.err());
    assertTrue(
        shortLease.err().contains("--lease-time 1s: must be from 3s to 24h"), shortLease.err());
    FetchCommandTest.Run noState =
        FetchCommandTest.mailfetch(
            env(), "poll", "--config", config.toString(), "--instance", "fetcher-1");
    assertEquals(2, noState.exit(), noState.err());
    assertTrue(
        noState
            .err()
            .contains(
                "--instance names this poll among those sharing a state database:"
                    + " it goes with --state jdbc:postgresql://…"),
        noState.err());
    FetchCommandTest.Run retry =
        FetchCommandTest.mailfetch(
            env(), "poll", "--config", config.toString(), "--state", url, "--retry-quarantined");
    assertEquals(2, retry.exit(), retry.err());
    assertTrue(retry.err().contains("poll --once --state … --retry-quarantined"), retry.err());
    FetchCommandTest.Run unreachable =
        FetchCommandTest.mailfetch(
            env(),
            "poll",
            "--config",
            config.toString(),
            "--state",
            "jdbc:postgresql://127.0.0.1:1/nowhere?user=mailfetch");
    assertEquals(71, unreachable.exit(), unreachable.err());
    assertTrue(unreachable.err().contains("127.0.0.1:1/nowhere"), unreachable.err());
    assertFalse(unreachable.err().contains(STATE_PW), unreachable.err());
  }
}
