package dev.mailfetch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder policy of every mailfetch builder, for the poller's two. */
class BuildersTest {

  @Test
  void aPollerSettingGivenTwice_isRefused_showingTheValueItHas() {
    Poller.Builder b = Poller.builder().maxChecks(8);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.maxChecks(9));
    assertEquals("maxChecks was already set to 8", e.getMessage());
    Poller.Builder h = Poller.builder().historySize(0);
    assertEquals(
        "historySize was already set to 0",
        assertThrows(IllegalStateException.class, () -> h.historySize(3)).getMessage());
  }

  @Test
  void aScheduleSettingGivenTwice_isRefused_showingTheValueItHas_andBoundsSetsBoth() {
    PollSchedule.Builder b = PollSchedule.builder().jitter(0);
    assertEquals(
        "jitter was already set to 0.0",
        assertThrows(IllegalStateException.class, () -> b.jitter(0.2)).getMessage());
    PollSchedule.Builder bounds =
        PollSchedule.builder().bounds(Duration.ofMinutes(1), Duration.ofMinutes(30));
    assertEquals(
        "minInterval was already set to PT1M",
        assertThrows(IllegalStateException.class, () -> bounds.minInterval(Duration.ofMinutes(5)))
            .getMessage());
    assertEquals(
        "maxInterval was already set to PT30M",
        assertThrows(IllegalStateException.class, () -> bounds.maxInterval(Duration.ofHours(2)))
            .getMessage());
  }

  @Test
  void aBadValue_isRefusedInTheWordsItAlwaysHad() {
    assertEquals(
        "maxChecks must be 1 to 100000: 0",
        assertThrows(IllegalArgumentException.class, () -> Poller.builder().maxChecks(0))
            .getMessage());
    assertEquals(
        "maxChecksPerHost must be 1 to 100000: 100001",
        assertThrows(
                IllegalArgumentException.class, () -> Poller.builder().maxChecksPerHost(100_001))
            .getMessage());
    assertEquals(
        "historySize must be 0 to 100000: -1",
        assertThrows(IllegalArgumentException.class, () -> Poller.builder().historySize(-1))
            .getMessage());
    assertEquals(
        "minInterval must be positive: PT0S",
        assertThrows(
                IllegalArgumentException.class,
                () -> PollSchedule.builder().minInterval(Duration.ZERO))
            .getMessage());
    assertEquals(
        "minInterval PT2H is longer than maxInterval PT1H",
        assertThrows(
                IllegalArgumentException.class,
                () -> PollSchedule.builder().minInterval(Duration.ofHours(2)))
            .getMessage());
    assertEquals(
        "jitter must be at least 0 and less than 1: 1.0",
        assertThrows(IllegalArgumentException.class, () -> PollSchedule.builder().jitter(1))
            .getMessage());
    assertEquals(
        "messagesPerCheck must be above 0 and at most 1000: 0.0",
        assertThrows(
                IllegalArgumentException.class, () -> PollSchedule.builder().messagesPerCheck(0))
            .getMessage());
    assertThrows(NullPointerException.class, () -> PollSchedule.builder().riseTime(null));
  }

  @Test
  void theDefaults_areThePublicConstants() {
    PollSchedule d = PollSchedule.defaults();
    assertEquals(PollSchedule.DEFAULT_MIN_INTERVAL, d.minInterval());
    assertEquals(PollSchedule.DEFAULT_MAX_INTERVAL, d.maxInterval());
    assertEquals(PollSchedule.DEFAULT_JITTER, d.jitter());
    assertEquals(PollSchedule.DEFAULT_RISE_TIME, d.riseTime());
    assertEquals(PollSchedule.DEFAULT_DECAY_TIME, d.decayTime());
    assertEquals(PollSchedule.DEFAULT_MESSAGES_PER_CHECK, d.messagesPerCheck());
    assertEquals(Duration.ofMinutes(2), PollSchedule.DEFAULT_MIN_INTERVAL, "docs/polling.md");
    assertEquals(16, Poller.DEFAULT_MAX_CHECKS, "docs/polling.md");
    assertEquals(4, Poller.DEFAULT_MAX_CHECKS_PER_HOST, "docs/polling.md");
    assertEquals(50, Poller.DEFAULT_HISTORY_SIZE, "docs/polling.md");
  }
}
