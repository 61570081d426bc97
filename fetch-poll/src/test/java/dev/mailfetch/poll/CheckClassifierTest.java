package dev.mailfetch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Capabilities;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.poll.CheckClassifier.NextCheck;
import dev.mailfetch.poll.CheckClassifier.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What a check came to, from its result alone: no poller, no threads, no clock. */
class CheckClassifierTest {
  private static final Instant T = Instant.parse("2026-03-02T09:00:00Z");

  private static FetchException wrongPassword() {
    return new FetchException(FetchError.AUTH_FAILED, "wrong password (test)");
  }

  private static FetchResult result(
      List<MessageOutcome> outcomes, FetchException error, Optional<Duration> loginDelay) {
    return new FetchResult(
        "alice",
        "pop.example.org:995",
        T,
        Duration.ofSeconds(1),
        outcomes,
        Optional.ofNullable(error),
        Set.of(),
        0,
        0,
        Optional.of(new Capabilities(true, Optional.empty(), loginDelay, Set.of())));
  }

  private static FetchResult failedWith(FetchError e) {
    return result(List.of(), new FetchException(e, "(test)"), Optional.empty());
  }

  private static MessageOutcome delivered(int n) {
    MessageRef ref = new MessageRef(n, "u" + n, 100);
    return new MessageOutcome(
        ref,
        MessageOutcome.Kind.DELIVERED,
        DeliveryKey.of("alice", ref.uid()),
        null,
        null,
        null,
        null,
        true,
        100);
  }

  @Test
  void aCheckThatDelivered_isNewMail_adaptive() {
    Verdict v =
        CheckClassifier.classify(result(List.of(delivered(1)), null, Optional.empty()), null, null);
    assertEquals(CheckRecord.Outcome.NEW_MAIL, v.outcome());
    assertEquals(NextCheck.ADAPTIVE, v.next());
    assertTrue(v.error().isEmpty() && v.pausedBy().isEmpty());
    assertFalse(v.paused() || v.resumed());
  }

  @Test
  void aCheckThatFoundNothing_isNothingNew_andCarriesTheServersLoginDelay() {
    Verdict v =
        CheckClassifier.classify(
            result(List.of(), null, Optional.of(Duration.ofSeconds(900))), null, null);
    assertEquals(CheckRecord.Outcome.NOTHING_NEW, v.outcome());
    assertEquals(NextCheck.ADAPTIVE, v.next());
    assertEquals(Optional.of(Duration.ofSeconds(900)), v.loginDelay());
  }

  @Test
  void aCheckThatWorks_resumesAPausedAccount() {
    Verdict v =
        CheckClassifier.classify(result(List.of(), null, Optional.empty()), null, wrongPassword());
    assertEquals(CheckRecord.Outcome.NOTHING_NEW, v.outcome());
    assertTrue(v.resumed());
    assertTrue(v.pausedBy().isEmpty());
  }

  @ParameterizedTest
  @EnumSource(
      value = FetchError.class,
      names = {"LOGIN_DELAY", "LOCKED"})
  void theServerAskingForTime_putsTheCheckOff_withoutPausing(FetchError e) {
    Verdict v = CheckClassifier.classify(failedWith(e), null, null);
    assertEquals(CheckRecord.Outcome.PUT_OFF, v.outcome());
    assertEquals(NextCheck.PUT_OFF, v.next());
    assertTrue(v.pausedBy().isEmpty());
    assertEquals(e, v.error().orElseThrow().error());
  }

  @Test
  void everyOtherError_backsOffIfRetryable_elsePauses() {
    for (FetchError e : FetchError.values()) {
      if (e == FetchError.STOPPED || e == FetchError.LOGIN_DELAY || e == FetchError.LOCKED) {
        continue;
      }
      Verdict v = CheckClassifier.classify(failedWith(e), null, null);
      if (e.retryable()) {
        assertEquals(CheckRecord.Outcome.FAILED, v.outcome(), e.name());
        assertEquals(NextCheck.BACK_OFF, v.next(), e.name());
        assertFalse(v.paused(), e.name());
      } else {
        assertEquals(CheckRecord.Outcome.PAUSED, v.outcome(), e.name());
        assertEquals(NextCheck.NONE, v.next(), e.name());
        assertTrue(v.paused(), e.name());
        assertSame(v.error().orElseThrow(), v.pausedBy().orElseThrow(), e.name());
      }
    }
  }

  @Test
  void aPauseIsSaidOnce_butAgainForAnotherReason() {
    FetchResult again = failedWith(FetchError.AUTH_FAILED);
    Verdict same = CheckClassifier.classify(again, null, wrongPassword());
    assertEquals(CheckRecord.Outcome.PAUSED, same.outcome());
    assertFalse(same.paused(), "the same error again: said once");
    Verdict other =
        CheckClassifier.classify(failedWith(FetchError.CERTIFICATE_INVALID), null, wrongPassword());
    assertTrue(other.paused(), "another error a person must fix is said");
    assertEquals(
        FetchError.CERTIFICATE_INVALID, other.pausedBy().orElseThrow().error(), "and pauses it");
  }

  @Test
  void aTransientErrorOrAPutOff_leavesAPauseAsItWas() {
    for (FetchError e : List.of(FetchError.CONNECTION_RESET, FetchError.LOCKED)) {
      Verdict v = CheckClassifier.classify(failedWith(e), null, wrongPassword());
      assertSame(wrongPassword(), v.pausedBy().orElseThrow(), e.name());
      assertFalse(v.paused() || v.resumed(), e.name());
    }
  }

  @Test
  void aStoppedCheck_waitsTheMinimum_andLeavesAPauseAsItWas() {
    Verdict v = CheckClassifier.classify(failedWith(FetchError.STOPPED), null, wrongPassword());
    assertEquals(CheckRecord.Outcome.STOPPED, v.outcome());
    assertEquals(NextCheck.MIN_INTERVAL, v.next());
    assertSame(wrongPassword(), v.pausedBy().orElseThrow());
  }

  @Test
  void aBugBelowTheFetcher_isATransientFailure_namingTheBug() {
    RejectedExecutionException bug = new RejectedExecutionException("pool shut down (test)");
    Verdict v = CheckClassifier.classify(null, bug, null);
    assertEquals(CheckRecord.Outcome.FAILED, v.outcome());
    assertEquals(NextCheck.BACK_OFF, v.next());
    FetchException why = v.error().orElseThrow();
    assertEquals(FetchError.PROTOCOL, why.error());
    assertSame(bug, why.getCause());
    assertTrue(why.getMessage().contains("the check failed unexpectedly"), why.getMessage());
    assertTrue(v.loginDelay().isEmpty());
  }

  @Test
  void anErrorOnItsWayUp_isATransientFailure_too() {
    Verdict v = CheckClassifier.classify(null, null, null);
    assertEquals(CheckRecord.Outcome.FAILED, v.outcome());
    assertEquals(NextCheck.BACK_OFF, v.next());
  }
}
