package dev.mailfetch.poll;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a {@link Poller} checks an account: between {@link #minInterval()} and {@link
 * #maxInterval()}, following the rate at which mail arrives. docs/polling.md gives the algorithm;
 * in short, after each check the arrival rate is re-estimated (quickly upwards, over {@link
 * #riseTime()}; slowly downwards, over {@link #decayTime()}), the next interval is the time in
 * which {@link #messagesPerCheck()} messages are expected, at most twice the last one, within the
 * bounds, and spread by ±{@link #jitter()} so that accounts do not poll in step. Errors back off
 * exponentially from the minimum; the server's LOGIN-DELAY is always honoured.
 *
 * <p>Immutable; every setting is checked when it is set.
 */
public final class PollSchedule {
  private static final PollSchedule DEFAULTS = builder().build();

  private final Duration minInterval;
  private final Duration maxInterval;
  private final double jitter;
  private final Duration riseTime;
  private final Duration decayTime;
  private final double messagesPerCheck;

  private PollSchedule(Builder b) {
    this.minInterval = b.minInterval;
    this.maxInterval = b.maxInterval;
    this.jitter = b.jitter;
    this.riseTime = b.riseTime;
    this.decayTime = b.decayTime;
    this.messagesPerCheck = b.messagesPerCheck;
  }

  /**
   * 2 minutes to 60 minutes, ±10% jitter, rise over 10 minutes, decay over an hour, one message per
   * check.
   */
  public static PollSchedule defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The shortest time between two checks of an account (Gmail's was 2 minutes). */
  public Duration minInterval() {
    return minInterval;
  }

  /** The longest time between two checks of an account that works (Gmail's was an hour). */
  public Duration maxInterval() {
    return maxInterval;
  }

  /** Each interval is multiplied by a factor drawn from [1 − jitter, 1 + jitter], then bounded. */
  public double jitter() {
    return jitter;
  }

  /** How quickly the rate estimate follows mail that arrives faster than estimated. */
  public Duration riseTime() {
    return riseTime;
  }

  /** How slowly the rate estimate forgets mail when less arrives than estimated. */
  public Duration decayTime() {
    return decayTime;
  }

  /** How many new messages a check should find on average at the estimated rate. */
  public double messagesPerCheck() {
    return messagesPerCheck;
  }

  @Override
  public String toString() {
    return "PollSchedule["
        + minInterval
        + ".."
        + maxInterval
        + ", jitter "
        + jitter
        + ", rise "
        + riseTime
        + ", decay "
        + decayTime
        + ", "
        + messagesPerCheck
        + " per check]";
  }

  /**
   * Builds a {@link PollSchedule}; each setter throws {@link IllegalArgumentException} on a bad
   * value.
   */
  public static final class Builder {
    private Duration minInterval = Duration.ofMinutes(2);
    private Duration maxInterval = Duration.ofMinutes(60);
    private double jitter = 0.1;
    private Duration riseTime = Duration.ofMinutes(10);
    private Duration decayTime = Duration.ofHours(1);
    private double messagesPerCheck = 1.0;

    private Builder() {}

    public Builder minInterval(Duration d) {
      minInterval = positive(d, "minInterval");
      if (minInterval.compareTo(maxInterval) > 0) {
        throw new IllegalArgumentException(
            "minInterval " + d + " is longer than maxInterval " + maxInterval);
      }
      return this;
    }

    public Builder maxInterval(Duration d) {
      maxInterval = positive(d, "maxInterval");
      if (maxInterval.compareTo(minInterval) < 0) {
        throw new IllegalArgumentException(
            "maxInterval " + d + " is shorter than minInterval " + minInterval);
      }
      return this;
    }

    /** Sets both bounds at once (any order of a previous setting does not matter). */
    public Builder bounds(Duration min, Duration max) {
      positive(min, "minInterval");
      positive(max, "maxInterval");
      if (min.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            "minInterval " + min + " is longer than maxInterval " + max);
      }
      minInterval = min;
      maxInterval = max;
      return this;
    }

    public Builder jitter(double fraction) {
      if (!(fraction >= 0 && fraction < 1)) {
        throw new IllegalArgumentException(
            "jitter must be at least 0 and less than 1: " + fraction);
      }
      jitter = fraction;
      return this;
    }

    public Builder riseTime(Duration d) {
      riseTime = positive(d, "riseTime");
      return this;
    }

    public Builder decayTime(Duration d) {
      decayTime = positive(d, "decayTime");
      return this;
    }

    public Builder messagesPerCheck(double messages) {
      if (!(messages > 0 && messages <= 1000)) {
        throw new IllegalArgumentException(
            "messagesPerCheck must be above 0 and at most 1000: " + messages);
      }
      messagesPerCheck = messages;
      return this;
    }

    public PollSchedule build() {
      return new PollSchedule(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
