package dev.mailfetch.imap;

import dev.mailfetch.api.internal.Require;
import java.time.Duration;
import java.util.Objects;

/**
 * Every cap and deadline of an IMAP session, in one immutable value, so that no server can make the
 * client hang or grow without bound. Reaching a cap is {@code LIMIT_EXCEEDED} naming the setting to
 * raise; a deadline is {@code CONNECTION_TIMED_OUT} saying what was awaited (a sink's: {@code
 * SINK_FAILED}, its server unreachable). Build one with {@link #builder()}, take {@link
 * #defaults()}, or change some of an existing one with {@link #toBuilder()}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>what it bounds</th></tr>
 *   <tr><td>{@link #connectTimeout()}</td><td>30 s</td><td>TCP connect</td></tr>
 *   <tr><td>{@link #handshakeTimeout()}</td><td>30 s</td><td>the TLS handshake</td></tr>
 *   <tr><td>{@link #readTimeout()}</td><td>120 s</td><td>silence between any two reads (SO_TIMEOUT)</td></tr>
 *   <tr><td>{@link #commandTimeout()}</td><td>300 s</td><td>one command from its first byte sent to its tagged reply, so that an endless stream of untagged responses cannot hold the client</td></tr>
 *   <tr><td>{@link #continuationTimeout()}</td><td>60 s</td><td>the server's {@code +} before a synchronizing literal is sent</td></tr>
 *   <tr><td>{@link #maxLineBytes()}</td><td>64 KiB</td><td>one response line, literals apart, and a literal kept in a response that no consumer reads</td></tr>
 *   <tr><td>{@link #maxLiteralBytes()}</td><td>1 GiB</td><td>one literal the client reads (a message of FETCH BODY[])</td></tr>
 *   <tr><td>{@link #maxUntaggedPerCommand()}</td><td>1,000,000</td><td>untagged responses collected for one command</td></tr>
 *   <tr><td>{@link #maxCommandsInFlight()}</td><td>100</td><td>commands sent before their tagged replies are read (pipelining)</td></tr>
 *   <tr><td>{@link #maxSaslRounds()}</td><td>10</td><td>challenges of one AUTHENTICATE</td></tr>
 *   <tr><td>{@link #maxSaslChallenge()}</td><td>64 KiB</td><td>one SASL challenge line</td></tr>
 *   <tr><td>{@link #idleRenewal()}</td><td>29 min</td><td>one IDLE command before it is ended and sent again (RFC 2177), so a server or a NAT that drops a silent connection does not</td></tr>
 * </table>
 */
public final class ImapLimits {
  /** Default of {@link #connectTimeout()}: 30 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** Default of {@link #handshakeTimeout()}: 30 s. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

  /** Default of {@link #readTimeout()}: 120 s. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(120);

  /** Default of {@link #commandTimeout()}: 300 s. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(300);

  /** Default of {@link #continuationTimeout()}: 60 s. */
  public static final Duration DEFAULT_CONTINUATION_TIMEOUT = Duration.ofSeconds(60);

  /** Default of {@link #maxLineBytes()}: 64 KiB. */
  public static final int DEFAULT_MAX_LINE_BYTES = 64 * 1024;

  /** Default of {@link #maxLiteralBytes()}: 1 GiB. */
  public static final long DEFAULT_MAX_LITERAL_BYTES = 1L << 30;

  /** Default of {@link #maxUntaggedPerCommand()}: 1,000,000. */
  public static final int DEFAULT_MAX_UNTAGGED_PER_COMMAND = 1_000_000;

  /** Default of {@link #maxCommandsInFlight()}: 100. */
  public static final int DEFAULT_MAX_COMMANDS_IN_FLIGHT = 100;

  /** Default of {@link #maxSaslRounds()}: 10. */
  public static final int DEFAULT_MAX_SASL_ROUNDS = 10;

  /** Default of {@link #maxSaslChallenge()}: 64 KiB. */
  public static final int DEFAULT_MAX_SASL_CHALLENGE = 64 * 1024;

  /**
   * Default of {@link #idleRenewal()}: 29 minutes, as RFC 2177 asks of a client (a server may end a
   * connection idle for 30 minutes).
   */
  public static final Duration DEFAULT_IDLE_RENEWAL = Duration.ofMinutes(29);

  private static final ImapLimits DEFAULTS = new Builder().build();

  private final Duration connectTimeout;
  private final Duration handshakeTimeout;
  private final Duration readTimeout;
  private final Duration commandTimeout;
  private final Duration continuationTimeout;
  private final int maxLineBytes;
  private final long maxLiteralBytes;
  private final int maxUntaggedPerCommand;
  private final int maxCommandsInFlight;
  private final int maxSaslRounds;
  private final int maxSaslChallenge;
  private final Duration idleRenewal;

