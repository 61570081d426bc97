package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import dev.mailfetch.testkit.gmail.GmailFault;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The refresh-token provider against the testkit's fake Google token endpoint (and, for what the
 * fake does not do, a scripted one): caching until shortly before expiry, one refresh for many
 * threads, invalidate, invalid_grant and the other refusals in words, rotation written back.
 */
@Timeout(60)
class OAuthTokenProviderTest {
  static final String ME = "me@gmail.com";

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-12-06T08:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  @TempDir Path dir;
  FakeGmailServer gmail;
  String refreshToken;
  final MovableClock clock = new MovableClock();

  @BeforeEach
  void start() {
    gmail = FakeGmailServer.start().addAccount(ME);
    refreshToken =
        gmail.grant(
            ME,
            FakeGmailServer.SCOPE_INSERT,
            FakeGmailServer.SCOPE_LABELS,
            FakeGmailServer.SCOPE_READONLY);
  }

  @AfterEach
  void stop() {
    assertEquals(List.of(), gmail.internalErrors(), "the fake's own bugs");
    gmail.close();
  }

  OAuthEndpoints google() {
    return OAuthEndpoints.google().at(gmail.authorizationUri(), gmail.tokenUri());
  }

  OAuthTokenFile grant() {
    return OAuthTokenFile.builder()
        .endpoints(google())
        .clientId(FakeGmailServer.TEST_CLIENT_ID)
        .clientSecret(FakeGmailServer.TEST_CLIENT_SECRET)
        .scopes(OAuthScopes.GMAIL_IMPORT)
        .account(ME)
        .refreshToken(refreshToken)
        .build();
  }

  OAuthTokenProvider provider() throws FetchException {
    return OAuthTokenProvider.builder().grant(grant()).clock(clock).build();
  }

  @Test
  void aToken_isKeptUntilShortlyBeforeItExpires_thenRefreshed() throws Exception {
    OAuthTokenProvider p = provider();
    String t1 = p.accessToken();
    assertEquals(t1, p.accessToken());
    assertEquals(1, gmail.refreshGrants(), "one refresh for two calls");
    assertEquals(Set.copyOf(OAuthScopes.GMAIL_IMPORT), p.grantedScopes());
    // Google's tokens last 3599 s; the default margin is 5 minutes.
    clock.advance(Duration.ofSeconds(3599 - 300 - 1));
    assertEquals(t1, p.accessToken());
    assertEquals(1, gmail.refreshGrants());
    clock.advance(Duration.ofSeconds(2));
    String t2 = p.accessToken();
    assertNotEquals(t1, t2);
    assertEquals(2, gmail.refreshGrants());
  }

  @Test
  void aShortLivedToken_isRefreshedAtHalfItsLifetime_notAfterItExpired() throws Exception {
    gmail.accessTokenLifetime(Duration.ofSeconds(60));
    OAuthTokenProvider p = provider();
    String t1 = p.accessToken();
    clock.advance(Duration.ofSeconds(29));
    assertEquals(t1, p.accessToken());
    clock.advance(Duration.ofSeconds(2));
    assertNotEquals(t1, p.accessToken());
  }

  @Test
  void manyThreads_causeOneRefresh_andGetTheSameToken() throws Exception {
    OAuthTokenProvider p = provider();
    int n = 32;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> got = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        got.add(
            pool.submit(
                () -> {
                  go.await();
                  return p.accessToken();
                }));
      }
      go.countDown();
      Set<String> tokens = new HashSet<>();
      for (Future<String> f : got) {
        tokens.add(f.get());
      }
      assertEquals(1, tokens.size(), "every thread got the one token");
      assertEquals(1, gmail.refreshGrants(), "one refresh in flight, shared");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void invalidate_afterA401_refreshes_butAStaleInvalidateKeepsTheNewerToken() throws Exception {
    OAuthTokenProvider p = provider();
    String t1 = p.accessToken();
    p.invalidate(t1);
    String t2 = p.accessToken();
    assertNotEquals(t1, t2);
    assertEquals(2, gmail.refreshGrants());
    p.invalidate(t1); // a slow thread's 401 for the old token
    assertEquals(t2, p.accessToken(), "the newer token stays");
    assertEquals(2, gmail.refreshGrants());
    p.invalidate("never-issued");
    assertEquals(t2, p.accessToken());
  }

  @Test
  void invalidGrant_isAuthFailed_withTheSevenDayTestingRemedy_andIsNotAskedAgain()
      throws Exception {
    gmail.revoke(refreshToken);
    OAuthTokenProvider p = provider();
    FetchException e = assertThrows(FetchException.class, p::accessToken);
    assertEquals(FetchError.AUTH_FAILED, e.error());
    assertTrue(
        e.getMessage().contains("refused the refresh token (invalid_grant)"), e.getMessage());
    assertTrue(
        e.serverReply().orElseThrow().contains("Token has been expired or revoked."),
        e.getMessage());
    String cli = e.remedy().commandLine();
    assertTrue(
        cli.contains("mailfetch oauth")
            && cli.contains("\"Testing\"")
            && cli.contains("7 days")
            && cli.contains("\"In production\""),
        cli);
    assertTrue(e.remedy().library().contains("OAuthAuthorization"), e.remedy().library());
    assertNoSecret(e.getMessage() + e.remedy());
    FetchException again = assertThrows(FetchException.class, p::accessToken);
    assertSame(e, again, "the same refusal");
    assertEquals(1, gmail.refreshGrants(), "a grant that is gone is not asked about again");
  }

