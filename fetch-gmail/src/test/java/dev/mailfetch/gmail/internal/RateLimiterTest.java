package dev.mailfetch.gmail.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Requests stay within the quota wherever Gmail counts them, and Gmail's Retry-After pauses them
 * all.
 */
class RateLimiterTest {
  private static final long SECOND = 1_000_000_000L;

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
  void noWindowOfASecondHoldsMoreThanTheQuota_andTheRateIsWhatTheQuotaAllows()
      throws InterruptedException {
    FakeClock clock = new FakeClock();
    RateLimiter l = new RateLimiter(100, SECOND, clock);
    List<Long> starts = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      l.acquire(25);
      starts.add(clock.now);
      l.answered(25); // at once: a round trip of no time
    }
    for (int i = 0; i < starts.size(); i++) {
      int inWindow = 0;
      for (int j = i; j < starts.size() && starts.get(j) - starts.get(i) < 1_000_000_000L; j++) {
        inWindow++;
      }
      assertTrue(inWindow * 25 <= 100, "window from request " + i + " holds " + inWindow);
    }
    double seconds = (starts.get(399) - starts.get(0)) / 1e9;
    assertEquals(
        99.0,
        seconds,
        0.01,
        "400 imports of 25 units at 100 units a second: 4 in each of 100 windows");
  }

  @Test
  void aRequestStaysChargedUntilAFullWindowAfterItsAnswer_howeverLongItsAnswerTakes()
      throws InterruptedException {
    FakeClock clock = new FakeClock();
    RateLimiter l = new RateLimiter(100, SECOND, clock);
    for (int i = 0; i < 4; i++) {
      assertTrue(l.acquire(25, clock.now));
    }
    assertFalse(l.acquire(25, clock.now), "the quota is charged to the four in flight");
    clock.now +=
        5 * SECOND; // their answers take long: Gmail may count them at any moment until then
    assertFalse(l.acquire(25, clock.now), "still charged: none has answered");
    l.answered(25);
    long answeredAt = clock.now;
    assertFalse(l.acquire(25, answeredAt + SECOND - 1), "a wait past the deadline is refused");
    assertEquals(answeredAt, clock.now, "and not slept");
    assertTrue(l.acquire(25, answeredAt + SECOND));
    assertEquals(answeredAt + SECOND, clock.now, "released a full window after the answer");
  }

  @Test
  void retryAfter_pausesEveryRequest() throws InterruptedException {
    FakeClock clock = new FakeClock();
    RateLimiter l = new RateLimiter(1000, SECOND, clock);
    long t0 = clock.now;
    l.pauseUntil(t0 + 3_000_000_000L);
    l.acquire(1);
    assertTrue(clock.now - t0 >= 3_000_000_000L, "waited for Retry-After");
  }

  @Test
  void aWaitThatWouldEndPastTheCallersDeadline_isRefused_notSlept() throws InterruptedException {
    FakeClock clock = new FakeClock();
    RateLimiter l = new RateLimiter(1000, SECOND, clock);
    long t0 = clock.now;
    l.pauseUntil(t0 + 900_000_000_000L); // Retry-After: 900
    assertFalse(l.acquire(1, t0 + 3_000_000_000L), "900 s is past a budget ending in 3 s");
    assertEquals(t0, clock.now, "and nothing was slept");
    assertTrue(l.acquire(1, t0 + 1_000_000_000_000L), "a deadline after the pause waits it out");
    assertTrue(clock.now - t0 >= 900_000_000_000L);
  }

  /**
   * Gmail counts a request when it arrives, somewhere between its sending and its answer, and on a
   * loaded machine the server may stall and then take the requests sent meanwhile all at once.
   * 2,000 imports under 2,500 units a second (GmailQuotaTest's figures), 32 at a time, round trips
   * of 1 to 20 ms, and a server that stalls for 200 ms every 1.3 s (a request sent during a stall
   * arrives at its end): no window of a second (as the fake counts it: from an arrival, for less
   * than a second) holds more than the quota, and the run takes close to what the quota allows.
   */
  @Test
  void noWindowHoldsMoreThanTheQuota_whereverARequestArrivesBetweenItsSendingAndItsAnswer()
      throws InterruptedException {
    FakeClock clock = new FakeClock();
    long window = 1_000_000_000L;
    int quota = 2_500;
    int imports = 2_000;
    RateLimiter l = new RateLimiter(quota, window, clock);
    Random random = new Random(17);
    List<Long> arrivals = new ArrayList<>();
    PriorityQueue<Long> answers = new PriorityQueue<>();
    long t0 = clock.now;
    int sent = 0;
    while (sent < imports || !answers.isEmpty()) {
      while (!answers.isEmpty() && answers.peek() <= clock.now) {
        answers.poll();
        l.answered(25);
      }
      while (sent < imports && answers.size() < 32 && l.acquire(25, clock.now)) {
        long sinceStall = (clock.now - t0) % 1_300_000_000L;
        long arrival = clock.now + (sinceStall < 200_000_000L ? 200_000_000L - sinceStall : 0);
        arrivals.add(arrival);
        answers.add(arrival + 1_000_000L * (1 + random.nextInt(20)));
        sent++;
      }
      clock.now += 1_000_000L; // a millisecond on
    }
    Collections.sort(arrivals);
    for (int i = 0, j = 0; i < arrivals.size(); i++) {
      while (j < arrivals.size() && arrivals.get(j) - arrivals.get(i) < window) {
        j++;
      }
      assertTrue(
          (j - i) * 25 <= quota, "the window from arrival " + i + " holds " + (j - i) + " imports");
    }
    double seconds = (clock.now - t0) / 1e9;
    // 100 imports a window: 19 windows after the first, some longer by a stall
    assertTrue(seconds >= 19 && seconds <= 19 * 1.25, "took " + seconds + " s");
  }
}
