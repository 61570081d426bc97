package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UTF-8 mode (RFC 6856): a server that lists {@code UTF8} in CAPA may hold messages whose header is
 * raw UTF-8 (RFC 6532), and sends them as they are only to a client that said {@code UTF8}. One
 * that did not gets something else: Courier replaces each such message by a notice from its
 * postmaster with the original attached (quirk Q52), other servers may downgrade it (RFC 6857).
 * Either way the mail stored would not be the mail sent, so the client turns the mode on whenever
 * it is offered.
 *
 * <p>When: the IANA registry (RFC 6856 §2) lists the command as valid in the AUTHORIZATION state,
 * so it goes after TLS (the CAPA that counts is the one after STLS, RFC 2595 §4) and before the
 * login. Courier's own login process takes it there (courier-libs {@code imap/pop3login.C}), and
 * hands the mode on to the mail session. A server that refuses it is not an error: the session goes
 * on as without it, the refusal is logged, and the doctor reports what it then serves.
 */
final class Utf8Mode {
  private static final Logger log = LoggerFactory.getLogger(Utf8Mode.class);

  private Utf8Mode() {}

  /**
   * Sends {@code UTF8} if the session's capabilities offer it.
   *
   * @return the server's reply, or null when it was not offered (nothing was sent)
   */
  static Reply enable(Pop3Connection session) throws FetchException {
    if (!session.capabilities().has("UTF8")) {
      return null;
    }
    session.send(Pop3Commands.UTF8);
    Reply r = session.reply("turning on UTF-8 mode (UTF8)");
    session.utf8(r.ok());
    if (!r.ok()) {
      log.warn(
          "{} refused UTF8 though its CAPA lists it ({}): messages whose header holds UTF-8 may arrive"
              + " replaced or downgraded",
          session.server(),
          r);
    }
    return r;
  }
}
