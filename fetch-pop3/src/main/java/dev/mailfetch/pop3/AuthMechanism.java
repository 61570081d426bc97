package dev.mailfetch.pop3;

/**
 * A way to log in. The source picks the strongest one that the server offers and the embedder
 * allowed; it never falls back to a weaker one than allowed.
 */
public enum AuthMechanism {
  /** {@code AUTH XOAUTH2} with an OAuth access token (Google, Microsoft), one- or two-step. */
  XOAUTH2,
  /** {@code AUTH OAUTHBEARER} (RFC 7628) with an OAuth access token. */
  OAUTHBEARER,
  /** {@code AUTH PLAIN} (RFC 4616) with the password. */
  PLAIN,
  /** {@code AUTH LOGIN} with the password. */
  LOGIN,
  /** {@code USER} and {@code PASS} (RFC 1939). */
  USER,
  /**
   * {@code AUTH CRAM-MD5} (RFC 2195): HMAC-MD5 of the server's challenge keyed with the password.
   * The password never crosses the wire, but a recorded exchange can be attacked offline and the
   * server must keep the password in the clear; so used only when allowed by name. Over TLS it
   * comes after the plain forms, without TLS (allowed by name) before them.
   */
  CRAM_MD5,
  /**
   * {@code APOP} (RFC 1939 §7): MD5 of the greeting's timestamp and the password. Broken against an
   * active attacker (CVE-2007-1558), so used only when allowed by name, only over TLS, and only
   * with a strictly valid timestamp.
   */
  APOP
}
