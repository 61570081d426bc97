package dev.mailfetch.gmail.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A failure of Gmail as a destination stops the messages after it at once, for a minute (the daily
 * limit for an hour), in words that say it came from another message; a message's own refusal does
 * not.
 */
class DestinationLatchTest {
  private long now = 1_000;

  private final RateLimiter.Clock clock =
      new RateLimiter.Clock() {
        @Override
        public long nanoTime() {
          return now;
        }

        @Override
        public void sleepNanos(long nanos) {
          now += nanos;
        }
      };

  private final DestinationLatch latch = new DestinationLatch("me@gmail.com", clock);

  @Test
  void aDestinationsFailure_refusesTheNextMessagesForAMinute_thenRunsOut() throws FetchException {
    assertFalse(latch.check("message 1 of a"), "nothing remembered");
    FetchException down = new FetchException(FetchError.SINK_FAILED, "Gmail failed (500)");
    latch.latch(down);
    FetchException e = assertThrows(FetchException.class, () -> latch.check("message 2 of a"));
    assertEquals(FetchError.SINK_FAILED, e.error());
    assertSame(down, e.getCause());
    assertTrue(
        e.detail().startsWith("message 2 of a was not sent: Gmail (me@gmail.com)"), e.detail());
    assertTrue(e.detail().contains("for up to 1 minute. The failure then: Gmail failed (500)"));
    now += DestinationLatch.LATCH_NANOS;
    assertTrue(latch.check(null), "run out: the account is worth checking again");
    assertFalse(latch.check(null), "and forgotten");
  }

  @Test
  void theDailyLimit_isHeldAnHour() {
    latch.latch(new GmailFailures.DailyLimit("Gmail's daily limit for x is reached"));
    now += TimeUnit.MINUTES.toNanos(59);
    FetchException e = assertThrows(FetchException.class, () -> latch.check(null));
    assertTrue(e.detail().startsWith("not sent: Gmail"), e.detail());
    assertTrue(e.detail().contains("for up to 1 minute."), e.detail());
  }

  @Test
  void aMessageGmailRefused_isNotTheDestinations() throws FetchException {
    latch.latch(new FetchException(FetchError.SINK_REJECTED, "too big"));
    assertFalse(latch.check("message 3 of a"));
  }

  @Test
  void theDailyLimit_isToldByItsType_inContextToo_neverByItsWords() {
    latch.latch(
        new GmailFailures.DailyLimit("Gmail's daily limit for x is reached")
            .inContext("importing message 4"));
    now += TimeUnit.MINUTES.toNanos(59);
    assertThrows(FetchException.class, () -> latch.check(null), "held an hour");
    DestinationLatch other = new DestinationLatch("me@gmail.com", clock);
    other.latch(
        new FetchException(FetchError.QUOTA_EXCEEDED, "Gmail's daily limit for x is reached"));
    now += DestinationLatch.LATCH_NANOS;
    assertDoesNotThrow(() -> other.check(null), "the words alone: a minute");
  }
}
