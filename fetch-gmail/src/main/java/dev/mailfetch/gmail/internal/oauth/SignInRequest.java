package dev.mailfetch.gmail.internal.oauth;

import dev.mailfetch.gmail.OAuthEndpoints;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The address a person opens to sign in: the authorization request of RFC 6749 §4.1.1 with PKCE
 * (RFC 7636, S256) and a loopback redirect (RFC 8252), and for Google {@code access_type=offline}
 * with {@code prompt=consent}, so that Google returns a refresh token every time, not only at the
 * first consent. Pure: the same inputs give the same address.
 */
public final class SignInRequest {
  private SignInRequest() {}

  /**
   * The address to open.
   *
   * @param account suggested to the provider as {@code login_hint}; null for none
   */
  public static URI address(
      OAuthEndpoints endpoints,
      String clientId,
      List<String> scopes,
      String account,
      URI redirect,
      String state,
      String challenge) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("response_type", "code");
    p.put("client_id", clientId);
    p.put("redirect_uri", redirect.toString());
    p.put("scope", String.join(" ", scopes));
    p.put("state", state);
    p.put("code_challenge", challenge);
    p.put("code_challenge_method", "S256");
    if (endpoints.provider() == OAuthEndpoints.Provider.GOOGLE) {
      p.put("access_type", "offline"); // a refresh token
      p.put("prompt", "consent"); // ... every time, not only at the first consent
    }
    if (account != null) {
      p.put("login_hint", account);
    }
    StringBuilder sb = new StringBuilder(endpoints.authorizationEndpoint().toString());
    sb.append(endpoints.authorizationEndpoint().getRawQuery() == null ? '?' : '&');
    List<String> pairs = new ArrayList<>();
    for (Map.Entry<String, String> e : p.entrySet()) {
      pairs.add(
          URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
              + "="
              + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return URI.create(sb.append(String.join("&", pairs)).toString());
  }
}
