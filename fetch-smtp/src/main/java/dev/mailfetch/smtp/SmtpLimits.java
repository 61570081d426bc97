package dev.mailfetch.smtp;

import dev.mailfetch.api.internal.Require;
import java.time.Duration;
import java.util.Objects;

/**
 * Every cap and deadline of an SMTP or LMTP session, in one immutable value, so that no server can
 * make the client hang or grow without bound. A deadline that passes is {@code SINK_FAILED} saying
 * what was awaited (and the run stops: the destination does not answer); a reply past a cap is
 * {@code SINK_FAILED} naming the setting. Build one with {@link #builder()}, take {@link
 * #defaults()}, or change some of an existing one with {@link #toBuilder()}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>why</th></tr>
 *   <tr><td>{@link #connectTimeout()}</td><td>30 s</td><td>TCP or Unix socket connect</td></tr>
 *   <tr><td>{@link #handshakeTimeout()}</td><td>30 s</td><td>TLS handshake</td></tr>
 *   <tr><td>{@link #replyTimeout()}</td><td>5 min</td><td>any reply line (RFC 5321 §4.5.3.2 asks 5 min for MAIL and RCPT)</td></tr>
 *   <tr><td>{@link #dataTimeout()}</td><td>10 min</td><td>the reply after the message's end (RFC 5321 §4.5.3.2: 10 min)</td></tr>
 *   <tr><td>{@link #maxReplyLine()}</td><td>4 KiB</td><td>one reply line (RFC 5321: 512 octets)</td></tr>
 *   <tr><td>{@link #maxReplyLines()}</td><td>200</td><td>lines of one reply (the EHLO list)</td></tr>
 *   <tr><td>{@link #maxSaslRounds()}</td><td>10</td><td>challenges of one AUTH</td></tr>
 *   <tr><td>{@link #spoolInMemory()}</td><td>1 MiB</td><td>a message larger than this is spooled to a temporary file</td></tr>
 * </table>
 */
public final class SmtpLimits {
  /** Default of {@link #connectTimeout()}: 30 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** Default of {@link #handshakeTimeout()}: 30 seconds. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

  /** Default of {@link #replyTimeout()}: 5 minutes. */
  public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofMinutes(5);

  /** Default of {@link #dataTimeout()}: 10 minutes. */
  public static final Duration DEFAULT_DATA_TIMEOUT = Duration.ofMinutes(10);

  /** Default of {@link #maxReplyLine()}: {@value} bytes. */
  public static final int DEFAULT_MAX_REPLY_LINE = 4096;

  /** Default of {@link #maxReplyLines()}: {@value} lines. */
  public static final int DEFAULT_MAX_REPLY_LINES = 200;

  /** Default of {@link #maxSaslRounds()}: {@value}. */
  public static final int DEFAULT_MAX_SASL_ROUNDS = 10;

  /** Default of {@link #spoolInMemory()}: {@value} bytes (1 MiB). */
  public static final int DEFAULT_SPOOL_IN_MEMORY = 1 << 20;

  private static final SmtpLimits DEFAULTS = new Builder().build();

  private final Duration connectTimeout;
  private final Duration handshakeTimeout;
  private final Duration replyTimeout;
  private final Duration dataTimeout;
  private final int maxReplyLine;
  private final int maxReplyLines;
  private final int maxSaslRounds;
  private final int spoolInMemory;

  private SmtpLimits(Builder b) {
    this.connectTimeout = b.connectTimeout;
    this.handshakeTimeout = b.handshakeTimeout;
    this.replyTimeout = b.replyTimeout;
    this.dataTimeout = b.dataTimeout;
    this.maxReplyLine = b.maxReplyLine;
    this.maxReplyLines = b.maxReplyLines;
    this.maxSaslRounds = b.maxSaslRounds;
    this.spoolInMemory = b.spoolInMemory;
  }

