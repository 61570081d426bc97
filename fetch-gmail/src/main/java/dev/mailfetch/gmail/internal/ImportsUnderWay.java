package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The imports handed to the pool and not yet ended, and the backstop of the barrier: {@code sync}
 * waits for each, but not past the time its requests may take, so that an import stuck where no
 * bound reaches (a token provider that never returns, say) is reported failed and left in doubt
 * instead of holding the run forever.
 */
final class ImportsUnderWay {
  private static final Logger log = LoggerFactory.getLogger(ImportsUnderWay.class);

  /** An import under way on a pool thread, and when {@code sync} stops waiting for it. */
  record Running(Thread thread, long deadlineNanos) {}

  private final Config config;
  private final RateLimiter.Clock clock;
  private final Refusals refusals;
  private final Map<DeliveryKey, CompletableFuture<Void>> onTheirWay = new ConcurrentHashMap<>();
  private final Map<DeliveryKey, Running> running = new ConcurrentHashMap<>();
  private final Set<DeliveryKey> abandoned = ConcurrentHashMap.newKeySet();

  ImportsUnderWay(Config config, RateLimiter.Clock clock, Refusals refusals) {
    this.config = config;
    this.clock = clock;
    this.refusals = refusals;
  }

  /** Whether an import of {@code key} is on its way. */
  boolean contains(DeliveryKey key) {
    return onTheirWay.containsKey(key);
  }

  /** Claims {@code key} for an import about to be handed over; false if another one has it. */
  boolean claim(DeliveryKey key, CompletableFuture<Void> done) {
    return onTheirWay.putIfAbsent(key, done) == null;
  }

  /** Lets go of a claim whose import was never handed over. */
  void unclaim(DeliveryKey key) {
    onTheirWay.remove(key);
  }

  /** The import of {@code key} starts on this thread, of {@code size} bytes. */
  Running started(DeliveryKey key, long size) {
    Running me = new Running(Thread.currentThread(), clock.nanoTime() + backstopNanos(size));
    running.put(key, me);
    return me;
  }

  /** The import of {@code key} ended, however it ended. */
  void ended(DeliveryKey key, Running me, CompletableFuture<Void> done) {
    running.remove(key, me);
    abandoned.remove(key);
    onTheirWay.remove(key, done);
  }

  /**
   * Whether {@code sync} already reported the import of {@code key} failed (and forgets it): its
   * intent stays open, as it may be in Gmail.
   */
  boolean wasAbandoned(DeliveryKey key) {
    return abandoned.remove(key);
  }

  /** Waits for every import on its way, each up to its backstop. */
  void awaitAll() throws IOException {
    for (Map.Entry<DeliveryKey, CompletableFuture<Void>> e :
        new ArrayList<>(onTheirWay.entrySet())) {
      awaitOrAbandon(e.getKey(), e.getValue());
    }
  }

  /**
   * Waits for one import, but not past its backstop: every request of an import is bounded (the
   * exchange by the request timeout, its retries by the retry budget), so one still running past
   * {@link #backstopNanos} is stuck somewhere no bound reaches (a token provider that never
   * returns, say). It is then reported failed, its intent left in doubt, and its thread
   * interrupted.
   */
  private void awaitOrAbandon(DeliveryKey key, CompletableFuture<Void> f) throws IOException {
    while (true) {
      Running r = running.get(key);
      long wait = r == null ? TimeUnit.SECONDS.toNanos(1) : r.deadlineNanos() - clock.nanoTime();
      if (r != null && wait <= 0) {
        abandon(key, f, r);
        return;
      }
      try {
        f.get(Math.min(wait, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
        return;
      } catch (TimeoutException stillRunning) {
        // look at its deadline again (a queued import has none until it starts)
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for Gmail's answers");
      } catch (ExecutionException e) {
        return; // every failure of an import is recorded as a refusal; nothing escapes the task
      }
    }
  }

  private void abandon(DeliveryKey key, CompletableFuture<Void> f, Running r) {
    if (!running.remove(key, r)) {
      return; // it ended meanwhile
    }
    abandoned.add(key);
    onTheirWay.remove(key, f);
    f.complete(null);
    log.warn(
        "an import into {} was still under way past the time its requests may take and is abandoned; it is"
            + " settled by asking Gmail at its next try",
        config.mailbox());
    refusals.add(
        key,
        new FetchException(
            FetchError.SINK_FAILED,
            "the import of a message into Gmail ("
                + config.mailbox()
                + ") was still under way when mailfetch stopped waiting for it (it waits the retry budget"
                + " and the request timeout for each request an import needs): it is in doubt, so the message stays on the"
                + " server, and its next try first asks Gmail whether it arrived",
            null,
            null,
            Remedy.of(
                "Run again; if it happens again, check the token provider and the network between this machine and"
                    + " Gmail.")));
    r.thread().interrupt();
  }

  /** How long {@code sync} waits at most for an import of {@code size} bytes once it started. */
  long backstopNanos(long size) {
    long requests =
        size > config.resumableAbove()
            ? (size + config.uploadChunkBytes() - 1) / config.uploadChunkBytes() + 1
            : 1;
    long each = config.retryBudget().toNanos() + 2 * config.requestTimeout().toNanos();
    return (requests + 3) * each
        + config.searchSettleTime().toNanos(); // settling may wait for the search
  }
}
