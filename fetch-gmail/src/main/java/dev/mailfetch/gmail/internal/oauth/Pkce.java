package dev.mailfetch.gmail.internal.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * RFC 7636's proof key: a random verifier kept here, and its S256 challenge sent with the sign-in,
 * so that a code caught on its way to the loopback listener is worth nothing without the verifier.
 */
public final class Pkce {
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  /** 32 random octets, base64url: 43 characters, the length RFC 7636 §4.1 recommends. */
  public final String verifier;

  /** {@code BASE64URL(SHA256(ASCII(verifier)))} (RFC 7636 §4.2). */
  public final String challenge;

  private Pkce(String verifier) {
    this.verifier = verifier;
    this.challenge = challengeOf(verifier);
  }

  public static Pkce create() {
    return new Pkce(B64URL.encodeToString(SecretFile.random(32)));
  }

  /** An unguessable {@code state}: 16 random octets, base64url. */
  public static String state() {
    return B64URL.encodeToString(SecretFile.random(16));
  }

  public static String challengeOf(String verifier) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return B64URL.encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  @Override
  public String toString() {
    return "Pkce[S256]";
  }
}
