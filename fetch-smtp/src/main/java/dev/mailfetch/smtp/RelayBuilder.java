package dev.mailfetch.smtp;

import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.smtp.internal.SettingsDraft;
import java.nio.file.Path;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The settings {@link LmtpSink.Builder} and {@link SmtpSink.Builder} share: credentials, TLS trust,
 * the envelope, the journal, limits and the greeting name. Each builder adds where its server is
 * (host, port, LMTP's socket) and how the connection is protected, whose defaults differ. Each
 * setting may be set once; mistakes fail at once, in words ({@link SettingsDraft}).
 *
 * @param <B> the builder itself, so that each setting returns it
 */
abstract class RelayBuilder<B extends RelayBuilder<B>> {
  final SettingsDraft draft;

  RelayBuilder(boolean lmtp) {
    this.draft = new SettingsDraft(lmtp);
  }

  abstract B self();

  /** The login name for AUTH; without it the sink does not log in. */
  public final B user(String user) {
    draft.user(user);
    return self();
  }

  /** Where the password comes from, asked at each login. Needs {@link #user}. */
  public final B password(Supplier<String> password) {
    draft.password(password);
    return self();
  }

  /** OAuth access tokens (XOAUTH2, OAUTHBEARER), asked at each login. Needs {@link #user}. */
  public final B oauthTokens(TokenProvider tokens) {
    draft.oauthTokens(tokens);
    return self();
  }

  /**
   * Allow credentials over a TCP connection without TLS ({@link SmtpSecurity#NONE}): the password
   * or token is then readable by anyone on the network path.
   */
  public final B allowPlaintextAuthentication(boolean allow) {
    draft.allowPlaintextAuthentication(allow);
    return self();
  }

  /** Your own TLS setup: another provider, a pinned trust store. Host names are still checked. */
  public final B sslContext(SSLContext context) {
    draft.sslContext(context);
    return self();
  }

  /**
   * Trust exactly the CA certificates in this PEM file (a private server), instead of the JDK's
   * trust store. Host names are still checked.
   *
   * @throws IllegalArgumentException naming the file if it cannot be read or holds no certificate
   */
  public final B trustPem(Path pemFile) {
    draft.trustPem(pemFile);
    return self();
  }

  /** The envelope's recipients (RCPT TO), each a mail address. Required. */
  public final B recipients(String... recipients) {
    draft.recipients(recipients);
    return self();
  }

  /**
   * The envelope's sender (MAIL FROM). Default: the address of the message's {@code Return-Path}
   * header, else the null sender {@code <>} (no bounce goes back).
   */
  public final B sender(String sender) {
    draft.sender(sender);
    return self();
  }

  /**
   * The intent journal: a file that records each message before it is sent and the server's {@code
   * 250} after, so that a new sink knows what it delivered (see docs/sinks.md for the one window in
   * which a crash sends a message twice). Without it, the sink knows only what it sent itself. The
   * {@code mailfetch} command puts it in the account's state directory.
   */
  public final B journal(Path file) {
    draft.journal(file);
    return self();
  }

  /** Caps and deadlines; default {@link SmtpLimits#defaults()}. */
  public final B limits(SmtpLimits limits) {
    draft.limits(limits);
    return self();
  }

  /** The name this client greets with (EHLO, LHLO); default {@code localhost}. */
  public final B heloName(String name) {
    draft.heloName(name);
    return self();
  }
}
