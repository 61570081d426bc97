package dev.mailfetch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What the poller keeps of one account, and how a check's verdict changes it. */
class AccountStateTest {
  private static final Instant T = Instant.parse("2026-03-02T09:00:00Z");
  private static final Duration MIN = PollSchedule.defaults().minInterval();

  private final AccountState a =
      new AccountState(
          "pop.example.org",
          Fetcher.builder()
              .source(new ScriptedServer().source("alice"))
              .sink(InMemorySink.create())
              .uidStore(InMemoryUidStore.create())
              .build(),
          PollSchedule.defaults(),
          3,
          0,
          false);

  private CheckRecord fail(Throwable bug) {
    var unused = a.start();
    a.current = null;
    return a.finish(null, CheckClassifier.classify(null, bug, a.pausedBy), T, MIN);
  }

  @Test
  void aCheckAskedFor_isTheOneThatRuns() {
    a.next = T;
    CompletableFuture<CheckRecord> asked = new CompletableFuture<>();
    a.wanted = asked;
    assertTrue(a.waiting());
    assertSame(asked, a.start());
    assertSame(asked, a.current);
    assertFalse(a.waiting(), "running");
    assertEquals(null, a.wanted);
  }

  @Test
  void theHistory_keepsTheLastChecks_oldestFirst() {
    a.next = T;
    for (int i = 0; i < 5; i++) {
      fail(new IllegalStateException("bug " + i));
    }
    assertEquals(3, a.history().size());
    assertTrue(a.history().get(0).error().orElseThrow().getMessage().contains("bug 2"));
    assertEquals(5, a.status().failuresInARow());
  }

  @Test
  void aFailure_backsOff_andTheRecordSaysWhen() {
    a.next = T;
    CheckRecord r = fail(new IllegalStateException("bug"));
    assertEquals(CheckRecord.Outcome.FAILED, r.outcome());
    assertEquals(a.next, r.next().orElseThrow());
    assertTrue(r.interval().compareTo(MIN.multipliedBy(9).dividedBy(10)) >= 0, r.summary());
  }

  @Test
  void aPausedAccount_hasNoNextCheck_inItsRecordOrStatus() {
    a.next = T;
    var unused = a.start();
    a.current = null;
    FetchException wrong = new FetchException(FetchError.AUTH_FAILED, "wrong password (test)");
    CheckClassifier.Verdict v =
        new CheckClassifier.Verdict(
            CheckRecord.Outcome.PAUSED,
            Optional.of(wrong),
            CheckClassifier.NextCheck.NONE,
            Optional.empty(),
            Optional.of(wrong),
            true,
            false);
    CheckRecord r = a.finish(null, v, T, MIN);
    assertTrue(r.next().isEmpty());
    assertEquals(Duration.ZERO, r.interval());
    assertSame(wrong, a.status().pausedBy().orElseThrow());
    assertTrue(a.status().next().isEmpty());
    assertFalse(a.waiting(), "paused and not asked for");
  }

  @Test
  void aRemovedAccount_hasNoNextCheck_inItsRecord() {
    a.next = T;
    a.removed = true;
    CheckRecord r = fail(null);
    assertTrue(r.next().isEmpty());
  }
}