  /** The defaults in the table above. */
  public static SmtpLimits defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this value; each setting may then be changed once. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.connectTimeout = connectTimeout;
    b.handshakeTimeout = handshakeTimeout;
    b.replyTimeout = replyTimeout;
    b.dataTimeout = dataTimeout;
    b.maxReplyLine = maxReplyLine;
    b.maxReplyLines = maxReplyLines;
    b.maxSaslRounds = maxSaslRounds;
    b.spoolInMemory = spoolInMemory;
    return b;
  }

  /** How long connecting may take. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** How long the TLS handshake may take. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** How long any reply line may take, but the one after the message's end. */
  public Duration replyTimeout() {
    return replyTimeout;
  }

  /** How long the reply (LMTP: each reply) after the message's end may take. */
  public Duration dataTimeout() {
    return dataTimeout;
  }

  /** The longest reply line read, in bytes. */
  public int maxReplyLine() {
    return maxReplyLine;
  }

  /** The most lines one reply may have. */
  public int maxReplyLines() {
    return maxReplyLines;
  }

  /** The most challenges of one AUTH exchange. */
  public int maxSaslRounds() {
    return maxSaslRounds;
  }

  /** The largest message kept in memory between {@code write} and its sending; beyond, a file. */
  public int spoolInMemory() {
    return spoolInMemory;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SmtpLimits l
        && connectTimeout.equals(l.connectTimeout)
        && handshakeTimeout.equals(l.handshakeTimeout)
        && replyTimeout.equals(l.replyTimeout)
        && dataTimeout.equals(l.dataTimeout)
        && maxReplyLine == l.maxReplyLine
        && maxReplyLines == l.maxReplyLines
        && maxSaslRounds == l.maxSaslRounds
        && spoolInMemory == l.spoolInMemory;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        connectTimeout,
        handshakeTimeout,
        replyTimeout,
        dataTimeout,
        maxReplyLine,
        maxReplyLines,
        maxSaslRounds,
        spoolInMemory);
  }

  @Override
  public String toString() {
    return "SmtpLimits[connectTimeout="
        + connectTimeout
        + ", handshakeTimeout="
        + handshakeTimeout
        + ", replyTimeout="
        + replyTimeout
        + ", dataTimeout="
        + dataTimeout
        + ", maxReplyLine="
        + maxReplyLine
        + ", maxReplyLines="
        + maxReplyLines
        + ", maxSaslRounds="
        + maxSaslRounds
        + ", spoolInMemory="
        + spoolInMemory
        + "]";
  }

  /** Builds {@link SmtpLimits}; each setting may be set once, and is checked when given. */
  public static final class Builder {
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private Duration replyTimeout = DEFAULT_REPLY_TIMEOUT;
    private Duration dataTimeout = DEFAULT_DATA_TIMEOUT;
    private int maxReplyLine = DEFAULT_MAX_REPLY_LINE;
    private int maxReplyLines = DEFAULT_MAX_REPLY_LINES;
    private int maxSaslRounds = DEFAULT_MAX_SASL_ROUNDS;
    private int spoolInMemory = DEFAULT_SPOOL_IN_MEMORY;
    private final Require.Once once = new Require.Once();

    private Builder() {}

    /** See {@link SmtpLimits#connectTimeout()}. */
    public Builder connectTimeout(Duration d) {
      once.set("connectTimeout", connectTimeout);
      connectTimeout = Require.positive("connectTimeout", d);
      return this;
    }

    /** See {@link SmtpLimits#handshakeTimeout()}. */
    public Builder handshakeTimeout(Duration d) {
      once.set("handshakeTimeout", handshakeTimeout);
      handshakeTimeout = Require.positive("handshakeTimeout", d);
      return this;
    }

    /** See {@link SmtpLimits#replyTimeout()}. */
    public Builder replyTimeout(Duration d) {
      once.set("replyTimeout", replyTimeout);
      replyTimeout = Require.positive("replyTimeout", d);
      return this;
    }

    /** See {@link SmtpLimits#dataTimeout()}. */
    public Builder dataTimeout(Duration d) {
      once.set("dataTimeout", dataTimeout);
      dataTimeout = Require.positive("dataTimeout", d);
      return this;
    }

    /** See {@link SmtpLimits#maxReplyLine()}; from 512 (RFC 5321's own) to 1 MiB. */
    public Builder maxReplyLine(int bytes) {
      once.set("maxReplyLine", maxReplyLine);
      maxReplyLine = Require.range("maxReplyLine", bytes, 512, 1 << 20);
      return this;
    }

    /** See {@link SmtpLimits#maxReplyLines()}; from 1 to 100,000. */
    public Builder maxReplyLines(int lines) {
      once.set("maxReplyLines", maxReplyLines);
      maxReplyLines = Require.range("maxReplyLines", lines, 1, 100_000);
      return this;
    }

    /** See {@link SmtpLimits#maxSaslRounds()}; from 1 to 100. */
    public Builder maxSaslRounds(int rounds) {
      once.set("maxSaslRounds", maxSaslRounds);
      maxSaslRounds = Require.range("maxSaslRounds", rounds, 1, 100);
      return this;
    }

    /** See {@link SmtpLimits#spoolInMemory()}; from 0 (always a file) to 64 MiB. */
    public Builder spoolInMemory(int bytes) {
      once.set("spoolInMemory", spoolInMemory);
      spoolInMemory = Require.range("spoolInMemory", bytes, 0, 64 << 20);
      return this;
    }

    /** The limits. */
    public SmtpLimits build() {
      return new SmtpLimits(this);
    }
  }
}
