package dev.mailfetch.cli.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The per-process token every state-changing form carries: a page of another site can make a
 * browser POST here, but cannot read this page, so cannot know the token. New at every start of
 * {@code serve}, so an old page's forms stop working after a restart (reload it).
 */
final class CsrfToken {
  /** The form field that carries it. */
  static final String FIELD = "csrf";

  private final String value;

  CsrfToken(SecureRandom random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    value = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  String value() {
    return value;
  }

  /** Whether {@code given} is the token, compared in constant time (no timing tells its prefix). */
  boolean matches(String given) {
    if (given == null) {
      return false;
    }
    return MessageDigest.isEqual(
        value.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.UTF_8));
  }

  /** The hidden field of a form. */
  String field() {
    return "<input type=\"hidden\" name=\"" + FIELD + "\" value=\"" + value + "\">";
  }
}
