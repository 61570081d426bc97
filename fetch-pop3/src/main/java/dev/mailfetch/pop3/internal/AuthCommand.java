package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.internal.sasl.SaslExchange;
import dev.mailfetch.api.internal.sasl.SaslMechanism;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * POP3's {@code AUTH} (RFC 5034) around a protocol-neutral {@link SaslMechanism}: the command, the
 * base64 lines, the final status, what POP3 servers do to them (quirks Q15, Q41, Q42) and the
 * bounds on challenges. It also reads every reply of the login, {@code USER}, {@code PASS} and
 * {@code APOP} included: a server that hangs up anywhere in it refused the credentials (quirk Q39).
 * Nothing secret reaches the trace: responses are shown redacted.
 */
final class AuthCommand {
  private final Pop3Connection ses;
  private final Pop3Settings s;

  /** The server closed the connection during login (quirk Q39): nothing more can be sent. */
  private boolean hungUp;

  AuthCommand(Pop3Connection ses) {
    this.ses = ses;
    this.s = ses.settings();
  }

  /** Whether the server closed the connection during the login (quirk Q39). */
  boolean hungUp() {
    return hungUp;
  }

  /**
   * A client-first mechanism (PLAIN, XOAUTH2, OAUTHBEARER): the initial response on the AUTH line
   * when it fits in 255 octets (RFC 5034 §4), else in two steps. With {@code q41}, a one-line form
   * refused with -ERR is retried in two steps (Microsoft 365, quirk Q41). A failure that comes as a
   * challenge (Google's and Microsoft's JSON, quirk Q42) is answered as the mechanism requires and
   * read to its final -ERR ({@link SaslExchange}).
   */
  void clientFirst(SaslMechanism m, boolean q41) throws FetchException {
    String mech = m.name();
    String doing = doing(m);
    String payload = b64(m.initialResponse());
    String oneLine = "AUTH " + mech + " " + payload;
    Reply r;
    if (oneLine.length() + 2 <= 255) {
      ses.send(Pop3Commands.auth(mech, payload));
      r = reply(doing);
      boolean refusedOneLine =
          !"AUTH".equals(r.code()) || r.text().toLowerCase(Locale.ROOT).contains("initial");
      if (r.kind() == Reply.Kind.ERR && q41 && refusedOneLine) {
        ses.noticed(QuirkId.Q41); // Microsoft 365 wants AUTH XOAUTH2, then the token alone
        r = twoStep(mech, payload, doing);
      }
    } else {
      r = twoStep(mech, payload, doing);
    }
    SaslExchange.finish(m, r, s.limits().maxSaslRounds(), new AfterResponse(mech, doing));
  }

  /**
   * LOGIN: {@code AUTH LOGIN}, then the mechanism's two answers, each to a challenge ({@code +} or,
   * quirk Q15, {@code +OK} with base64), then +OK. Its prompts are not checked against a bound:
   * LOGIN does not read them.
   */
  void userThenPassword(SaslMechanism m) throws FetchException {
    String step = "AUTH " + m.name();
    String doing = doing(m);
    ses.send(Pop3Commands.auth(m.name()));
    Reply r = reply(doing);
    for (int asked = 0; asked < 2; asked++) {
      if (!continuation(r)) {
        throw refusal(r, step);
      }
      ses.send(Pop3Commands.saslResponse(b64(m.respond(prompt(r.text())).orElseThrow())));
      r = reply(doing);
    }
    if (!r.ok()) {
      throw refusal(r, step);
    }
  }

