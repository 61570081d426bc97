package dev.mailfetch.api.internal.sasl;

import dev.mailfetch.api.FetchException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * PLAIN (RFC 4616): {@code authzid NUL authcid NUL passwd} in one message, the authorization
 * identity left empty (the server derives it from the user name).
 */
final class Plain implements SaslMechanism {
  private final String user;
  private final Password password;

  Plain(String user, Password password) {
    this.user = user;
    this.password = password;
  }

  @Override
  public String name() {
    return "PLAIN";
  }

  @Override
  public boolean clientFirst() {
    return true;
  }

  @Override
  public byte[] initialResponse() throws FetchException {
    return ("\0" + user + "\0" + password.get()).getBytes(StandardCharsets.UTF_8);
  }

  /** PLAIN has said all in its one message: a challenge after it is answered with a cancel. */
  @Override
  public Optional<byte[]> respond(byte[] challenge) {
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "PLAIN for " + user;
  }
}
