package dev.mailfetch.gmail.internal.oauth;

/**
 * A token endpoint's successful answer (RFC 6749 §5.1): the access token, its lifetime in seconds
 * (-1 when the answer gave none), a new refresh token where the provider sent one, and the scopes
 * granted where it said. {@link #toString()} shows no token.
 */
public final class TokenResponse {
  public final String accessToken;
  public final long expiresInSeconds;
  public final String refreshToken;
  public final String scope;

  TokenResponse(String accessToken, long expiresInSeconds, String refreshToken, String scope) {
    this.accessToken = accessToken;
    this.expiresInSeconds = expiresInSeconds;
    this.refreshToken = refreshToken;
    this.scope = scope;
  }

  @Override
  public String toString() {
    return "TokenResponse[expires_in="
        + expiresInSeconds
        + (refreshToken == null ? "" : ", with a refresh token")
        + (scope == null ? "" : ", scope=" + scope)
        + "]";
  }
}
