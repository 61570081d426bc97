package dev.mailfetch.pop3;

import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Every cap and deadline of a POP3 session, in one immutable value, so that no server can make the
 * client hang or grow without bound. Reaching a cap is {@code LIMIT_EXCEEDED} with the name of the
 * setting to raise; a deadline is {@code CONNECTION_TIMED_OUT} saying what was awaited.
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
 *   <tr><td>{@link #maxListingEntries()}</td><td>1,000,000</td><td>lines of one listing (case R-02)</td></tr>
 *   <tr><td>{@link #maxMessageSize()}</td><td>1 GiB</td><td>bytes of one RETR body (case R-03)</td></tr>
 *   <tr><td>{@link #maxSaslRounds()}</td><td>10</td><td>challenges of one AUTH (case A-05)</td></tr>
 *   <tr><td>{@link #maxSaslChallenge()}</td><td>64 KiB</td><td>one SASL challenge line</td></tr>
 *   <tr><td>{@link #keepAliveInterval()}</td><td>15 s</td><td>NOOP after this long without a command, while the caller works (quirk Q43)</td></tr>
 * </table>
 */
public final class Pop3Limits {
  private static final Pop3Limits DEFAULTS = builder().build();

  private final Duration connectTimeout;
  private final Duration handshakeTimeout;
  private final Duration readTimeout;
  private final Duration commandTimeout;
  private final int maxStatusLine;
  private final int maxListingLine;
  private final int maxListingEntries;
  private final long maxMessageSize;
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
    this.maxListingEntries = b.maxListingEntries;
    this.maxMessageSize = b.maxMessageSize;
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

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  public Duration readTimeout() {
    return readTimeout;
  }

  public Duration commandTimeout() {
    return commandTimeout;
  }

  public int maxStatusLine() {
    return maxStatusLine;
  }

  public int maxListingLine() {
    return maxListingLine;
  }

  public int maxListingEntries() {
    return maxListingEntries;
  }

  public long maxMessageSize() {
    return maxMessageSize;
  }

  public int maxSaslRounds() {
    return maxSaslRounds;
  }

  public int maxSaslChallenge() {
    return maxSaslChallenge;
  }

  /**
   * After how long without a command a session sends NOOP on its own, while its caller is busy
   * between commands (a slow sink's barrier): servers such as Outlook.com drop a session idle for
   * about 60 seconds (quirk Q43), although RFC 1939 asks for at least 10 minutes.
   */
  public Duration keepAliveInterval() {
    return keepAliveInterval;
  }

  /** Builds {@link Pop3Limits}; each setting may be set once. */
  public static final class Builder {
    private Duration connectTimeout = Duration.ofSeconds(30);
    private Duration handshakeTimeout = Duration.ofSeconds(30);
    private Duration readTimeout = Duration.ofSeconds(120);
    private Duration commandTimeout = Duration.ofSeconds(300);
    private int maxStatusLine = 64 * 1024;
    private int maxListingLine = 8 * 1024;
    private int maxListingEntries = 1_000_000;
    private long maxMessageSize = 1L << 30;
    private int maxSaslRounds = 10;
    private int maxSaslChallenge = 64 * 1024;
    private Duration keepAliveInterval = Duration.ofSeconds(15);
    private final Set<String> set = new HashSet<>();

    private Builder() {}

    public Builder connectTimeout(Duration d) {
      connectTimeout = duration("connectTimeout", d);
      return this;
    }

    public Builder handshakeTimeout(Duration d) {
      handshakeTimeout = duration("handshakeTimeout", d);
      return this;
    }

    public Builder readTimeout(Duration d) {
      readTimeout = duration("readTimeout", d);
      return this;
    }

    public Builder commandTimeout(Duration d) {
      commandTimeout = duration("commandTimeout", d);
      return this;
    }

    /**
     * @throws IllegalArgumentException below 512 (RFC 1939's own limit) or above 16 MiB
     */
    public Builder maxStatusLine(int bytes) {
      maxStatusLine = (int) range("maxStatusLine", bytes, 512, 16 << 20);
      return this;
    }

    /**
     * @throws IllegalArgumentException below 512 or above 16 MiB
     */
    public Builder maxListingLine(int bytes) {
      maxListingLine = (int) range("maxListingLine", bytes, 512, 16 << 20);
      return this;
    }

    public Builder maxListingEntries(int entries) {
      maxListingEntries = (int) range("maxListingEntries", entries, 1, Integer.MAX_VALUE);
      return this;
    }

    public Builder maxMessageSize(long bytes) {
      maxMessageSize = range("maxMessageSize", bytes, 1, Long.MAX_VALUE);
      return this;
    }

    public Builder maxSaslRounds(int rounds) {
      maxSaslRounds = (int) range("maxSaslRounds", rounds, 1, 1000);
      return this;
    }

    public Builder maxSaslChallenge(int bytes) {
      maxSaslChallenge = (int) range("maxSaslChallenge", bytes, 512, 16 << 20);
      return this;
    }

    public Builder keepAliveInterval(Duration d) {
      keepAliveInterval = duration("keepAliveInterval", d);
      return this;
    }

    public Pop3Limits build() {
      return new Pop3Limits(this);
    }

    private Duration duration(String name, Duration d) {
      once(name);
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(String.format("%s must be positive: %s", name, d));
      }
      return d;
    }

    private long range(String name, long v, long min, long max) {
      once(name);
      if (v < min || v > max) {
        throw new IllegalArgumentException(
            String.format(
                java.util.Locale.ROOT, "%s must be from %d to %d: %d", name, min, max, v));
      }
      return v;
    }

    private void once(String name) {
      if (!set.add(name)) {
        throw new IllegalStateException(name + " was already set");
      }
    }
  }
}
