package dev.mailfetch.testkit.gmail;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Google's OAuth 2.0 side of the fake: clients, grants (refresh tokens), access tokens with a
 * lifetime, authorization codes with PKCE, the token endpoint and the browser's authorization
 * endpoint. Thread-safe.
 */
final class OAuthServer {
  record Grant(String clientId, String account, Set<String> scopes) {}

  record Access(String account, Set<String> scopes, Instant expires) {}

  record Code(
      String clientId,
      String redirectUri,
      String challenge,
      String method,
      String account,
      Set<String> scopes,
      boolean offline) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final FakeGmailServer server;
  private final Map<String, String> clients = new ConcurrentHashMap<>();
  private final Map<String, Grant> grants = new ConcurrentHashMap<>();
  private final Map<String, Access> accessTokens = new ConcurrentHashMap<>();
  private final Map<String, Code> codes = new ConcurrentHashMap<>();
  final AtomicInteger refreshGrants = new AtomicInteger();
  final AtomicInteger codeGrants = new AtomicInteger();
  volatile Duration accessTokenLifetime = Duration.ofSeconds(3599);
  volatile String consentingAccount;
  volatile boolean consentDenied;

  OAuthServer(FakeGmailServer server) {
    this.server = server;
  }

  void addClient(String id, String secret) {
    clients.put(id, secret);
  }

  String grant(String clientId, String account, Set<String> scopes) {
    String token = "1//fake-" + random(32);
    grants.put(token, new Grant(clientId, account, ordered(scopes)));
    return token;
  }

  String issueAccess(String account, Set<String> scopes) {
    String token = "ya29.fake-" + random(40);
    accessTokens.put(
        token, new Access(account, ordered(scopes), Instant.now().plus(accessTokenLifetime)));
    return token;
  }

  boolean revoke(String token) {
    boolean grant = grants.remove(token) != null; // both maps lose it, whichever held it
    boolean access = accessTokens.remove(token) != null;
    return grant || access;
  }

  void expireAccessTokens() {
    Instant past = Instant.now().minusSeconds(1);
    accessTokens.replaceAll((k, a) -> new Access(a.account(), a.scopes(), past));
  }

  /** The live access token's grant, or null where unknown or expired. */
  Access access(String token) {
    Access a = accessTokens.get(token);
    return a == null || !Instant.now().isBefore(a.expires()) ? null : a;
  }

  // ---- POST /token ------------------------------------------------------------------------

