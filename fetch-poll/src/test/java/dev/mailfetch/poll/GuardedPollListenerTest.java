package dev.mailfetch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GuardedPollListenerTest {

  @Test
  void aListenerThatThrows_isHeardInFull_andItsExceptionsGoNoFurther() {
    List<String> heard = new ArrayList<>();
    PollListener throwing =
        new PollListener() {
          @Override
          public void checkStarted(String account) {
            heard.add("started " + account);
            throw new IllegalStateException("listener bug (test)");
          }

          @Override
          public void checkFinished(CheckRecord record) {
            heard.add("finished " + record.account());
            throw new IllegalStateException("listener bug (test)");
          }

          @Override
          public void accountPaused(String account, FetchException why) {
            heard.add("paused " + account + " " + why.error());
            throw new IllegalStateException("listener bug (test)");
          }

          @Override
          public void accountResumed(String account) {
            heard.add("resumed " + account);
            throw new IllegalStateException("listener bug (test)");
          }
        };
    PollListener guarded = new GuardedPollListener(throwing);
    guarded.checkStarted("a");
    guarded.accountPaused("a", new FetchException(FetchError.AUTH_FAILED, "wrong (test)"));
    guarded.accountResumed("a");
    guarded.checkFinished(
        new CheckRecord(
            "a",
            Instant.EPOCH,
            Duration.ZERO,
            CheckRecord.Outcome.NOTHING_NEW,
            0,
            0,
            0,
            0,
            Optional.empty(),
            Optional.empty(),
            Duration.ZERO));
    assertEquals(List.of("started a", "paused a AUTH_FAILED", "resumed a", "finished a"), heard);
  }
}
