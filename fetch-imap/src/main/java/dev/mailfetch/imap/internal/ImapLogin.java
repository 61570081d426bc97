package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.sasl.SaslExchange;
import dev.mailfetch.api.internal.sasl.SaslMechanism;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Logs a session in: the first of the allowed methods the server offers, LOGIN with the user name
 * and password as strings (literals where they need it), or AUTHENTICATE through the one shared
 * SASL implementation, driven by {@link SaslExchange#finish}. Credentials go only over TLS unless
 * plain text was allowed, and never where the server says LOGINDISABLED.
 */
final class ImapLogin {
  private final ImapConnection c;
  private final ImapSettings s;
  private final ImapFailures.Role role;

  ImapLogin(ImapConnection c, ImapFailures.Role role) {
    this.c = c;
    this.s = c.settings();
    this.role = role;
  }

  /** The method to use: the first of {@code allowed} the server offers with these credentials. */
  LoginMethod choose(List<LoginMethod> allowed) throws FetchException {
    ImapCapabilities caps = c.capabilities();
    for (LoginMethod m : allowed) {
      boolean token = m == LoginMethod.XOAUTH2 || m == LoginMethod.OAUTHBEARER;
      if (token ? s.tokens() == null : s.password() == null) {
        continue;
      }
      if (m == LoginMethod.LOGIN ? !caps.has("LOGINDISABLED") : caps.has("AUTH=" + m.saslName())) {
        return m;
      }
    }
    throw new FetchException(
        FetchError.AUTH_FAILED,
        c.server()
            + " offers no login method allowed here with the credentials given (it offers: "
            + (caps.has("LOGINDISABLED") ? "no LOGIN" : "LOGIN")
            + (caps.saslMechanisms().isEmpty() ? "" : ", AUTHENTICATE " + caps.saslMechanisms())
            + "); nothing was sent",
        null,
        null,
        s.advice().noLoginMethod());
  }

  /** Logs in with {@code method}; returns the tagged OK. */
  TaggedReply login(LoginMethod method) throws FetchException {
    if (!c.secured() && !s.allowPlaintextAuthentication()) {
      throw new FetchException(
          FetchError.CONFIGURATION,
          "the connection to "
              + c.server()
              + " is not encrypted, and credentials are sent only over TLS; nothing was sent",
          null,
          null,
          s.advice().plaintextRefused());
    }
    if (method == LoginMethod.LOGIN) {
      return password();
    }
    return authenticate(method);
  }

  private TaggedReply password() throws FetchException {
    TaggedReply r =
        c.run(
            ImapCommand.of("LOGIN")
                .string(s.user(), c.capabilities().has("UTF8=ACCEPT"))
                .string(s.password().get(), false)
                .secret()
                .build());
    if (!r.ok()) {
      throw ImapFailures.loginRefused(r, c.server(), role, false);
    }
    return r;
  }

  /**
   * AUTHENTICATE with {@code method}; with a token refused (expired or revoked: the token's error
   * challenge, or a bare NO as Microsoft's {@code AUTHENTICATE failed.}), the provider is told
   * ({@link dev.mailfetch.api.TokenProvider#invalidate}) and, where it hands out a fresh token, the
   * login is tried once more with that one: a refresh-token provider recovers from a token revoked
   * before its time.
   */
  private TaggedReply authenticate(LoginMethod method) throws FetchException {
    boolean withToken = method == LoginMethod.XOAUTH2 || method == LoginMethod.OAUTHBEARER;
    try {
      return authenticateOnce(method);
    } catch (FetchException e) {
      String refused = sentToken;
      boolean tokenRefused =
          e.error() == FetchError.AUTH_TOKEN_EXPIRED || e.error() == FetchError.AUTH_FAILED;
      if (!withToken || refused == null || !tokenRefused || c.broken()) {
        throw e;
      }
      s.tokens().invalidate(refused);
      if (token().equals(refused)) {
        throw e; // a provider that cannot refresh: the refusal stands
      }
      return authenticateOnce(method);
    }
  }

  /** The token the last AUTHENTICATE sent; null before one was had. */
  private String sentToken;

  private TaggedReply authenticateOnce(LoginMethod method) throws FetchException {
    sentToken = null;
    boolean saslIr = c.capabilities().has("SASL-IR");
    try {
      return authenticate(method, saslIr);
    } catch (FetchException e) {
      // A server that announces SASL-IR and then refuses the initial response with BAD (GreenMail
      // 2.1) is asked once more the classic way; a NO is its answer to the credentials.
      if (saslIr && lastBad) {
        return authenticate(method, false);
      }
      throw e;
    }
  }

  private boolean lastBad;

  private TaggedReply authenticate(LoginMethod method, boolean saslIr) throws FetchException {
    lastBad = false;
    SaslMechanism mech = mechanism(method);
    ImapCommand.Builder cmd = ImapCommand.of("AUTHENTICATE").atom(mech.name()).secret();
    byte[] initial = mech.clientFirst() ? mech.initialResponse() : null;
    if (initial != null && saslIr) {
      cmd.atom(initial.length == 0 ? "=" : base64(initial));
    }
    String tag = c.send(cmd.build());
    ImapLine reply = c.continuation(tag);
    if (initial != null && !saslIr && reply.kind() == ImapLine.Kind.CONTINUATION) {
      c.sendSecretLine(base64(initial));
      reply = c.continuation(tag);
    }
    SaslExchange.finish(mech, reply, s.limits().maxSaslRounds(), new Server(tag));
    return c.await(tag);
  }

  private SaslMechanism mechanism(LoginMethod m) throws FetchException {
    return switch (m) {
      case AUTHENTICATE_PLAIN -> SaslMechanism.plain(s.user(), s.password());
      case AUTHENTICATE_LOGIN -> SaslMechanism.login(s.user(), s.password());
      case XOAUTH2 -> SaslMechanism.xoauth2(s.user(), sent());
      case OAUTHBEARER -> SaslMechanism.oauthBearer(s.user(), s.host(), s.port(), sent());
      case LOGIN, PREAUTH -> throw new IllegalArgumentException(m + " is no SASL mechanism");
    };
  }

  /** A token for the exchange about to start, kept as {@link #sentToken}. */
  private String sent() throws FetchException {
    sentToken = token();
    return sentToken;
  }

  private String token() throws FetchException {
    try {
      return s.tokens().accessToken();
    } catch (FetchException e) {
      throw e;
    } catch (IOException e) {
      throw new FetchException(
          FetchError.AUTH_FAILED,
          "no OAuth access token for "
              + c.server()
              + ": "
              + FetchException.escape(String.valueOf(e.getMessage())),
          e);
    }
  }

  private static String base64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  /** IMAP's side of a SASL exchange: {@code +} lines are challenges, the tagged reply ends it. */
  private final class Server implements SaslExchange.Server<ImapLine> {
    private final String tag;

    Server(String tag) {
      this.tag = tag;
    }

    @Override
    public boolean succeeded(ImapLine reply) {
      return reply.kind() == ImapLine.Kind.TAGGED && reply.name().equals("OK");
    }

    @Override
    public boolean challenges(ImapLine reply) {
      return reply.kind() == ImapLine.Kind.CONTINUATION;
    }

    @Override
    public byte[] challenge(ImapLine reply) throws FetchException {
      String text = reply.wire().length() > 2 ? reply.wire().substring(2).trim() : "";
      if (text.length() > s.limits().maxSaslChallenge()) {
        throw new FetchException(
            FetchError.LIMIT_EXCEEDED,
            c.server() + " sent a login challenge longer than " + s.limits().maxSaslChallenge());
      }
      try {
        return Base64.getDecoder().decode(text.getBytes(StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        return new byte[0];
      }
    }

    @Override
    public ImapLine answer(Optional<byte[]> response) throws FetchException {
      c.sendSecretLine(response.map(ImapLogin::base64).orElse("*"));
      return c.continuation(tag);
    }

    @Override
    public FetchException endless() {
      c.close();
      return new FetchException(
          FetchError.AUTH_FAILED,
          c.server()
              + " kept challenging the login past "
              + s.limits().maxSaslRounds()
              + " rounds; the connection was closed");
    }

    @Override
    public FetchException credentialExpired(ImapLine reply) {
      try {
        c.await(tag); // the NO that ends the exchange: the session can log in again after it
      } catch (FetchException e) {
        return e;
      }
      return new FetchException(
          FetchError.AUTH_TOKEN_EXPIRED,
          c.server() + " refused the OAuth access token as expired or revoked",
          reply.wire(),
          null);
    }

    @Override
    public FetchException refused(ImapLine reply) {
      try {
        TaggedReply r = c.await(tag);
        lastBad = r.status().equals("BAD");
        return ImapFailures.loginRefused(r, c.server(), role, sentToken != null);
      } catch (FetchException e) {
        return e;
      }
    }
  }
}
