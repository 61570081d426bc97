package dev.mailfetch.smtp;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.smtp.internal.RelayCheck;
import dev.mailfetch.smtp.internal.RelaySink;
import dev.mailfetch.smtp.internal.Settings;
import dev.mailfetch.smtp.internal.SettingsDraft;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Hands each message to a local delivery agent over LMTP (RFC 2033): Dovecot's, Cyrus's, Postfix's
 * own. Over TCP ({@link Builder#host} and {@link Builder#port}, default 24) or a Unix domain socket
 * ({@link Builder#socket}).
 *
 * <pre>{@code
 * LmtpSink lmtp = LmtpSink.builder()
 *     .socket(Path.of("/run/dovecot/lmtp"))
 *     .recipients("alice@example.org")
 *     .journal(stateDir.resolve("lmtp-journal"))
 *     .build();
 * }</pre>
 *
 * <p>LMTP answers once per recipient after the message: a message counts as delivered when every
 * recipient took it. Where only some did, those are recorded (in the journal) and the next run
 * delivers to the others alone. A {@code 5xx} is {@code SINK_REJECTED} (this message failed; the
 * engine quarantines it after repeated runs), a {@code 4xx} is {@code SINK_FAILED} (the message
 * stays on the server and is tried again), a {@code 421} or a dropped connection is {@code
 * SINK_FAILED} and stops the run. The message is sent at {@link Delivery#complete}, which returns
 * only after the server's answers. docs/sinks.md, "LMTP", has the guarantees and the window in
 * which a crash can deliver a message twice.
 */
public final class LmtpSink implements MessageSink {
  private final Settings settings;
  private final RelaySink core;

  private LmtpSink(Settings settings) {
    this.settings = settings;
    this.core = new RelaySink(settings);
  }

  /** A builder; see its settings. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Connects, secures, greets, logs in where credentials were given, and offers each recipient
   * (RCPT without DATA, then RSET): the steps that passed, in plain words. The {@code mailfetch
   * doctor} command calls it.
   *
   * @throws FetchException the typed error of the first step that failed
   */
  public List<String> check() throws FetchException {
    List<String> steps = new ArrayList<>();
    check(steps::add);
    return steps;
  }

  /**
   * As {@link #check()}, each step told to {@code passed} as it passes: a failure then still shows
   * what worked before it (the server reached, TLS, the login), as {@code mailfetch doctor --to}
   * prints it.
   *
   * @throws FetchException the typed error of the first step that failed, after the steps before it
   *     were told
   */
  public void check(Consumer<String> passed) throws FetchException {
    Objects.requireNonNull(passed, "passed");
    RelayCheck.check(settings, passed);
  }

  @Override
  public Delivery begin(Envelope envelope) throws IOException {
    return core.begin(envelope);
  }

  @Override
  public boolean contains(DeliveryKey key) throws IOException {
    return core.contains(key);
  }

  @Override
  public void sync() throws IOException {
    core.sync();
  }

  /** {@link LineEnding#LF}: each line end goes out as CRLF, so the sink needs to know only LF. */
  @Override
  public LineEnding lineEnding() {
    return LineEnding.LF;
  }

  @Override
  public void close() throws IOException {
    core.close();
  }

  @Override
  public String toString() {
    return "LmtpSink[" + core + "]";
  }

  /** Builds an {@link LmtpSink}. Each setting may be set once; mistakes fail at once, in words. */
  public static final class Builder {
    private final SettingsDraft draft = new SettingsDraft(true);

    private Builder() {}

    /** The server's host name (checked against its certificate where TLS is used). */
    public Builder host(String host) {
      draft.host(host);
      return this;
    }

    /** The port; default 24 (465 with {@link SmtpSecurity#IMPLICIT_TLS}). */
    public Builder port(int port) {
      draft.port(port);
      return this;
    }

    /** A Unix domain socket, instead of host and port (security {@link SmtpSecurity#NONE}). */
    public Builder socket(Path socket) {
      draft.socket(socket);
      return this;
    }

    /** How the connection is protected; default {@link SmtpSecurity#NONE} for LMTP. */
    public Builder security(SmtpSecurity security) {
      draft.security(security);
      return this;
    }

    /** The login name for AUTH; without it the sink does not log in. */
    public Builder user(String user) {
      draft.user(user);
      return this;
    }

    /** Where the password comes from, asked at each login. Needs {@link #user}. */
    public Builder password(Supplier<String> password) {
      draft.password(password);
      return this;
    }

    /** OAuth access tokens (XOAUTH2, OAUTHBEARER), asked at each login. Needs {@link #user}. */
    public Builder oauthTokens(TokenProvider tokens) {
      draft.oauthTokens(tokens);
      return this;
    }

    /**
     * Allow credentials over a TCP connection without TLS ({@link SmtpSecurity#NONE}): the password
     * or token is then readable by anyone on the network path.
     */
    public Builder allowPlaintextAuthentication(boolean allow) {
      draft.allowPlaintextAuthentication(allow);
      return this;
    }

    /** Your own TLS setup: another provider, a pinned trust store. Host names are still checked. */
    public Builder sslContext(SSLContext context) {
      draft.sslContext(context);
      return this;
    }

    /**
     * Trust exactly the CA certificates in this PEM file (a private server), instead of the JDK's
     * trust store. Host names are still checked.
     *
     * @throws IllegalArgumentException naming the file if it cannot be read or holds no certificate
     */
    public Builder trustPem(Path pemFile) {
      draft.trustPem(pemFile);
      return this;
    }

    /**
     * The envelope's recipients (RCPT TO), each a mail address or a local user of the LMTP server
     * ({@code "alice"}, as Dovecot's LMTP takes it). Required.
     */
    public Builder recipients(String... recipients) {
      draft.recipients(recipients);
      return this;
    }

    /**
     * The envelope's sender (MAIL FROM). Default: the address of the message's {@code Return-Path}
     * header, else the null sender {@code <>} (no bounce goes back).
     */
    public Builder sender(String sender) {
      draft.sender(sender);
      return this;
    }

    /**
     * The intent journal: a file that records each message before it is sent and the server's
     * {@code 250} after, so that a new sink knows what it delivered (see docs/sinks.md for the one
     * window in which a crash sends a message twice). Without it, the sink knows only what it sent
     * itself. The {@code mailfetch} command puts it in the account's state directory.
     */
    public Builder journal(Path file) {
      draft.journal(file);
      return this;
    }

    /** Caps and deadlines; default {@link SmtpLimits#defaults()}. */
    public Builder limits(SmtpLimits limits) {
      draft.limits(limits);
      return this;
    }

    /** The name this client greets with (EHLO, LHLO); default {@code localhost}. */
    public Builder heloName(String name) {
      draft.heloName(name);
      return this;
    }

    /**
     * Builds the sink; nothing is connected until the first message (or {@link LmtpSink#check()}).
     *
     * @throws IllegalStateException if something required is missing or settings contradict
     */
    public LmtpSink build() {
      return new LmtpSink(draft.build());
    }
  }
}
