package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.sasl.Password;
import dev.mailfetch.api.internal.sasl.SaslExchange;
import dev.mailfetch.api.internal.sasl.SaslMechanism;
import java.io.IOException;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * AUTH (RFC 4954) through the one SASL implementation of mailfetch: the strongest mechanism the
 * server offers for the credential given (XOAUTH2, then OAUTHBEARER for a token; PLAIN, then LOGIN
 * for a password), the initial response sent with the command ({@code =} for an empty one), and
 * each {@code 334} challenge answered by {@link SaslExchange#finish}. Nothing it sends is traced.
 */
final class SmtpLogin {
  private SmtpLogin() {}

  /**
   * Logs in; the mechanism's name. An access token the server refuses (as expired or revoked, or
   * with a bare {@code 535}) is invalidated at the provider, which is asked once more; where it
   * gives another token, that one is tried once with a new AUTH in the same session, as
   * fetch-pop3's OAuth login does. A second refusal is the grant's, not the token's.
   */
  static String logIn(SmtpSession session) throws FetchException {
    Settings s = session.s;
    if (s.tokens() == null) {
      return logIn(session, null);
    }
    String token = token(s);
    try {
      return logIn(session, token);
    } catch (FetchException e) {
      if (!tokenRefused(e)) {
        throw e;
      }
      s.tokens().invalidate(token);
      String fresh = token(s);
      if (fresh.equals(token)) {
        throw e; // a provider that cannot refresh: the refusal stands
      }
      try {
        return logIn(session, fresh);
      } catch (FetchException e2) {
        if (!tokenRefused(e2)) {
          throw e2;
        }
        s.tokens().invalidate(fresh);
        throw Failures.tokenRefusedTwice(s, e2);
      }
    }
  }

  /** A refusal of the credential itself, not a session that ended or broke. */
  private static boolean tokenRefused(FetchException e) {
    return e.error() == FetchError.AUTH_TOKEN_EXPIRED || e.error() == FetchError.AUTH_FAILED;
  }

  private static String token(Settings s) throws FetchException {
    String t;
    try {
      t = s.tokens().accessToken();
    } catch (FetchException e) {
      throw e;
    } catch (IOException e) {
      throw new FetchException(
          FetchError.AUTH_FAILED, "no OAuth token for " + s.user() + ": " + e.getMessage(), e);
    }
    if (t == null || t.isEmpty() || t.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 1)) {
      throw new FetchException(
          FetchError.CONFIGURATION,
          "the token provider gave no usable access token for " + s.user());
    }
    return t;
  }

  /** One AUTH with {@code token}, or with the password where it is null. */
  private static String logIn(SmtpSession session, String token) throws FetchException {
    Settings s = session.s;
    String offered = session.extensions().getOrDefault("AUTH", "");
    Set<String> mechanisms = new HashSet<>(List.of(offered.toUpperCase(Locale.ROOT).split("\\s+")));
    SaslMechanism m;
    if (token != null) {
      if (mechanisms.contains("XOAUTH2")) {
        m = SaslMechanism.xoauth2(s.user(), token);
      } else if (mechanisms.contains("OAUTHBEARER")) {
        m = SaslMechanism.oauthBearer(s.user(), s.host(), s.port(), token);
      } else {
        throw Failures.noMechanism(s, offered);
      }
    } else {
      Password password =
          () -> {
            String p = s.password().get();
            if (p == null
                || p.isEmpty()
                || p.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
              throw new FetchException(
                  FetchError.AUTH_FAILED,
                  "the sink's password source gave no usable password (empty, or with CR, LF or NUL)");
            }
            return p;
          };
      if (mechanisms.contains("PLAIN")) {
        m = SaslMechanism.plain(s.user(), password);
      } else if (mechanisms.contains("LOGIN")) {
        m = SaslMechanism.login(s.user(), password);
      } else {
        throw Failures.noMechanism(s, offered);
      }
    }
    if (m.clientFirst()) {
      byte[] first = m.initialResponse();
      String b64 = first.length == 0 ? "=" : Base64.getEncoder().encodeToString(first);
      session.secretCommand("AUTH " + m.name() + " " + b64, "AUTH " + m.name());
    } else {
      session.command("AUTH " + m.name());
    }
    Reply first = session.read(s.limits().replyTimeout());
    SaslExchange.finish(
        m,
        first,
        s.limits().maxSaslRounds(),
        new SaslExchange.Server<Reply>() {
          @Override
          public boolean succeeded(Reply r) {
            return r.code() == 235;
          }

          @Override
          public boolean challenges(Reply r) {
            return r.code() == 334;
          }

          @Override
          public byte[] challenge(Reply r) {
            try {
              return Base64.getMimeDecoder().decode(r.lines().isEmpty() ? "" : r.lines().get(0));
            } catch (IllegalArgumentException e) {
              return new byte[0];
            }
          }

          @Override
          public Reply answer(Optional<byte[]> response) throws FetchException {
            if (response.isPresent()) {
              session.secretCommand(Base64.getEncoder().encodeToString(response.get()), "");
            } else {
              session.command("*");
            }
            return session.read(s.limits().replyTimeout());
          }

          @Override
          public FetchException endless() {
            return Failures.protocol(
                s,
                "AUTH went on past " + s.limits().maxSaslRounds() + " challenges (maxSaslRounds)");
          }

          @Override
          public FetchException credentialExpired(Reply r) {
            return Failures.authRefused(s, r, true);
          }

          @Override
          public FetchException refused(Reply r) {
            if (r.code() == 421) {
              return Failures.sessionLost(s, "ended the session during AUTH", r, null);
            }
            return Failures.authRefused(s, r, false);
          }
        });
    return m.name();
  }
}
