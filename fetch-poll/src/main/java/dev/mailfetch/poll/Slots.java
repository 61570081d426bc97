package dev.mailfetch.poll;

import java.util.HashMap;
import java.util.Map;

/**
 * The permits for checks running at once: a number overall, and a number per server host, because
 * servers rate-limit the sessions of one client. Not thread-safe: the {@link Poller} guards it.
 */
final class Slots {
  private final int max;
  private final int maxPerHost;
  private final Map<String, Integer> byHost = new HashMap<>();
  private int running;

  Slots(int max, int maxPerHost) {
    this.max = max;
    this.maxPerHost = maxPerHost;
  }

  /** Whether every permit overall is taken: no check may start, whatever its host. */
  boolean full() {
    return running >= max;
  }

  /** Takes a permit for a check against {@code host}; false if none is free overall or for it. */
  boolean tryAcquire(String host) {
    if (full() || byHost.getOrDefault(host, 0) >= maxPerHost) {
      return false;
    }
    running++;
    byHost.merge(host, 1, Integer::sum);
    return true;
  }

  /** Gives back a permit that {@link #tryAcquire} took for {@code host}. */
  void release(String host) {
    Integer n = byHost.get(host);
    if (n == null) {
      throw new IllegalStateException("no check runs against " + host);
    }
    running--;
    if (n == 1) {
      byHost.remove(host);
    } else {
      byHost.put(host, n - 1);
    }
  }

  /** Checks running now, overall. */
  int running() {
    return running;
  }

  /** Checks running now against {@code host}. */
  int running(String host) {
    return byHost.getOrDefault(host, 0);
  }
}
