package dev.mailfetch.api.internal.sasl;

import dev.mailfetch.api.FetchException;
import java.util.Optional;

/**
 * The rounds of a SASL exchange after the client's last message: each challenge the server sends
 * then is answered as the mechanism requires (for the OAuth mechanisms an error in JSON, quirk
 * Q42), until the server says yes or no. A server that keeps challenging is stopped after {@code
 * maxRounds} challenges: a login that never ends must not hold the connection forever (case A-05).
 *
 * <p>The protocol is the adapter's ({@link Server}): its reply type, how a challenge is framed and
 * decoded, what is sent for a response or a cancel, and the words of each failure.
 */
public final class SaslExchange {
  private SaslExchange() {}

  /**
   * A protocol's side of the exchange, over its own reply type {@code R}.
   *
   * @param <R> one reply of the server, as the protocol reads it
   */
  public interface Server<R> {
    /** Whether {@code reply} is the protocol's success: the login is done. */
    boolean succeeded(R reply);

    /** Whether {@code reply} is a challenge ({@code + ...} in POP3 and IMAP, 334 in SMTP). */
    boolean challenges(R reply);

    /**
     * The challenge {@code reply} carries, decoded; empty when it cannot be decoded.
     *
     * @throws FetchException when the challenge is past what the protocol's limits allow
     */
    byte[] challenge(R reply) throws FetchException;

    /** Sends {@code response} (or, where empty, cancels the exchange) and reads the reply to it. */
    R answer(Optional<byte[]> response) throws FetchException;

    /** The error for a server that challenged more than {@code maxRounds} times. */
    FetchException endless();

    /**
     * The error for a login the server refused with {@code reply}, after its error challenge said
     * the credential is expired or revoked.
     */
    FetchException credentialExpired(R reply);

    /** The error for a login the server refused, or ended with a reply that is neither. */
    FetchException refused(R reply);
  }

  /**
   * Takes the exchange from {@code reply}, the server's reply to the client's last message, to its
   * end.
   *
   * @throws FetchException the adapter's: {@link Server#endless}, {@link Server#credentialExpired}
   *     or {@link Server#refused}, or what reading, decoding or answering threw
   */
  public static <R> void finish(SaslMechanism mechanism, R reply, int maxRounds, Server<R> server)
      throws FetchException {
    R r = reply;
    int rounds = 0;
    while (server.challenges(r)) {
      if (++rounds > maxRounds) {
        throw server.endless();
      }
      byte[] challenge = server.challenge(r);
      R next = server.answer(mechanism.respond(challenge));
      if (server.succeeded(next)) {
        return;
      }
      if (mechanism.credentialExpired(challenge)) {
        throw server.credentialExpired(next);
      }
      if (!server.challenges(next)) {
        throw server.refused(next);
      }
      r = next;
    }
    if (!server.succeeded(r)) {
      throw server.refused(r);
    }
  }
}
