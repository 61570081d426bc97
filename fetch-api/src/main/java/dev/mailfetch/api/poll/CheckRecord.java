package dev.mailfetch.api.poll;

import dev.mailfetch.api.FetchException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One check of one account, as a {@link Poller} keeps it in its history: what Gmail's "View
 * history" showed, as values.
 *
 * @param account the account checked
 * @param started when the check started
 * @param duration how long it took
 * @param outcome what came of it
 * @param listed messages the server listed
 * @param delivered messages delivered to the sink
 * @param bytes bytes delivered
 * @param failedMessages messages that failed (they stay on the server and are tried again)
 * @param error the error that stopped the check, or the first message's error; empty when none
 * @param next when the account is checked next; empty when it is paused or removed
 * @param interval the interval that led to {@code next} (zero when there is none)
 */
public record CheckRecord(
    String account,
    Instant started,
    Duration duration,
    Outcome outcome,
    int listed,
    int delivered,
    long bytes,
    int failedMessages,
    Optional<FetchException> error,
    Optional<Instant> next,
    Duration interval) {

  /** What a check came to, for the schedule. */
  public enum Outcome {
    /** It worked and new mail arrived. */
    NEW_MAIL,
    /** It worked; nothing new. */
    NOTHING_NEW,
    /** The server asked for time ({@code [LOGIN-DELAY]}, {@code [IN-USE]}): the next check waits longer. */
    PUT_OFF,
    /** A transient error (network, server busy): retried with exponential back-off. */
    FAILED,
    /** An error a person must fix (password, policy, certificate): the account is paused. */
    PAUSED,
    /** The poller stopped it (closing, or the account was removed). */
    STOPPED
  }

  /**
   * Checks the components.
   *
   * @param account the account checked
   * @param started when the check started
   * @param duration how long it took
   * @param outcome what came of it
   * @param listed messages the server listed
   * @param delivered messages delivered to the sink
   * @param bytes bytes delivered
   * @param failedMessages messages that failed (they stay on the server and are tried again)
   * @param error the error that stopped the check, or the first message's error; empty when none
   * @param next when the account is checked next; empty when it is paused or removed
   * @param interval the interval that led to {@code next} (zero when there is none)
   * @throws NullPointerException if any component but the numbers is null (an absent error or
   *     next check is {@link Optional#empty()}, never null)
   */
  public CheckRecord {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(interval, "interval");
  }

  /** One line for a log: account, outcome, counts, error, next check. */
  public String summary() {
    StringBuilder sb = new StringBuilder(account).append(": ");
    switch (outcome) {
      case NEW_MAIL:
        sb.append(delivered).append(delivered == 1 ? " new message" : " new messages").append(" (")
            .append(bytes).append(" bytes)");
        break;
      case NOTHING_NEW:
        sb.append("nothing new");
        break;
      default:
        sb.append(outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    }
    if (failedMessages > 0) {
      sb.append(", ").append(failedMessages).append(" failed");
    }
    error.ifPresent(e -> sb.append("; ").append(e.getMessage()));
    next.ifPresent(n -> sb.append("; next check in ").append(interval.toSeconds()).append(" s"));
    return sb.toString();
  }
}
