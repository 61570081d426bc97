package dev.mailfetch.gmail.internal;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Keeps requests under Gmail's per-user quota of {@code units} in any window of {@code window},
 * safe by construction whatever the delays between the client and Gmail: a request is charged from
 * the moment it is sent until a full window after its answer came back ({@link #answered}). Gmail
 * counts a request when it arrives, somewhere between those two moments; so for any window, every
 * request Gmail counts in it (arriving at {@code a}, within the window) is still charged at the
 * window's end ({@code a} ≤ its answer, and the charge lasts a window past the answer), and the
 * charges held at any instant never exceed {@code units}. A request waits until its units fit.
 *
 * <p>The cost is one round trip per window (a window's worth of requests holds its units for the
 * window plus the round trip), where a pacing at the send alone can be defeated by any delay on the
 * way (a loaded machine, a stalled server taking a burst at once). Gmail's {@code Retry-After}
 * pauses every request of the sink, not only the one that met it ({@link #pauseUntil}).
 * Thread-safe.
 */
final class RateLimiter {
  /** The time in nanoseconds, and a way to wait; replaced in tests. */
  interface Clock {
    long nanoTime();

    void sleepNanos(long nanos) throws InterruptedException;

    Clock SYSTEM =
        new Clock() {
          @Override
          public long nanoTime() {
            return System.nanoTime();
          }

          @Override
          public void sleepNanos(long nanos) throws InterruptedException {
            if (nanos > 0) {
              Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            }
          }
        };
  }

  /**
   * How long a wait for an answer (of a request in flight) lasts before the limiter looks again.
   */
  private static final long LOOK_AGAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final long limit;
  private final long windowNanos;
  private final Clock clock;

  /** Units of requests sent whose answer has not come back. */
  private long inFlight;

  /** Units of answered requests, each {@code {until, units}}, in the order they are released. */
  private final ArrayDeque<long[]> answered = new ArrayDeque<>();

  private long answeredUnits;
  private long pausedUntil;

  /**
   * @param units at most this many units charged at any instant (the quota)
   * @param windowNanos Gmail's window: an answered request stays charged this long after its answer
   */
  RateLimiter(long units, long windowNanos, Clock clock) {
    if (units < 1 || windowNanos < 1) {
      throw new IllegalArgumentException(
          "a quota of " + units + " units per " + windowNanos + " ns");
    }
    this.limit = units;
    this.windowNanos = windowNanos;
    this.clock = clock;
    this.pausedUntil = clock.nanoTime();
  }

  /**
   * Waits until {@code units} may be spent, and charges them until a window after {@link
   * #answered}.
   */
  void acquire(int units) throws InterruptedException {
    acquire(units, Long.MAX_VALUE, false);
  }

  /**
   * Waits until {@code units} may be spent and charges them, unless that wait would end after
   * {@code deadlineNanos} (a caller's retry budget, on this clock): then it charges nothing and
   * answers false, without sleeping where the end of the wait is known (a pause, or charges that
   * lapse at known times); where it hangs on answers of requests in flight, it waits for them up to
   * the deadline. Every {@code true} must be followed by {@link #answered} with the same units once
   * the request's exchange has ended, however it ended.
   */
  boolean acquire(int units, long deadlineNanos) throws InterruptedException {
    return acquire(units, deadlineNanos, true);
  }

  private boolean acquire(int units, long deadlineNanos, boolean bounded)
      throws InterruptedException {
    while (true) {
      long wait;
      synchronized (this) {
        long now = clock.nanoTime();
        lapse(now);
        long held = inFlight + answeredUnits;
        boolean fits =
            held + units <= limit || held == 0; // a request larger than the quota goes alone
        if (now - pausedUntil >= 0 && fits) {
          inFlight += units;
          return true;
        }
        long until = now - pausedUntil < 0 ? pausedUntil : -1;
        if (!fits) {
          long freed = 0;
          long lapses = -1;
          for (long[] a : answered) {
            freed += a[1];
            if (held - freed + units <= limit || held - freed == 0) {
              lapses = a[0];
              break;
            }
          }
          if (lapses == -1) { // only answers still to come can make room
            if (bounded && now - deadlineNanos >= 0) {
              return false;
            }
            long look =
                bounded ? Math.min(LOOK_AGAIN_NANOS, deadlineNanos - now) : LOOK_AGAIN_NANOS;
            TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, look));
            continue;
          }
          until = until == -1 || lapses - until > 0 ? lapses : until;
        }
        wait = until - now;
        if (bounded && until - deadlineNanos > 0) {
          return false;
        }
      }
      clock.sleepNanos(wait);
    }
  }

  /**
   * The answer to a request that was charged {@code units} came back (or the exchange ended): they
   * lapse a window from now.
   */
  synchronized void answered(int units) {
    long now = clock.nanoTime();
    inFlight = Math.max(0, inFlight - units);
    answered.addLast(new long[] {now + windowNanos, units});
    answeredUnits += units;
    notifyAll();
  }

  /** No request starts before {@code nanoTime} (Gmail's {@code Retry-After}). */
  synchronized void pauseUntil(long nanoTime) {
    if (nanoTime - pausedUntil > 0) {
      pausedUntil = nanoTime;
    }
  }

  private void lapse(long now) {
    while (!answered.isEmpty() && now - answered.peekFirst()[0] >= 0) {
      answeredUnits -= answered.removeFirst()[1];
    }
  }
}
