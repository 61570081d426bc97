package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.sasl.SaslMechanism;
import dev.mailfetch.pop3.AuthMechanism;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A login with an access token (XOAUTH2, OAUTHBEARER). One the server refuses (as expired or
 * revoked, or with a bare {@code -ERR}, as Microsoft does) is invalidated at the provider, which is
 * asked once more; where it gives another token, that one is tried once in the same session. A
 * server that hung up on the refusal (quirk Q39) is not written to again: the next login asks for
 * the fresh token.
 */
final class OAuthLogin {
  private static final Logger log = LoggerFactory.getLogger(Pop3Session.class);

  private static final Remedy REFUSED_TWICE =
      Remedy.of(
          "The server refused a token refreshed just now, so the"
              + " grant itself does not open this mailbox. Check that it was made for this account (the user name is"
              + " usually the full address) with the scope POP needs (https://mail.google.com/ at Google,"
              + " https://outlook.office.com/POP.AccessAsUser.All at Microsoft), and that POP (and at Microsoft 365, OAuth"
              + " for POP) is switched on for the account; then authorize again with mailfetch oauth.",
          "The server refused a token refreshed just now, so the grant itself does not open this mailbox. Check that"
              + " it was made for this account (the user name is usually the full address) with the scope POP needs"
              + " (OAuthScopes.GMAIL_POP3, OAuthScopes.MICROSOFT_POP3), and that POP (and at Microsoft 365, OAuth for POP)"
              + " is switched on for the account; then authorize again (OAuthAuthorization).");

  private final Pop3Connection ses;
  private final Pop3Settings s;
  private final AuthCommand auth;

  /** The server refused a token fresh from the provider, after refusing the one before. */
  private boolean grantRefused;

  OAuthLogin(Pop3Connection ses, AuthCommand auth) {
    this.ses = ses;
    this.s = ses.settings();
    this.auth = auth;
  }

  /**
   * Whether the grant itself is refused (a fresh token too): the other OAuth mechanism would only
   * cost refreshes.
   */
  boolean grantRefused() {
    return grantRefused;
  }

  void login(AuthMechanism m) throws FetchException {
    String token = token();
    try {
      loginWith(m, token);
      return;
    } catch (FetchException e) {
      if (!tokenRefused(e)) {
        throw e;
      }
      s.tokens().invalidate(token);
      if (auth.hungUp() || ses.isBroken()) {
        throw e;
      }
      String fresh = token();
      if (fresh.equals(token)) {
        throw e; // a provider that cannot refresh: the refusal stands
      }
      log.debug(
          "{} - {} refused the access token; trying AUTH {} once more with a fresh one",
          s.account(),
          ses.server(),
          Login.saslName(m));
      try {
        loginWith(m, fresh);
      } catch (FetchException e2) {
        if (auth.hungUp()) {
          // It hung up after refusing the first token (Q39): the fresh one never reached it.
          throw new FetchException(
                  FetchError.AUTH_TOKEN_EXPIRED,
                  ses.server()
                      + " refused the access token and closed"
                      + " the connection before a fresh one could be tried (quirk Q39); the next login uses the fresh one",
                  e.serverReply().orElse(null),
                  e,
                  Remedy.of(
                      "Run again: the next login sends the fresh token. If the"
                          + " server refuses that one too, the words then say what to check."))
              .withQuirk(QuirkId.Q39);
        }
        if (!tokenRefused(e2)) {
          throw e2;
        }
        s.tokens().invalidate(fresh);
        grantRefused = true;
        throw refusedTwice(e2);
      }
    }
  }

  private void loginWith(AuthMechanism m, String token) throws FetchException {
    SaslMechanism sasl =
        m == AuthMechanism.XOAUTH2
            ? SaslMechanism.xoauth2(s.user(), token)
            : SaslMechanism.oauthBearer(s.user(), s.host(), s.port(), token);
    auth.clientFirst(sasl, true);
  }

  /**
   * Whether a failed OAuth login refused the token (not the session: [IN-USE], [SYS/TEMP], a broken
   * reply).
   */
  private static boolean tokenRefused(FetchException e) {
    return e.error() == FetchError.AUTH_TOKEN_EXPIRED || e.error() == FetchError.AUTH_FAILED;
  }

  private FetchException refusedTwice(FetchException e) {
    if (e.error() == FetchError.AUTH_TOKEN_EXPIRED) {
      return new FetchException(
          FetchError.AUTH_TOKEN_EXPIRED,
          ses.server()
              + " refused the access token as expired"
              + " or revoked, and then a fresh one from the token provider too",
          e.serverReply().orElse(null),
          e,
          REFUSED_TWICE);
    }
    return e.withConsequence(
        "this was a fresh one from the token provider, after it refused the one before",
        REFUSED_TWICE);
  }

  private String token() throws FetchException {
    String t;
    try {
      t = s.tokens().accessToken();
    } catch (FetchException e) {
      throw e;
    } catch (IOException e) {
      throw new FetchException(
          FetchError.AUTH_FAILED,
          "the token provider could not give an access token for "
              + s.account()
              + ": "
              + e.getMessage(),
          e);
    }
    if (t == null
        || t.isEmpty()
        || t.indexOf('\u0001') >= 0
        || t.indexOf('\r') >= 0
        || t.indexOf('\n') >= 0) {
      throw new FetchException(
          FetchError.CONFIGURATION,
          "the token provider gave no usable access token for " + s.account());
    }
    return t;
  }
}