  void token(Call call) throws IOException {
    call.endpoint = GmailEndpoint.TOKEN;
    if (!call.method.equals("POST")) {
      call.drain();
      call.error(GoogleError.methodNotAllowed());
      return;
    }
    if (server.access.requestFault(call, null)) {
      return;
    }
    Map<String, List<String>> form =
        Call.parseForm(new String(call.readBody(64 * 1024), StandardCharsets.UTF_8));
    String clientId = first(form, "client_id");
    String secret = first(form, "client_secret");
    String basic = call.header("Authorization");
    if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String pair =
            new String(
                Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon > 0) {
          clientId = URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8);
          secret = URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8);
        }
      } catch (IllegalArgumentException e) {
        call.oauthError(400, "invalid_request", "Malformed Authorization header.");
        return;
      }
    }
    String grantType = first(form, "grant_type");
    if (grantType == null) {
      call.oauthError(400, "unsupported_grant_type", "Invalid grant_type: ");
      return;
    }
    if (clientId == null || !clients.containsKey(clientId)) {
      call.oauthError(401, "invalid_client", "The OAuth client was not found.");
      return;
    }
    if (!clients.get(clientId).equals(secret)) {
      call.oauthError(401, "invalid_client", "Unauthorized");
      return;
    }
    switch (grantType) {
      case "refresh_token":
        refresh(call, clientId, first(form, "refresh_token"), first(form, "scope"));
        return;
      case "authorization_code":
        exchange(call, clientId, form);
        return;
      default:
        call.oauthError(400, "unsupported_grant_type", "Invalid grant_type: " + grantType);
    }
  }

  private void refresh(Call call, String clientId, String refreshToken, String narrower)
      throws IOException {
    refreshGrants.incrementAndGet();
    if (refreshToken == null) {
      call.oauthError(400, "invalid_request", "Missing required parameter: refresh_token");
      return;
    }
    Grant grant = grants.get(refreshToken);
    if (grant != null) {
      call.account = grant.account();
    }
    InjectedFault fault =
        server.faults.claim(GmailEndpoint.TOKEN, call.account, null, GmailFault.INVALID_GRANT);
    if (fault != null) {
      call.fault = GmailFault.INVALID_GRANT;
      call.oauthError(400, "invalid_grant", "Token has been expired or revoked.");
      return;
    }
    if (grant == null) {
      call.oauthError(400, "invalid_grant", "Token has been expired or revoked.");
      return;
    }
    if (!grant.clientId().equals(clientId)) {
      call.oauthError(401, "unauthorized_client", "Unauthorized");
      return;
    }
    Set<String> scopes = grant.scopes();
    if (narrower != null && !narrower.isBlank()) {
      Set<String> asked = scopeSet(narrower);
      if (!scopes.containsAll(asked)) {
        call.oauthError(
            400,
            "invalid_scope",
            "Some requested scopes were invalid. {invalid=" + minus(asked, scopes) + "}");
        return;
      }
      scopes = asked;
    }
    answerToken(call, grant.account(), scopes, null);
  }

  private void exchange(Call call, String clientId, Map<String, List<String>> form)
      throws IOException {
    codeGrants.incrementAndGet();
    String codeValue = first(form, "code");
    if (codeValue == null) {
      call.oauthError(400, "invalid_request", "Missing required parameter: code");
      return;
    }
    Code code = codes.remove(codeValue); // a code is good once, wrong use included
    if (code == null) {
      call.oauthError(400, "invalid_grant", "Malformed auth code.");
      return;
    }
    call.account = code.account();
    if (!code.clientId().equals(clientId)) {
      call.oauthError(400, "invalid_grant", "Unauthorized");
      return;
    }
    if (!code.redirectUri().equals(first(form, "redirect_uri"))) {
      call.oauthError(400, "redirect_uri_mismatch", "Bad Request");
      return;
    }
    if (code.challenge() == null && first(form, "code_verifier") != null) {
      call.oauthError(400, "invalid_grant", "code_verifier or verifier is not needed.");
      return;
    }
    if (code.challenge() != null) {
      String verifier = first(form, "code_verifier");
      if (verifier == null) {
        call.oauthError(400, "invalid_grant", "Missing code verifier.");
        return;
      }
      String computed = "S256".equals(code.method()) ? s256(verifier) : verifier;
      if (!computed.equals(code.challenge())) {
        call.oauthError(400, "invalid_grant", "Invalid code verifier.");
        return;
      }
    }
    String refresh = code.offline() ? grant(clientId, code.account(), code.scopes()) : null;
    answerToken(call, code.account(), code.scopes(), refresh);
  }

  private void answerToken(Call call, String account, Set<String> scopes, String refreshToken)
      throws IOException {
    String token = issueAccess(account, scopes);
    long seconds = accessTokenLifetime.toSeconds();
    call.json(
        200,
        Json.write(
            g -> {
              g.writeStartObject();
              g.writeStringField("access_token", token);
              g.writeNumberField("expires_in", seconds);
              if (refreshToken != null) {
                g.writeStringField("refresh_token", refreshToken);
              }
              g.writeStringField("scope", String.join(" ", scopes));
              g.writeStringField("token_type", "Bearer");
              g.writeEndObject();
            }));
  }

  // ---- GET /o/oauth2/v2/auth -------------------------------------------------------------

  void authorize(Call call) throws IOException {
    call.endpoint = GmailEndpoint.AUTHORIZATION;
    call.drain();
    String clientId = call.param("client_id");
    String redirect = call.param("redirect_uri");
    if (clientId == null || !clients.containsKey(clientId)) {
      page(call, 401, "Error 401: invalid_client", "The OAuth client was not found.");
      return;
    }
    if (redirect == null || !isLoopback(redirect)) {
      page(
          call,
          400,
          "Error 400: redirect_uri_mismatch",
          "A desktop app's redirect_uri must be a loopback address (http://127.0.0.1:port or http://[::1]:port): "
              + redirect);
      return;
    }
    String state = call.param("state");
    if (!"code".equals(call.param("response_type"))) {
      redirect(call, redirect, "error", "unsupported_response_type", state);
      return;
    }
    String scope = call.param("scope");
    if (scope == null || scope.isBlank()) {
      page(call, 400, "Error 400: invalid_request", "Missing required parameter: scope");
      return;
    }
    String challenge = call.param("code_challenge");
    String method = call.param("code_challenge_method");
    if (challenge != null) {
      method = method == null ? "plain" : method;
      if (!method.equals("S256") && !method.equals("plain")) {
        page(call, 400, "Error 400: invalid_request", "Invalid code_challenge_method: " + method);
        return;
      }
    }
    String account = consentingAccount;
    if (account == null) {
      page(
          call,
          401,
          "Sign in",
          "No account is signed in to the fake: call FakeGmailServer.authorizeAs(address) first.");
      return;
    }
    call.account = account;
    if (consentDenied) {
      redirect(call, redirect, "error", "access_denied", state);
      return;
    }
    String code = "4/fake-" + random(32);
    codes.put(
        code,
        new Code(
            clientId,
            redirect,
            challenge,
            method,
            account,
            scopeSet(scope),
            "offline".equals(call.param("access_type"))));
    StringBuilder location = new StringBuilder(redirect).append(redirect.contains("?") ? '&' : '?');
    if (state != null) {
      location.append("state=").append(encode(state)).append('&');
    }
    location.append("code=").append(encode(code)).append("&scope=").append(encode(scope));
    call.send(302, null, new byte[0], Map.of("Location", location.toString()));
  }

  private static void redirect(Call call, String redirect, String name, String value, String state)
      throws IOException {
    String location =
        redirect
            + (redirect.contains("?") ? '&' : '?')
            + name
            + "="
            + encode(value)
            + (state == null ? "" : "&state=" + encode(state));
    call.send(302, null, new byte[0], Map.of("Location", location));
  }

  private static void page(Call call, int code, String title, String text) throws IOException {
    String html =
        "<!DOCTYPE html><html><head><title>"
            + title
            + "</title></head><body><h1>"
            + title
            + "</h1><p>"
            + text.replace("<", "&lt;")
            + "</p></body></html>";
    call.send(code, "text/html; charset=UTF-8", html.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  static boolean isLoopback(String uri) {
    try {
      URI u = new URI(uri);
      String host = u.getHost();
      return "http".equals(u.getScheme())
          && u.getFragment() == null
          && ("127.0.0.1".equals(host) || "[::1]".equals(host) || "localhost".equals(host));
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static Set<String> ordered(Set<String> scopes) {
    return Collections.unmodifiableSet(new LinkedHashSet<>(scopes));
  }

  static Set<String> scopeSet(String spaceSeparated) {
    Set<String> out = new LinkedHashSet<>(Arrays.asList(spaceSeparated.trim().split("\\s+")));
    out.remove("");
    return out;
  }

  private static String minus(Set<String> a, Set<String> b) {
    Set<String> out = new LinkedHashSet<>(a);
    out.removeAll(b);
    return String.join(" ", out);
  }

  static String s256(String verifier) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static String first(Map<String, List<String>> form, String name) {
    List<String> values = form.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String random(int chars) {
    byte[] bytes = new byte[chars];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(bytes)
        .substring(0, chars)
        .toLowerCase(Locale.ROOT);
  }
}
