package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.pop3.AuthMechanism;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The login of one {@link Pop3Session}: the strongest allowed mechanism the server offers, in an
 * order that depends on whether TLS hides the channel (RFC 1939 USER/PASS and APOP, RFC 5034 SASL
 * with PLAIN, LOGIN, CRAM-MD5 of RFC 2195, XOAUTH2 and OAUTHBEARER of RFC 7628). Nothing secret
 * reaches the trace: PASS, AUTH responses and APOP digests are shown redacted.
 */
final class Login {
  private static final Logger log = LoggerFactory.getLogger(Pop3Session.class);

  private final Pop3Connection ses;
  private final Pop3Settings s;

  /** The server closed the connection during login (quirk Q39): nothing more can be sent. */
  private boolean hungUp;

  /** The server refused a token fresh from the provider, after refusing the one before. */
  private boolean grantRefused;

  Login(Pop3Connection ses) {
    this.ses = ses;
    this.s = ses.settings();
  }

  void login() throws FetchException {
    if (!ses.tls() && !s.allowPlaintext()) {
      throw new FetchException(
          FetchError.TLS_REQUIRED_NOT_OFFERED,
          "the connection to "
              + ses.server()
              + " is not encrypted and plain-text login was not allowed; no credentials were sent");
    }
    Set<String> sasl = ses.capabilities().saslMechanisms();
    // Over TLS the channel hides a password, so the plain forms come first; without TLS (allowed
    // by name) CRAM-MD5 at least keeps the password itself off the wire.
    List<AuthMechanism> order =
        ses.tls()
            ? List.of(
                AuthMechanism.XOAUTH2,
                AuthMechanism.OAUTHBEARER,
                AuthMechanism.PLAIN,
                AuthMechanism.LOGIN,
                AuthMechanism.USER,
                AuthMechanism.CRAM_MD5,
                AuthMechanism.APOP)
            : List.of(
                AuthMechanism.XOAUTH2,
                AuthMechanism.OAUTHBEARER,
                AuthMechanism.CRAM_MD5,
                AuthMechanism.PLAIN,
                AuthMechanism.LOGIN,
                AuthMechanism.USER);
    FetchException last = null;
    for (AuthMechanism m : order) {
      if (!s.mechanisms().contains(m) || !offered(m, sasl)) {
        continue;
      }
      try {
        authenticate(m);
        ses.loggedInWith(m);
        log.debug("{} - logged in with {}", s.account(), m);
        return;
      } catch (FetchException e) {
        boolean advertised =
            m == AuthMechanism.USER || m == AuthMechanism.APOP || sasl.contains(saslName(m));
        // A token refused even fresh: the grant is at fault, and the other OAuth mechanism would
        // only cost refreshes.
        if (ses.isBroken()
            || grantRefused
            || (advertised && (e.error() != FetchError.AUTH_FAILED || m == AuthMechanism.USER))) {
          throw e;
        }
        if (advertised) {
          last = e; // a mechanism the server lists but refuses: try the next one allowed
        }
        // One tried without being listed (C-OAUTH-05) and refused: as if it were not offered.
      }
    }
    if (last != null) {
      throw last;
    }
    List<String> offers = new ArrayList<>(sasl);
    if (ses.capabilities().has("USER")) {
      offers.add("USER");
    }
    if (ses.tls() && ses.apopTimestamp() != null) {
      offers.add("APOP");
    }
    throw NoLoginMethod.of(
        ses.server(), s.mechanisms(), s.password() != null, s.tokens() != null, offers);
  }

  static String saslName(AuthMechanism m) {
    return m.name().replace('_', '-');
  }

  private boolean offered(AuthMechanism m, Set<String> sasl) {
    switch (m) {
      case XOAUTH2:
        // Some servers do not list XOAUTH2 (C-OAUTH-05): with a token, try it anyway.
        return s.tokens() != null;
      case OAUTHBEARER:
        return s.tokens() != null && (sasl.contains(m.name()) || !ses.capabilities().worked());
      case PLAIN:
      case LOGIN:
      case CRAM_MD5:
        return s.password() != null && sasl.contains(saslName(m));
      case USER:
        return s.password() != null
            && (ses.capabilities().has("USER") || !ses.capabilities().worked());
      case APOP:
        return s.password() != null && ses.tls() && ses.apopTimestamp() != null;
      default:
        return false;
    }
  }

