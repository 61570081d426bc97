package dev.mailfetch.pop3.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * When a session has been idle long enough to send a keepalive NOOP (quirk Q43: a server that drops
 * an idle session must not cost a fetch whose sink is slow to make its deliveries durable). It
 * decides when; what is sent, and whether the connection is free for it, is the session's business.
 * The scheduler and the clock are injected; by default one daemon thread serves every session, and
 * the clock is {@link System#nanoTime()}.
 */
final class KeepAlive {
  /** One daemon thread keeps every idle session alive. */
  static final ScheduledExecutorService DEFAULT_SCHEDULER = defaultScheduler();

  /** The shortest pause between two looks at a session. */
  private static final long MIN_TICK_NANOS = 50_000_000L;

  private final ScheduledExecutorService scheduler;
  private final LongSupplier ticker;
  private long every;
  private LongSupplier lastCommand;
  private ScheduledFuture<?> future;

  /** On the shared daemon thread, by {@link System#nanoTime()}. */
  KeepAlive() {
    this(DEFAULT_SCHEDULER, System::nanoTime);
  }

  /**
   * @param scheduler runs the looks at the session
   * @param ticker the clock, in nanoseconds, that {@code lastCommand} of {@link #start} is read by
   */
  KeepAlive(ScheduledExecutorService scheduler, LongSupplier ticker) {
    this.scheduler = scheduler;
    this.ticker = ticker;
  }

  /**
   * Runs {@code noop} whenever no command went out for {@code interval} (by {@code lastCommand}),
   * looking every quarter of it (at least every 50 ms). {@code noop} runs on the scheduler's thread
   * and must not wait for the connection: a server slow to answer must not hold up the other
   * sessions on that thread.
   */
  void start(Duration interval, LongSupplier lastCommand, Runnable noop) {
    this.every = interval.toNanos();
    this.lastCommand = lastCommand;
    long tick = Math.max(MIN_TICK_NANOS, every / 4);
    future =
        scheduler.scheduleWithFixedDelay(
            () -> {
              if (idle()) {
                noop.run();
              }
            },
            tick,
            tick,
            TimeUnit.NANOSECONDS);
  }

  /** Whether no command went out for the interval: checked again once the connection is held. */
  boolean idle() {
    return ticker.getAsLong() - lastCommand.getAsLong() >= every;
  }

  /** No more NOOPs; safe to call at any time, more than once. */
  void stop() {
    if (future != null) {
      future.cancel(false);
    }
  }

  private static ScheduledExecutorService defaultScheduler() {
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "mailfetch-pop3-keepalive");
              t.setDaemon(true);
              return t;
            });
    e.setRemoveOnCancelPolicy(true); // an ended session leaves nothing behind in the queue
    // With no session open the thread ends, so an embedder that unloads us (a redeployed web
    // application) is not kept alive by it.
    e.setKeepAliveTime(30, TimeUnit.SECONDS);
    e.allowCoreThreadTimeOut(true);
    return e;
  }
}
