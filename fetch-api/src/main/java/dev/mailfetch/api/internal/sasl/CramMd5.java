package dev.mailfetch.api.internal.sasl;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * CRAM-MD5 (RFC 2195): the server's challenge keyed with the password through HMAC-MD5, sent as
 * {@code user SP lower-case hex digest}; the password itself never crosses the wire.
 */
final class CramMd5 implements SaslMechanism {
  private final String user;
  private final Password password;

  CramMd5(String user, Password password) {
    this.user = user;
    this.password = password;
  }

  @Override
  public String name() {
    return "CRAM-MD5";
  }

  @Override
  public boolean clientFirst() {
    return false;
  }

  @Override
  public byte[] initialResponse() {
    throw new IllegalStateException("CRAM-MD5 has no initial response");
  }

  /**
   * The digest of {@code challenge}; an empty challenge is cancelled, as the answer to it would be
   * the same at every login, a replayable password. The password is asked for only after the
   * challenge passed.
   */
  @Override
  public Optional<byte[]> respond(byte[] challenge) throws FetchException {
    if (challenge.length == 0) {
      return Optional.empty();
    }
    String digest;
    try {
      Mac mac = Mac.getInstance("HmacMD5");
      mac.init(new SecretKeySpec(password.get().getBytes(StandardCharsets.UTF_8), "HmacMD5"));
      digest = HexFormat.of().formatHex(mac.doFinal(challenge));
    } catch (GeneralSecurityException e) {
      throw new FetchException(FetchError.CONFIGURATION, "this JDK has no HmacMD5 for CRAM-MD5", e);
    }
    return Optional.of((user + " " + digest).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "CRAM-MD5 for " + user;
  }
}
