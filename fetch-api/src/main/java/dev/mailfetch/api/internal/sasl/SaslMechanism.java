package dev.mailfetch.api.internal.sasl;

import dev.mailfetch.api.FetchException;
import java.util.Optional;

/**
 * The client side of one SASL mechanism for one exchange (RFC 4422 §3): what it sends first and how
 * it answers the server's challenges, as bytes before base64. An instance serves one exchange; make
 * a new one for the next. Nothing secret is in {@code toString()}.
 *
 * <p>A client-first mechanism ({@link #clientFirst()}) has an initial response: the adapter sends
 * it with the command or, where the protocol or the server does not take it there, as the answer to
 * the server's first (empty) challenge. A challenge after that is the server's error, in the
 * mechanism's words (RFC 7628 §3.2.2), and {@link #respond} answers it as the mechanism requires.
 */
public interface SaslMechanism {
  /** The mechanism's registered name (IANA's SASL registry), as it follows the command. */
  String name();

  /** Whether the client speaks first, so that an initial response may go with the command. */
  boolean clientFirst();

  /**
   * The client's first message, for a client-first mechanism.
   *
   * @throws FetchException when the password source has no usable password
   * @throws IllegalStateException for a mechanism where the server speaks first
   */
  byte[] initialResponse() throws FetchException;

  /**
   * The answer to the server's next challenge, or empty where the exchange must be cancelled
   * ({@code *} in POP3, IMAP and SMTP): a challenge the mechanism cannot answer safely, or one that
   * a mechanism with nothing more to say does not expect.
   *
   * @throws FetchException when the password source has no usable password, or the JDK lacks an
   *     algorithm the mechanism needs
   */
  Optional<byte[]> respond(byte[] challenge) throws FetchException;

  /**
   * Whether a challenge that came where the outcome was due, an error in the mechanism's words,
   * says the credential is expired or revoked, so that a fresh one may succeed (RFC 7628 §3.2.2,
   * Google's and Microsoft's {@code {"status":"401",…}}). False for a mechanism without such
   * errors.
   */
  default boolean credentialExpired(byte[] challenge) {
    return false;
  }

  /** PLAIN (RFC 4616) for {@code user}, with no authorization identity. */
  static SaslMechanism plain(String user, Password password) {
    return new Plain(user, password);
  }

  /** LOGIN (draft-murchison-sasl-login): the user name, then the password, each on request. */
  static SaslMechanism login(String user, Password password) {
    return new Login(user, password);
  }

  /** CRAM-MD5 (RFC 2195): the server's challenge keyed with the password through HMAC-MD5. */
  static SaslMechanism cramMd5(String user, Password password) {
    return new CramMd5(user, password);
  }

  /** Google's and Microsoft's XOAUTH2: an OAuth 2.0 bearer token for {@code user}. */
  static SaslMechanism xoauth2(String user, String token) {
    return new XOAuth2(user, token);
  }

  /** OAUTHBEARER (RFC 7628): an OAuth 2.0 bearer token for {@code user} at host and port. */
  static SaslMechanism oauthBearer(String user, String host, int port, String token) {
    return new OAuthBearer(user, host, port, token);
  }
}