  private String password() throws FetchException {
    String p = s.password().get();
    if (p == null || p.isEmpty()) {
      throw new FetchException(
          FetchError.CONFIGURATION, "the password source gave no password for " + s.account());
    }
    if (p.indexOf('\r') >= 0 || p.indexOf('\n') >= 0 || p.indexOf('\0') >= 0) {
      throw new FetchException(
          FetchError.CONFIGURATION,
          "the password contains CR, LF or NUL, which POP3 cannot carry;" + " nothing was sent");
    }
    return p;
  }

  private void authenticate(AuthMechanism m) throws FetchException {
    switch (m) {
      case USER:
        {
          ses.send(Pop3Commands.user(s.user()));
          Reply u = ses.reply("logging in (USER)");
          if (!u.ok()) {
            throw authFailure(u, "USER");
          }
          ses.send(Pop3Commands.pass(password()));
          Reply p = authReply("logging in (PASS)");
          if (!p.ok()) {
            throw authFailure(p, "PASS");
          }
          return;
        }
      case PLAIN:
        {
          String payload = b64("\0" + s.user() + "\0" + password());
          sasl("PLAIN", payload, "logging in (AUTH PLAIN)");
          return;
        }
      case LOGIN:
        {
          ses.send(Pop3Commands.auth("LOGIN"));
          Reply r = authReply("logging in (AUTH LOGIN)");
          if (!continuation(r)) {
            throw authFailure(r, "AUTH LOGIN");
          }
          ses.send(Pop3Commands.saslResponse(b64(s.user())));
          r = authReply("logging in (AUTH LOGIN)");
          if (!continuation(r)) {
            throw authFailure(r, "AUTH LOGIN");
          }
          ses.send(Pop3Commands.saslResponse(b64(password())));
          Reply done = authReply("logging in (AUTH LOGIN)");
          if (!done.ok()) {
            throw authFailure(done, "AUTH LOGIN");
          }
          return;
        }
      case XOAUTH2:
      case OAUTHBEARER:
        oauth(m);
        return;
      case APOP:
        {
          try {
            byte[] d =
                MessageDigest.getInstance("MD5")
                    .digest((ses.apopTimestamp() + password()).getBytes(StandardCharsets.UTF_8));
            ses.send(Pop3Commands.apop(s.user(), HexFormat.of().formatHex(d)));
          } catch (NoSuchAlgorithmException e) {
            throw new FetchException(FetchError.CONFIGURATION, "this JDK has no MD5 for APOP", e);
          }
          Reply r = authReply("logging in (APOP)");
          if (!r.ok()) {
            throw authFailure(r, "APOP");
          }
          return;
        }
      case CRAM_MD5:
        {
          cramMd5();
          return;
        }
      default:
        throw new IllegalStateException(m.name());
    }
  }

  /**
   * RFC 2195: the server's challenge keyed with the password through HMAC-MD5. The challenge must
   * be a base64 line no longer than {@code maxSaslChallenge}; the answer is one line, then +OK.
   */
  private void cramMd5() throws FetchException {
    Reply r = authStart("CRAM-MD5", "logging in (AUTH CRAM-MD5)");
    byte[] challenge = challengeBytes(r.text());
    if (challenge == null || challenge.length == 0) {
      // An empty challenge would make the answer replayable: answer nothing.
      ses.send(Pop3Commands.SASL_CANCEL);
      authReply("cancelling AUTH CRAM-MD5");
      throw new FetchException(
          FetchError.PROTOCOL,
          ses.server()
              + " sent an empty or non-base64 CRAM-MD5 challenge;"
              + " the exchange was cancelled and nothing derived from the password was sent");
    }
    String digest;
    try {
      Mac mac = Mac.getInstance("HmacMD5");
      mac.init(new SecretKeySpec(password().getBytes(StandardCharsets.UTF_8), "HmacMD5"));
      digest = HexFormat.of().formatHex(mac.doFinal(challenge));
    } catch (GeneralSecurityException e) {
      throw new FetchException(FetchError.CONFIGURATION, "this JDK has no HmacMD5 for CRAM-MD5", e);
    }
    ses.send(Pop3Commands.saslResponse(b64(s.user() + " " + digest)));
    Reply done = authReply("logging in (AUTH CRAM-MD5)");
    if (!done.ok()) {
      throw authFailure(done, "AUTH CRAM-MD5");
    }
  }

