package dev.mailfetch.pop3;

import dev.mailfetch.api.internal.Require;
import java.time.Duration;
import java.util.Objects;

/**
 * Every cap and deadline of a POP3 session, in one immutable value, so that no server can make the
 * client hang or grow without bound. Reaching a cap is {@code LIMIT_EXCEEDED} with the name of the
 * setting to raise; a deadline is {@code CONNECTION_TIMED_OUT} saying what was awaited. Build one
 * with {@link #builder()}, take {@link #defaults()}, or change some of an existing one with {@link
 * #toBuilder()}.
 *
 * <p>These caps are framing safety on the wire, not policy. Which messages a run fetches, and how
 * many a mailbox may list, is the engine's {@link dev.mailfetch.api.FetchLimits}: its {@code
 * maxMessageSize} (100 MiB) and {@code maxListing} (100,000) are reached long before {@link
 * #maxBodyBytesOnTheWire()} (1 GiB) and {@link #maxListingLinesOnTheWire()} (1,000,000), which only
 * stop a server that sends a body or a listing without end. The first cap reached decides: to fetch
 * more than these allow, raise both (the {@code mailfetch} command sets the body cap from its
 * {@code --max-message-size} itself).
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>why</th></tr>
 *   <tr><td>{@link #connectTimeout()}</td><td>30 s</td><td>TCP connect</td></tr>
 *   <tr><td>{@link #handshakeTimeout()}</td><td>30 s</td><td>TLS handshake (fetchmail CVE-2011-1947)</td></tr>
 *   <tr><td>{@link #readTimeout()}</td><td>120 s</td><td>silence between any two reads</td></tr>
 *   <tr><td>{@link #commandTimeout()}</td><td>300 s</td><td>one whole reply, so a trickling server cannot hold us (case R-04)</td></tr>
 *   <tr><td>{@link #maxStatusLine()}</td><td>64 KiB</td><td>greeting and status lines (RFC: 512; servers send 10 KiB, quirk Q06)</td></tr>
 *   <tr><td>{@link #maxListingLine()}</td><td>8 KiB</td><td>one UIDL, LIST or CAPA line</td></tr>
 *   <tr><td>{@link #maxListingLinesOnTheWire()}</td><td>1,000,000</td><td>lines of one listing, and the STAT count (case R-02); the engine's {@code FetchLimits.maxListing} decides first</td></tr>
 *   <tr><td>{@link #maxBodyBytesOnTheWire()}</td><td>1 GiB</td><td>bytes of one RETR body (case R-03); the engine's {@code FetchLimits.maxMessageSize} decides first</td></tr>
 *   <tr><td>{@link #maxSaslRounds()}</td><td>10</td><td>challenges of one AUTH (case A-05)</td></tr>
 *   <tr><td>{@link #maxSaslChallenge()}</td><td>64 KiB</td><td>one SASL challenge line</td></tr>
 *   <tr><td>{@link #keepAliveInterval()}</td><td>15 s</td><td>NOOP after this long without a command, while the caller works (quirk Q43)</td></tr>
 * </table>
 */
public final class Pop3Limits {
  /** Default of {@link #connectTimeout()}: 30 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** Default of {@link #handshakeTimeout()}: 30 seconds. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

  /** Default of {@link #readTimeout()}: 120 seconds. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(120);

  /** Default of {@link #commandTimeout()}: 300 seconds. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(300);

  /** Default of {@link #maxStatusLine()}: {@value} bytes (64 KiB). */
  public static final int DEFAULT_MAX_STATUS_LINE = 64 * 1024;

  /** Default of {@link #maxListingLine()}: {@value} bytes (8 KiB). */
  public static final int DEFAULT_MAX_LISTING_LINE = 8 * 1024;

  /** Default of {@link #maxListingLinesOnTheWire()}: {@value} lines. */
  public static final int DEFAULT_MAX_LISTING_LINES_ON_THE_WIRE = 1_000_000;

  /** Default of {@link #maxBodyBytesOnTheWire()}: {@value} bytes (1 GiB). */
  public static final long DEFAULT_MAX_BODY_BYTES_ON_THE_WIRE = 1L << 30;