  @Test
  void anInjectedInvalidGrant_isAuthFailedToo() throws Exception {
    gmail.inject(GmailFault.INVALID_GRANT);
    FetchException e = assertThrows(FetchException.class, provider()::accessToken);
    assertEquals(FetchError.AUTH_FAILED, e.error());
  }

  @Test
  void aWrongClientSecret_isConfiguration_naming_theCloudConsole() throws Exception {
    OAuthTokenProvider p =
        OAuthTokenProvider.builder()
            .grant(grant().toBuilder().clientSecret("wrong-secret").build())
            .build();
    FetchException e = assertThrows(FetchException.class, p::accessToken);
    assertEquals(FetchError.CONFIGURATION, e.error());
    assertTrue(
        e.getMessage().contains("invalid_client") && e.getMessage().contains("its secret is wrong"),
        e.getMessage());
    assertTrue(
        e.remedy().commandLine().contains("Google Cloud console")
            && e.remedy().commandLine().contains("Desktop app"),
        e.remedy().commandLine());
    assertFalse(e.getMessage().contains("wrong-secret"));
  }

  @Test
  void aTokenEndpointNobodyListensOn_isConnectionRefused() throws Exception {
    int port;
    try (ServerSocket s =
        new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
      port = s.getLocalPort();
    }
    OAuthTokenProvider p =
        OAuthTokenProvider.builder()
            .grant(
                grant().toBuilder()
                    .endpoints(
                        OAuthEndpoints.google()
                            .at(
                                gmail.authorizationUri(),
                                URI.create("http://127.0.0.1:" + port + "/token")))
                    .build())
            .build();
    FetchException e = assertThrows(FetchException.class, p::accessToken);
    assertEquals(FetchError.CONNECTION_REFUSED, e.error(), e.getMessage());
    assertTrue(e.retryable());
  }

