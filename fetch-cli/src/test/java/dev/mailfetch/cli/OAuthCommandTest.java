package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.gmail.OAuthTokenFile;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailfetch oauth} against the fake Google: the test is the browser (java.net.http following
 * the fake's 302 to the command's loopback listener); the file it writes is used by fetch.
 */
@Timeout(120)
class OAuthCommandTest {
  private static final String ME = GmailCommandTest.ME;
  @TempDir Path tmp;
  private FakeGmailServer gmail;
  private final HttpClient browser =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @BeforeEach
  void google() {
    gmail = FakeGmailServer.start().addAccount(ME).authorizeAs(ME);
  }

  @AfterEach
  void stop() {
    gmail.close();
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("CID", FakeGmailServer.TEST_CLIENT_ID);
    env.put("CSEC", FakeGmailServer.TEST_CLIENT_SECRET);
    env.put("HOME", tmp.resolve("home").toString());
    env.put("PW", "pop pw");
    return env;
  }

  /** The command, run on its own thread as a person runs it; its output read while it waits. */
  private record Running(CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {
    String url() throws InterruptedException {
      for (int i = 0; i < 200; i++) {
        for (String line : out.toString().lines().toList()) {
          if (line.strip().startsWith("http://")) {
            return line.strip();
          }
        }
        Thread.sleep(50);
      }
      throw new AssertionError("no address printed: " + out + err);
    }
  }

  private Running oauth(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 6];
    all[0] = "oauth";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--authorization-endpoint=" + gmail.authorizationUri();
    all[args.length + 2] = "--token-endpoint=" + gmail.tokenUri();
    all[args.length + 3] = "--wait";
    all[args.length + 4] = "60";
    all[args.length + 5] = "--gmail-api=" + gmail.baseUri();
    Map<String, String> env = env();
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> Main.run(new PrintWriter(out, true), new PrintWriter(err, true), env, all));
    return new Running(exit, out, err);
  }

  /** The browser: opens the address, follows the provider's redirect to the loopback listener. */
  private HttpResponse<String> browse(String url) throws IOException, InterruptedException {
    return browser.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void oauth_writesAFileOnlyItsOwnerMayRead_whereFetchLooks_andFetchDeliversWithIt()
      throws Exception {
    Running r = oauth("google", ME, "--client-id-env", "CID", "--client-secret-env", "CSEC");
    String url = r.url();
    assertTrue(url.startsWith(gmail.authorizationUri().toString()), url);
    assertTrue(
        url.contains("code_challenge_method=S256")
            && url.contains("redirect_uri=http%3A%2F%2F127.0.0.1"),
        url);
    HttpResponse<String> page = browse(url);
    assertEquals(200, page.statusCode(), page.body());
    assertTrue(
        page.uri().getHost().equals("127.0.0.1"),
        "the browser came back to the command: " + page.uri());
    int exit = r.exit().get(60, TimeUnit.SECONDS);
    assertEquals(0, exit, r.out() + "" + r.err());
    Path token = tmp.resolve("home/.mailfetch/gmail/" + ME + "/token");
    assertTrue(Files.isRegularFile(token), r.out().toString());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
    for (Path d :
        List.of(
            token.getParent(),
            tmp.resolve("home/.mailfetch/gmail"),
            tmp.resolve("home/.mailfetch"))) {
      assertEquals(
          "rwx------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(d)),
          d.toString());
    }
    String said = r.out() + "" + r.err();
    assertTrue(said.contains("Authorized as " + ME) && said.contains(token.toString()), said);
    assertTrue(said.contains("--to gmail:" + ME), "says what to type next: " + said);
    OAuthTokenFile written = OAuthTokenFile.read(token);
    for (String secret : List.of(FakeGmailServer.TEST_CLIENT_SECRET, written.refreshToken())) {
      assertFalse(said.contains(secret), "no secret in the output");
    }
    assertEquals(1, gmail.codeGrants(), "the code was traded once");

    // fetch finds the file where oauth wrote it, without an option naming it
    MailCorpus corpus = MailCorpus.generate(5, 4);
    try (FakePop3Server pop3 =
        FakePop3Server.builder().account("alice", "pop pw", corpus.toMailbox()).start()) {
      FetchCommandTest.Run f =
          FetchCommandTest.mailfetch(
              env(),
              "fetch",
              "pop3://alice@localhost:" + pop3.port(),
              "--tls",
              "none",
              "--allow-plaintext-auth",
              "--password-env",
              "PW",
              "--to",
              "gmail:" + ME,
              "--gmail-api",
              gmail.baseUri().toString(),
              "--delete");
      assertEquals(0, f.exit(), f.out() + f.err());
      assertEquals(4, gmail.messages(ME).size());
      assertTrue(
          Files.isDirectory(tmp.resolve("home/.mailfetch/gmail/" + ME + "/mailfetch-state")),
          "the state beside the token by default");
    }

    // authorizing again needs no client: the file's own is used
    Running again = oauth("google", ME);
    assertEquals(200, browse(again.url()).statusCode());
    assertEquals(0, again.exit().get(60, TimeUnit.SECONDS), again.out() + "" + again.err());
    assertEquals(2, gmail.codeGrants());
  }

  @Test
  void aBrowserSignedInAsAnotherAccount_isRefused_andTheWorkingFileKeepsItsAccount()
      throws Exception {
    Running first = oauth("google", ME, "--client-id-env", "CID", "--client-secret-env", "CSEC");
    browse(first.url());
    assertEquals(0, first.exit().get(60, TimeUnit.SECONDS), first.out() + "" + first.err());
    Path token = tmp.resolve("home/.mailfetch/gmail/" + ME + "/token");
    byte[] before = Files.readAllBytes(token);
    gmail.addAccount("other@gmail.com").authorizeAs("other@gmail.com");
    Running r = oauth("google", ME);
    browse(r.url());
    assertEquals(20, r.exit().get(60, TimeUnit.SECONDS), r.out() + "" + r.err());
    String said = r.out() + "" + r.err();
    assertFalse(said.contains("Authorized as"), said);
    assertTrue(
        said.contains("signed in as other@gmail.com, not as " + ME)
            && said.contains("choose " + ME),
        said);
    assertTrue(Arrays.equals(before, Files.readAllBytes(token)), "the working file is as it was");
    assertEquals(ME, OAuthTokenFile.read(token).account().orElseThrow());
  }

  @Test
  void aPortInUse_isConfiguration_andTheAdviceNamesTheOption() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Running r =
          oauth(
              "google",
              ME,
              "--port",
              Integer.toString(taken.getLocalPort()),
              "--client-id-env",
              "CID",
              "--client-secret-env",
              "CSEC");
      int exit = r.exit().get(60, TimeUnit.SECONDS);
      assertEquals(78, exit, r.out() + "" + r.err());
      assertTrue(r.err().toString().contains("is in use"), r.err().toString());
      assertTrue(r.err().toString().contains("Give another --port N"), r.err().toString());
    }
  }

  @Test
  void consentRefusedInTheBrowser_isAuthFailed_andNoFileIsWritten() throws Exception {
    gmail.denyConsent();
    Path token = tmp.resolve("pop3.token");
    Running r =
        oauth(
            "google",
            ME,
            "--pop3",
            "--token-file",
            token.toString(),
            "--client-id-env",
            "CID",
            "--client-secret-env",
            "CSEC");
    browse(r.url());
    int exit = r.exit().get(60, TimeUnit.SECONDS);
    assertEquals(20, exit, r.out() + "" + r.err());
    assertTrue(r.err().toString().contains("AUTH_FAILED"), r.err().toString());
    assertFalse(Files.exists(token), "nothing written");
  }

  @Test
  void
      aPop3Authorization_isAGrantFileFetchLogsInWith_andARevokedOneNamesTheCommandToAuthorizeAgain()
          throws Exception {
    Path token = tmp.resolve("pop3.token");
    Running r =
        oauth(
            "google",
            ME,
            "--pop3",
            "--token-file",
            token.toString(),
            "--client-id-env",
            "CID",
            "--client-secret-env",
            "CSEC");
    String url = r.url();
    assertTrue(url.contains("mail.google.com"), "POP3's scope: " + url);
    browse(url);
    assertEquals(0, r.exit().get(60, TimeUnit.SECONDS), r.out() + "" + r.err());
    assertTrue(r.out().toString().contains("--oauth-grant-file " + token), r.out().toString());
    MailCorpus corpus = MailCorpus.generate(9, 3);
    // the POP3 server asks the fake Google whether a token is good, as Dovecot's OAuth2
    // introspection does
    try (FakePop3Server pop3 =
        FakePop3Server.builder()
            .account(ME, "unused", corpus.toMailbox())
            .oauthTokenCheck(ME, this::introspect)
            .start()) {
      String[] fetch = {
        "fetch",
        "pop3://me%40gmail.com@localhost:" + pop3.port(),
        "--tls",
        "none",
        "--allow-plaintext-auth",
        "--oauth-grant-file",
        token.toString(),
        "--to",
        "maildir:" + tmp.resolve("Mail"),
        "--timeout",
        "10"
      };
      FetchCommandTest.Run f = FetchCommandTest.mailfetch(env(), fetch);
      assertEquals(0, f.exit(), f.out() + f.err());
      try (var files = Files.list(tmp.resolve("Mail/new"))) {
        assertEquals(3, files.count(), "fetched with the access token the grant file gave");
      }
      assertTrue(gmail.refreshGrants() >= 1, "refreshed at the token endpoint");
      // the grant revoked: the login is refused, and the advice is the command that authorizes
      // again
      assertTrue(gmail.revoke(OAuthTokenFile.read(token).refreshToken()));
      pop3.mailbox(ME).add("Subject: new\r\n\r\nafter the revocation\r\n");
      FetchCommandTest.Run refused = FetchCommandTest.mailfetch(env(), fetch);
      assertEquals(20, refused.exit(), refused.out() + refused.err());
      assertTrue(
          refused.err().contains("mailfetch oauth google " + ME + " --pop3 --token-file " + token),
          refused.err());
    }
  }

  /** Whether the fake Google takes {@code token} (its profile answers for me). */
  private boolean introspect(String token) {
    try {
      HttpResponse<String> r =
          browser.send(
              HttpRequest.newBuilder(gmail.baseUri().resolve("gmail/v1/users/me/profile"))
                  .header("Authorization", "Bearer " + token)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("\"" + ME + "\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
