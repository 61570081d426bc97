package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.gmail.internal.oauth.LoopbackListener;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installed-app sign-in against the fake Google: the test is the browser (an HTTP client that
 * opens the address and follows the fake's 302 to the loopback listener).
 */
@Timeout(60)
class OAuthAuthorizationTest {
  static final String ME = "me@gmail.com";

  @TempDir Path dir;
  FakeGmailServer gmail;

  @BeforeEach
  void start() {
    gmail = FakeGmailServer.start().addAccount(ME).authorizeAs(ME);
  }

  @AfterEach
  void stop() {
    assertEquals(List.of(), gmail.internalErrors(), "the fake's own bugs");
    gmail.close();
  }

  OAuthAuthorization.Builder flow() {
    return flow(OAuthScopes.GMAIL_IMPORT, ME, FakeGmailServer.TEST_CLIENT_SECRET);
  }

  /** The sign-in with these settings, each given once (the builder's policy). */
  OAuthAuthorization.Builder flow(List<String> scopes, String account, String clientSecret) {
    return OAuthAuthorization.builder()
        .endpoints(OAuthEndpoints.google().at(gmail.authorizationUri(), gmail.tokenUri()))
        .clientId(FakeGmailServer.TEST_CLIENT_ID)
        .clientSecret(clientSecret)
        .scopes(scopes)
        .account(account)
        .gmailApi(gmail.baseUri());
  }

  @Test
  void aBrowserSignedInAsAnotherAccount_isRefusedInWords_andTheEarlierFileIsUntouched()
      throws Exception {
    Path file = dir.resolve("gmail.json");
    flow()
        .tokenFile(file)
        .build()
        .authorize(
            url -> {
              var unused = browse(url);
            });
    byte[] before = Files.readAllBytes(file);
    gmail.addAccount("other@gmail.com").authorizeAs("other@gmail.com");
    AtomicReference<CompletableFuture<HttpResponse<String>>> page = new AtomicReference<>();
    FetchException e =
        assertThrows(
            FetchException.class,
            () -> flow().tokenFile(file).build().authorize(url -> page.set(browse(url))));
    assertEquals(FetchError.AUTH_FAILED, e.error());
    assertTrue(
        e.getMessage().contains("signed in as other@gmail.com, not as " + ME), e.getMessage());
    assertTrue(e.remedy().commandLine().contains("choose " + ME), e.remedy().commandLine());
    assertEquals(400, page.get().get().statusCode());
    assertTrue(Arrays.equals(before, Files.readAllBytes(file)), "the working file is as it was");
  }

  @Test
  void theAccountRecorded_isTheOneThatSignedIn_forPop3sScopeToo() throws Exception {
    Path file = dir.resolve("pop3.json");
    OAuthTokenFile grant =
        flow(OAuthScopes.GMAIL_POP3, "ME@Gmail.com", FakeGmailServer.TEST_CLIENT_SECRET)
            .tokenFile(file)
            .build()
            .authorize(
                url -> {
                  var unused = browse(url);
                });
    assertEquals(ME, grant.account().orElseThrow());
    assertEquals(ME, OAuthTokenFile.read(file).account().orElseThrow());
  }

  /** The browser: opens the address, follows redirects, returns the last page. */
  static CompletableFuture<HttpResponse<String>> browse(URI address) {
    HttpClient browser =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    return browser.sendAsync(
        HttpRequest.newBuilder(address).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theSignIn_writesAnOwnerOnlyTokenFile_fromWhichTheProviderRefreshes() throws Exception {
    Path file = dir.resolve("gmail.json");
    AtomicReference<CompletableFuture<HttpResponse<String>>> page = new AtomicReference<>();
    AtomicReference<URI> shown = new AtomicReference<>();
    OAuthTokenFile grant =
        flow()
            .tokenFile(file)
            .build()
            .authorize(
                url -> {
                  shown.set(url);
                  page.set(browse(url));
                });
    HttpResponse<String> last = page.get().get();
    assertEquals(200, last.statusCode());
    assertTrue(last.body().contains("You can close this window."), last.body());
    assertEquals("no-referrer", last.headers().firstValue("Referrer-Policy").orElseThrow());

    Map<String, String> q = LoopbackListener.query(shown.get().getRawQuery());
    assertEquals("code", q.get("response_type"));
    assertTrue(
        q.get("redirect_uri").matches("http://127\\.0\\.0\\.1:\\d+/"), q.get("redirect_uri"));
    assertEquals(String.join(" ", OAuthScopes.GMAIL_IMPORT), q.get("scope"));
    assertEquals("S256", q.get("code_challenge_method"));
    assertEquals(43, q.get("code_challenge").length());
    assertEquals("offline", q.get("access_type"));
    assertEquals("consent", q.get("prompt"));
    assertEquals(ME, q.get("login_hint"));
    assertTrue(q.get("state").length() >= 22, "an unguessable state");

    assertEquals(1, gmail.codeGrants());
    if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
    OAuthTokenFile saved = OAuthTokenFile.read(file);
    assertEquals(grant.refreshToken(), saved.refreshToken());
    assertEquals(ME, saved.account().orElseThrow());
    assertEquals(OAuthScopes.GMAIL_IMPORT, saved.scopes());
    assertEquals(FakeGmailServer.TEST_CLIENT_SECRET, saved.clientSecret().orElseThrow());
    assertEquals(gmail.tokenUri(), saved.endpoints().tokenEndpoint());
    assertTrue(saved.authorizedAt().isPresent());

    OAuthTokenProvider tokens = OAuthTokenProvider.fromFile(file);
    assertFalse(tokens.accessToken().isEmpty());
    assertEquals(1, gmail.refreshGrants());
  }

  @Test
  void accessDenied_inTheBrowser_isAuthFailed_inWords_andNothingIsWritten() throws Exception {
    gmail.denyConsent();
    Path file = dir.resolve("gmail.json");
    AtomicReference<CompletableFuture<HttpResponse<String>>> page = new AtomicReference<>();
    FetchException e =
        assertThrows(
            FetchException.class,
            () -> flow().tokenFile(file).build().authorize(url -> page.set(browse(url))));
    assertEquals(FetchError.AUTH_FAILED, e.error());
    assertTrue(
        e.getMessage().contains("access was not granted in the browser (access_denied)"),
        e.getMessage());
    assertTrue(e.remedy().commandLine().contains("allow access"), e.remedy().commandLine());
    assertFalse(Files.exists(file));
    HttpResponse<String> last = page.get().get();
    assertEquals(400, last.statusCode());
    assertTrue(last.body().contains("Not signed in") && last.body().contains("close"), last.body());
    assertEquals(0, gmail.codeGrants());
  }

  @Test
  void noAnswerInTime_isAuthFailed_sayingHowAHeadlessMachineDoesIt() {
    FetchException e =
        assertThrows(
            FetchException.class,
            () -> flow().timeout(Duration.ofSeconds(1)).build().authorize(url -> {}));
    assertEquals(FetchError.AUTH_FAILED, e.error());
    assertTrue(
        e.getMessage().contains("no answer from the sign-in within 1 second"), e.getMessage());
    assertTrue(
        e.remedy().commandLine().contains("ssh -L PORT:127.0.0.1:PORT")
            && e.remedy().commandLine().contains("paste"),
        e.remedy().commandLine());
  }

  @Test
  void anAnswerWithAnotherState_isIgnored_countedInTheWords_andStrayPagesGet404() throws Exception {
    try (OAuthAuthorization.Pending p = flow().timeout(Duration.ofSeconds(2)).build().start()) {
      HttpResponse<String> forged =
          browse(p.redirectUri().resolve("/?state=forged&code=stolen")).get();
      assertEquals(400, forged.statusCode());
      assertTrue(forged.body().contains("does not belong to the sign-in"), forged.body());
      assertEquals(404, browse(p.redirectUri().resolve("/favicon.ico")).get().statusCode());
      FetchException e = assertThrows(FetchException.class, p::await);
      assertTrue(
          e.getMessage().contains("1 answer for another sign-in arrived and was ignored"),
          e.getMessage());
      assertEquals(0, gmail.codeGrants(), "the forged code was never traded");
    }
  }

  @Test
  void aHeadlessMachine_takesThePastedAddressTheBrowserEndedAt() throws Exception {
    Path file = dir.resolve("gmail.json");
    try (OAuthAuthorization.Pending p = flow().tokenFile(file).build().start()) {
      // The browser runs elsewhere: it gets the fake's 302 and cannot reach this machine's
      // 127.0.0.1.
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(p.authorizationUri()).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(302, r.statusCode());
      String endedAt = r.headers().firstValue("Location").orElseThrow();
      FetchException wrong =
          assertThrows(
              FetchException.class,
              () -> p.complete(endedAt.replaceFirst("state=[^&]+", "state=other")));
      assertEquals(FetchError.AUTH_FAILED, wrong.error());
      assertTrue(wrong.getMessage().contains("not this sign-in's answer"), wrong.getMessage());
      p.complete("  " + endedAt + "\n");
      OAuthTokenFile grant = p.await();
      assertEquals(grant.refreshToken(), OAuthTokenFile.read(file).refreshToken());
    }
  }

  @Test
  void aClientTheProviderDoesNotKnow_atTheExchange_isConfiguration() throws Exception {
    AtomicReference<CompletableFuture<HttpResponse<String>>> page = new AtomicReference<>();
    FetchException e =
        assertThrows(
            FetchException.class,
            () ->
                flow(OAuthScopes.GMAIL_IMPORT, ME, "wrong")
                    .build()
                    .authorize(url -> page.set(browse(url))));
    assertEquals(FetchError.CONFIGURATION, e.error(), e.getMessage());
    assertTrue(e.getMessage().contains("invalid_client"), e.getMessage());
    assertFalse(e.getMessage().contains("wrong\""), e.getMessage());
    assertEquals(400, page.get().get().statusCode());
  }

  @Test
  void microsoft_asksForNoGoogleParameters() throws Exception {
    try (OAuthAuthorization.Pending p =
        OAuthAuthorization.builder()
            .endpoints(OAuthEndpoints.microsoft("common"))
            .clientId("cid")
            .scopes(OAuthScopes.MICROSOFT_POP3)
            .build()
            .start()) {
      URI u = p.authorizationUri();
      assertTrue(
          u.toString()
              .startsWith("https://login.microsoftonline.com/common/oauth2/v2.0/authorize?"),
          u.toString());
      Map<String, String> q = LoopbackListener.query(u.getRawQuery());
      assertEquals(
          "https://outlook.office.com/POP.AccessAsUser.All offline_access", q.get("scope"));
      assertFalse(q.containsKey("access_type") || q.containsKey("prompt"), q.toString());
      assertFalse(q.containsKey("client_secret"));
    }
  }

  @Test
  void aBusyPort_isConfiguration_namingWhatToDo() throws Exception {
    try (OAuthAuthorization.Pending first = flow().build().start()) {
      int port = first.redirectUri().getPort();
      FetchException e =
          assertThrows(FetchException.class, () -> flow().port(port).build().start());
      assertEquals(FetchError.CONFIGURATION, e.error());
      assertTrue(
          e.getMessage().contains("port " + port + " on 127.0.0.1 is in use"), e.getMessage());
    }
  }

  @Test
  void anExchangeUnderWayAtTheTimeout_isWaitedFor_soAWrittenFileIsNeverCalledUnsaved()
      throws Exception {
    try (ScriptedTokenEndpoint t = new ScriptedTokenEndpoint()) {
      t.delay = Duration.ofMillis(1500);
      t.then(
          200,
          "{\"access_token\":\"at\",\"expires_in\":3599,\"refresh_token\":\"rt\",\"token_type\":\"Bearer\","
              + "\"scope\":\"https://outlook.office.com/POP.AccessAsUser.All\"}");
      Path file = dir.resolve("outlook.json");
      try (OAuthAuthorization.Pending p =
          OAuthAuthorization.builder()
              .endpoints(t.microsoft())
              .clientId("cid")
              .scopes(OAuthScopes.MICROSOFT_POP3)
              .timeout(Duration.ofSeconds(1))
              .tokenFile(file)
              .build()
              .start()) {
        String state = LoopbackListener.query(p.authorizationUri().getRawQuery()).get("state");
        CompletableFuture<HttpResponse<String>> page =
            browse(p.redirectUri().resolve("/?code=c&state=" + state));
        OAuthTokenFile grant = p.await();
        assertEquals("rt", grant.refreshToken());
        assertEquals("rt", OAuthTokenFile.read(file).refreshToken());
        assertEquals(200, page.get().statusCode());
      }
    }
  }
}
