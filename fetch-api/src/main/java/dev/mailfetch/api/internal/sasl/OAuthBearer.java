package dev.mailfetch.api.internal.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * OAUTHBEARER (RFC 7628): a GS2 header naming the user, then {@code host}, {@code port} and {@code
 * auth=Bearer T}, each ended by ^A. An error comes as a challenge of JSON, answered with a single
 * ^A (§3.2.2) so that the server sends its final failure.
 */
final class OAuthBearer implements SaslMechanism {
  private static final byte[] ERROR_ACKNOWLEDGED = {0x01};

  private final String user;
  private final String host;
  private final int port;
  private final String token;

  OAuthBearer(String user, String host, int port, String token) {
    this.user = user;
    this.host = host;
    this.port = port;
    this.token = token;
  }

  @Override
  public String name() {
    return "OAUTHBEARER";
  }

  @Override
  public boolean clientFirst() {
    return true;
  }

  @Override
  public byte[] initialResponse() {
    return ("n,a="
            + user
            + ",\u0001host="
            + host
            + "\u0001port="
            + port
            + "\u0001auth=Bearer "
            + token
            + "\u0001\u0001")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Optional<byte[]> respond(byte[] challenge) {
    return Optional.of(ERROR_ACKNOWLEDGED.clone());
  }

  @Override
  public boolean credentialExpired(byte[] challenge) {
    return BearerError.tokenExpired(challenge);
  }

  @Override
  public String toString() {
    return "OAUTHBEARER for " + user + " at " + host + ":" + port;
  }
}
