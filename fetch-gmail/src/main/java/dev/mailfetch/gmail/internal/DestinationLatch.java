package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.Causes;
import java.util.concurrent.TimeUnit;

/**
 * Gmail's failure as a destination (not one message's), remembered for a while so that a run stops
 * fast: every message after it is refused at once in words that say the failure came from another
 * message, instead of each waiting out its own retry budget. The daily limit is held an hour, the
 * rest a minute; a message Gmail refused ({@code SINK_REJECTED}) is never the destination's.
 */
final class DestinationLatch {
  /** How long a failure of the destination as a whole is remembered (the daily limit: an hour). */
  static final long LATCH_NANOS = TimeUnit.MINUTES.toNanos(1);

  static final long DAILY_LATCH_NANOS = TimeUnit.HOURS.toNanos(1);

  private record Latched(FetchException error, long untilNanos) {}

  private final String mailbox;
  private final RateLimiter.Clock clock;
  private volatile Latched latched;

  DestinationLatch(String mailbox, RateLimiter.Clock clock) {
    this.mailbox = mailbox;
    this.clock = clock;
  }

  /**
   * Throws the destination's failure remembered from an earlier request, said as the destination's:
   * its words came from another message ({@code what} names this one, if known).
   *
   * @return true where a failure was remembered and has just run out (the account is then worth
   *     checking again: the token may be another now)
   */
  boolean check(String what) throws FetchException {
    Latched l = latched;
    if (l == null) {
      return false;
    }
    long left = l.untilNanos() - clock.nanoTime();
    if (left > 0) {
      FetchException e = l.error();
      long minutes =
          Math.max(1, TimeUnit.NANOSECONDS.toMinutes(left + TimeUnit.SECONDS.toNanos(59)));
      throw new FetchException(
          e.error(),
          (what == null ? "not sent" : what + " was not sent")
              + ": Gmail ("
              + mailbox
              + ") failed as a destination moments ago, and mailfetch sends it nothing more for up to "
              + minutes
              + (minutes == 1 ? " minute" : " minutes")
              + ". The failure then: "
              + e.detail(),
          null,
          e,
          e.remedy());
    }
    latched = null;
    return true;
  }

  /** Remembers {@code e} where it is the destination's failure. */
  void latch(FetchException e) {
    if (e.error() == FetchError.SINK_REJECTED) {
      return;
    }
    long hold = dailyLimit(e) ? DAILY_LATCH_NANOS : LATCH_NANOS;
    latched = new Latched(e, clock.nanoTime() + hold);
  }

  /** Whether {@code e} is Gmail's daily limit, or says it in context (its cause). */
  private static boolean dailyLimit(FetchException e) {
    return Causes.find(e, GmailFailures.DailyLimit.class).isPresent();
  }
}
