package dev.mailfetch.testkit.gmail;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Gmail's usage limits: a per-user limit of quota units over a moving window, and a daily limit
 * over all users (the project's). A request that would go over is refused and counted as a breach;
 * refused requests use no units. Thread-safe.
 */
final class Quota {
  enum Verdict {
    OK,
    USER_RATE,
    DAILY
  }

  private record Use(long atNanos, int units) {}

  private final Map<String, ArrayDeque<Use>> perUser = new HashMap<>();
  private final Map<String, Long> usedByUser = new HashMap<>();
  private long unitsPerWindow = 6_000;
  private long windowNanos = Duration.ofMinutes(1).toNanos();
  private long dailyLimit = Long.MAX_VALUE;
  private long usedToday;
  private int breaches;
  private int dailyBreaches;
  private final Map<String, Integer> inFlight = new HashMap<>();
  private int maxConcurrent = Integer.MAX_VALUE;
  private int concurrencyBreaches;

  synchronized void concurrency(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("perUserConcurrency: " + max + " (expected: 1 or more)");
    }
    maxConcurrent = max;
  }

  /**
   * Counts a request in flight for the account; false (and a breach) where that is one too many.
   */
  synchronized boolean enter(String account) {
    int now = inFlight.getOrDefault(account, 0);
    if (now >= maxConcurrent) {
      concurrencyBreaches++;
      return false;
    }
    inFlight.put(account, now + 1);
    return true;
  }

  synchronized void leave(String account) {
    inFlight.merge(account, -1, Integer::sum);
  }

  synchronized int concurrencyBreaches() {
    return concurrencyBreaches;
  }

  synchronized void perUser(long units, Duration window) {
    if (units < 1 || window.isZero() || window.isNegative()) {
      throw new IllegalArgumentException(
          "perUserQuota: "
              + units
              + " units per "
              + window
              + " (expected: at least 1 unit per positive duration)");
    }
    unitsPerWindow = units;
    windowNanos = window.toNanos();
  }

  synchronized void daily(long units) {
    if (units < 0) {
      throw new IllegalArgumentException("dailyLimit: " + units + " (expected: 0 or more)");
    }
    dailyLimit = units;
  }

  synchronized Verdict charge(String account, int units) {
    if (usedToday + units > dailyLimit) {
      dailyBreaches++;
      return Verdict.DAILY;
    }
    long now = System.nanoTime();
    ArrayDeque<Use> uses = perUser.computeIfAbsent(account, k -> new ArrayDeque<>());
    long inWindow = 0;
    while (!uses.isEmpty() && now - uses.peekFirst().atNanos() >= windowNanos) {
      uses.removeFirst();
    }
    for (Use u : uses) {
      inWindow += u.units();
    }
    if (inWindow + units > unitsPerWindow) {
      breaches++;
      return Verdict.USER_RATE;
    }
    uses.addLast(new Use(now, units));
    usedToday += units;
    usedByUser.merge(account, (long) units, Long::sum);
    return Verdict.OK;
  }

  synchronized int breaches() {
    return breaches;
  }

  synchronized int dailyBreaches() {
    return dailyBreaches;
  }

  synchronized long used(String account) {
    return usedByUser.getOrDefault(account, 0L);
  }

  synchronized long usedToday() {
    return usedToday;
  }
}