  /**
   * A login with an access token. One the server refuses (as expired or revoked, or with a bare
   * {@code -ERR}, as Microsoft does) is invalidated at the provider, which is asked once more;
   * where it gives another token, that one is tried once in the same session. A server that hung up
   * on the refusal (quirk Q39) is not written to again: the next login asks for the fresh token.
   */
  private void oauth(AuthMechanism m) throws FetchException {
    String token = token();
    try {
      oauthWith(m, token);
      return;
    } catch (FetchException e) {
      if (!tokenRefused(e)) {
        throw e;
      }
      s.tokens().invalidate(token);
      if (hungUp || ses.isBroken()) {
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
          saslName(m));
      try {
        oauthWith(m, fresh);
      } catch (FetchException e2) {
        if (hungUp) {
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
                      + " server refuses that one too, the words then say what to check."));
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

  private void oauthWith(AuthMechanism m, String token) throws FetchException {
    if (m == AuthMechanism.XOAUTH2) {
      sasl(
          "XOAUTH2",
          b64("user=" + s.user() + "\u0001auth=Bearer " + token + "\u0001\u0001"),
          token,
          "logging in (AUTH XOAUTH2)",
          "");
    } else {
      sasl(
          "OAUTHBEARER",
          b64(
              "n,a="
                  + s.user()
                  + ",\u0001host="
                  + s.host()
                  + "\u0001port="
                  + s.port()
                  + "\u0001auth=Bearer "
                  + token
                  + "\u0001\u0001"),
          token,
          "logging in (AUTH OAUTHBEARER)",
          "AQ==");
    }
  }

  /**
   * Whether a failed OAuth login refused the token (not the session: [IN-USE], [SYS/TEMP], a broken
   * reply).
   */
  private static boolean tokenRefused(FetchException e) {
    return e.error() == FetchError.AUTH_TOKEN_EXPIRED || e.error() == FetchError.AUTH_FAILED;
  }

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

  private void sasl(String mech, String payload, String doing) throws FetchException {
    sasl(mech, payload, null, doing, "*");
  }

  /**
   * SASL with one client response, in one line when it fits in 255 octets (RFC 5034) and else in
   * two steps; a one-line form refused with -ERR is retried in two steps (Microsoft, quirk Q41). A
   * failure that comes as a continuation (Google's and Microsoft's JSON, quirk Q42) is answered
   * with {@code ack} and read to its final -ERR.
   */
  private void sasl(String mech, String payload, String token, String doing, String ack)
      throws FetchException {
    String oneLine = "AUTH " + mech + " " + payload;
    Reply r;
    if (oneLine.length() + 2 <= 255) {
      ses.send(Pop3Commands.auth(mech, payload));
      r = authReply(doing);
      boolean refusedOneLine =
          !"AUTH".equals(r.code()) || r.text().toLowerCase(Locale.ROOT).contains("initial");
      if (r.kind() == Reply.Kind.ERR && token != null && refusedOneLine) {
        ses.noticed(
            QuirkId.Q41); // Microsoft 365 wants AUTH XOAUTH2, then the token on its own line
        r = twoStep(mech, payload, doing);
      }
    } else {
      r = twoStep(mech, payload, doing);
    }
    int rounds = 0;
    while (r.kind() == Reply.Kind.CONTINUATION) {
      if (++rounds > s.limits().maxSaslRounds()) {
        ses.markBroken();
        throw new FetchException(
            FetchError.PROTOCOL,
            ses.server()
                + " sent more challenges during AUTH "
                + mech
                + " than "
                + Limit.SASL_ROUNDS.words(s.limits().maxSaslRounds())
                + ": a login that never ends",
            null,
            null,
            Limit.SASL_ROUNDS.remedy(s.limits().maxSaslRounds()));
      }
      String json = decodeChallenge(r.text());
      ses.noticed(QuirkId.Q42);
      ses.send(Pop3Commands.saslAcknowledgement(ack));
      Reply fin = authReply(doing);
      if (fin.ok()) {
        return;
      }
      if (token != null && (json.contains("\"401\"") || json.contains("invalid_token"))) {
        // oauth() tells the provider and tries a fresh token once.
        throw new FetchException(
            FetchError.AUTH_TOKEN_EXPIRED,
            ses.server()
                + " refused the access token as expired or"
                + " revoked; ask the token provider for a fresh one",
            fin.line(),
            null);
      }
      if (fin.kind() != Reply.Kind.CONTINUATION) {
        throw authFailure(fin, "AUTH " + mech);
      }
      r = fin;
    }
    if (!r.ok()) {
      throw authFailure(r, "AUTH " + mech);
    }
  }

  private Reply twoStep(String mech, String payload, String doing) throws FetchException {
    authStart(mech, doing);
    ses.send(Pop3Commands.saslResponse(payload));
    return authReply(doing);
  }

  /** Sends {@code AUTH mech} with no initial response and returns the server's first challenge. */
  private Reply authStart(String mech, String doing) throws FetchException {
    ses.send(Pop3Commands.auth(mech));
    Reply r = authReply(doing);
    if (!continuation(r)) {
      if (r.ok()) {
        ses.markBroken();
        throw new FetchException(
            FetchError.PROTOCOL,
            ses.server()
                + " answered AUTH "
                + mech
                + " with +OK before any"
                + " credential was sent, where a challenge was due: it skipped the login, so nothing was sent");
      }
      throw authFailure(r, "AUTH " + mech);
    }
    return r;
  }

  /**
   * Whether a reply, where a SASL challenge is due, is one: {@code + ...}, or (quirk Q15, Exchange
   * 2003) {@code +OK} with no text or a base64 text, as the mechanism is not finished yet.
   */
  private boolean continuation(Reply r) {
    if (r.kind() == Reply.Kind.CONTINUATION) {
      return true;
    }
    // Only a +OK that carries a challenge: a bare +OK where a challenge is due means the server
    // skipped the exchange, and the credential must not follow (case A-06).
    if (r.ok() && r.text().matches("[A-Za-z0-9+/]+=*")) {
      ses.noticed(QuirkId.Q15);
      return true;
    }
    return false;
  }

  private String decodeChallenge(String b64) throws FetchException {
    byte[] raw = challengeBytes(b64);
    return raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
  }

  /**
   * A SASL challenge decoded, or null when it is not base64; longer than the cap ends the session.
   */
  private byte[] challengeBytes(String b64) throws FetchException {
    if (b64.length() > s.limits().maxSaslChallenge()) {
      ses.markBroken();
      throw new FetchException(
          FetchError.LIMIT_EXCEEDED,
          "a login challenge from "
              + ses.server()
              + " is longer than "
              + Limit.SASL_CHALLENGE.words(s.limits().maxSaslChallenge()),
          null,
          null,
          Limit.SASL_CHALLENGE.remedy(s.limits().maxSaslChallenge()));
    }
    try {
      return Base64.getDecoder().decode(b64.strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * A reply during login: end of stream here means the server dropped us for bad credentials (Q39).
   */
  private Reply authReply(String doing) throws FetchException {
    try {
      return ses.reply(doing);
    } catch (FetchException e) {
      if (e.error() == FetchError.CONNECTION_RESET) {
        hungUp = true;
        ses.noticed(QuirkId.Q39);
        throw new FetchException(
            FetchError.AUTH_FAILED,
            ses.server()
                + " closed the connection during login, which"
                + " some servers do after a wrong password (quirk Q39)",
            e);
      }
      throw e;
    }
  }

  private FetchException authFailure(Reply r, String step) {
    if (r.kind() == Reply.Kind.OK || r.kind() == Reply.Kind.CONTINUATION) {
      return new FetchException(FetchError.PROTOCOL, "unexpected reply to " + step, r.line(), null);
    }
    return LoginRefusal.of(
        ses.server(),
        r,
        step,
        ses.capabilities().has("AUTH-RESP-CODE")); // RFC 3206: only [AUTH] means bad credentials
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
