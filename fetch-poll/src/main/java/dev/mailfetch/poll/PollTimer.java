package dev.mailfetch.poll;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@link Poller}'s timer thread ({@link Poller#start()}): runs {@link Poller#tick()} whenever a
 * check falls due or something changed, and sleeps in between. Its counts are guarded by the
 * poller's lock.
 */
final class PollTimer {
  /** The timer looks at least this often, so that a clock that jumps is noticed. */
  private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Poller poller;

  /**
   * Counts the changes that may let a check start (an account added, asked for, resumed, pushed; a
   * check that ended). A round that finds nothing more to start notes the count ({@link
   * #settledAt}) and its clock ({@link #settledNow}): until the count moves, the timer sleeps until
   * the next account falls due, however many due ones wait for a slot.
   */
  private long changes;

  private long settledAt = -1;
  private Instant settledNow;

  PollTimer(Poller poller) {
    this.poller = poller;
  }

  /** Under the lock: something changed that may let a check start. */
  void changed() {
    changes++;
  }

  /** Under the lock: a round at {@code now} found nothing more to start. */
  void settled(Instant now) {
    settledAt = changes;
    settledNow = now;
  }

  void loop() {
    while (!poller.closing) {
      poller.tick();
      poller.lock.lock();
      try {
        if (poller.closing) {
          return;
        }
        long wait = nanosUntilDue();
        if (wait > 0) {
          poller.changed.awaitNanos(wait);
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        poller.lock.unlock();
      }
    }
  }

  /**
   * Under the lock: how long the timer may sleep. Due accounts that the last round left waiting for
   * a slot do not count: the check that frees one signals.
   */
  private long nanosUntilDue() {
    if (changes != settledAt) {
      return 0; // something changed since a round last found nothing to start
    }
    Optional<Instant> next = poller.due.nextDueAfter(settledNow);
    if (next.isEmpty()) {
      return MAX_WAIT_NANOS;
    }
    Duration until = Duration.between(poller.clock.instant(), next.get());
    if (until.isNegative() || until.isZero()) {
      return 0;
    }
    return until.compareTo(Duration.ofNanos(MAX_WAIT_NANOS)) > 0 ? MAX_WAIT_NANOS : until.toNanos();
  }
}
