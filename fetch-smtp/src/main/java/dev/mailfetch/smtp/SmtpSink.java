package dev.mailfetch.smtp;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.smtp.internal.RelaySink;

/**
 * Hands each message to a mail server over SMTP (RFC 5321), the way fetchmail forwards to port 25:
 * STARTTLS required unless {@link SmtpSecurity#NONE} is chosen, AUTH where credentials are given,
 * PIPELINING, 8BITMIME, SMTPUTF8, SIZE and CHUNKING where offered.
 *
 * <pre>{@code
 * SmtpSink smtp = SmtpSink.builder()
 *     .host("mail.example.org")
 *     .recipients("alice@example.org")
 *     .journal(stateDir.resolve("smtp-journal"))
 *     .build();
 * }</pre>
 *
 * <p>A {@code 5xx} to MAIL, RCPT or the message is {@code SINK_REJECTED} (this message failed; the
 * engine quarantines it after repeated runs), a {@code 4xx} is {@code SINK_FAILED} (the message
 * stays on the server and is tried again), a {@code 421} or a dropped connection is {@code
 * SINK_FAILED} and stops the run. The message is sent at {@link Delivery#complete}, which returns
 * only after the server's {@code 250}. SMTP has no way to ask whether a server already took a
 * message: the journal records the intent before the message is sent and the {@code 250} after;
 * docs/sinks.md, "SMTP", has the window in which a crash sends a message twice.
 */
public final class SmtpSink extends RelayMessageSink {
  private SmtpSink(RelaySink core) {
    super(core);
  }

  /** A builder; see its settings. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String toString() {
    return "SmtpSink[" + core + "]";
  }

  /** Builds an {@link SmtpSink}. Each setting may be set once; mistakes fail at once, in words. */
  public static final class Builder extends RelayBuilder<Builder> {
    private Builder() {
      super(false);
    }

    @Override
    Builder self() {
      return this;
    }

    /** The server's host name (checked against its certificate). Required. */
    public Builder host(String host) {
      draft.host(host);
      return this;
    }

    /** The port; default 25 (465 with {@link SmtpSecurity#IMPLICIT_TLS}). */
    public Builder port(int port) {
      draft.port(port);
      return this;
    }

    /**
     * How the connection is protected; default {@link SmtpSecurity#STARTTLS}, required: a server
     * that does not offer it gets no credential and no message.
     */
    public Builder security(SmtpSecurity security) {
      draft.security(security);
      return this;
    }

    /**
     * Builds the sink; nothing is connected until the first message (or {@link SmtpSink#check()}).
     *
     * @throws IllegalStateException if something required is missing or settings contradict
     */
    public SmtpSink build() {
      return new SmtpSink(new RelaySink(draft.build()));
    }
  }
}
