package dev.mailfetch.gmail.internal;

/**
 * Keeps requests under Gmail's per-user quota: a bucket of quota units that refills at {@code
 * unitsPerSecond} and holds at most {@code burst} units (one import's 25), so requests are paced
 * evenly and no window of a second ever holds more than the quota (plus the one request that opens
 * it). Gmail's {@code Retry-After} pauses every request of the sink, not only the one that met
 * it ({@link #pauseUntil}). Thread-safe.
 */
final class RateLimiter {
  /** The time in nanoseconds, and a way to wait; replaced in tests. */
  interface Clock {
    long nanoTime();

    void sleepNanos(long nanos) throws InterruptedException;

    Clock SYSTEM = new Clock() {
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

  private final double unitsPerNano;
  private final double capacity;
  private final Clock clock;
  private double available;
  private long last;
  private long pausedUntil;

  RateLimiter(double unitsPerSecond, double burst, Clock clock) {
    this.unitsPerNano = unitsPerSecond / 1e9;
    this.capacity = Math.min(burst, unitsPerSecond);
    this.clock = clock;
    this.last = clock.nanoTime();
    this.available = capacity;
    this.pausedUntil = last;
  }

  /** Waits until {@code units} may be spent, and spends them. */
  void acquire(int units) throws InterruptedException {
    long wait;
    synchronized (this) {
      long now = clock.nanoTime();
      refill(now);
      available -= units;
      wait = Math.max(pausedUntil - now, available >= 0 ? 0 : (long) Math.ceil(-available / unitsPerNano));
    }
    clock.sleepNanos(wait);
  }

  /** No request starts before {@code nanoTime} (Gmail's {@code Retry-After}). */
  synchronized void pauseUntil(long nanoTime) {
    if (nanoTime - pausedUntil > 0) {
      pausedUntil = nanoTime;
    }
  }

  private void refill(long now) {
    long elapsed = now - last;
    if (elapsed > 0) {
      available = Math.min(capacity, available + elapsed * unitsPerNano);
      last = now;
    }
  }
}
