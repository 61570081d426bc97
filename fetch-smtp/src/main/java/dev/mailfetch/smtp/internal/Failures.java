package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.net.ConnectException;

/**
 * The words of every failure of a delivery over SMTP or LMTP, in one place, and what each means for
 * the engine: {@code SINK_REJECTED} for a message the server refused for good ({@code 5xx}), {@code
 * SINK_FAILED} for one it refused for now ({@code 4xx}), and {@code SINK_FAILED} caused by a {@link
 * ConnectException} for a server that went away or does not answer ({@code 421}, a dropped
 * connection, a deadline), which the engine reads as the place being unreachable and stops the run.
 */
final class Failures {
  private Failures() {}

  static FetchException rejected(Settings s, String step, Reply reply) {
    return new FetchException(
        FetchError.SINK_REJECTED,
        "the "
            + s.protocol()
            + " server "
            + s.server()
            + " refused the message for good at "
            + step,
        reply.text(),
        null,
        Remedy.of(
            "Read the server's reason. The message stays on the POP3 server; after repeated refusals it is"
                + " set aside (--retry-quarantined tries it again). Fix what the server names (a"
                + " --recipient, --sender, the message's size) or fetch this message another way.",
            "Read the server's reason. The message stays on the POP3 server; after repeated refusals it is"
                + " set aside (Fetcher.Builder.retryQuarantined(true) tries it again). Fix what the server"
                + " names ("
                + s.builder()
                + ".recipients(...) or sender(String), the message's size) or fetch this message"
                + " another way."));
  }

  static FetchException deferred(Settings s, String step, Reply reply) {
    return new FetchException(
        FetchError.SINK_FAILED,
        "the "
            + s.protocol()
            + " server "
            + s.server()
            + " refused the message for now at "
            + step
            + " (a temporary refusal)",
        reply.text(),
        null,
        Remedy.of(
            "Nothing to do unless it lasts: the message stays on the POP3 server and is tried again at the"
                + " next run. If it keeps coming, read the server's reason (a full mailbox, a greylist)."));
  }

  /** The server ended the session (421), dropped it, or did not answer: the run stops. */
  static FetchException sessionLost(Settings s, String what, Reply reply, Throwable cause) {
    ConnectException gone =
        new ConnectException("the " + s.protocol() + " server " + s.server() + " " + what);
    if (cause != null) {
      gone.initCause(cause);
    }
    return new FetchException(
        FetchError.SINK_FAILED,
        "the " + s.protocol() + " server " + s.server() + " " + what,
        reply == null ? null : reply.text(),
        gone,
        Remedy.of(
            "Check that the mail server is up and reachable, then run again: nothing was lost, the message is"
                + " still on the POP3 server."));
  }

  static FetchException tooLarge(Settings s, long size, long max) {
    return new FetchException(
        FetchError.SINK_REJECTED,
        "the message ("
            + size
            + " bytes) is larger than the "
            + s.protocol()
            + " server "
            + s.server()
            + " takes (SIZE "
            + max
            + "); it was not sent",
        null,
        null,
        Remedy.of(
            "Ask the destination's administrator to raise its message size limit, or fetch this message"
                + " another way; it stays on the POP3 server."));
  }

  static FetchException tlsNotOffered(Settings s, Reply ehlo) {
    return new FetchException(
        FetchError.TLS_REQUIRED_NOT_OFFERED,
        "the "
            + s.protocol()
            + " server "
            + s.server()
            + " does not offer STARTTLS, so no credential and no message was sent",
        ehlo == null ? null : ehlo.text(),
        null,
        Remedy.of(
            "Use implicit TLS (smtps://, port 465) if the server offers it. Sending without TLS needs --sink-tls"
                + " none (and, to send a password, --sink-allow-plaintext-auth) and exposes the mail"
                + " (and any password) to anyone on the network path.",
            "Use "
                + s.builder()
                + ".security(SmtpSecurity.IMPLICIT_TLS) (port 465) if the server offers it. Sending"
                + " without TLS needs security(SmtpSecurity.NONE) and exposes the mail (and any"
                + " password, with allowPlaintextAuthentication(true)) to anyone on the network"
                + " path."));
  }

  /** The server refused STARTTLS after offering it: nothing more is sent in plain text. */
  static FetchException startTlsRefused(Settings s, Reply reply) {
    return new FetchException(
        FetchError.TLS_FAILED,
        "the "
            + s.protocol()
            + " server "
            + s.server()
            + " offered STARTTLS but refused it, so no credential and no message was sent",
        reply.text(),
        null,
        Tls.words(s).startTlsBroken());
  }

  static FetchException authRefused(Settings s, Reply reply, boolean expired) {
    return new FetchException(
        expired ? FetchError.AUTH_TOKEN_EXPIRED : FetchError.AUTH_FAILED,
        "the " + s.protocol() + " server " + s.server() + " refused the login of " + s.user(),
        reply == null ? null : reply.text(),
        null,
        Remedy.of(
            "Check the user in the --to URL and the secret given with --sink-password-env (or"
                + " --sink-password-file, --sink-oauth-token-env, --sink-oauth-token-file,"
                + " --sink-oauth-grant-file) for the destination server: the messages stay on the"
                + " POP3 server.",
            "Check the user(String) and password(Supplier) or oauthTokens(TokenProvider) given to "
                + s.builder()
                + " for the destination server: the messages stay on the source server."));
  }

  /** The server refused a token fresh from the provider, after refusing the one before. */
  static FetchException tokenRefusedTwice(Settings s, FetchException e) {
    return new FetchException(
        FetchError.AUTH_TOKEN_EXPIRED,
        "the "
            + s.protocol()
            + " server "
            + s.server()
            + " refused the access token of "
            + s.user()
            + ", and then a fresh one from the token provider too",
        e.serverReply().orElse(null),
        e,
        Remedy.of(
            "The grant itself does not open this account: check that it was made for this user"
                + " (usually the full address) with a scope that allows sending mail"
                + " (https://mail.google.com/ at Google), then authorize again with mailfetch oauth"
                + " and give it with --sink-oauth-grant-file.",
            "The grant itself does not open this account: check that it was made for this user"
                + " (usually the full address) with a scope that allows sending mail"
                + " (https://mail.google.com/ at Google), then authorize again and give "
                + s.builder()
                + ".oauthTokens(TokenProvider) the new grant's tokens."));
  }

  static FetchException noMechanism(Settings s, String offered) {
    return new FetchException(
        FetchError.AUTH_FAILED,
        "the "
            + s.protocol()
            + " server "
            + s.server()
            + " offers no login method this sink can use with its credentials (it offers: "
            + (offered.isEmpty() ? "none" : offered)
            + ")",
        null,
        null,
        Remedy.of(
            "Give the credential the server takes (--sink-password-env or --sink-password-file for"
                + " PLAIN or LOGIN, --sink-oauth-token-env and friends for XOAUTH2 or OAUTHBEARER),"
                + " or no user in the --to URL if the server needs no login.",
            "Give "
                + s.builder()
                + " the credential the server takes (password(Supplier) for PLAIN or LOGIN,"
                + " oauthTokens(TokenProvider) for XOAUTH2 or OAUTHBEARER), or no user(String) if"
                + " the server needs no login."));
  }

  static FetchException protocol(Settings s, String what) {
    return sessionLost(s, "broke the protocol: " + what, null, null);
  }
}