  private ImapLimits(Builder b) {
    this.connectTimeout = b.connectTimeout;
    this.handshakeTimeout = b.handshakeTimeout;
    this.readTimeout = b.readTimeout;
    this.commandTimeout = b.commandTimeout;
    this.continuationTimeout = b.continuationTimeout;
    this.maxLineBytes = b.maxLineBytes;
    this.maxLiteralBytes = b.maxLiteralBytes;
    this.maxUntaggedPerCommand = b.maxUntaggedPerCommand;
    this.maxCommandsInFlight = b.maxCommandsInFlight;
    this.maxSaslRounds = b.maxSaslRounds;
    this.maxSaslChallenge = b.maxSaslChallenge;
    this.idleRenewal = b.idleRenewal;
  }

  /** The documented defaults. */
  public static ImapLimits defaults() {
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
    b.continuationTimeout = continuationTimeout;
    b.maxLineBytes = maxLineBytes;
    b.maxLiteralBytes = maxLiteralBytes;
    b.maxUntaggedPerCommand = maxUntaggedPerCommand;
    b.maxCommandsInFlight = maxCommandsInFlight;
    b.maxSaslRounds = maxSaslRounds;
    b.maxSaslChallenge = maxSaslChallenge;
    b.idleRenewal = idleRenewal;
    return b;
  }

  /** The bound on TCP connect; default 30 s. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** The bound on the TLS handshake; default 30 s. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** The bound on silence between any two reads (SO_TIMEOUT); default 120 s. */
  public Duration readTimeout() {
    return readTimeout;
  }

  /**
   * The bound on one command from its first byte sent to its tagged reply, so that an endless
   * stream of untagged responses cannot hold the client; default 300 s.
   */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** The bound on the server's {@code +} before a synchronizing literal is sent; default 60 s. */
  public Duration continuationTimeout() {
    return continuationTimeout;
  }

  /**
   * The bound on one response line, literals apart, and a literal kept in a response that no
   * consumer reads; default 64 KiB.
   */
  public int maxLineBytes() {
    return maxLineBytes;
  }

  /** The bound on one literal the client reads (a message of FETCH BODY[]); default 1 GiB. */
  public long maxLiteralBytes() {
    return maxLiteralBytes;
  }

  /** The bound on untagged responses collected for one command; default 1,000,000. */
  public int maxUntaggedPerCommand() {
    return maxUntaggedPerCommand;
  }

  /** The bound on commands sent before their tagged replies are read (pipelining); default 100. */
  public int maxCommandsInFlight() {
    return maxCommandsInFlight;
  }

  /** The bound on challenges of one AUTHENTICATE; default 10. */
  public int maxSaslRounds() {
    return maxSaslRounds;
  }

  /** The bound on one SASL challenge line; default 64 KiB. */
  public int maxSaslChallenge() {
    return maxSaslChallenge;
  }

