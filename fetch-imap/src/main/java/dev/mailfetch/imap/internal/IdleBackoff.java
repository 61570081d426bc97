package dev.mailfetch.imap.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * When an IDLE watch connects again after its connection broke: soon after a drop of a connection
 * that worked (a server's routine cut must not delay the news of mail), then doubling with each
 * attempt in a row that fails to reach IDLE, up to a cap, each wait jittered so that the many
 * watches a server dropped at once do not come back at once. It gives up (the caller falls back to
 * polling) after too many failed attempts in a row, or too many drops in a short time (a server
 * that accepts IDLE and cuts it at once, over and over). Not thread-safe: one watch owns it.
 */
final class IdleBackoff {
  /** The first wait, before jitter (which takes up to half of it off). */
  static final Duration FIRST = Duration.ofMillis(250);

  /** The longest wait. */
  static final Duration CAP = Duration.ofMinutes(5);

  /** Attempts in a row that fail to reach IDLE before the watch gives up (about 4 min of waits). */
  static final int MAX_FAILURES_IN_A_ROW = 10;

  /** Drops of a working IDLE within {@link #DROP_WINDOW} before the watch gives up. */
  static final int MAX_DROPS = 120;

  static final Duration DROP_WINDOW = Duration.ofMinutes(10);

  private final LongSupplier nanoTime;
  private int failuresInARow;
  private long windowStart;
  private int dropsInWindow;

  IdleBackoff(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.windowStart = nanoTime.getAsLong();
  }

  /** The watch reached IDLE: the next wait starts from {@link #FIRST} again. */
  void watching() {
    failuresInARow = 0;
  }

  /**
   * The wait before the next attempt, after a failure; empty when the watch should give up.
   *
   * @param hadWatched whether the connection that broke had reached IDLE (a drop), or not (a failed
   *     attempt)
   */
  Optional<Duration> next(boolean hadWatched) {
    if (hadWatched) {
      long now = nanoTime.getAsLong();
      if (now - windowStart > DROP_WINDOW.toNanos()) {
        windowStart = now;
        dropsInWindow = 0;
      }
      if (++dropsInWindow > MAX_DROPS) {
        return Optional.empty();
      }
    } else if (++failuresInARow >= MAX_FAILURES_IN_A_ROW) {
      return Optional.empty();
    }
    int doublings = Math.min(failuresInARow, 20);
    long base = Math.min(CAP.toMillis(), FIRST.toMillis() << doublings);
    long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    return Optional.of(Duration.ofMillis(jittered));
  }

  int failuresInARow() {
    return failuresInARow;
  }
}
