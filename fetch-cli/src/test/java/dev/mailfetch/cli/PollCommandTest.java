package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code mailfetch poll}: one round with --once (the run-until-stopped case is in MailfetchJarTest,
 * with SIGTERM).
 */
@Timeout(60)
class PollCommandTest {
  @TempDir Path tmp;

  private static long count(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void once_checksEveryAccountOnce_reportsAPausedOne_andExitsWithItsCode() throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "alices pw", MailCorpus.generate(71, 6).toMailbox())
            .account("bob", "bobs pw", MailCorpus.generate(72, 2).toMailbox())
            .start()) {
      String base = "pop3://%s@localhost:" + s.port();
      Path config = tmp.resolve("accounts.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "alice.url = " + String.format(base, "alice"),
              "alice.password-env = ALICE_PW",
              "alice.tls = none",
              "alice.allow-plaintext-auth = true",
              "alice.to = maildir:" + tmp.resolve("alice"),
              "bob.url = " + String.format(base, "bob"),
              "bob.password-env = WRONG",
              "bob.tls = none",
              "bob.allow-plaintext-auth = true",
              "bob.to = maildir:" + tmp.resolve("bob"),
              ""));
      Map<String, String> env = new HashMap<>();
      env.put("ALICE_PW", "alices pw");
      env.put("WRONG", "not bobs");
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(env, "poll", "--config", config.toString(), "--once");
      assertEquals(FetchError.AUTH_FAILED.exitCode(), r.exit(), r.out() + r.err());
      assertEquals(6, count(tmp.resolve("alice/new")));
      assertTrue(
          r.out().contains("alice: 6 new messages"), "the config's account name: " + r.out());
      assertTrue(r.err().contains("bob: check failed: AUTH_FAILED: "), r.err());
      assertFalse(
          (r.out() + r.err()).contains("@localhost:"),
          "named as the file names it: " + r.out() + r.err());
      assertFalse(
          (r.out() + r.err()).contains("not bobs") || (r.out() + r.err()).contains("alices pw"),
          "no secret");
      FetchCommandTest.Run again =
          FetchCommandTest.mailfetch(
              env, "poll", "--config", config.toString(), "--once", "--quiet");
      assertEquals(FetchError.AUTH_FAILED.exitCode(), again.exit());
      assertEquals("", again.out(), "quiet: nothing new is not news");
      assertEquals(6, count(tmp.resolve("alice/new")), "nothing twice");
    }
  }

  @Test
  void badIntervals_areBadArguments() {
    FetchCommandTest.Run r =
        FetchCommandTest.mailfetch(
            Map.of(),
            "poll",
            "--config",
            "x.properties",
            "--min-interval",
            "10m",
            "--max-interval",
            "5m");
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("--min-interval 10m is longer than --max-interval 5m"), r.err());
    FetchCommandTest.Run t =
        FetchCommandTest.mailfetch(
            Map.of(), "poll", "--config", "x.properties", "--min-interval", "soon");
    assertEquals(2, t.exit());
    assertTrue(t.err().contains("not a time: soon"), t.err());
  }

  private Path config(FakePop3Server s, String... more) throws IOException {
    Path config = tmp.resolve("accounts.properties");
    List<String> lines =
        new ArrayList<>(
            List.of(
                "alice.url = pop3://alice@localhost:" + s.port(),
                "alice.password-env = ALICE_PW",
                "alice.tls = none",
                "alice.allow-plaintext-auth = true",
                "alice.to = maildir:" + tmp.resolve("alice")));
    lines.addAll(List.of(more));
    lines.add("");
    Files.writeString(config, String.join("\n", lines));
    return config;
  }

  private static FakeMailbox mailbox(int n) {
    FakeMailbox m = FakeMailbox.create();
    for (int i = 1; i <= n; i++) {
      m.add(
          "m" + i,
          ("Subject: " + i + "\r\n\r\n" + "body ".repeat(400) + i + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
    }
    return m;
  }

  private static final Map<String, String> ENV = Map.of("ALICE_PW", "alices pw");

  @Test
  void once_announcesNoNextCheck_andSaysSizesInTheCommandsUnits() throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder().account("alice", "alices pw", mailbox(3)).start()) {
      // verbose in the file is the account's own output, which a poll does not print: no conflict
      // with its quiet
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(
              ENV, "poll", "--config", config(s, "alice.verbose = true").toString(), "--once");
      assertEquals(0, r.exit(), r.out() + r.err());
      assertTrue(
          Pattern.compile("alice: 3 new messages \\(6(\\.\\d)? kB\\)\\R").matcher(r.out()).find(),
          r.out());
      assertFalse(r.out().contains("next check"), "--once: there is no next check: " + r.out());
      assertFalse(r.out().contains("bytes"), r.out());
    }
  }

  @Test
  void once_aCheckWithAWarning_saysItOnItsLine_andExits3() throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "alices pw", mailbox(2))
            .quirk(Quirk.Q35_QUIT_ERR)
            .start()) {
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(
              ENV,
              "poll",
              "--config",
              config(s, "alice.delete = true").toString(),
              "--once",
              "--quiet");
      assertEquals(3, r.exit(), r.out() + r.err());
      assertTrue(
          r.err().contains("alice: 2 new messages") && r.err().contains("1 warning"), r.err());
      assertTrue(r.err().contains("DELETION_UNCONFIRMED"), r.err());
      assertEquals(1, r.err().split("DELETION_UNCONFIRMED", -1).length - 1, "once: " + r.err());
      FetchCommandTest.Run json =
          FetchCommandTest.mailfetch(
              ENV,
              "poll",
              "--config",
              config(s, "alice.delete = true").toString(),
              "--once",
              "--json");
      assertEquals(3, json.exit(), json.out() + json.err());
      Map<String, Object> j = Json.object(json.out());
      assertEquals("warning", j.get("status"));
      Map<String, Object> alice = Json.map(Json.list(j.get("accounts")).get(0));
      assertEquals("alice", alice.get("account"));
      assertEquals("warning", alice.get("status"));
      assertEquals(
          "DELETION_UNCONFIRMED", Json.map(Json.list(alice.get("warnings")).get(0)).get("code"));
      assertEquals("", json.err());
    }
  }

  @Test
  void once_aQuarantinedMessage_isNamedAtEveryCheck() throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "alices pw", mailbox(1))
            .respond("RETR", "-ERR cannot read it now\r\n", FakePop3Server.After.CONTINUE)
            .start()) {
      Path config = config(s);
      for (int check = 1; check <= 5; check++) {
        FetchCommandTest.Run r =
            FetchCommandTest.mailfetch(ENV, "poll", "--config", config.toString(), "--once");
        assertNotEquals(0, r.exit(), r.err());
      }
      for (int check = 6; check <= 7; check++) {
        FetchCommandTest.Run r =
            FetchCommandTest.mailfetch(
                ENV, "poll", "--config", config.toString(), "--once", "--quiet");
        assertNotEquals(0, r.exit(), "quarantined is an error: " + r.err());
        assertTrue(r.err().contains("alice: nothing new, 1 quarantined"), r.err());
        assertTrue(
            r.err().contains("message 1 (uid m1) is quarantined")
                && r.err().contains("--retry-quarantined"),
            r.err());
      }
    }
  }

  @Test
  void once_aPausedAccount_isSaidOnce_inTwoLines() throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder().account("alice", "alices pw", mailbox(1)).start()) {
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(
              Map.of("ALICE_PW", "wrong"),
              "poll",
              "--config",
              config(s).toString(),
              "--once",
              "--quiet");
      assertEquals(FetchError.AUTH_FAILED.exitCode(), r.exit());
      FetchReportTest.assertOnceInTwoLines(r.err(), FetchError.AUTH_FAILED);
      assertTrue(r.err().contains(" alice: check failed: AUTH_FAILED: "), r.err());
      assertFalse(
          r.err().contains("until restarted"),
          "--once: there is no later check to hold back: " + r.err());
    }
  }

  @Test
  void once_json_reportsEveryAccount_includingOneThatCouldNotOpen() throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "alices pw", mailbox(2))
            .account("bob", "alices pw", mailbox(1))
            .start()) {
      Path held = tmp.resolve("held");
      Path config =
          config(
              s,
              "bob.url = pop3://bob@localhost:" + s.port(),
              "bob.password-env = ALICE_PW",
              "bob.tls = none",
              "bob.allow-plaintext-auth = true",
              "bob.to = maildir:" + tmp.resolve("bob"),
              "bob.state = " + held);
      try (JournalUidStore running =
          JournalUidStore.open(JournalUidStore.directoryFor(held, "bob@localhost"))) {
        FetchCommandTest.Run r =
            FetchCommandTest.mailfetch(
                ENV, "poll", "--config", config.toString(), "--once", "--json");
        assertEquals(FetchError.LOCKED.exitCode(), r.exit(), r.out() + r.err());
        Map<String, Object> j = Json.object(r.out());
        assertEquals("error", j.get("status"));
        List<Object> accounts = Json.list(j.get("accounts"));
        assertEquals(2, accounts.size(), r.out());
        Map<String, Object> alice = Json.map(accounts.get(0));
        assertEquals("alice", alice.get("account"));
        assertEquals("ok", alice.get("status"));
        assertEquals(2L, alice.get("fetched"));
        Map<String, Object> bob = Json.map(accounts.get(1));
        assertEquals("bob", bob.get("account"));
        assertEquals("LOCKED", Json.map(bob.get("error")).get("code"));
        assertEquals("", r.err());
        assertTrue(running.firstRun().isEmpty(), "the holder's state is untouched");
      }
    }
  }

  @Test
  void json_withoutOnce_isABadArgument() {
    FetchCommandTest.Run r =
        FetchCommandTest.mailfetch(Map.of(), "poll", "--config", "x.properties", "--json");
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue((r.out() + r.err()).contains("--json needs --once"), r.out() + r.err());
  }

  // ---------------------------------------------------------------- the review's findings

  @Test
  void once_aCheckThatFails_saysItOnce_withoutFailedTwice_andNeverPutOff() throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "alices pw", mailbox(3))
            .quirk(Quirk.Q36_DROP_MID_RETR)
            .start()) {
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(ENV, "poll", "--config", config(s).toString(), "--once");
      assertEquals(FetchError.CONNECTION_RESET.exitCode(), r.exit(), r.out() + r.err());
      String line = r.err().lines().filter(l -> l.contains("alice:")).findFirst().orElse("");
      assertTrue(line.contains("alice: check failed: CONNECTION_RESET: "), r.err());
      assertEquals(1, line.split("failed", -1).length - 1, "failed once on the line: " + line);
      assertEquals(1, r.err().split("CONNECTION_RESET", -1).length - 1, "said once: " + r.err());
    }
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "alices pw", mailbox(1))
            .respond(
                "PASS",
                "-ERR [IN-USE] the mailbox is locked by another session\r\n",
                FakePop3Server.After.CONTINUE)
            .respond(
                "AUTH",
                "-ERR [IN-USE] the mailbox is locked by another session\r\n",
                FakePop3Server.After.CONTINUE)
            .start()) {
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(ENV, "poll", "--config", config(s).toString(), "--once");
      assertEquals(FetchError.LOCKED.exitCode(), r.exit(), r.out() + r.err());
      assertTrue(r.err().contains("alice: check failed: LOCKED: "), r.err());
      assertFalse(
          r.err().contains("put off"),
          "--once: there is no later check to put it off to: " + r.err());
    }
  }

  /** Every option a text names: what a reader would type. */
  static Set<String> optionsNamed(String text) {
    Set<String> named = new TreeSet<>();
    Matcher m = Pattern.compile("(?<![\\w.-])--[a-z][a-z0-9-]*").matcher(text);
    while (m.find()) {
      named.add(m.group());
    }
    return named;
  }

  /** The long options a command of mailfetch takes. */
  static Set<String> optionsOf(String command) {
    Set<String> all = new TreeSet<>();
    CommandLine cl =
        new CommandLine(command.equals("poll") ? new PollCommand() : new FetchCommand());
    for (OptionSpec o : cl.getCommandSpec().options()) {
      all.addAll(List.of(o.names()));
    }
    return all;
  }

  @Test
  void once_adviceNamesWhatThePollTakes_theFilesLinesForTheRest() throws IOException {
    FakeMailbox m = mailbox(1);
    m.add(
        "big",
        ("Subject: big\r\n\r\n" + "x".repeat(29_000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    try (FakePop3Server s = FakePop3Server.builder().account("alice", "alices pw", m).start()) {
      Path config = config(s, "alice.max-message-size = 10K");
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(ENV, "poll", "--config", config.toString(), "--once");
      assertEquals(3, r.exit(), r.out() + r.err());
      assertTrue(r.err().contains("set alice.max-message-size = 30K in " + config), r.err());
      Set<String> named = optionsNamed(r.out() + r.err());
      named.removeAll(optionsOf("poll"));
      assertEquals(Set.of(), named, "every option advised is one poll takes: " + r.err());
      FetchCommandTest.Run json =
          FetchCommandTest.mailfetch(
              ENV, "poll", "--config", config.toString(), "--once", "--json");
      Map<String, Object> alice =
          Json.map(Json.list(Json.object(json.out()).get("accounts")).get(0));
      String remedy =
          String.valueOf(Json.map(Json.list(alice.get("skipped_messages")).get(0)).get("remedy"));
      assertTrue(remedy.contains("alice.max-message-size = 30K in " + config), remedy);
    }
  }

  /**
   * The server started on {@code port}, where a server just stopped: the same server to the client,
   * repaired. Its last connections may hold the port a moment longer.
   */
  static FakePop3Server onPort(FakePop3Server.Builder b, int port) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    b.port(port); // once (the builder's policy); each try starts the same settings
    while (true) {
      try {
        return b.start();
      } catch (UncheckedIOException e) {
        if (System.nanoTime() > until) {
          throw e;
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException i) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  @Test
  void once_retryQuarantined_andTrace_areThePolls() throws IOException {
    int port;
    Path config;
    try (FakePop3Server broken =
        FakePop3Server.builder()
            .account("alice", "alices pw", mailbox(1))
            .respond("RETR", "-ERR cannot read it now\r\n", FakePop3Server.After.CONTINUE)
            .start()) {
      port = broken.port();
      config = config(broken);
      for (int check = 1; check <= 6; check++) {
        FetchCommandTest.Run r =
            FetchCommandTest.mailfetch(
                ENV, "poll", "--config", config.toString(), "--once", "--quiet");
        assertNotEquals(0, r.exit(), r.err());
      }
    }
    try (FakePop3Server fixed =
        onPort(FakePop3Server.builder().account("alice", "alices pw", mailbox(1)), port)) {
      assertEquals(port, fixed.port(), "the same server, repaired");
      FetchCommandTest.Run still =
          FetchCommandTest.mailfetch(ENV, "poll", "--config", config.toString(), "--once");
      assertTrue(
          still.err().contains("1 quarantined") && still.err().contains("--retry-quarantined"),
          still.err());
      FetchCommandTest.Run retried =
          FetchCommandTest.mailfetch(
              ENV,
              "poll",
              "--config",
              config.toString(),
              "--once",
              "--retry-quarantined",
              "--trace");
      assertEquals(0, retried.exit(), retried.out() + retried.err());
      assertTrue(retried.out().contains("alice: 1 new message"), retried.out());
      assertEquals(1, count(tmp.resolve("alice/new")));
    }
  }

  @Test
  void aPollThatRunsUntilStopped_checksEveryAccountAtOnce_notAfterTheMinimumInterval()
      throws Exception {
    try (FakePop3Server s =
        FakePop3Server.builder().account("alice", "alices pw", mailbox(2)).start()) {
      PollCommand poll = new PollCommand();
      poll.env = ENV;
      StringWriter out = new StringWriter();
      CommandLine cl = new CommandLine(poll);
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(new StringWriter(), true));
      String config = config(s).toString();
      CompletableFuture<Integer> running =
          CompletableFuture.supplyAsync(
              () -> cl.execute("--config", config, "--min-interval", "1h", "--max-interval", "2h"));
      try {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(Files.isDirectory(tmp.resolve("alice/new"))
            && count(tmp.resolve("alice/new")) == 2)) {
          assertTrue(System.nanoTime() < until, "checked at start, not an hour later: " + out);
          Thread.sleep(50);
        }
        assertTrue(out.toString().contains("checking every account now"), out.toString());
      } finally {
        poll.stop.countDown();
      }
      assertEquals(0, running.get(40, TimeUnit.SECONDS));
    }
  }
}