  /**
   * How long one IDLE command waits before the client ends it ({@code DONE}), checks the connection
   * ({@code NOOP}) and idles again; default 29 min. Shorten it for a server or a network (a NAT, a
   * firewall) known to drop silent connections sooner.
   */
  public Duration idleRenewal() {
    return idleRenewal;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImapLimits l
        && connectTimeout.equals(l.connectTimeout)
        && handshakeTimeout.equals(l.handshakeTimeout)
        && readTimeout.equals(l.readTimeout)
        && commandTimeout.equals(l.commandTimeout)
        && continuationTimeout.equals(l.continuationTimeout)
        && maxLineBytes == l.maxLineBytes
        && maxLiteralBytes == l.maxLiteralBytes
        && maxUntaggedPerCommand == l.maxUntaggedPerCommand
        && maxCommandsInFlight == l.maxCommandsInFlight
        && maxSaslRounds == l.maxSaslRounds
        && maxSaslChallenge == l.maxSaslChallenge
        && idleRenewal.equals(l.idleRenewal);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        connectTimeout,
        handshakeTimeout,
        readTimeout,
        commandTimeout,
        continuationTimeout,
        maxLineBytes,
        maxLiteralBytes,
        maxUntaggedPerCommand,
        maxCommandsInFlight,
        maxSaslRounds,
        maxSaslChallenge,
        idleRenewal);
  }

  @Override
  public String toString() {
    return "ImapLimits["
        + "connectTimeout="
        + connectTimeout
        + ", handshakeTimeout="
        + handshakeTimeout
        + ", readTimeout="
        + readTimeout
        + ", commandTimeout="
        + commandTimeout
        + ", continuationTimeout="
        + continuationTimeout
        + ", maxLineBytes="
        + maxLineBytes
        + ", maxLiteralBytes="
        + maxLiteralBytes
        + ", maxUntaggedPerCommand="
        + maxUntaggedPerCommand
        + ", maxCommandsInFlight="
        + maxCommandsInFlight
        + ", maxSaslRounds="
        + maxSaslRounds
        + ", maxSaslChallenge="
        + maxSaslChallenge
        + ", idleRenewal="
        + idleRenewal
        + "]";
  }

  /**
   * Builds {@link ImapLimits}; each setting may be set once (a second call is refused, showing the
   * value it has) and is checked when given.
   */
  public static final class Builder {
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration continuationTimeout = DEFAULT_CONTINUATION_TIMEOUT;
    private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
    private long maxLiteralBytes = DEFAULT_MAX_LITERAL_BYTES;
    private int maxUntaggedPerCommand = DEFAULT_MAX_UNTAGGED_PER_COMMAND;
    private int maxCommandsInFlight = DEFAULT_MAX_COMMANDS_IN_FLIGHT;
    private int maxSaslRounds = DEFAULT_MAX_SASL_ROUNDS;
    private int maxSaslChallenge = DEFAULT_MAX_SASL_CHALLENGE;
    private Duration idleRenewal = DEFAULT_IDLE_RENEWAL;
    private final Require.Once once = new Require.Once();

    private Builder() {}

    /**
     * The bound on TCP connect; default 30 s.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder connectTimeout(Duration value) {
      once.set("connectTimeout", this.connectTimeout);
      this.connectTimeout = Require.positive("connectTimeout", value);
      return this;
    }

    /**
     * The bound on the TLS handshake; default 30 s.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder handshakeTimeout(Duration value) {
      once.set("handshakeTimeout", this.handshakeTimeout);
      this.handshakeTimeout = Require.positive("handshakeTimeout", value);
      return this;
    }

    /**
     * The bound on silence between any two reads (SO_TIMEOUT); default 120 s.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder readTimeout(Duration value) {
      once.set("readTimeout", this.readTimeout);
      this.readTimeout = Require.positive("readTimeout", value);
      return this;
    }

    /**
     * The bound on one command from its first byte sent to its tagged reply, so that an endless
     * stream of untagged responses cannot hold the client; default 300 s.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder commandTimeout(Duration value) {
      once.set("commandTimeout", this.commandTimeout);
      this.commandTimeout = Require.positive("commandTimeout", value);
      return this;
    }

    /**
     * The bound on the server's {@code +} before a synchronizing literal is sent; default 60 s.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder continuationTimeout(Duration value) {
      once.set("continuationTimeout", this.continuationTimeout);
      this.continuationTimeout = Require.positive("continuationTimeout", value);
      return this;
    }

    /**
     * The bound on one response line, literals apart, and a literal kept in a response that no
     * consumer reads; default 64 KiB.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxLineBytes(int value) {
      once.set("maxLineBytes", this.maxLineBytes);
      this.maxLineBytes = Require.positive("maxLineBytes", value);
      return this;
    }

    /**
     * The bound on one literal the client reads (a message of FETCH BODY[]); default 1 GiB.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxLiteralBytes(long value) {
      once.set("maxLiteralBytes", this.maxLiteralBytes);
      this.maxLiteralBytes = Require.positive("maxLiteralBytes", value);
      return this;
    }

    /**
     * The bound on untagged responses collected for one command; default 1,000,000.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxUntaggedPerCommand(int value) {
      once.set("maxUntaggedPerCommand", this.maxUntaggedPerCommand);
      this.maxUntaggedPerCommand = Require.positive("maxUntaggedPerCommand", value);
      return this;
    }

    /**
     * The bound on commands sent before their tagged replies are read (pipelining); default 100.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxCommandsInFlight(int value) {
      once.set("maxCommandsInFlight", this.maxCommandsInFlight);
      this.maxCommandsInFlight = Require.positive("maxCommandsInFlight", value);
      return this;
    }

    /**
     * The bound on challenges of one AUTHENTICATE; default 10.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxSaslRounds(int value) {
      once.set("maxSaslRounds", this.maxSaslRounds);
      this.maxSaslRounds = Require.positive("maxSaslRounds", value);
      return this;
    }

    /**
     * The bound on one SASL challenge line; default 64 KiB.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxSaslChallenge(int value) {
      once.set("maxSaslChallenge", this.maxSaslChallenge);
      this.maxSaslChallenge = Require.positive("maxSaslChallenge", value);
      return this;
    }

    /**
     * How long one IDLE command waits before it is ended and sent again; default 29 min.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder idleRenewal(Duration value) {
      once.set("idleRenewal", this.idleRenewal);
      this.idleRenewal = Require.positive("idleRenewal", value);
      return this;
    }

    /** The limits. */
    public ImapLimits build() {
      return new ImapLimits(this);
    }
  }
}
