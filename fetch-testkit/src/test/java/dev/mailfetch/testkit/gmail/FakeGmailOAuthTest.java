package dev.mailfetch.testkit.gmail;

import static dev.mailfetch.testkit.gmail.Http.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fake's Google OAuth 2.0: token endpoint, authorization endpoint, access tokens and scopes.
 */
class FakeGmailOAuthTest {
  private static final String ME = "me@gmail.com";
  private static final String REDIRECT = "http://127.0.0.1:49152/callback";

  private final FakeGmailServer gmail = FakeGmailServer.start().addAccount(ME);
  private final Http http = new Http(gmail);

  @AfterEach
  void close() {
    gmail.close();
  }

  @Test
  void refreshGrantAnswersAnAccessTokenInGooglesFormat() throws Exception {
    String refresh = gmail.grant(ME, FakeGmailServer.SCOPE_INSERT, FakeGmailServer.SCOPE_LABELS);

    HttpResponse<String> answer = http.refresh(refresh);

    assertStatus(200, answer);
    Map<String, Object> json = Json.parseObject(answer.body().getBytes(StandardCharsets.UTF_8));
    assertTrue(((String) json.get("access_token")).startsWith("ya29."));
    assertEquals(3599L, json.get("expires_in"));
    assertEquals("Bearer", json.get("token_type"));
    assertEquals(
        FakeGmailServer.SCOPE_INSERT + " " + FakeGmailServer.SCOPE_LABELS, json.get("scope"));
    assertFalse(
        json.containsKey("refresh_token"), "a refresh grant does not hand out a new refresh token");
    assertEquals(1, gmail.refreshGrants());
    HttpResponse<String> profile =
        http.get("gmail/v1/users/me/labels", (String) json.get("access_token"));
    assertStatus(200, profile);
  }

  @Test
  void unknownOrRevokedRefreshTokenIsInvalidGrant() throws Exception {
    String refresh = gmail.grant(ME, FakeGmailServer.SCOPE_INSERT);
    assertTrue(gmail.revoke(refresh));

    HttpResponse<String> answer = http.refresh(refresh);

    assertStatus(400, answer);
    assertEquals(
        Map.of("error", "invalid_grant", "error_description", "Token has been expired or revoked."),
        Json.parseObject(answer.body().getBytes(StandardCharsets.UTF_8)));
    assertEquals(1, gmail.refreshGrants());
  }

  @Test
  void wrongClientSecretIsInvalidClient() throws Exception {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "refresh_token");
    form.put("client_id", FakeGmailServer.TEST_CLIENT_ID);
    form.put("client_secret", "not the secret");
    form.put("refresh_token", gmail.grant(ME, FakeGmailServer.SCOPE_INSERT));

    HttpResponse<String> answer = http.token(form);