  /** Default of {@link #maxSaslRounds()}: {@value} challenges. */
  public static final int DEFAULT_MAX_SASL_ROUNDS = 10;

  /** Default of {@link #maxSaslChallenge()}: {@value} bytes (64 KiB). */
  public static final int DEFAULT_MAX_SASL_CHALLENGE = 64 * 1024;

  /** Default of {@link #keepAliveInterval()}: 15 seconds. */
  public static final Duration DEFAULT_KEEP_ALIVE_INTERVAL = Duration.ofSeconds(15);

  private static final Pop3Limits DEFAULTS = builder().build();

  private final Duration connectTimeout;
  private final Duration handshakeTimeout;
  private final Duration readTimeout;
  private final Duration commandTimeout;
  private final int maxStatusLine;
  private final int maxListingLine;
  private final int maxListingLinesOnTheWire;
  private final long maxBodyBytesOnTheWire;
  private final int maxSaslRounds;
  private final int maxSaslChallenge;
  private final Duration keepAliveInterval;

  private Pop3Limits(Builder b) {
    this.connectTimeout = b.connectTimeout;
    this.handshakeTimeout = b.handshakeTimeout;
    this.readTimeout = b.readTimeout;
    this.commandTimeout = b.commandTimeout;
    this.maxStatusLine = b.maxStatusLine;
    this.maxListingLine = b.maxListingLine;
    this.maxListingLinesOnTheWire = b.maxListingLinesOnTheWire;
    this.maxBodyBytesOnTheWire = b.maxBodyBytesOnTheWire;
    this.maxSaslRounds = b.maxSaslRounds;
    this.maxSaslChallenge = b.maxSaslChallenge;
    this.keepAliveInterval = b.keepAliveInterval;
  }

