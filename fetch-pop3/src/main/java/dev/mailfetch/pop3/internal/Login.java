package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.Causes;
import dev.mailfetch.api.internal.sasl.SaslMechanism;
import dev.mailfetch.pop3.AuthMechanism;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The login on one {@link Pop3Connection}: the strongest allowed mechanism the server offers, in an
 * order that depends on whether TLS hides the channel (RFC 1939 USER/PASS and APOP, RFC 5034 SASL
 * with PLAIN, LOGIN, CRAM-MD5 of RFC 2195, XOAUTH2 and OAUTHBEARER of RFC 7628). USER/PASS and APOP
 * are POP3's own and are here; the SASL mechanisms are protocol-neutral ({@link SaslMechanism}),
 * framed as POP3's AUTH by {@link AuthCommand}, with the token retry of {@link OAuthLogin}. Nothing
 * secret reaches the trace: PASS, AUTH responses and APOP digests are shown redacted.
 */
final class Login {
  private static final Logger log = LoggerFactory.getLogger(Pop3Session.class);

  private final Pop3Connection ses;
  private final Pop3Settings s;
  private final AuthCommand auth;
  private final OAuthLogin oauth;

  Login(Pop3Connection ses) {
    this.ses = ses;
    this.s = ses.settings();
    this.auth = new AuthCommand(ses);
    this.oauth = new OAuthLogin(ses, auth);
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
        // only cost refreshes. The password itself refused with [AUTH] (RFC 3206: the credentials
        // are wrong): each other mechanism would only be refused again, and a server that counts
        // failed logins (fail2ban, a provider's lockout) would count three per run. CRAM-MD5 and
        // APOP may be refused for the server's own reasons (it keeps only a hash of the password),
        // so the next one is tried after them.
        boolean passwordRefused =
            (m == AuthMechanism.PLAIN || m == AuthMechanism.LOGIN)
                && Causes.find(e, LoginRefusal.class).map(LoginRefusal::credentials).orElse(false);
        if (ses.isBroken()
            || oauth.grantRefused()
            || passwordRefused
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
            throw auth.refusal(u, "USER");
          }
          ses.send(Pop3Commands.pass(password()));
          Reply p = auth.reply("logging in (PASS)");
          if (!p.ok()) {
            throw auth.refusal(p, "PASS");
          }
          return;
        }
      case PLAIN:
        auth.clientFirst(SaslMechanism.plain(s.user(), this::password), false);
        return;
      case LOGIN:
        auth.userThenPassword(SaslMechanism.login(s.user(), this::password));
        return;
      case CRAM_MD5:
        auth.challengeResponse(SaslMechanism.cramMd5(s.user(), this::password));
        return;
      case XOAUTH2:
      case OAUTHBEARER:
        oauth.login(m);
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
          Reply r = auth.reply("logging in (APOP)");
          if (!r.ok()) {
            throw auth.refusal(r, "APOP");
          }
          return;
        }
      default:
        throw new IllegalStateException(m.name());
    }
  }
}