    assertStatus(401, answer);
    assertTrue(answer.body().contains("\"error\":\"invalid_client\""), answer.body());
  }

  @Test
  void authorizationRedirectsToTheLoopbackWithCodeAndState_andTheCodeExchangeChecksPkce()
      throws Exception {
    gmail.authorizeAs(ME);
    String verifier = "a-verifier-of-at-least-forty-three-characters-0123456789";
    String challenge = OAuthServer.s256(verifier);

    HttpResponse<String> redirect =
        http.get(
            "o/oauth2/v2/auth?"
                + form(
                    Map.of(
                        "client_id",
                        FakeGmailServer.TEST_CLIENT_ID,
                        "redirect_uri",
                        REDIRECT,
                        "response_type",
                        "code",
                        "scope",
                        FakeGmailServer.SCOPE_INSERT + " " + FakeGmailServer.SCOPE_LABELS,
                        "state",
                        "xyz 1",
                        "code_challenge",
                        challenge,
                        "code_challenge_method",
                        "S256",
                        "access_type",
                        "offline")),
            null);

    assertStatus(302, redirect);
    URI location = URI.create(redirect.headers().firstValue("Location").orElseThrow());
    assertEquals("127.0.0.1", location.getHost());
    assertEquals("/callback", location.getPath());
    Map<String, List<String>> params = Call.parseForm(location.getRawQuery());
    assertEquals(List.of("xyz 1"), params.get("state"));
    String code = params.get("code").get(0);

    HttpResponse<String> wrongVerifier =
        http.token(codeForm(code, REDIRECT, "another-verifier-entirely-0123456789-0123456789"));
    assertStatus(400, wrongVerifier);
    assertTrue(wrongVerifier.body().contains("invalid_grant"), wrongVerifier.body());
    assertStatus(
        400,
        http.token(
            codeForm(code, REDIRECT, verifier))); // a code is good once, a wrong try uses it up

    String second =
        codeFrom(
            http.get(
                "o/oauth2/v2/auth?"
                    + form(
                        Map.of(
                            "client_id",
                            FakeGmailServer.TEST_CLIENT_ID,
                            "redirect_uri",
                            REDIRECT,
                            "response_type",
                            "code",
                            "scope",
                            FakeGmailServer.SCOPE_INSERT,
                            "code_challenge",
                            challenge,
                            "code_challenge_method",
                            "S256",
                            "access_type",
                            "offline")),
                null));
    HttpResponse<String> exchanged = http.token(codeForm(second, REDIRECT, verifier));
    assertStatus(200, exchanged);
    Map<String, Object> json = Json.parseObject(exchanged.body().getBytes(StandardCharsets.UTF_8));
    assertNotNull(json.get("refresh_token"));
    assertNotNull(json.get("access_token"));
    assertEquals(FakeGmailServer.SCOPE_INSERT, json.get("scope"));
    assertStatus(200, http.refresh((String) json.get("refresh_token")));
    assertEquals(3, gmail.codeGrants()); // the wrong verifier, the reused code, the good one
  }

  @Test
  void codeExchangeWithAnotherRedirectUriIsRefused() throws Exception {
    gmail.authorizeAs(ME);
    String code =
        codeFrom(
            http.get(
                "o/oauth2/v2/auth?"
                    + form(
                        Map.of(
                            "client_id",
                            FakeGmailServer.TEST_CLIENT_ID,
                            "redirect_uri",
                            REDIRECT,
                            "response_type",
                            "code",
                            "scope",
                            FakeGmailServer.SCOPE_INSERT,
                            "access_type",
                            "offline")),
                null));

    HttpResponse<String> answer =
        http.token(codeForm(code, "http://127.0.0.1:49153/callback", null));

    assertStatus(400, answer);
    assertTrue(answer.body().contains("redirect_uri_mismatch"), answer.body());
  }

  @Test
  void aVerifierForACodeAskedWithoutPkceIsRefused() throws Exception {
    gmail.authorizeAs(ME);
    String code =
        codeFrom(
            http.get(
                "o/oauth2/v2/auth?"
                    + form(
                        Map.of(
                            "client_id",
                            FakeGmailServer.TEST_CLIENT_ID,
                            "redirect_uri",
                            REDIRECT,
                            "response_type",
                            "code",
                            "scope",
                            FakeGmailServer.SCOPE_INSERT)),
                null));

    HttpResponse<String> answer =
        http.token(codeForm(code, REDIRECT, "an-unasked-verifier-0123456789-0123456789-0123"));

    assertStatus(400, answer);
    assertTrue(answer.body().contains("code_verifier or verifier is not needed."), answer.body());
  }

  @Test
  void aMissingVerifierForAPkceCodeIsRefused() throws Exception {
    gmail.authorizeAs(ME);
    String code =
        codeFrom(
            http.get(
                "o/oauth2/v2/auth?"
                    + form(
                        Map.of(
                            "client_id",
                            FakeGmailServer.TEST_CLIENT_ID,
                            "redirect_uri",
                            REDIRECT,
                            "response_type",
                            "code",
                            "scope",
                            FakeGmailServer.SCOPE_INSERT,
                            "code_challenge",
                            OAuthServer.s256("v".repeat(43)),
                            "code_challenge_method",
                            "S256")),
                null));

    HttpResponse<String> answer = http.token(codeForm(code, REDIRECT, null));

    assertStatus(400, answer);
    assertTrue(answer.body().contains("Missing code verifier."), answer.body());
  }

  @Test
  void withoutOfflineAccessTheCodeExchangeGivesNoRefreshToken() throws Exception {
    gmail.authorizeAs(ME);
    String code =
        codeFrom(
            http.get(
                "o/oauth2/v2/auth?"
                    + form(
                        Map.of(
                            "client_id",
                            FakeGmailServer.TEST_CLIENT_ID,
                            "redirect_uri",
                            REDIRECT,
                            "response_type",
                            "code",
                            "scope",
                            FakeGmailServer.SCOPE_INSERT)),
                null));

    HttpResponse<String> answer = http.token(codeForm(code, REDIRECT, null));

    assertStatus(200, answer);
    assertFalse(answer.body().contains("refresh_token"), answer.body());
  }

  @Test
  void deniedConsentRedirectsWithAccessDenied() throws Exception {
    gmail.authorizeAs(ME).denyConsent();

    HttpResponse<String> redirect =
        http.get(
            "o/oauth2/v2/auth?"
                + form(
                    Map.of(
                        "client_id",
                        FakeGmailServer.TEST_CLIENT_ID,
                        "redirect_uri",
                        REDIRECT,
                        "response_type",
                        "code",
                        "scope",
                        FakeGmailServer.SCOPE_INSERT,
                        "state",
                        "s1")),
            null);

    assertStatus(302, redirect);
    Map<String, List<String>> params =
        Call.parseForm(
            URI.create(redirect.headers().firstValue("Location").orElseThrow()).getRawQuery());
    assertEquals(List.of("access_denied"), params.get("error"));
    assertEquals(List.of("s1"), params.get("state"));
    assertFalse(params.containsKey("code"));
  }

  @Test
  void aRedirectUriOffTheLoopbackIsRefusedWithoutRedirecting() throws Exception {
    gmail.authorizeAs(ME);

    HttpResponse<String> answer =
        http.get(
            "o/oauth2/v2/auth?"
                + form(
                    Map.of(
                        "client_id",
                        FakeGmailServer.TEST_CLIENT_ID,
                        "redirect_uri",
                        "http://evil.example/cb",
                        "response_type",
                        "code",
                        "scope",
                        FakeGmailServer.SCOPE_INSERT)),
            null);

    assertStatus(400, answer);
    assertTrue(answer.body().contains("redirect_uri_mismatch"));
  }

  @Test
  void anExpiredAccessTokenIs401WithWwwAuthenticateAndGooglesErrorBody() throws Exception {
    String token = gmail.accessToken(ME, FakeGmailServer.SCOPE_LABELS);
    gmail.expireAccessTokens();

    HttpResponse<String> answer = http.get("gmail/v1/users/me/labels", token);

    assertStatus(401, answer);
    assertTrue(
        answer.headers().firstValue("WWW-Authenticate").orElseThrow().contains("invalid_token"));
    assertTrue(answer.body().contains("\"reason\":\"authError\""), answer.body());
    assertTrue(answer.body().contains("\"status\":\"UNAUTHENTICATED\""), answer.body());
  }

  @Test
  void accessTokenLifetimeIsConfigurable() throws Exception {
    gmail.accessTokenLifetime(Duration.ofMillis(1200));
    HttpResponse<String> answer = http.refresh(gmail.grant(ME, FakeGmailServer.SCOPE_LABELS));
    assertTrue(answer.body().contains("\"expires_in\":1"), answer.body());
    String token =
        (String)
            Json.parseObject(answer.body().getBytes(StandardCharsets.UTF_8)).get("access_token");
    assertStatus(200, http.get("gmail/v1/users/me/labels", token));
    Thread.sleep(1500);
    assertStatus(401, http.get("gmail/v1/users/me/labels", token));
  }

  @Test
  void aScopeTheMethodDoesNotAcceptIs403InsufficientPermissions() throws Exception {
    String insertOnly = gmail.accessToken(ME, FakeGmailServer.SCOPE_INSERT);

    HttpResponse<String> answer = http.get("gmail/v1/users/me/profile", insertOnly);

    assertStatus(403, answer);
    assertTrue(
        answer.body().contains("Request had insufficient authentication scopes."), answer.body());
    assertTrue(answer.body().contains("\"reason\":\"insufficientPermissions\""), answer.body());
    assertTrue(
        answer
            .headers()
            .firstValue("WWW-Authenticate")
            .orElseThrow()
            .contains("insufficient_scope"));
  }

  @Test
  void noTokenIs401AndSecretsAreNotRecorded() throws Exception {
    assertStatus(401, http.get("gmail/v1/users/me/profile", null));
    String refresh = gmail.grant(ME, FakeGmailServer.SCOPE_INSERT);
    http.refresh(refresh);
    assertTrue(gmail.requests().stream().noneMatch(r -> r.toString().contains(refresh)));
  }

  static String codeFrom(HttpResponse<String> redirect) {
    assertStatus(302, redirect);
    URI location = URI.create(redirect.headers().firstValue("Location").orElseThrow());
    return Call.parseForm(location.getRawQuery()).get("code").get(0);
  }

  static Map<String, String> codeForm(String code, String redirect, String verifier) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("client_id", FakeGmailServer.TEST_CLIENT_ID);
    form.put("client_secret", FakeGmailServer.TEST_CLIENT_SECRET);
    form.put("code", code);
    form.put("redirect_uri", redirect);
    if (verifier != null) {
      form.put("code_verifier", verifier);
    }
    return form;
  }

  static String form(Map<String, String> params) {
    StringBuilder sb = new StringBuilder();
    params.forEach(
        (k, v) ->
            sb.append(sb.length() == 0 ? "" : "&")
                .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return sb.toString();
  }
}
