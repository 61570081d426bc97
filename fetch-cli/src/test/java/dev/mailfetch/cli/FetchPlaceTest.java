package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.MessageOutcome.Kind;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Where a fetch stores mail and keeps its state: a fetch that never got to list the mailbox leaves
 * no place behind that it created; and the secret files are read at each login.
 */
@Timeout(120)
class FetchPlaceTest {
  @TempDir Path tmp;

  /** A loopback port where nothing listens (it was free a moment ago). */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void aFetchThatCannotConnect_leavesNoMaildirMboxOrEmlDirectoryBehind() throws IOException {
    int port = closedPort();
    for (String to :
        new String[] {
          "maildir:" + tmp.resolve("a/Mail"),
          "mbox:" + tmp.resolve("b/inbox.mbox"),
          "eml:" + tmp.resolve("c/eml"),
          "maildir:" + tmp.resolve("d")
        }) {
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(
              Map.of("PW", "pw"),
              "fetch",
              "pop3://alice@localhost:" + port,
              "--password-env",
              "PW",
              "--tls",
              "none",
              "--allow-plaintext-auth",
              "--to",
              to);
      assertNotEquals(0, r.exit(), r.err());
      assertNotEquals(2, r.exit(), "not a bad argument: " + r.err());
    }
    try (var left = Files.list(tmp)) {
      assertEquals(0, left.count(), "nothing created is left behind");
    }
  }

  /**
   * {@code poll --once} (and a poll stopped) cleans up as {@code fetch --config} does: an account
   * whose check never got to list the mailbox (a mistyped host, a closed port) leaves no Maildir
   * and no state behind; an account of the same file that did list keeps its place and state, even
   * when it shares that place with the one that never listed and has stored nothing.
   */
  @Test
  void aPollOnceWhoseAccountNeverListed_leavesNoMaildirOrStateBehind_whileAListedOneKeepsItsOwn()
      throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "pw", MailCorpus.generate(97, 0).toMailbox())
            .start()) {
      int closed = closedPort();
      Path config =
          Files.writeString(
              tmp.resolve("accounts.properties"),
              String.join(
                      "\n",
                      "dns.url = pop3://user@localhost:" + closed,
                      "dns.password-env = PW",
                      "dns.tls = none",
                      "dns.allow-plaintext-auth = true",
                      "dns.to = maildir:" + tmp.resolve("Mdns"),
                      "good.url = pop3://alice@localhost:" + s.port(),
                      "good.password-env = PW",
                      "good.tls = none",
                      "good.allow-plaintext-auth = true",
                      "good.to = maildir:" + tmp.resolve("Shared"),
                      "other.url = pop3://bob@localhost:" + closed,
                      "other.password-env = PW",
                      "other.tls = none",
                      "other.allow-plaintext-auth = true",
                      "other.to = maildir:" + tmp.resolve("Shared"))
                  + "\n");
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(
              Map.of("PW", "pw"), "poll", "--config", config.toString(), "--once");
      assertNotEquals(0, r.exit(), r.out() + r.err());
      assertNotEquals(2, r.exit(), "not a bad argument: " + r.out() + r.err());
      assertFalse(
          Files.exists(tmp.resolve("Mdns")),
          "the account that never listed leaves nothing: " + r.err());
      assertTrue(
          Files.isDirectory(tmp.resolve("Shared/new"))
              && Files.isDirectory(tmp.resolve("Shared/mailfetch-state")),
          "the account that listed keeps its place and state");
      try (var states = Files.list(tmp.resolve("Shared/mailfetch-state"))) {
        List<String> names = states.map(p -> p.getFileName().toString()).toList();
        assertTrue(
            names.stream().anyMatch(n -> n.startsWith("alice")),
            "the listed account's state stays: " + names);
        assertTrue(
            names.stream().noneMatch(n -> n.startsWith("bob")),
            "the one that never listed goes: " + names);
      }
    }
  }

  @Test
  void aPlaceThatWasThereBefore_staysWithWhatItHeld() throws IOException {
    Path mail = Files.createDirectories(tmp.resolve("Mail"));
    Path mine = Files.writeString(mail.resolve("notes.txt"), "mine");
    FetchCommandTest.Run r =
        FetchCommandTest.mailfetch(
            Map.of("PW", "pw"),
            "fetch",
            "pop3://alice@localhost:" + closedPort(),
            "--password-env",
            "PW",
            "--tls",
            "none",
            "--allow-plaintext-auth",
            "--to",
            "maildir:" + mail);
    assertNotEquals(0, r.exit(), r.err());
    assertEquals("mine", Files.readString(mine));
    assertFalse(Files.exists(mail.resolve("mailfetch-state")), "the state it created is removed");
  }

  @Test
  void aFetchThatListed_keepsItsPlaceAndState_evenWithNothingToStore() throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "pw", MailCorpus.generate(95, 0).toMailbox())
            .start()) {
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(
              Map.of("PW", "pw"),
              "fetch",
              "pop3://alice@localhost:" + s.port(),
              "--password-env",
              "PW",
              "--tls",
              "none",
              "--allow-plaintext-auth",
              "--to",
              "maildir:" + tmp.resolve("Mail"));
      assertEquals(0, r.exit(), r.out() + r.err());
      assertTrue(
          Files.isDirectory(tmp.resolve("Mail/new"))
              && Files.isDirectory(tmp.resolve("Mail/mailfetch-state")));
    }
  }

  @Test
  void anOauthTokenFile_isReadAgainAtEachLogin() throws Exception {
    Path token = Files.writeString(tmp.resolve("token"), "stale-token\n");
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "unused pw", MailCorpus.generate(96, 2).toMailbox())
            .expiredOauthToken("alice", "stale-token")
            .oauthToken("alice", "fresh-token")
            .quirk(Quirk.Q42_OAUTH_ERROR_CONTINUATION)
            .start()) {
      FetchCommand fetch = new FetchCommand();
      fetch.env = Map.of();
      fetch.polled = true;
      new CommandLine(fetch)
          .parseArgs(
              "pop3://alice@localhost:" + s.port(),
              "--oauth-token-file",
              token.toString(),
              "--tls",
              "none",
              "--allow-plaintext-auth",
              "--to",
              "maildir:" + tmp.resolve("Mail"));
      try (OpenedAccount opened = fetch.open()) {
        FetchResult expired = opened.fetcher().run();
        assertEquals(FetchError.AUTH_TOKEN_EXPIRED, expired.firstError().orElseThrow().error());
        Files.writeString(token, "fresh-token\n"); // another program refreshed it
        FetchResult fresh = opened.fetcher().run();
        assertTrue(fresh.ok(), String.valueOf(fresh.firstError()));
        assertEquals(2, fresh.count(Kind.DELIVERED));
      }
    }
  }
}
