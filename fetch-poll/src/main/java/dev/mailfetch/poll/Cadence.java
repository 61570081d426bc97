package dev.mailfetch.poll;

import dev.mailfetch.api.FetchError;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * One account's schedule: the arrival-rate estimate and the interval it gives, per the algorithm of
 * docs/polling.md. Pure and deterministic (its jitter comes from a generator seeded by the
 * account's name), so that tests can script arrivals and check every decision. Not thread-safe: the
 * {@link Poller} guards it.
 */
final class Cadence {
  /** What the last check means for the next one. */
  enum Reason {
    /** The interval follows the estimated arrival rate. */
    ADAPTIVE,
    /** The server's LOGIN-DELAY, or its [LOGIN-DELAY] / [IN-USE] answer, stretched it. */
    SERVER_ASKED,
    /** A transient error: exponential back-off. */
    BACKOFF
  }

  /** The next check (counted from the end of the last one) and why it is then. */
  record Decision(Instant next, Duration interval, Reason reason) {}

  private static final double HOUR = 3600.0;

  private final PollSchedule s;
  private final SplittableRandom random;

  /** Messages per hour, estimated. */
  private double rate;

  /** The last interval chosen before jitter, in seconds. */
  private double interval;

  private Instant lastSuccess;
  private int failures;
  private Duration loginDelay = Duration.ZERO;

  Cadence(PollSchedule schedule, String account) {
    this.s = schedule;
    this.random = new SplittableRandom(account.hashCode() * 0x9E3779B97F4A7C15L);
    this.interval = seconds(schedule.minInterval());
  }

  /**
   * When a newly added account is first checked: somewhere within the minimum, so that many added
   * at once spread.
   */
  Instant first(Instant now) {
    return now.plusMillis((long) (random.nextDouble() * s.minInterval().toMillis()));
  }

  double ratePerHour() {
    return rate;
  }

  Duration loginDelay() {
    return loginDelay;
  }

  /**
   * After a check that worked and found {@code arrived} new messages. The first check's messages
   * say nothing of the rate (they may be years of backlog), so it only starts the clock.
   */
  Decision afterSuccess(
      Instant started, Instant ended, int arrived, Optional<Duration> serverLoginDelay) {
    failures = 0;
    serverLoginDelay.ifPresent(d -> loginDelay = d);
    if (lastSuccess != null) {
      double dt = Math.max(1, Duration.between(lastSuccess, started).toMillis() / 1000.0);
      double observed = arrived * HOUR / dt;
      double tau = seconds(observed > rate ? s.riseTime() : s.decayTime());
      rate += (1 - Math.exp(-dt / tau)) * (observed - rate);
    }
    lastSuccess = started;
    double target = rate > 0 ? s.messagesPerCheck() * HOUR / rate : Double.MAX_VALUE;
    interval = bounded(Math.min(target, 2 * interval)); // back off at most doubling per check
    return decide(
        ended,
        interval,
        loginDelay.isZero() || seconds(loginDelay) <= interval
            ? Reason.ADAPTIVE
            : Reason.SERVER_ASKED);
  }

  /**
   * After a check the server put off: {@code [LOGIN-DELAY]} (checked too soon) or {@code [IN-USE]}
   * (another session holds the mailbox). The next waits at least twice as long as the last
   * interval, and at least the announced LOGIN-DELAY.
   */
  Decision afterPutOff(Instant ended, Optional<Duration> serverLoginDelay) {
    serverLoginDelay.ifPresent(d -> loginDelay = d);
    interval = bounded(Math.max(2 * interval, seconds(loginDelay)));
    return decide(ended, interval, Reason.SERVER_ASKED);
  }

  /** After a transient error: the minimum, doubled for each failure in a row, up to the maximum. */
  Decision afterTransient(Instant ended) {
    failures = Math.min(failures + 1, 62);
    double backoff = bounded(seconds(s.minInterval()) * Math.pow(2, failures - 1));
    return decide(ended, backoff, Reason.BACKOFF);
  }

  int failuresInARow() {
    return failures;
  }

  /** Whether the server would put off this error: it asks for time, not for a person. */
  static boolean putOff(FetchError e) {
    return e == FetchError.LOGIN_DELAY || e == FetchError.LOCKED;
  }

  // ---------------------------------------------------------------- inside

  private Decision decide(Instant from, double base, Reason reason) {
    double spread = base * (1 + s.jitter() * (2 * random.nextDouble() - 1));
    double floor = Math.max(seconds(s.minInterval()), seconds(loginDelay));
    // The bounds hold after the jitter too; only a LOGIN-DELAY beyond the maximum goes further,
    // because the server has the last word.
    double chosen = Math.min(Math.max(spread, floor), Math.max(seconds(s.maxInterval()), floor));
    Duration d = Duration.ofMillis((long) (chosen * 1000));
    return new Decision(from.plus(d), d, reason);
  }

  private double bounded(double secs) {
    return Math.min(Math.max(secs, seconds(s.minInterval())), seconds(s.maxInterval()));
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
