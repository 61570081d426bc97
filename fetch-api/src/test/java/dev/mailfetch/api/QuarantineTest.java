package dev.mailfetch.api;

import static dev.mailfetch.api.MessageOutcome.Kind.FAILED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A failure that both quarantines a message and stops the run (the connection breaks inside the
 * message, run after run: the testkit's Q36_DROP_MID_RETR) is one failure: the run's error is the
 * message's, the same exception, carrying what became of the message and the one advice that fits
 * it. What the state keeps of it is what happened, in its own words.
 */
class QuarantineTest {
  private static Rig droppingInsideM2() {
    Rig rig = new Rig().withMessages(3);
    rig.faults.dropAfterBytes.put("m2", 10L);
    return rig;
  }

  @Test
  void aFailureThatQuarantinesAMessageAndStopsTheRun_isOneFailure_withTheQuarantinesAdvice() {
    Rig rig = droppingInsideM2();
    FetchResult first = rig.fetcher(b -> b.quarantineAfter(2)).run();
    assertSame(
        first.outcomes().get(1).error(),
        first.error().orElseThrow(),
        "one failure, before quarantine too");

    FetchResult r = rig.fetcher(b -> b.quarantineAfter(2)).run();
    MessageOutcome m2 = r.outcomes().get(1);
    assertEquals(FAILED, m2.kind());
    assertTrue(m2.attempted());
    assertSame(m2.error(), r.error().orElseThrow(), "the run's error is the message's: said once");
    assertSame(m2.error(), r.firstError().orElseThrow());
    FetchException e = r.error().orElseThrow();
    assertEquals(FetchError.CONNECTION_RESET, e.error());
    assertEquals(
        "test: reset inside m2; it has now failed in 2 runs and is quarantined: later runs do not try it",
        e.detail());
    assertTrue(e.remedy().commandLine().contains("--retry-quarantined"), e.remedy().commandLine());
    assertFalse(
        e.remedy().commandLine().contains("Try again later"),
        "not the code's advice: " + e.remedy().commandLine());
    assertFalse(r.outcomes().get(2).attempted(), "the run stopped there");
    assertEquals(
        "test: reset inside m2",
        rig.store.inner.get("m2").orElseThrow().lastErrorDetail(),
        "the state keeps what happened, not what it led to");
  }

  @Test
  void aQuarantinedMessagesLastError_isWhatHappened_neverItsCodesSummary() {
    Rig rig = droppingInsideM2();
    for (int run = 1; run <= 2; run++) {
      rig.fetcher(b -> b.quarantineAfter(2)).run();
    }
    rig.crash(); // a new process: only what the state kept
    FetchResult r = rig.fetcher(b -> b.quarantineAfter(2)).run();
    MessageOutcome m2 = r.outcomes().get(1);
    assertEquals(SkipReason.QUARANTINED, m2.skipReason());
    String said = m2.error().detail();
    assertTrue(said.endsWith("Its last error: test: reset inside m2"), said);
    assertFalse(said.contains(FetchError.CONNECTION_RESET.summary()), said);
    assertTrue(r.error().isEmpty(), "the run went on past it: " + r.summary());
  }

  @Test
  void aQuarantinedMessageTriedOnceMore_thatStopsTheRunAgain_isOneFailure() {
    Rig rig = droppingInsideM2();
    for (int run = 1; run <= 2; run++) {
      rig.fetcher(b -> b.quarantineAfter(2)).run();
    }
    FetchResult r = rig.fetcher(b -> b.quarantineAfter(2).retryQuarantined(true)).run();
    FetchException e = r.error().orElseThrow();
    assertSame(r.outcomes().get(1).error(), e);
    assertTrue(
        e.detail()
            .startsWith(
                "test: reset inside m2; it failed again when tried once more, in 3 runs in"
                    + " all, and stays quarantined"),
        e.detail());
    assertTrue(e.remedy().commandLine().contains("--retry-quarantined"), e.remedy().commandLine());
  }
}
