package dev.mailfetch.smtp;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.smtp.internal.RelaySink;
import java.nio.file.Path;

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
public final class LmtpSink extends RelayMessageSink {
  private LmtpSink(RelaySink core) {
    super(core);
  }

  /** A builder; see its settings. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String toString() {
    return "LmtpSink[" + core + "]";
  }

  /** Builds an {@link LmtpSink}. Each setting may be set once; mistakes fail at once, in words. */
  public static final class Builder extends RelayBuilder<Builder> {
    private Builder() {
      super(true);
    }

    @Override
    Builder self() {
      return this;
    }

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

    /**
     * Builds the sink; nothing is connected until the first message (or {@link LmtpSink#check()}).
     *
     * @throws IllegalStateException if something required is missing or settings contradict
     */
    public LmtpSink build() {
      return new LmtpSink(new RelaySink(draft.build()));
    }
  }
}
