package dev.mailfetch.pop3;

/**
 * Supplies OAuth access tokens, so that an embedder can refresh them. The source asks for a token
 * at each login; when the server says a token has expired it calls {@link #invalidate} with it
 * and the run fails with {@code AUTH_TOKEN_EXPIRED}, so that the next login gets a fresh one.
 *
 * <p>Must be safe for concurrent use. Tokens never appear in a log, an exception or a trace.
 */
@FunctionalInterface
public interface TokenProvider {
  /** A current access token. */
  String accessToken();

  /** The server refused {@code token} as expired or revoked. Does nothing by default. */
  default void invalidate(String token) {}
}
