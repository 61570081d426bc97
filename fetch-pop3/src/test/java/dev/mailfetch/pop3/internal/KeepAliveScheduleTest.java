package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When the keepalive sends, by an injected clock: idle means no command for the interval by that
 * clock, whatever the wall clock does. (The end-to-end behaviour, NOOPs during a slow sink's
 * barrier, is KeepAliveTest's.)
 */
@Timeout(30)
class KeepAliveScheduleTest {
  private static final long SECOND = 1_000_000_000L;
  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
  private final AtomicLong clock = new AtomicLong(100 * SECOND);
  private final AtomicLong lastCommand = new AtomicLong(100 * SECOND);

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  @Test
  void idle_isNoCommandForTheInterval_byTheInjectedClock() {
    KeepAlive k = new KeepAlive(scheduler, clock::get);
    k.start(Duration.ofSeconds(15), lastCommand::get, () -> {});
    assertFalse(k.idle());
    clock.addAndGet(15 * SECOND - 1);
    assertFalse(k.idle());
    clock.addAndGet(1);
    assertTrue(k.idle());
    lastCommand.set(clock.get()); // a command went out
    assertFalse(k.idle());
    k.stop();
  }

  @Test
  void theNoopRuns_onlyOnceTheClockSaysIdle_andNotAfterStop() throws InterruptedException {
    KeepAlive k = new KeepAlive(scheduler, clock::get);
    AtomicInteger noops = new AtomicInteger();
    Semaphore ran = new Semaphore(0);
    Semaphore looked = new Semaphore(0);
    k.start(
        Duration.ofMillis(200), // looks every 50 ms
        () -> {
          looked.release();
          return lastCommand.get();
        },
        () -> {
          noops.incrementAndGet();
          ran.release();
        });
    assertTrue(looked.tryAcquire(3, 10, TimeUnit.SECONDS), "the scheduler looked three times");
    assertEquals(0, noops.get(), "not idle by the clock, whatever time passed");
    clock.addAndGet(SECOND);
    assertTrue(ran.tryAcquire(10, TimeUnit.SECONDS), "idle by the clock: NOOP");
    k.stop();
    Thread.sleep(100); // a look that had begun before stop() ends
    int after = noops.get();
    looked.drainPermits();
    assertFalse(looked.tryAcquire(1, 300, TimeUnit.MILLISECONDS), "stopped: no more looks");
    assertEquals(after, noops.get());
  }
}