  /** The documented defaults. */
  public static Pop3Limits defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from these limits: each setting may be set once more, the others keep their
   * values here.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.connectTimeout = connectTimeout;
    b.handshakeTimeout = handshakeTimeout;
    b.readTimeout = readTimeout;
    b.commandTimeout = commandTimeout;
    b.maxStatusLine = maxStatusLine;
    b.maxListingLine = maxListingLine;
    b.maxListingLinesOnTheWire = maxListingLinesOnTheWire;
    b.maxBodyBytesOnTheWire = maxBodyBytesOnTheWire;
    b.maxSaslRounds = maxSaslRounds;
    b.maxSaslChallenge = maxSaslChallenge;
    b.keepAliveInterval = keepAliveInterval;
    return b;
  }

  /** The time allowed to connect; default {@link #DEFAULT_CONNECT_TIMEOUT} (30 s). */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** The time allowed for the TLS handshake; default {@link #DEFAULT_HANDSHAKE_TIMEOUT} (30 s). */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** The longest silence between two reads; default {@link #DEFAULT_READ_TIMEOUT} (120 s). */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** The time allowed for one whole reply; default {@link #DEFAULT_COMMAND_TIMEOUT} (300 s). */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /**
   * The longest greeting or status line; default {@value #DEFAULT_MAX_STATUS_LINE} bytes (64 KiB).
   */
  public int maxStatusLine() {
    return maxStatusLine;
  }

  /**
   * The longest UIDL, LIST or CAPA line; default {@value #DEFAULT_MAX_LISTING_LINE} bytes (8 KiB).
   */
  public int maxListingLine() {
    return maxListingLine;
  }

  /**
   * The most lines of one listing, and the largest STAT count believed, before the session ends
   * with {@code LIMIT_EXCEEDED}; default {@value #DEFAULT_MAX_LISTING_LINES_ON_THE_WIRE}. Framing
   * safety against a listing without end: how many messages a run accepts is {@code
   * FetchLimits.maxListing} (100,000, {@code TOO_MANY_MESSAGES}), checked first.
   */
  public int maxListingLinesOnTheWire() {
    return maxListingLinesOnTheWire;
  }

  /**
   * The most bytes read of one message body before the session ends with {@code LIMIT_EXCEEDED};
   * default {@value #DEFAULT_MAX_BODY_BYTES_ON_THE_WIRE} (1 GiB). Framing safety against a body
   * without end: which messages a run fetches is {@code FetchLimits.maxMessageSize} (100 MiB),
   * checked first, on the listed size and on the bytes as they come.
   */
  public long maxBodyBytesOnTheWire() {
    return maxBodyBytesOnTheWire;
  }

  /** The most challenges of one AUTH; default {@value #DEFAULT_MAX_SASL_ROUNDS}. */
  public int maxSaslRounds() {
    return maxSaslRounds;
  }

  /** The longest SASL challenge line; default {@value #DEFAULT_MAX_SASL_CHALLENGE} (64 KiB). */
  public int maxSaslChallenge() {
    return maxSaslChallenge;
  }

  /**
   * After how long without a command a session sends NOOP on its own, while its caller is busy
   * between commands (a slow sink's barrier): servers such as Outlook.com drop a session idle for
   * about 60 seconds (quirk Q43), although RFC 1939 asks for at least 10 minutes. Default {@link
   * #DEFAULT_KEEP_ALIVE_INTERVAL} (15 s).
   */
  public Duration keepAliveInterval() {
    return keepAliveInterval;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Pop3Limits l
        && connectTimeout.equals(l.connectTimeout)
        && handshakeTimeout.equals(l.handshakeTimeout)
        && readTimeout.equals(l.readTimeout)
        && commandTimeout.equals(l.commandTimeout)
        && maxStatusLine == l.maxStatusLine
        && maxListingLine == l.maxListingLine
        && maxListingLinesOnTheWire == l.maxListingLinesOnTheWire
        && maxBodyBytesOnTheWire == l.maxBodyBytesOnTheWire
        && maxSaslRounds == l.maxSaslRounds
        && maxSaslChallenge == l.maxSaslChallenge
        && keepAliveInterval.equals(l.keepAliveInterval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        connectTimeout,
        handshakeTimeout,
        readTimeout,
        commandTimeout,
        maxStatusLine,
        maxListingLine,
        maxListingLinesOnTheWire,
        maxBodyBytesOnTheWire,
        maxSaslRounds,
        maxSaslChallenge,
        keepAliveInterval);
  }

  @Override
  public String toString() {
    return "Pop3Limits[connectTimeout="
        + connectTimeout
        + ", handshakeTimeout="
        + handshakeTimeout
        + ", readTimeout="
        + readTimeout
        + ", commandTimeout="
        + commandTimeout
        + ", maxStatusLine="
        + maxStatusLine
        + ", maxListingLine="
        + maxListingLine
        + ", maxListingLinesOnTheWire="
        + maxListingLinesOnTheWire
        + ", maxBodyBytesOnTheWire="
        + maxBodyBytesOnTheWire
        + ", maxSaslRounds="
        + maxSaslRounds
        + ", maxSaslChallenge="
        + maxSaslChallenge
        + ", keepAliveInterval="
        + keepAliveInterval
        + "]";
  }

  /**
   * Builds {@link Pop3Limits}; each setting may be set once (a second call is refused, showing the
   * value it has) and is checked when given.
   */
  public static final class Builder {
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private int maxStatusLine = DEFAULT_MAX_STATUS_LINE;
    private int maxListingLine = DEFAULT_MAX_LISTING_LINE;
    private int maxListingLinesOnTheWire = DEFAULT_MAX_LISTING_LINES_ON_THE_WIRE;
    private long maxBodyBytesOnTheWire = DEFAULT_MAX_BODY_BYTES_ON_THE_WIRE;
    private int maxSaslRounds = DEFAULT_MAX_SASL_ROUNDS;
    private int maxSaslChallenge = DEFAULT_MAX_SASL_CHALLENGE;
    private Duration keepAliveInterval = DEFAULT_KEEP_ALIVE_INTERVAL;
    private final Require.Once once = new Require.Once();

    private Builder() {}

    /**
     * Default {@link #DEFAULT_CONNECT_TIMEOUT} (30 s).
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder connectTimeout(Duration d) {
      once.set("connectTimeout", this.connectTimeout);
      connectTimeout = Require.positive("connectTimeout", d);
      return this;
    }

    /**
     * Default {@link #DEFAULT_HANDSHAKE_TIMEOUT} (30 s).
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder handshakeTimeout(Duration d) {
      once.set("handshakeTimeout", this.handshakeTimeout);
      handshakeTimeout = Require.positive("handshakeTimeout", d);
      return this;
    }

    /**
     * Default {@link #DEFAULT_READ_TIMEOUT} (120 s).
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder readTimeout(Duration d) {
      once.set("readTimeout", this.readTimeout);
      readTimeout = Require.positive("readTimeout", d);
      return this;
    }

    /**
     * Default {@link #DEFAULT_COMMAND_TIMEOUT} (300 s).
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder commandTimeout(Duration d) {
      once.set("commandTimeout", this.commandTimeout);
      commandTimeout = Require.positive("commandTimeout", d);
      return this;
    }

    /**
     * Default {@value #DEFAULT_MAX_STATUS_LINE} bytes (64 KiB).
     *
     * @throws IllegalArgumentException below 512 (RFC 1939's own limit) or above 16 MiB
     */
    public Builder maxStatusLine(int bytes) {
      once.set("maxStatusLine", this.maxStatusLine);
      maxStatusLine = Require.range("maxStatusLine", bytes, 512, 16 << 20);
      return this;
    }

    /**
     * Default {@value #DEFAULT_MAX_LISTING_LINE} bytes (8 KiB).
     *
     * @throws IllegalArgumentException below 512 or above 16 MiB
     */
    public Builder maxListingLine(int bytes) {
      once.set("maxListingLine", this.maxListingLine);
      maxListingLine = Require.range("maxListingLine", bytes, 512, 16 << 20);
      return this;
    }

    /**
     * Default {@value #DEFAULT_MAX_LISTING_LINES_ON_THE_WIRE}; see {@link
     * Pop3Limits#maxListingLinesOnTheWire()} for how it meets {@code FetchLimits.maxListing}.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxListingLinesOnTheWire(int lines) {
      once.set("maxListingLinesOnTheWire", this.maxListingLinesOnTheWire);
      maxListingLinesOnTheWire =
          Require.range("maxListingLinesOnTheWire", lines, 1, Integer.MAX_VALUE);
      return this;
    }

    /**
     * Default {@value #DEFAULT_MAX_BODY_BYTES_ON_THE_WIRE} bytes (1 GiB); see {@link
     * Pop3Limits#maxBodyBytesOnTheWire()} for how it meets {@code FetchLimits.maxMessageSize}.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxBodyBytesOnTheWire(long bytes) {
      once.set("maxBodyBytesOnTheWire", this.maxBodyBytesOnTheWire);
      maxBodyBytesOnTheWire = Require.range("maxBodyBytesOnTheWire", bytes, 1, Long.MAX_VALUE);
      return this;
    }

    /**
     * Default {@value #DEFAULT_MAX_SASL_ROUNDS}.
     *
     * @throws IllegalArgumentException below 1 or above 1000
     */
    public Builder maxSaslRounds(int rounds) {
      once.set("maxSaslRounds", this.maxSaslRounds);
      maxSaslRounds = Require.range("maxSaslRounds", rounds, 1, 1000);
      return this;
    }

    /**
     * Default {@value #DEFAULT_MAX_SASL_CHALLENGE} bytes (64 KiB).
     *
     * @throws IllegalArgumentException below 512 or above 16 MiB
     */
    public Builder maxSaslChallenge(int bytes) {
      once.set("maxSaslChallenge", this.maxSaslChallenge);
      maxSaslChallenge = Require.range("maxSaslChallenge", bytes, 512, 16 << 20);
      return this;
    }

    /**
     * Default {@link #DEFAULT_KEEP_ALIVE_INTERVAL} (15 s).
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder keepAliveInterval(Duration d) {
      once.set("keepAliveInterval", this.keepAliveInterval);
      keepAliveInterval = Require.positive("keepAliveInterval", d);
      return this;
    }

    public Pop3Limits build() {
      return new Pop3Limits(this);
    }
  }
}
