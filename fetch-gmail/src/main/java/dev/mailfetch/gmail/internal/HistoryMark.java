package dev.mailfetch.gmail.internal;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mailbox's history id, taken before any import whose intent records it: an import in doubt
 * after a crash is settled by reading Gmail's history from this point ({@link InDoubt}), so it must
 * be before the import, and the more recent the shorter that read.
 */
final class HistoryMark {
  private static final Logger log = LoggerFactory.getLogger(HistoryMark.class);

  static final long REFRESH_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final RateLimiter.Clock clock;
  private final Object lock = new Object();
  private volatile long mark = -1;

  /** When the mark was taken (nanoTime). */
  private volatile long markAt;

  HistoryMark(RateLimiter.Clock clock) {
    this.clock = clock;
  }

  /** The mark; -1 while none is known. */
  long value() {
    return mark;
  }

  /** A history id read now (the profile at the start): kept where newer. */
  void offer(long historyId) {
    if (historyId > mark) {
      mark = historyId; // taken now, so before every intent written from here on
      markAt = clock.nanoTime();
    }
  }

  /**
   * Takes the mailbox's history id afresh now and then, so that an import in doubt is settled from
   * a recent point of its history, not from the sink's start. The value is taken before the intents
   * that will record it are written, so it is always before their imports. A failure is no matter:
   * the older mark stays right.
   */
  void refresh(GmailApi api) {
    if (mark < 0 || clock.nanoTime() - markAt < REFRESH_NANOS) {
      return;
    }
    synchronized (lock) {
      if (clock.nanoTime() - markAt < REFRESH_NANOS) {
        return;
      }
      markAt = clock.nanoTime();
      try {
        long h = api.profile().historyId();
        if (h > mark) {
          mark = h;
        }
      } catch (IOException | RuntimeException e) {
        log.debug("cannot refresh the Gmail history id: {}", e.toString());
      }
    }
  }
}
