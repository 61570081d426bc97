package dev.mailfetch.api.internal.sasl;

import java.nio.charset.StandardCharsets;

/**
 * How the OAuth mechanisms read the server's error challenge, a JSON object (RFC 7628 §3.2.2; the
 * same shape in Google's and Microsoft's XOAUTH2): status 401 (Google) or {@code invalid_token}
 * (RFC 7628, RFC 6750 §3.1) means the token is expired or revoked. Found as text, not parsed: the
 * servers' JSON is not always well formed, and nothing else in it is read.
 */
final class BearerError {
  private BearerError() {}

  static boolean tokenExpired(byte[] challenge) {
    String json = new String(challenge, StandardCharsets.UTF_8);
    return json.contains("\"401\"") || json.contains("invalid_token");
  }
}