  /**
   * A server-first mechanism of one challenge and one answer (CRAM-MD5, RFC 2195): the challenge
   * must be a base64 line no longer than {@code maxSaslChallenge}; the answer is one line, then
   * +OK. A challenge the mechanism will not answer (an empty one would make the answer replayable)
   * is cancelled, and nothing derived from the password is sent.
   */
  void challengeResponse(SaslMechanism m) throws FetchException {
    String step = "AUTH " + m.name();
    Reply r = authStart(m.name(), doing(m));
    byte[] challenge = challengeBytes(r.text());
    Optional<byte[]> answer = challenge == null ? Optional.empty() : m.respond(challenge);
    if (answer.isEmpty()) {
      ses.send(Pop3Commands.SASL_CANCEL);
      reply("cancelling " + step);
      throw new FetchException(
          FetchError.PROTOCOL,
          ses.server()
              + " sent an empty or non-base64 "
              + m.name()
              + " challenge;"
              + " the exchange was cancelled and nothing derived from the password was sent");
    }
    ses.send(Pop3Commands.saslResponse(b64(answer.get())));
    Reply done = reply(doing(m));
    if (!done.ok()) {
      throw refusal(done, step);
    }
  }

  private static String doing(SaslMechanism m) {
    return "logging in (AUTH " + m.name() + ")";
  }

  private Reply twoStep(String mech, String payload, String doing) throws FetchException {
    authStart(mech, doing);
    ses.send(Pop3Commands.saslResponse(payload));
    return reply(doing);
  }

  /** Sends {@code AUTH mech} with no initial response and returns the server's first challenge. */
  private Reply authStart(String mech, String doing) throws FetchException {
    ses.send(Pop3Commands.auth(mech));
    Reply r = reply(doing);
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
      throw refusal(r, "AUTH " + mech);
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
    return decode(b64);
  }

  /** A LOGIN prompt, decoded where it can be; LOGIN answers in order whatever it says. */
  private static byte[] prompt(String b64) {
    byte[] raw = decode(b64);
    return raw == null ? new byte[0] : raw;
  }

  private static byte[] decode(String b64) {
    try {
      return Base64.getDecoder().decode(b64.strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * A reply during login: end of stream here means the server dropped us for bad credentials (Q39).
   */
  Reply reply(String doing) throws FetchException {
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
                e)
            .withQuirk(QuirkId.Q39);
      }
      throw e;
    }
  }

  /** The error for {@code r}, a reply to {@code step} that is not the success due. */
  FetchException refusal(Reply r, String step) {
    if (r.kind() == Reply.Kind.OK || r.kind() == Reply.Kind.CONTINUATION) {
      return new FetchException(FetchError.PROTOCOL, "unexpected reply to " + step, r.line(), null);
    }
    return LoginRefusal.of(
        ses.server(),
        r,
        step,
        ses.capabilities().has("AUTH-RESP-CODE")); // RFC 3206: only [AUTH] means bad credentials
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** The rounds after the client's first message, in POP3's words. */
  private final class AfterResponse implements SaslExchange.Server<Reply> {
    private final String mech;
    private final String doing;

    AfterResponse(String mech, String doing) {
      this.mech = mech;
      this.doing = doing;
    }

    @Override
    public boolean succeeded(Reply r) {
      return r.ok();
    }

    @Override
    public boolean challenges(Reply r) {
      return r.kind() == Reply.Kind.CONTINUATION;
    }

    @Override
    public byte[] challenge(Reply r) throws FetchException {
      byte[] raw = challengeBytes(r.text());
      return raw == null ? new byte[0] : raw;
    }

    @Override
    public Reply answer(Optional<byte[]> response) throws FetchException {
      ses.noticed(QuirkId.Q42);
      ses.send(Pop3Commands.saslAcknowledgement(response.map(AuthCommand::b64).orElse("*")));
      return reply(doing);
    }

    @Override
    public FetchException endless() {
      ses.markBroken();
      return new FetchException(
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

    @Override
    public FetchException credentialExpired(Reply r) {
      // OAuthLogin tells the provider and tries a fresh token once.
      return new FetchException(
          FetchError.AUTH_TOKEN_EXPIRED,
          ses.server()
              + " refused the access token as expired or"
              + " revoked; ask the token provider for a fresh one",
          r.line(),
          null);
    }

    @Override
    public FetchException refused(Reply r) {
      return refusal(r, "AUTH " + mech);
    }
  }
}
