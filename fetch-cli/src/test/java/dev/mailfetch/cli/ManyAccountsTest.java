package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config file of thousands of accounts is set up in a small heap and in seconds: one parser of
 * fetch's options for the file (AccountArguments), not a picocli model per account, which took
 * about 300 KB of heap each for as long as the account was polled and 10 ms or more to build
 * (before, this test's poll ran out of its 64 MB heap after half a minute).
 */
@Timeout(120)
class ManyAccountsTest {
  private static final int ACCOUNTS = 2_000;

  @TempDir Path tmp;

  @Test
  void aSharedPoll_setsUpTwoThousandAccounts_inA64MegabyteHeap() throws Exception {
    StringBuilder c = new StringBuilder();
    for (int i = 0; i < ACCOUNTS; i++) {
      String a = String.format("a%05d", i);
      c.append(a).append(".url = pop3s://user").append(i).append("@127.0.0.1:1\n");
      c.append(a).append(".password-env = PW\n");
      c.append(a).append(".to = maildir:").append(tmp.resolve("Mail").resolve(a)).append('\n');
      c.append(a).append(".timeout = 5\n");
      c.append(a).append(".quirk.1 = Q01\n");
      c.append(a).append(".delete = true\n");
    }
    c.append(
        "zzz.url = pop3s://last@127.0.0.1:1\nzzz.colour = red\n"); // the last, told in its turn
    Path config = tmp.resolve("accounts.properties");
    Files.writeString(config, c, StandardCharsets.UTF_8);
    // The state database: a loopback port that hangs up at once, so the poll stops where the
    // accounts are all set up and it connects (no PostgreSQL needed, no port guessed free).
    try (ServerSocket db = new ServerSocket(0)) {
      Thread hangUp =
          new Thread(
              () -> {
                while (!db.isClosed()) {
                  try {
                    db.accept().close(); // unanswered
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      hangUp.setDaemon(true);
      hangUp.start();
      List<String> cmd =
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-XX:TieredStopAtLevel=1",
              "-XX:+UseSerialGC",
              "-Xmx64m",
              "-cp",
              System.getProperty("java.class.path"),
              Main.class.getName(),
              "poll",
              "--config",
              config.toString(),
              "--state",
              "jdbc:postgresql://127.0.0.1:" + db.getLocalPort() + "/mail",
              "--quiet");
      Path out = tmp.resolve("out.txt");
      Path err = tmp.resolve("err.txt");
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().put("PW", "many-accounts-pw");
      pb.environment().put(PostgresState.PASSWORD_ENV, "many-accounts-db-pw");
      long start = System.nanoTime();
      Process p = pb.start();
      // Here on a loaded two-core machine: 5-7 s; a parser per account: out of memory after 30 s.
      boolean ended = p.waitFor(60, TimeUnit.SECONDS);
      if (!ended) {
        p.destroyForcibly().waitFor();
      }
      String said = Files.readString(err, StandardCharsets.UTF_8);
      assertTrue(ended, "set up within 60 s: " + tail(said));
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertFalse(said.contains("OutOfMemoryError"), tail(said));
      assertTrue(
          said.contains("account zzz in " + config + ": zzz.colour is not an option of fetch"),
          "the last account told in its turn: " + tail(said));
      assertTrue(said.contains("STATE_FAILED"), "then the database: " + tail(said));
      assertEquals(71, p.exitValue(), tail(said) + " after " + seconds + " s");
    }
  }

  private static String tail(String s) {
    return s.length() > 2000 ? "…" + s.substring(s.length() - 2000) : s;
  }
}
