package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.MailPush;
import dev.mailfetch.cli.FetchCommandTest.Run;
import dev.mailfetch.gmail.OAuthEndpoints;
import dev.mailfetch.gmail.OAuthScopes;
import dev.mailfetch.gmail.OAuthTokenFile;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.imap.ImapSource;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapRecordedSession;
import dev.mailfetch.testkit.imap.ImapSeed;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The refresh-token provider logging in to IMAP from the command, end to end: {@code mailfetch
 * oauth … --imap} writes the grant (the test is the browser, as in {@link OAuthCommandTest}), and
 * {@code fetch imaps://}, {@code doctor imaps://} and a config file's account log in with it
 * (AUTHENTICATE XOAUTH2) to the fake IMAP server, which asks the fake Google whether each token is
 * good, as a real server asks its authorization server. A grant without the IMAP scope is refused
 * before any connection, naming {@code mailfetch oauth microsoft … --imap}; a revoked grant, or a
 * server that refuses even a fresh token, names the same command to authorize again.
 */
@Timeout(120)
class ImapOAuthCommandTest {
  private static final String ME = "me@example.com";
  private static final TestCertificates CERTS = TestCertificates.generate();
  private static final List<String> SEEDED =
      List.of(
          "From: a@example.org\r\nSubject: one\r\nMessage-ID: <1@example.org>\r\n\r\nfirst\r\n",
          "From: b@example.org\r\nSubject: two\r\nMessage-ID: <2@example.org>\r\n\r\nsecond\r\n",
          "From: c@example.org\r\nSubject: three\r\nMessage-ID: <3@example.org>\r\n\r\nthird\r\n");

  @TempDir Path tmp;
  private FakeGmailServer provider;
  private FakeImapServer imap;
  private Path ca;

  /** Whether the IMAP server takes tokens the provider vouches for (false: it refuses all). */
  private final AtomicBoolean serverTakesTokens = new AtomicBoolean(true);

  private final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @BeforeEach
  void start() throws IOException {
    provider = FakeGmailServer.start().addAccount(ME).authorizeAs(ME);
    FakeImapServer.Builder b =
        FakeImapServer.builder()
            .account(ME, "not the password: this account logs in with tokens")
            .oauthTokenCheck(ME, this::vouchedFor)
            .tls(TlsMode.IMPLICIT, CERTS);
    for (String m : SEEDED) {
      b.message(ME, "INBOX", ImapSeed.of(m));
    }
    imap = b.start();
    ca = CERTS.writeCaPem(tmp);
  }

  @AfterEach
  void stop() {
    imap.close();
    provider.close();
  }

  /**
   * Whether the provider knows {@code token} as a live access token of {@link #ME}: its profile
   * answers (200), or refuses it only for its scopes (403: a Microsoft-scoped token at the fake).
   */
  private boolean vouchedFor(String token) {
    if (!serverTakesTokens.get()) {
      return false;
    }
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(provider.baseUri().resolve("gmail/v1/users/me/profile"))
                  .header("Authorization", "Bearer " + token)
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 || r.statusCode() == 403;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("CID", FakeGmailServer.TEST_CLIENT_ID);
    env.put("CSEC", FakeGmailServer.TEST_CLIENT_SECRET);
    env.put("HOME", tmp.resolve("home").toString());
    return env;
  }

  private String url() {
    return "imaps://me%40example.com@localhost:" + imap.port();
  }

  private Run fetch(Path grant, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "fetch",
                url(),
                "--oauth-grant-file",
                grant.toString(),
                "--ca-file",
                ca.toString(),
                "--to",
                "maildir:" + tmp.resolve("Mail"),
                "--state",
                tmp.resolve("state").toString(),
                "--timeout",
                "10"));
    args.addAll(List.of(more));
    return FetchCommandTest.mailfetch(env(), args.toArray(String[]::new));
  }

  /**
   * A grant as {@code mailfetch oauth microsoft ME [--pop3] [--imap]} writes it, at the fake's
   * endpoints, with a refresh token the fake knows for {@code scopes}.
   */
  private Path microsoftGrant(String name, List<String> scopes) throws IOException {
    Path file = tmp.resolve(name);
    OAuthTokenFile.builder()
        .endpoints(
            OAuthEndpoints.microsoft("common").at(provider.authorizationUri(), provider.tokenUri()))
        .clientId(FakeGmailServer.TEST_CLIENT_ID)
        .clientSecret(FakeGmailServer.TEST_CLIENT_SECRET)
        .scopes(scopes)
        .account(ME)
        .refreshToken(provider.grant(ME, scopes.toArray(String[]::new)))
        .build()
        .write(file);
    return file;
  }

  /** The Maildir's messages, sorted. */
  private List<String> delivered() throws IOException {
    Path cur = tmp.resolve("Mail/new");
    if (!Files.isDirectory(cur)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(cur)) {
      for (Path f : files.toList()) {
        out.add(Files.readString(f, StandardCharsets.ISO_8859_1));
      }
    }
    out.sort(null);
    return out;
  }

  /** The seeded messages as a Maildir holds them (LF line ends), sorted. */
  private static List<String> seededAsStored() {
    List<String> out = new ArrayList<>();
    for (String m : SEEDED) {
      out.add(m.replace("\r\n", "\n"));
    }
    out.sort(null);
    return out;
  }

  private boolean loggedInWithXoauth2() {
    for (ImapRecordedSession s : imap.sessions()) {
      if (!s.commands("AUTHENTICATE").isEmpty()
          && s.commands("AUTHENTICATE").get(0).arguments().startsWith("XOAUTH2")
          && s.loggedInUser().orElse("").equals(ME)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void oauthGoogleImap_writesAGrant_thatFetchAndDoctorLogInToImapWith() throws Exception {
    Path grant = tmp.resolve("imap.token");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] args = {
      "oauth",
      "google",
      ME,
      "--imap",
      "--token-file",
      grant.toString(),
      "--client-id-env",
      "CID",
      "--client-secret-env",
      "CSEC",
      "--authorization-endpoint=" + provider.authorizationUri(),
      "--token-endpoint=" + provider.tokenUri(),
      "--gmail-api=" + provider.baseUri(),
      "--wait",
      "60"
    };
    Map<String, String> env = env();
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> Main.run(new PrintWriter(out, true), new PrintWriter(err, true), env, args));
    String address = null;
    for (int i = 0; i < 200 && address == null; i++) {
      address =
          out.toString()
              .lines()
              .map(String::strip)
              .filter(l -> l.startsWith("http://"))
              .findFirst()
              .orElse(null);
      Thread.sleep(50);
    }
    assertTrue(address != null, "no address printed: " + out + err);
    assertTrue(
        address.contains("scope=" + "https%3A%2F%2Fmail.google.com%2F"),
        "Google's one mail scope, which serves IMAP: " + address);
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(address)).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode(), page.body());
    assertEquals(0, exit.get(60, TimeUnit.SECONDS), out + "" + err);
    assertTrue(
        out.toString().contains("Next: mailfetch fetch imaps://me%40example.com@imap.gmail.com"),
        "what to type next is an IMAP fetch: " + out);
    assertEquals(
        List.of(OAuthScopes.GOOGLE_MAIL), OAuthTokenFile.read(grant).scopes(), "written scopes");

    Run f = fetch(grant);
    assertEquals(0, f.exit(), f.out() + f.err());
    assertEquals(seededAsStored(), delivered(), "each message once, as the server holds it");
    assertTrue(loggedInWithXoauth2(), "logged in with XOAUTH2: " + imap.sessions());
    assertTrue(provider.refreshGrants() >= 1, "the access token came from the refresh token");
    for (String secret :
        List.of(OAuthTokenFile.read(grant).refreshToken(), FakeGmailServer.TEST_CLIENT_SECRET)) {
      assertFalse((f.out() + f.err()).contains(secret), "nothing secret said");
    }

    Run d =
        FetchCommandTest.mailfetch(
            env(),
            "doctor",
            url(),
            "--oauth-grant-file",
            grant.toString(),
            "--ca-file",
            ca.toString(),
            "--timeout",
            "10");
    assertEquals(0, d.exit(), d.out() + d.err());
    assertTrue(d.out().contains("✓ login"), d.out());
    assertTrue(d.out().contains("INBOX: " + SEEDED.size() + " messages"), d.out());
  }

  @Test
  void aMicrosoftPop3Grant_usedForImap_isRefusedBeforeConnecting_namingTheImapCommand()
      throws Exception {
    Path pop3 = microsoftGrant("pop3.token", OAuthScopes.MICROSOFT_POP3);
    Run r = fetch(pop3);
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(
        r.err().contains("the authorization does not allow logging in to IMAP")
            && r.err().contains(OAuthScopes.MICROSOFT_IMAP),
        r.err());
    assertTrue(
        r.err().contains("mailfetch oauth microsoft " + ME + " --pop3 --imap --token-file " + pop3)
            && r.err().contains("or give --imap alone with another --token-file"),
        "one file for both, or IMAP's own: " + r.err());
    Run doctor =
        FetchCommandTest.mailfetch(
            env(),
            "doctor",
            url(),
            "--oauth-grant-file",
            pop3.toString(),
            "--ca-file",
            ca.toString());
    assertEquals(2, doctor.exit(), doctor.out() + doctor.err());
    assertTrue(doctor.err().contains("--imap --token-file " + pop3), doctor.err());
    assertEquals(List.of(), imap.sessions(), "no connection was made");
    assertEquals(0, provider.refreshGrants(), "no token was asked for");

    // the IMAP grant logs in; the same file refused for a POP3 account names --pop3
    Path both =
        microsoftGrant(
            "mail.token",
            List.of(
                OAuthScopes.MICROSOFT_POP,
                OAuthScopes.MICROSOFT_IMAP,
                OAuthScopes.MICROSOFT_OFFLINE_ACCESS));
    Run ok = fetch(both);
    assertEquals(0, ok.exit(), ok.out() + ok.err());
    assertEquals(seededAsStored(), delivered());
    assertTrue(loggedInWithXoauth2(), imap.sessions().toString());
    provider.revoke(OAuthTokenFile.read(both).refreshToken());
    provider.expireAccessTokens();
    Run revoked = fetch(both);
    assertEquals(FetchError.AUTH_FAILED.exitCode(), revoked.exit(), revoked.err());
    assertTrue(
        revoked
            .err()
            .contains(
                "To authorize again: mailfetch oauth microsoft "
                    + ME
                    + " --pop3 --imap --token-file "
                    + both),
        "authorizing again keeps both protocols: " + revoked.err());
    Path imapOnly = microsoftGrant("imap.token", OAuthScopes.MICROSOFT_IMAP_FETCH);
    Run popRefused =
        FetchCommandTest.mailfetch(
            env(),
            "fetch",
            "pop3s://me%40example.com@localhost:1",
            "--oauth-grant-file",
            imapOnly.toString(),
            "--to",
            "maildir:" + tmp.resolve("Other"));
    assertEquals(2, popRefused.exit(), popRefused.err());
    assertTrue(
        popRefused.err().contains("does not allow logging in to POP3")
            && popRefused.err().contains("--pop3 --imap --token-file " + imapOnly),
        popRefused.err());
  }

  @Test
  void aRevokedGrant_andAServerRefusingFreshTokens_nameTheImapCommandToAuthorizeAgain()
      throws Exception {
    Path grant = microsoftGrant("imap.token", OAuthScopes.MICROSOFT_IMAP_FETCH);
    String again =
        "To authorize again: mailfetch oauth microsoft " + ME + " --imap --token-file " + grant;

    // the server refuses even the fresh token (IMAP access switched off for the account)
    serverTakesTokens.set(false);
    Run refused = fetch(grant);
    assertEquals(
        FetchError.AUTH_TOKEN_EXPIRED.exitCode(), refused.exit(), refused.out() + refused.err());
    assertTrue(refused.err().contains(again), refused.err());
    assertTrue(provider.refreshGrants() >= 2, "a fresh token was tried before giving up");
    assertEquals(List.of(), delivered());

    // the refresh token revoked at the provider
    serverTakesTokens.set(true);
    assertTrue(provider.revoke(OAuthTokenFile.read(grant).refreshToken()));
    provider.expireAccessTokens();
    Run revoked = fetch(grant);
    assertEquals(FetchError.AUTH_FAILED.exitCode(), revoked.exit(), revoked.out() + revoked.err());
    assertTrue(revoked.err().contains(again), revoked.err());
    assertFalse(revoked.err().contains("--pop3"), revoked.err());
    assertEquals(List.of(), delivered());
  }

  @Test
  void aConfigFilesImapAccount_withAGrantFile_isPolledWithTheRefreshTokenProvider()
      throws Exception {
    Path grant = microsoftGrant("imap.token", OAuthScopes.MICROSOFT_IMAP_FETCH);
    Path config =
        Files.writeString(
            tmp.resolve("accounts.properties"),
            String.join(
                "\n",
                "work.url = " + url(),
                "work.oauth-grant-file = " + grant,
                "work.ca-file = " + ca,
                "work.to = maildir:" + tmp.resolve("Mail"),
                "work.state = " + tmp.resolve("state"),
                "work.timeout = 10",
                ""));
    Run r = FetchCommandTest.mailfetch(env(), "poll", "--config", config.toString(), "--once");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertEquals(seededAsStored(), delivered());
    assertTrue(loggedInWithXoauth2(), imap.sessions().toString());
  }

  @Test
  void oauthMicrosoft_asksForImapsScope_withImap_andForBoth_withPop3AndImap() {
    Map<List<String>, List<String>> asked =
        Map.of(
            List.of(),
            OAuthScopes.MICROSOFT_POP3,
            List.of("--imap"),
            OAuthScopes.MICROSOFT_IMAP_FETCH,
            List.of("--pop3", "--imap"),
            List.of(
                OAuthScopes.MICROSOFT_POP,
                OAuthScopes.MICROSOFT_IMAP,
                OAuthScopes.MICROSOFT_OFFLINE_ACCESS));
    for (Map.Entry<List<String>, List<String>> e : asked.entrySet()) {
      OAuthCommand c = new OAuthCommand();
      c.env = env();
      List<String> args =
          new ArrayList<>(
              List.of(
                  "microsoft",
                  ME,
                  "--token-file",
                  tmp.resolve("t.token").toString(),
                  "--client-id-env",
                  "CID"));
      args.addAll(e.getKey());
      new CommandLine(c).parseArgs(args.toArray(String[]::new));
      OAuthCommand.Request r = c.request();
      assertEquals(e.getValue(), OAuthFlow.scopes(r), e.getKey().toString());
      assertTrue(
          OAuthFlow.next(r)
              .startsWith(
                  e.getKey().contains("--imap")
                      ? "mailfetch fetch imaps://me%40example.com@outlook.office365.com"
                      : "mailfetch fetch pop3s://"),
          OAuthFlow.next(r));
    }
    Run noFile =
        FetchCommandTest.mailfetch(
            env(), "oauth", "microsoft", ME, "--imap", "--client-id-env", "CID");
    assertEquals(2, noFile.exit(), noFile.err());
    assertTrue(noFile.err().contains("required for an IMAP authorization"), noFile.err());
  }

  @Test
  void theAdvisedImapSource_keepsItsPush_andAWatchWhoseTokenIsRefusedNamesTheImapCommand()
      throws Exception {
    Path grant = microsoftGrant("imap.token", OAuthScopes.MICROSOFT_IMAP_FETCH);
    OAuthGrants.ServerGrant g =
        OAuthGrants.tokens(
            new CommandLine(new FetchCommand()).getCommandSpec(),
            "--oauth-grant-file",
            grant,
            ME,
            OAuthGrants.Login.IMAP);
    FetchSource source =
        g.again()
            .source(
                ImapSource.builder()
                    .host("localhost")
                    .port(imap.port())
                    .security(ImapSecurity.IMPLICIT_TLS)
                    .trustPem(ca)
                    .user(ME)
                    .oauthTokens(g.tokens())
                    .build());
    MailPush push =
        source.push().orElseThrow(() -> new AssertionError("IDLE is kept: a poll pushes"));
    assertEquals(List.of("INBOX"), push.mailboxes());
    CountDownLatch watching = new CountDownLatch(1);
    CompletableFuture<FetchException> refused = new CompletableFuture<>();
    MailPush.Listener listener =
        new MailPush.Listener() {
          @Override
          public void arrived(String mailbox) {}

          @Override
          public void watching(String mailbox) {
            watching.countDown();
          }

          @Override
          public void ended(String mailbox, FetchException why) {
            refused.complete(why);
          }

          @Override
          public void interrupted(String mailbox, FetchException why) {
            refused.complete(why); // a token refused may be refreshed: tried again after a wait
          }
        };
    try (MailPush.Watch w = push.watch("INBOX", listener, Thread::new)) {
      assertTrue(watching.await(20, TimeUnit.SECONDS), "watching with the grant's token");
      assertTrue(w.watching(), w.mailbox());
    }
    serverTakesTokens.set(false);
    try (MailPush.Watch w = push.watch("INBOX", listener, Thread::new)) {
      FetchException why = refused.get(30, TimeUnit.SECONDS);
      assertFalse(w.watching(), w.mailbox());
      assertTrue(
          why.remedy()
              .commandLine()
              .contains(
                  "To authorize again: mailfetch oauth microsoft "
                      + ME
                      + " --imap --token-file "
                      + grant),
          why.remedy().commandLine());
    }
  }

  @Test
  void aMicrosoftPop3Grant_forAnImapSink_isRefusedBeforeConnecting_namingTheImapCommand()
      throws Exception {
    Path pop3 = microsoftGrant("pop3.token", OAuthScopes.MICROSOFT_POP3);
    Run r =
        FetchCommandTest.mailfetch(
            env(),
            "fetch",
            url(),
            "--oauth-grant-file",
            microsoftGrant("imap.token", OAuthScopes.MICROSOFT_IMAP_FETCH).toString(),
            "--ca-file",
            ca.toString(),
            "--to",
            "imaps://me%40example.com@localhost:" + imap.port() + "/Archive",
            "--sink-oauth-grant-file",
            pop3.toString());
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(
        r.err().contains("--sink-oauth-grant-file " + pop3)
            && r.err().contains("does not allow logging in to IMAP")
            && r.err().contains("mailfetch oauth microsoft " + ME + " --imap --token-file " + pop3),
        r.err());
    assertEquals(List.of(), imap.sessions(), "no connection was made");
  }
}
