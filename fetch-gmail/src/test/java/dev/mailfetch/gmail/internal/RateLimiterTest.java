package dev.mailfetch.gmail.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Requests are paced evenly within the quota, and Gmail's Retry-After pauses them all. */
class RateLimiterTest {
  /** A clock that moves only when someone sleeps. */
  static final class FakeClock implements RateLimiter.Clock {
    long now = 1_000_000_000L;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepNanos(long nanos) {
      now += Math.max(0, nanos);
    }
  }

  @Test
  void noWindowOfASecondHoldsMoreThanTheQuota_andTheRateIsWhatTheQuotaAllows() throws InterruptedException {
    FakeClock clock = new FakeClock();
    RateLimiter l = new RateLimiter(100, 25, clock);
    List<Long> starts = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      l.acquire(25);
      starts.add(clock.now);
    }
    for (int i = 0; i < starts.size(); i++) {
      int inWindow = 0;
      for (int j = i; j < starts.size() && starts.get(j) - starts.get(i) < 1_000_000_000L; j++) {
        inWindow++;
      }
      assertTrue(inWindow * 25 <= 100 + 25, "window from request " + i + " holds " + inWindow);
    }
    double seconds = (starts.get(399) - starts.get(0)) / 1e9;
    assertEquals(99.75, seconds, 0.5, "400 imports of 25 units at 100 units a second");
  }

  @Test
  void retryAfter_pausesEveryRequest() throws InterruptedException {
    FakeClock clock = new FakeClock();
    RateLimiter l = new RateLimiter(1000, 25, clock);
    long t0 = clock.now;
    l.pauseUntil(t0 + 3_000_000_000L);
    l.acquire(1);
    assertTrue(clock.now - t0 >= 3_000_000_000L, "waited for Retry-After");
  }
}
