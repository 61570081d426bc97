package dev.mailfetch.api.internal.sasl;

import dev.mailfetch.api.FetchException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * LOGIN (draft-murchison-sasl-login): the server asks twice, and gets the user name, then the
 * password. Its prompts ("Username:", "Password:") are not read: servers word and even omit them,
 * and only their order counts. A third challenge is cancelled.
 */
final class Login implements SaslMechanism {
  private final String user;
  private final Password password;
  private int answered;

  Login(String user, Password password) {
    this.user = user;
    this.password = password;
  }

  @Override
  public String name() {
    return "LOGIN";
  }

  @Override
  public boolean clientFirst() {
    return false;
  }

  @Override
  public byte[] initialResponse() {
    throw new IllegalStateException("LOGIN has no initial response");
  }

  @Override
  public Optional<byte[]> respond(byte[] challenge) throws FetchException {
    switch (answered) {
      case 0:
        answered++;
        return Optional.of(user.getBytes(StandardCharsets.UTF_8));
      case 1:
        // Asked only now: a server that refuses the user name never gets the password asked for.
        byte[] secret = password.get().getBytes(StandardCharsets.UTF_8);
        answered++;
        return Optional.of(secret);
      default:
        return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "LOGIN for " + user;
  }
}