  @Test
  void aTokenEndpointThatNeverAnswers_isConnectionTimedOut() throws Exception {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
      @SuppressWarnings("ModifiedButNotUsed") // held, so the connections stay open unanswered
      List<Socket> held = new ArrayList<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(s.accept()); // accepted, never answered
                  }
                } catch (Exception ignored) {
                  // closed at the end of the test
                }
              });
      t.setDaemon(true);
      t.start();
      OAuthTokenProvider p =
          OAuthTokenProvider.builder()
              .grant(
                  grant().toBuilder()
                      .endpoints(
                          OAuthEndpoints.google()
                              .at(
                                  gmail.authorizationUri(),
                                  URI.create("http://127.0.0.1:" + s.getLocalPort() + "/token")))
                      .build())
              .requestTimeout(Duration.ofSeconds(1))
              .build();
      FetchException e = assertThrows(FetchException.class, p::accessToken);
      assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error(), e.getMessage());
      assertTrue(e.getMessage().contains("no answer within 1 s"), e.getMessage());
    }
  }

  @Test
  void a5xx_isServerTemporary_retryable_andTheNextCallAsksAgain() throws Exception {
    try (ScriptedTokenEndpoint t = new ScriptedTokenEndpoint()) {
      t.then(503, "{\"error\":\"temporarily_unavailable\"}").rotating("at-1", "rt-0");
      OAuthTokenProvider p =
          OAuthTokenProvider.builder()
              .endpoints(t.microsoft())
              .clientId("cid")
              .refreshToken("rt-0")
              .build();
      FetchException e = assertThrows(FetchException.class, p::accessToken);
      assertEquals(FetchError.SERVER_TEMPORARY, e.error());
      assertTrue(e.retryable());
      assertEquals("at-1", p.accessToken(), "a passing failure is not remembered");
      assertFalse(t.forms.get(0).containsKey("client_secret"), "a public client sends no secret");
    }
  }

  @Test
  void anAnswerWithoutExpiresIn_isKeptFiveMinutes() throws Exception {
    try (ScriptedTokenEndpoint t = new ScriptedTokenEndpoint()) {
      t.then(200, "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\"}")
          .then(200, "{\"access_token\":\"at-2\",\"token_type\":\"Bearer\"}");
      OAuthTokenProvider p =
          OAuthTokenProvider.builder()
              .endpoints(t.microsoft())
              .clientId("cid")
              .refreshToken("rt-0")
              .clock(clock)
              .build();
      assertEquals("at-1", p.accessToken());
      clock.advance(Duration.ofSeconds(149));
      assertEquals("at-1", p.accessToken());
      clock.advance(Duration.ofSeconds(2));
      assertEquals("at-2", p.accessToken());
    }
  }

  @Test
  void aRotatedRefreshToken_isUsedNext_andWrittenBackToItsFile_ownerOnly() throws Exception {
    try (ScriptedTokenEndpoint t = new ScriptedTokenEndpoint()) {
      t.rotating("at-1", "rt-1").rotating("at-2", "rt-2");
      Path file = dir.resolve("outlook.json");
      OAuthTokenFile.builder()
          .endpoints(t.microsoft())
          .clientId("cid")
          .scopes(OAuthScopes.MICROSOFT_POP3)
          .account("me@outlook.com")
          .refreshToken("rt-0")
          .build()
          .write(file);
      AtomicReference<OAuthTokenFile> told = new AtomicReference<>();
      OAuthTokenProvider p =
          OAuthTokenProvider.builder().tokenFile(file).onNewGrant(told::set).build();
      assertEquals("at-1", p.accessToken());
      assertEquals("rt-0", t.forms.get(0).get("refresh_token"));
      OAuthTokenFile saved = OAuthTokenFile.read(file);
      assertEquals("rt-1", saved.refreshToken(), "the new refresh token is in the file");
      assertEquals("me@outlook.com", saved.account().orElseThrow(), "the rest is kept");
      assertEquals("rt-1", told.get().refreshToken());
      if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
        assertEquals(
            "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      }
      p.invalidate("at-1");
      assertEquals("at-2", p.accessToken());
      assertEquals(
          "rt-1", t.forms.get(1).get("refresh_token"), "the rotated token is the one used next");
      assertEquals("rt-2", OAuthTokenFile.read(file).refreshToken());
    }
  }

  @Test
  void aTokenFileReplacedAfterInvalidGrant_isReadAgain_andItsGrantUsed() throws Exception {
    Path file = dir.resolve("gmail.json");
    gmail.revoke(refreshToken);
    grant().write(file);
    OAuthTokenProvider p = OAuthTokenProvider.fromFile(file);
    assertEquals(
        FetchError.AUTH_FAILED, assertThrows(FetchException.class, p::accessToken).error());
    // The person authorizes again (mailfetch oauth writes the file afresh) while a poll runs.
    refreshToken =
        gmail.grant(
            ME,
            FakeGmailServer.SCOPE_INSERT,
            FakeGmailServer.SCOPE_LABELS,
            FakeGmailServer.SCOPE_READONLY);
    grant().write(file);
    assertFalse(p.accessToken().isEmpty());
    assertEquals(2, gmail.refreshGrants());
  }

  @Test
  void aTokenFileOthersCanRead_isRefusedWhenTheProviderIsBuilt() throws Exception {
    Path file = dir.resolve("gmail.json");
    grant().write(file);
    assumeTrue(
        Files.getFileAttributeView(file, PosixFileAttributeView.class) != null,
        "no POSIX permissions here");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    FetchException e = assertThrows(FetchException.class, () -> OAuthTokenProvider.fromFile(file));
    assertEquals(FetchError.CONFIGURATION, e.error());
    assertTrue(e.getMessage().contains("are too open"), e.getMessage());
  }

  @Test
  void noSecret_inItsLog_itsToString_orItsErrors() throws Exception {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String access;
    try (ScriptedTokenEndpoint t = new ScriptedTokenEndpoint()) {
      t.rotating("at-SECRET-1", "rt-SECRET-1")
          .then(
              400,
              "{\"error\":\"invalid_grant\",\"error_description\":"
                  + "\"AADSTS70000: The provided value for the 'refresh_token' is not valid.\"}");
      Path file = dir.resolve("outlook.json");
      OAuthTokenFile.builder()
          .endpoints(t.microsoft())
          .clientId("cid")
          .clientSecret("cs-SECRET")
          .refreshToken("rt-SECRET-0")
          .build()
          .write(file);
      OAuthTokenProvider p = OAuthTokenProvider.fromFile(file);
      access = p.accessToken();
      seen.append(p).append(p.grant());
      p.invalidate(access);
      FetchException e = assertThrows(FetchException.class, p::accessToken);
      seen.append(e.getMessage()).append(e.remedy().commandLine()).append(e.remedy().library());
      assertTrue(e.remedy().commandLine().contains("90 days"), e.remedy().commandLine());
    } finally {
      System.setErr(saved);
    }
    String all = seen + captured.toString(StandardCharsets.UTF_8);
    assertTrue(all.contains("refreshing the OAuth access token"), "the log was captured: " + all);
    for (String secret : List.of("SECRET")) {
      assertFalse(all.contains(secret), "no secret: " + all);
    }
    assertEquals("at-SECRET-1", access);
  }

  private void assertNoSecret(String text) {
    assertFalse(
        text.contains(refreshToken) || text.contains(FakeGmailServer.TEST_CLIENT_SECRET), text);
  }
}
