package dev.mailfetch.poll;

import dev.mailfetch.api.FetchException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where one account of a {@link Poller} stands now.
 *
 * @param account the account
 * @param host the server host it counts against (per-host concurrency)
 * @param checking whether a check is running
 * @param next when the next check is due; empty while paused
 * @param pausedBy the error that paused it; empty when it is not paused
 * @param ratePerHour the estimated arrival rate, messages per hour
 * @param failuresInARow transient failures since the last check that worked
 */
public record PollStatus(
    String account,
    String host,
    boolean checking,
    Optional<Instant> next,
    Optional<FetchException> pausedBy,
    double ratePerHour,
    int failuresInARow) {

  /** How long until the next check from {@code now} (zero if due); empty while paused. */
  public Optional<Duration> dueIn(Instant now) {
    return next.map(n -> n.isAfter(now) ? Duration.between(now, n) : Duration.ZERO);
  }
}
