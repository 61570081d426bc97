package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.gmail.OAuthTokenFile;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import dev.mailfetch.testkit.gmail.FaultRule;
import dev.mailfetch.testkit.gmail.GmailFault;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built {@code mailfetch.jar} as a separate process delivering into the fake Gmail (a surefire
 * execution after {@code package}, as {@link MailfetchJarTest}): the command's own log
 * configuration, stdout and stderr as a user or cron sees them.
 */
@Timeout(180)
class GmailJarTest {
  private static final String ME = GmailCommandTest.ME;
  @TempDir Path tmp;

  @Test
  void theJar_deliversIntoGmailWithDelete_json_thenARefusedMessageIsSaidOnceInTwoLines()
      throws Exception {
    MailCorpus corpus = MailCorpus.generate(23, 6).filter(m -> m.messageId() != null);
    try (FakeGmailServer gmail = FakeGmailServer.start().addAccount(ME);
        FakePop3Server pop3 =
            FakePop3Server.builder().account("alice", "jar pw", corpus.toMailbox()).start()) {
      Path token =
          GmailCommandTest.grantFile(
              gmail, tmp.resolve("token"), ME, GmailCommandTest.IMPORT_SCOPES);
      String refreshToken = OAuthTokenFile.read(token).refreshToken();
      List<String> common =
          List.of(
              "fetch",
              "pop3://alice@localhost:" + pop3.port(),
              "--tls",
              "none",
              "--allow-plaintext-auth",
              "--password-env",
              "PW",
              "--to",
              "gmail:" + ME,
              "--gmail-token-file",
              token.toString(),
              "--gmail-api",
              gmail.baseUri().toString(),
              "--state",
              tmp.resolve("state").toString(),
              "--delete",
              "--label",
              "Jar");
      MailfetchJarTest.Run r =
          MailfetchJarTest.jar(Map.of("PW", "jar pw"), tmp, with(common, "--json"));
      assertEquals(0, r.exit(), r.out() + r.err());
      assertEquals("", r.err(), "the JSON is the whole report");
      assertTrue(
          r.out().startsWith("{\"status\":\"ok\"")
              && r.out().contains("\"fetched\":" + corpus.messages().size()),
          r.out());
      assertEquals(corpus.messages().size(), gmail.messages(ME).size());
      assertEquals(0, pop3.mailbox("alice").size());

      pop3.mailbox("alice")
          .add("Message-ID: <refused@example.org>\r\nSubject: refused\r\n\r\nbody\r\n");
      gmail.inject(
          FaultRule.of(GmailFault.MESSAGE_REJECTED_400)
              .forMessageContaining("<refused@example.org>")
              .reason("Invalid From header")
              .always());
      MailfetchJarTest.Run refused =
          MailfetchJarTest.jar(Map.of("PW", "jar pw"), tmp, with(common, "--quiet"));
      assertEquals(73, refused.exit(), refused.out() + refused.err());
      List<String> lines = refused.err().lines().toList();
      assertEquals(
          2, lines.size(), "once, in two lines, no log line repeating it: " + refused.err());
      assertTrue(
          lines.get(0).startsWith("mailfetch: message 1 (uid ")
              && lines.get(0).contains("SINK_REJECTED")
              && lines.get(0).contains("Invalid From header"),
          refused.err());
      assertEquals(1, pop3.mailbox("alice").size(), "the refused message stays on the server");
      for (String secret : List.of(refreshToken, FakeGmailServer.TEST_CLIENT_SECRET, "jar pw")) {
        assertFalse(
            r.out().contains(secret) || refused.err().contains(secret), "no secret in the output");
      }
    }
  }

  @Test
  void theJar_aRevokedAuthorization_isSaidOnce_withTheCommandToType() throws Exception {
    try (FakeGmailServer gmail = FakeGmailServer.start().addAccount(ME);
        FakePop3Server pop3 =
            FakePop3Server.builder()
                .account("alice", "jar pw", MailCorpus.generate(3, 2).toMailbox())
                .start()) {
      Path token =
          GmailCommandTest.grantFile(
              gmail, tmp.resolve("token"), ME, GmailCommandTest.IMPORT_SCOPES);
      gmail.revoke(OAuthTokenFile.read(token).refreshToken());
      MailfetchJarTest.Run r =
          MailfetchJarTest.jar(
              Map.of("PW", "jar pw"),
              tmp,
              "fetch",
              "pop3://alice@localhost:" + pop3.port(),
              "--tls",
              "none",
              "--allow-plaintext-auth",
              "--password-env",
              "PW",
              "--to",
              "gmail:" + ME,
              "--gmail-token-file",
              token.toString(),
              "--gmail-api",
              gmail.baseUri().toString(),
              "--state",
              tmp.resolve("state").toString(),
              "--delete",
              "--quiet");
      assertEquals(20, r.exit(), r.out() + r.err());
      List<String> lines = r.err().lines().toList();
      assertTrue(
          lines
              .get(lines.size() - 1)
              .contains(
                  "To authorize again: mailfetch oauth google " + ME + " --token-file " + token),
          r.err());
      assertEquals(2, lines.size(), "once, in two lines, no log line repeating it: " + r.err());
      assertEquals(2, pop3.mailbox("alice").size(), "nothing deleted");
    }
  }

  private static String[] with(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }
}
