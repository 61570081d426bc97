package dev.mailfetch.poll;

import dev.mailfetch.api.internal.Require;
import java.time.Duration;

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
  /** Default of {@link #minInterval()}: 2 minutes (Gmail's). */
  public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofMinutes(2);

  /** Default of {@link #maxInterval()}: 60 minutes (Gmail's). */
  public static final Duration DEFAULT_MAX_INTERVAL = Duration.ofMinutes(60);

  /** Default of {@link #jitter()}: ±{@value}. */
  public static final double DEFAULT_JITTER = 0.1;

  /** Default of {@link #riseTime()}: 10 minutes. */
  public static final Duration DEFAULT_RISE_TIME = Duration.ofMinutes(10);

  /** Default of {@link #decayTime()}: an hour. */
  public static final Duration DEFAULT_DECAY_TIME = Duration.ofHours(1);

  /** Default of {@link #messagesPerCheck()}: {@value}. */
  public static final double DEFAULT_MESSAGES_PER_CHECK = 1.0;

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
   * Builds a {@link PollSchedule}. Each setter throws {@link IllegalArgumentException} on a bad
   * value and may be called once (a second call is refused with an {@link IllegalStateException}
   * showing the value the first one set; {@link #bounds} sets both bounds).
   */
  public static final class Builder {
    private Duration minInterval = DEFAULT_MIN_INTERVAL;
    private Duration maxInterval = DEFAULT_MAX_INTERVAL;
    private double jitter = DEFAULT_JITTER;
    private Duration riseTime = DEFAULT_RISE_TIME;
    private Duration decayTime = DEFAULT_DECAY_TIME;
    private double messagesPerCheck = DEFAULT_MESSAGES_PER_CHECK;
    private final Require.Once once = new Require.Once();

    private Builder() {}

    /** Default {@link PollSchedule#DEFAULT_MIN_INTERVAL} (2 minutes). */
    public Builder minInterval(Duration d) {
      once.set("minInterval", minInterval);
      minInterval = Require.positive("minInterval", d);
      Require.requireArgument(
          minInterval.compareTo(maxInterval) <= 0,
          "minInterval %s is longer than maxInterval %s",
          d,
          maxInterval);
      return this;
    }

    /** Default {@link PollSchedule#DEFAULT_MAX_INTERVAL} (60 minutes). */
    public Builder maxInterval(Duration d) {
      once.set("maxInterval", maxInterval);
      maxInterval = Require.positive("maxInterval", d);
      Require.requireArgument(
          maxInterval.compareTo(minInterval) >= 0,
          "maxInterval %s is shorter than minInterval %s",
          d,
          minInterval);
      return this;
    }

    /** Sets both bounds at once (any order of a previous setting does not matter). */
    public Builder bounds(Duration min, Duration max) {
      once.set("minInterval", minInterval);
      once.set("maxInterval", maxInterval);
      Require.positive("minInterval", min);
      Require.positive("maxInterval", max);
      Require.requireArgument(
          min.compareTo(max) <= 0, "minInterval %s is longer than maxInterval %s", min, max);
      minInterval = min;
      maxInterval = max;
      return this;
    }

    /** From 0 to below 1. Default {@value PollSchedule#DEFAULT_JITTER}. */
    public Builder jitter(double fraction) {
      once.set("jitter", jitter);
      Require.requireArgument(
          fraction >= 0 && fraction < 1, "jitter must be at least 0 and less than 1: %s", fraction);
      jitter = fraction;
      return this;
    }

    /** Default {@link PollSchedule#DEFAULT_RISE_TIME} (10 minutes). */
    public Builder riseTime(Duration d) {
      once.set("riseTime", riseTime);
      riseTime = Require.positive("riseTime", d);
      return this;
    }

    /** Default {@link PollSchedule#DEFAULT_DECAY_TIME} (an hour). */
    public Builder decayTime(Duration d) {
      once.set("decayTime", decayTime);
      decayTime = Require.positive("decayTime", d);
      return this;
    }

    /** Above 0, at most 1000. Default {@value PollSchedule#DEFAULT_MESSAGES_PER_CHECK}. */
    public Builder messagesPerCheck(double messages) {
      once.set("messagesPerCheck", messagesPerCheck);
      Require.requireArgument(
          messages > 0 && messages <= 1000,
          "messagesPerCheck must be above 0 and at most 1000: %s",
          messages);
      messagesPerCheck = messages;
      return this;
    }

    public PollSchedule build() {
      return new PollSchedule(this);
    }
  }
}
