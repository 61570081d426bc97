package dev.mailfetch.gmail.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next try of a request Gmail asked to slow down or failed: 1 second,
 * doubling to 32, each drawn between half and all of that (so parallel requests that failed
 * together do not return together), or Gmail's {@code Retry-After} where it gave one (with up to a
 * tenth more).
 */
final class Backoff {
  static final long BASE_NANOS = 1_000_000_000L;
  static final long CAP_NANOS = 32_000_000_000L;

  private Backoff() {}

  /**
   * The wait before try {@code retry} (1 for the first retry); {@code retryAfterNanos} below 0 when
   * Gmail gave none.
   */
  static long delayNanos(int retry, long retryAfterNanos) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    if (retryAfterNanos >= 0) {
      return retryAfterNanos + (long) (r.nextDouble() * retryAfterNanos / 10);
    }
    long d = BASE_NANOS << Math.min(Math.max(retry - 1, 0), 5);
    d = Math.min(d, CAP_NANOS);
    return d / 2 + (long) (r.nextDouble() * (d / 2.0));
  }
}
