package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.jdbc.JdbcAccountLeases;
import dev.mailfetch.jdbc.JdbcState;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivatePostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;

/**
 * {@code --state jdbc:postgresql://…} against a real PostgreSQL (the testkit's private cluster;
 * skipped, saying why, where it cannot start): the account's state and lease in the database, the
 * password from the environment and never in any output.
 */
@Timeout(120)
class PostgresStateCommandTest {
  private static final String MAIL_PW = "pop pw";
  private static final String STATE_PW = "pg-s3cret-4711";
  private static PrivatePostgres pg;
  private static String url;
  @TempDir Path tmp;

  @BeforeAll
  static void database() throws Exception {
    pg = PrivatePostgres.shared();
    url = pg.jdbcUrl(pg.createDatabase("cli_state")) + "?user=" + PrivatePostgres.USER;
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PW", MAIL_PW);
    env.put(PostgresState.PASSWORD_ENV, STATE_PW);
    return env;
  }

  private FetchCommandTest.Run fetch(FakePop3Server s, Map<String, String> env, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "fetch",
                "pop3://alice@localhost:" + s.port(),
                "--password-env",
                "PW",
                "--tls",
                "none",
                "--allow-plaintext-auth",
                "--to",
                "maildir:" + tmp.resolve("Mail"),
                "--state",
                url));
    args.addAll(List.of(more));
    return FetchCommandTest.mailfetch(env, args.toArray(new String[0]));
  }

  private static FakePop3Server server(int seed, int count) {
    return FakePop3Server.builder()
        .account("alice", MAIL_PW, MailCorpus.generate(seed, count).toMailbox())
        .start();
  }

  private static JdbcAccountLeases leases(String owner) throws FetchException {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url);
    return JdbcAccountLeases.builder(JdbcState.open(ds)).owner(owner).build();
  }

  private static long count(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void aFetchTwiceWithItsStateInPostgres_deliversEachMessageOnce_andShowsNoPassword()
      throws Exception {
    try (FakePop3Server s = server(301, 7)) {
      FetchCommandTest.Run first = fetch(s, env(), "--verbose");
      assertEquals(0, first.exit(), first.out() + first.err());
      assertTrue(first.out().contains("7 listed: 7 stored"), first.out());
      Path file = tmp.resolve("state-pw");
      Files.writeString(file, STATE_PW + "\n");
      Map<String, String> noVariable = new HashMap<>(env());
      noVariable.remove(PostgresState.PASSWORD_ENV);
      FetchCommandTest.Run second =
          fetch(s, noVariable, "--trace", "--state-password-file", file.toString());
      assertEquals(0, second.exit(), second.out() + second.err());
      assertTrue(second.out().contains("7 listed: 0 stored"), second.out());
      assertEquals(7, count(tmp.resolve("Mail/new")));
      assertFalse(Files.exists(tmp.resolve("Mail/mailfetch-state")), "no state in files");
      for (FetchCommandTest.Run r : List.of(first, second)) {
        assertFalse((r.out() + r.err()).contains(STATE_PW), r.out() + r.err());
      }
      assertTrue(
          pg.psql("cli_state", "SELECT count(*) FROM mailfetch_uid").contains("7"),
          "the UIDs are in the database");
      assertTrue(
          pg.psql("cli_state", "SELECT owner IS NULL FROM mailfetch_lease").contains("t"),
          "the lease was released at the end");
      assertFalse(pg.log().contains(STATE_PW), "nor in the database's log");
    }
  }

  @Test
  void aRunWhileAnotherInstanceHoldsTheAccount_isLockedNamingIt_andRunsOnceItIsReleased()
      throws Exception {
    try (FakePop3Server s = server(302, 3)) {
      JdbcAccountLeases other = leases("poll-7@host-b");
      String account = AccountName.of("alice", "localhost", s.port());
      JdbcAccountLeases.Lease held = other.take(account).orElseThrow();
      FetchCommandTest.Run refused = fetch(s, env());
      assertEquals(FetchError.LOCKED.exitCode(), refused.exit(), refused.out() + refused.err());
      assertTrue(refused.err().contains("LOCKED"), refused.err());
      assertTrue(refused.err().contains("\"poll-7@host-b\""), "names the owner: " + refused.err());
      assertFalse(refused.err().contains(STATE_PW), refused.err());
      assertFalse(Files.exists(tmp.resolve("Mail/new")) && count(tmp.resolve("Mail/new")) > 0);
      other.release(held);
      FetchCommandTest.Run after = fetch(s, env());
      assertEquals(0, after.exit(), after.out() + after.err());
      assertEquals(3, count(tmp.resolve("Mail/new")));
    }
  }

  @Test
  void aLeaseIsRenewedWhileHeld_andOneTakenOverStopsRenewing_andTheNextWriteIsLocked()
      throws Exception {
    CommandLine cl = new CommandLine(new FetchCommand());
    try (PostgresState state =
        PostgresState.of(cl.getCommandSpec(), url, null, env(), Duration.ofSeconds(1), null, 3)) {
      PostgresState.Held held = state.take("renewed@example.org", null);
      Thread.sleep(2_200); // over two lease times: alive only if renewed
      JdbcAccountLeases other = leases("intruder");
      assertEquals(Optional.empty(), other.take("renewed@example.org"), "still held");
      // Another owner takes it over (as one would after a pause past the lease): the token moves
      // on.
      pg.psql(
          "cli_state",
          "UPDATE mailfetch_lease SET owner = 'intruder', fencing_token = fencing_token + 1"
              + " WHERE account = 'renewed@example.org'");
      Thread.sleep(700);
      assertTrue(held.lost(), "the renewal found the account taken over");
      held.store().recordFirstRun(Instant.now());
      FetchException e = assertThrows(FetchException.class, () -> held.store().sync());
      assertEquals(FetchError.LOCKED, e.error());
      assertTrue(e.getMessage().contains("intruder"), e.getMessage());
      held.close();
      assertTrue(
          pg.psql(
                  "cli_state",
                  "SELECT owner FROM mailfetch_lease WHERE account = 'renewed@example.org'")
              .contains("intruder"),
          "a lost lease is not released over its new owner");
    }
  }

  @Test
  void aPollHoldsItsAccountsWhileItRuns_aFetchMeanwhileIsLockedNamingIt_andGetsThemAfterwards()
      throws Exception {
    try (FakePop3Server s = server(304, 4)) {
      Path config = tmp.resolve("accounts.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "alice.url = pop3://alice@localhost:" + s.port(),
              "alice.password-env = PW",
              "alice.tls = none",
              "alice.allow-plaintext-auth = true",
              "alice.to = maildir:" + tmp.resolve("Mail"),
              ""));
      PollCommand poll = new PollCommand();
      poll.env = env();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cl = new CommandLine(poll);
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      CompletableFuture<Integer> running =
          CompletableFuture.supplyAsync(
              () ->
                  cl.execute(
                      "--config",
                      config.toString(),
                      "--state",
                      url,
                      "--min-interval",
                      "1h",
                      "--max-interval",
                      "2h"));
      FetchCommandTest.Run meanwhile;
      try {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(Files.isDirectory(tmp.resolve("Mail/new"))
            && count(tmp.resolve("Mail/new")) == 4)) {
          assertTrue(System.nanoTime() < until, out + " " + err);
          Thread.sleep(50);
        }
        meanwhile = fetch(s, env());
      } finally {
        poll.stop.countDown();
      }
      assertEquals(0, running.get(40, TimeUnit.SECONDS), out + " " + err);
      assertEquals(
          FetchError.LOCKED.exitCode(), meanwhile.exit(), meanwhile.out() + meanwhile.err());
      assertTrue(meanwhile.err().contains("is held by another mailfetch: \""), meanwhile.err());
      FetchCommandTest.Run after = fetch(s, env());
      assertEquals(0, after.exit(), after.out() + after.err());
      assertTrue(after.out().contains("4 listed: 0 stored"), "the poll's state: " + after.out());
      assertFalse((out.toString() + err + meanwhile.err() + after.out()).contains(STATE_PW));
    }
  }

  @Test
  void aMissingPasswordOrABadUrl_isABadArgumentNamingTheVariableOrTheForm() throws Exception {
    try (FakePop3Server s = server(303, 1)) {
      Map<String, String> noPassword = new HashMap<>(env());
      noPassword.remove(PostgresState.PASSWORD_ENV);
      FetchCommandTest.Run missing = fetch(s, noPassword);
      assertEquals(2, missing.exit(), missing.err());
      assertTrue(missing.err().contains(PostgresState.PASSWORD_ENV), missing.err());
      assertTrue(missing.err().contains("--state-password-file"), missing.err());

      FetchCommandTest.Run inUrl =
          FetchCommandTest.mailfetch(
              env(),
              "fetch",
              "pop3://alice@localhost:" + s.port(),
              "--password-env",
              "PW",
              "--state",
              url + "&password=" + STATE_PW);
      assertEquals(2, inUrl.exit(), inUrl.err());
      assertTrue(inUrl.err().contains("carries a password"), inUrl.err());
      assertFalse(inUrl.err().contains(STATE_PW), "the password is not repeated: " + inUrl.err());

      FetchCommandTest.Run mysql =
          FetchCommandTest.mailfetch(
              env(),
              "fetch",
              "pop3://alice@localhost:" + s.port(),
              "--password-env",
              "PW",
              "--state",
              "jdbc:mysql://db.example.org/mail");
      assertEquals(2, mysql.exit(), mysql.err());
      assertTrue(mysql.err().contains("jdbc:postgresql://HOST[:PORT]/DATABASE"), mysql.err());

      FetchCommandTest.Run unreachable =
          FetchCommandTest.mailfetch(
              env(),
              "fetch",
              "pop3://alice@localhost:" + s.port(),
              "--password-env",
              "PW",
              "--state",
              "jdbc:postgresql://127.0.0.1:1/nowhere?user=mailfetch");
      assertEquals(FetchError.STATE_FAILED.exitCode(), unreachable.exit(), unreachable.err());
      assertTrue(unreachable.err().contains("127.0.0.1:1/nowhere"), unreachable.err());
      assertTrue(unreachable.err().contains(PostgresState.PASSWORD_ENV), unreachable.err());
      assertTrue(
          unreachable.err().contains("SQLSTATE 08001"), "the driver's words: " + unreachable.err());
      assertFalse(unreachable.err().contains(STATE_PW), unreachable.err());

      Path file = tmp.resolve("state-pw");
      Files.writeString(file, STATE_PW + "\n");
      FetchCommandTest.Run stray =
          FetchCommandTest.mailfetch(
              env(),
              "fetch",
              "pop3://alice@localhost:" + s.port(),
              "--password-env",
              "PW",
              "--state-password-file",
              file.toString());
      assertEquals(2, stray.exit(), stray.err());
      assertTrue(stray.err().contains("goes with --state jdbc:postgresql://"), stray.err());
    }
  }
}
