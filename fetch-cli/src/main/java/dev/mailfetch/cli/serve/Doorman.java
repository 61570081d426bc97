package dev.mailfetch.cli.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The optional password, asked with HTTP Basic authentication: it works without JavaScript, with
 * curl, and needs no session of the server's own. Any user name; the password is compared by its
 * SHA-256 digest in constant time. Basic sends the password with every request, readable by whoever
 * sees the connection: on loopback only this machine does; beyond it, put a TLS proxy in front
 * (docs/serve.md).
 */
final class Doorman {
  /** The realm browsers show in their password dialog. */
  static final String CHALLENGE = "Basic realm=\"mailfetch\", charset=\"UTF-8\"";

  private final byte[] digest; // null: no password

  Doorman(byte[] password) {
    this.digest = password == null ? null : sha256(password);
  }

  boolean asksPassword() {
    return digest != null;
  }

  /** Whether the request's {@code Authorization} header lets it in. */
  boolean admits(String authorization) {
    if (digest == null) {
      return true;
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    int colon = -1;
    for (int i = 0; i < decoded.length; i++) {
      if (decoded[i] == ':') {
        colon = i;
        break;
      }
    }
    if (colon < 0) {
      return false;
    }
    byte[] given = new byte[decoded.length - colon - 1];
    System.arraycopy(decoded, colon + 1, given, 0, given.length);
    return MessageDigest.isEqual(digest, sha256(given));
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /** The password as bytes (UTF-8), for tests and callers that hold it as text. */
  static byte[] bytes(String password) {
    return password.getBytes(StandardCharsets.UTF_8);
  }
}
