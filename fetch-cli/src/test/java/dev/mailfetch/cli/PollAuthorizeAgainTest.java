package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.gmail.OAuthTokenFile;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A poll that runs until stopped pauses a Gmail account whose authorization is refused; when the
 * token file is written anew (mailfetch oauth), the account is checked again without a restart.
 */
@Timeout(180)
class PollAuthorizeAgainTest {
  private static final String ME = GmailCommandTest.ME;
  @TempDir Path tmp;

  @Test
  void aPausedGmailAccount_isCheckedAgain_whenItsTokenFileIsReplaced_withoutARestart()
      throws Exception {
    MailCorpus corpus = MailCorpus.generate(23, 3);
    try (FakeGmailServer gmail = FakeGmailServer.start().addAccount(ME);
        FakePop3Server pop3 =
            FakePop3Server.builder().account("alice", "pop pw", corpus.toMailbox()).start()) {
      Path token =
          GmailCommandTest.grantFile(
              gmail, tmp.resolve("token"), ME, GmailCommandTest.IMPORT_SCOPES);
      gmail.revoke(OAuthTokenFile.read(token).refreshToken());
      Path config =
          Files.writeString(
              tmp.resolve("accounts.properties"),
              String.join(
                  "\n",
                  "a.url = pop3://alice@localhost:" + pop3.port(),
                  "a.tls = none",
                  "a.allow-plaintext-auth = true",
                  "a.password-env = PW",
                  "a.to = gmail:" + ME,
                  "a.gmail-token-file = " + token,
                  "a.gmail-api = " + gmail.baseUri(),
                  "a.state = " + tmp.resolve("state"),
                  ""));
      PollCommand poll = new PollCommand();
      poll.env = Map.of("PW", "pop pw", "HOME", tmp.resolve("home").toString());
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
                      "--min-interval",
                      "1h",
                      "--max-interval",
                      "2h"));
      try {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!err.toString().contains("mailfetch oauth google")) {
          assertTrue(System.nanoTime() < until, "paused: " + out + err);
          Thread.sleep(50);
        }
        assertTrue(
            err.toString().contains("AUTH_FAILED")
                && err.toString().contains("mailfetch oauth google " + ME),
            err.toString());
        assertTrue(
            err.toString().contains("checked again when " + token + " is written anew"),
            err.toString());
        assertEquals(0, gmail.messages(ME).size());
        // authorized again: the file replaced whole, as mailfetch oauth does
        GmailCommandTest.grantFile(gmail, tmp.resolve("token"), ME, GmailCommandTest.IMPORT_SCOPES);
        // at once, or where Gmail's destination still remembers the failure (a minute), once after
        // it
        until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (gmail.messages(ME).size() < 3) {
          assertTrue(System.nanoTime() < until, "checked again, not an hour later: " + out + err);
          Thread.sleep(50);
        }
        assertEquals(3, gmail.messages(ME).size());
      } finally {
        poll.stop.countDown();
      }
      assertEquals(0, running.get(40, TimeUnit.SECONDS));
    }
  }
}
