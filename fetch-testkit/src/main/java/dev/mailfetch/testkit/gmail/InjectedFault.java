package dev.mailfetch.testkit.gmail;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FaultRule} installed on a {@link FakeGmailServer}: how often it has hit, and a way to
 * take it out. Thread-safe.
 */
public final class InjectedFault {
  private final FaultRule rule;
  private final AtomicInteger hits = new AtomicInteger();
  private volatile boolean removed;

  InjectedFault(FaultRule rule) {
    this.rule = rule;
  }

  /** The rule installed. */
  public FaultRule rule() {
    return rule;
  }

  /** How many requests this fault has hit so far. */
  public int hits() {
    return hits.get();
  }

  /** True once the fault will hit no more requests (its count used up, or removed). */
  public boolean exhausted() {
    return removed || (rule.times >= 0 && hits.get() >= rule.times);
  }

  /** Takes the fault out: it hits no further request. */
  public void remove() {
    removed = true;
  }

  /** Claims one hit if the fault still has one left; thread-safe. */
  boolean claim() {
    if (removed) {
      return false;
    }
    if (rule.times < 0) {
      hits.incrementAndGet();
      return true;
    }
    while (true) {
      int now = hits.get();
      if (now >= rule.times) {
        return false;
      }
      if (hits.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  @Override
  public String toString() {
    return rule + " (" + hits.get() + " hits)";
  }
}
