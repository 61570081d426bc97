package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code mailfetch poll}: one round with --once (the run-until-stopped case is in MailfetchJarTest, with SIGTERM). */
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
    try (FakePop3Server s = FakePop3Server.builder()
        .account("alice", "alices pw", MailCorpus.generate(71, 6).toMailbox())
        .account("bob", "bobs pw", MailCorpus.generate(72, 2).toMailbox()).start()) {
      String base = "pop3://%s@localhost:" + s.port();
      Path config = tmp.resolve("accounts.properties");
      Files.writeString(config, String.join("\n",
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
      FetchCommandTest.Run r = FetchCommandTest.mailfetch(env, "poll", "--config", config.toString(), "--once");
      assertEquals(FetchError.AUTH_FAILED.exitCode(), r.exit(), r.out() + r.err());
      assertEquals(6, count(tmp.resolve("alice/new")));
      assertTrue(r.out().contains("alice@localhost: 6 new messages"), r.out());
      assertTrue(r.err().contains("bob@localhost: paused") && r.err().contains("AUTH_FAILED"), r.err());
      assertFalse((r.out() + r.err()).contains("not bobs") || (r.out() + r.err()).contains("alices pw"), "no secret");
      FetchCommandTest.Run again = FetchCommandTest.mailfetch(env, "poll", "--config", config.toString(), "--once",
          "--quiet");
      assertEquals(FetchError.AUTH_FAILED.exitCode(), again.exit());
      assertEquals("", again.out(), "quiet: nothing new is not news");
      assertEquals(6, count(tmp.resolve("alice/new")), "nothing twice");
    }
  }

  @Test
  void badIntervals_areBadArguments() {
    FetchCommandTest.Run r = FetchCommandTest.mailfetch(Map.of(), "poll", "--config", "x.properties",
        "--min-interval", "10m", "--max-interval", "5m");
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("--min-interval 10m is longer than --max-interval 5m"), r.err());
    FetchCommandTest.Run t = FetchCommandTest.mailfetch(Map.of(), "poll", "--config", "x.properties",
        "--min-interval", "soon");
    assertEquals(2, t.exit());
    assertTrue(t.err().contains("not a time: soon"), t.err());
  }
}
