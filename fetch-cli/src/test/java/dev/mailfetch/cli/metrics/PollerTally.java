package dev.mailfetch.cli.metrics;

import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.PollStatus;
import dev.mailfetch.poll.Poller;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The poller's own numbers, counted from its history and status: what {@code /metrics} must say
 * after a run whose every check the history still keeps. Shared by the metrics tests of the
 * library's poller and of a running serve, so both hold the exposition to the same count.
 */
public final class PollerTally {
  /** Checks by outcome. */
  public final Map<CheckRecord.Outcome, Integer> outcomes =
      new EnumMap<>(CheckRecord.Outcome.class);

  /** Checks by their error's code. */
  public final Map<String, Integer> codes = new HashMap<>();

  public long delivered;
  public long bytes;
  public long failedMessages;
  public double seconds;
  public int checks;
  public int paused;
  public int failing;

  private PollerTally() {}

  /**
   * Counts every account's history and status; asserts nothing but that each account kept {@code
   * checksEach} checks (so none fell out of the history).
   */
  public static PollerTally of(Poller poller, int checksEach) {
    PollerTally t = new PollerTally();
    for (String a : poller.accounts()) {
      List<CheckRecord> history = poller.history(a);
      if (history.size() != checksEach) {
        throw new AssertionError(a + ": " + history.size() + " checks, not " + checksEach);
      }
      for (CheckRecord r : history) {
        t.outcomes.merge(r.outcome(), 1, Integer::sum);
        r.error().ifPresent(e -> t.codes.merge(e.error().name(), 1, Integer::sum));
        t.delivered += r.delivered();
        t.bytes += r.bytes();
        t.failedMessages += r.failedMessages();
        t.seconds += r.duration().toNanos() / 1e9;
        t.checks++;
      }
      PollStatus s = poller.status(a);
      if (s.pausedBy().isPresent()) {
        t.paused++;
      } else if (s.failuresInARow() > 0) {
        t.failing++;
      }
    }
    return t;
  }

  /** The checks of one outcome. */
  public int outcome(CheckRecord.Outcome o) {
    return outcomes.getOrDefault(o, 0);
  }

  /** The checks that ended with this error code. */
  public int code(String code) {
    return codes.getOrDefault(code, 0);
  }
}
