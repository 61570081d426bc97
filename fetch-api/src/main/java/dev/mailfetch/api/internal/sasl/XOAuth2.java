package dev.mailfetch.api.internal.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * XOAUTH2 (Google's, also Microsoft's): {@code user=U ^A auth=Bearer T ^A ^A}. An error comes as a
 * challenge of JSON, answered with an empty response so that the server sends its final failure.
 */
final class XOAuth2 implements SaslMechanism {
  private final String user;
  private final String token;

  XOAuth2(String user, String token) {
    this.user = user;
    this.token = token;
  }

  @Override
  public String name() {
    return "XOAUTH2";
  }

  @Override
  public boolean clientFirst() {
    return true;
  }

  @Override
  public byte[] initialResponse() {
    return ("user=" + user + "\u0001auth=Bearer " + token + "\u0001\u0001")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Optional<byte[]> respond(byte[] challenge) {
    return Optional.of(new byte[0]);
  }

  @Override
  public boolean credentialExpired(byte[] challenge) {
    return BearerError.tokenExpired(challenge);
  }

  @Override
  public String toString() {
    return "XOAUTH2 for " + user;
  }
}
