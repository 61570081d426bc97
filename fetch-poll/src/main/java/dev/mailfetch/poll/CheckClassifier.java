package dev.mailfetch.poll;

import dev.mailfetch.api.Capabilities;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.MessageOutcome;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a check came to, from its result alone: the {@link CheckRecord.Outcome}, which rule of the
 * schedule sets the next check, and whether the account is paused or resumed by it. A pure function
 * (no clock, no lock, no schedule state), so that every case is tested without threads; {@link
 * AccountState#finish} applies what it says.
 */
final class CheckClassifier {
  private CheckClassifier() {}

  /** Which rule of the {@link Cadence} sets the next check. */
  enum NextCheck {
    /** It worked: the interval follows the arrival rate ({@link Cadence#afterSuccess}). */
    ADAPTIVE,
    /**
     * The server asked for time: at least twice the last interval ({@link Cadence#afterPutOff}).
     */
    PUT_OFF,
    /** A transient error: exponential back-off ({@link Cadence#afterTransient}). */
    BACK_OFF,
    /** The poller stopped it: the minimum interval, the estimate untouched. */
    MIN_INTERVAL,
    /** Paused: no next check until a person acts; the one planned before stays as it was. */
    NONE
  }

  /**
   * What a check came to.
   *
   * @param outcome for the record and the schedule
   * @param error the error that ended the check; empty when it worked
   * @param next the rule that sets the next check
   * @param loginDelay the LOGIN-DELAY the server announced in this check, if it said one
   * @param pausedBy the error that pauses the account after this check; empty when it is not paused
   * @param paused whether this check paused the account (or paused it for another reason): said to
   *     the listener once, not at every check of a paused account
   * @param resumed whether this check resumed an account that was paused
   */
  record Verdict(
      CheckRecord.Outcome outcome,
      Optional<FetchException> error,
      NextCheck next,
      Optional<Duration> loginDelay,
      Optional<FetchException> pausedBy,
      boolean paused,
      boolean resumed) {
    Verdict {
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(error, "error");
      Objects.requireNonNull(next, "next");
      Objects.requireNonNull(loginDelay, "loginDelay");
      Objects.requireNonNull(pausedBy, "pausedBy");
    }
  }

  /**
   * Classifies a check.
   *
   * @param r the check's result; null when it has none (a bug below the fetcher, an executor that
   *     refused the check, an {@link Error} on its way up)
   * @param bug what the check threw instead of returning a result; null when it returned one, or
   *     when what it threw is not known
   * @param pausedBefore the error that paused the account before this check; null when it was not
   *     paused
   */
  static Verdict classify(FetchResult r, Throwable bug, FetchException pausedBefore) {
    FetchException error =
        r == null
            ? new FetchException(FetchError.PROTOCOL, "the check failed unexpectedly: " + bug, bug)
            : r.error().orElse(null);
    Optional<Duration> loginDelay =
        r == null ? Optional.empty() : r.capabilities().flatMap(Capabilities::loginDelay);
    Optional<FetchException> before = Optional.ofNullable(pausedBefore);
    if (error == null) {
      CheckRecord.Outcome outcome =
          r.count(MessageOutcome.Kind.DELIVERED) > 0
              ? CheckRecord.Outcome.NEW_MAIL
              : CheckRecord.Outcome.NOTHING_NEW;
      return new Verdict(
          outcome,
          Optional.empty(),
          NextCheck.ADAPTIVE,
          loginDelay,
          Optional.empty(),
          false,
          pausedBefore != null);
    }
    Optional<FetchException> why = Optional.of(error);
    if (error.error() == FetchError.STOPPED) {
      return new Verdict(
          CheckRecord.Outcome.STOPPED,
          why,
          NextCheck.MIN_INTERVAL,
          loginDelay,
          before,
          false,
          false);
    }
    if (Cadence.putOff(error.error())) {
      return new Verdict(
          CheckRecord.Outcome.PUT_OFF, why, NextCheck.PUT_OFF, loginDelay, before, false, false);
    }
    if (r == null || error.error().retryable()) {
      return new Verdict(
          CheckRecord.Outcome.FAILED, why, NextCheck.BACK_OFF, loginDelay, before, false, false);
    }
    boolean saidBefore = pausedBefore != null && pausedBefore.error() == error.error();
    return new Verdict(
        CheckRecord.Outcome.PAUSED, why, NextCheck.NONE, loginDelay, why, !saidBefore, false);
  }
}
