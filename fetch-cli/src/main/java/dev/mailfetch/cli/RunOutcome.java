package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.SkipReason;
import dev.mailfetch.poll.CheckRecord;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one account's run ended, for the reports: a result, or a problem before (or instead of) one
 * (its options were wrong, its state or sink could not be opened, its lease was held).
 *
 * @param account the account's name in a config file, or null for the one account of a URL
 * @param result the run's result, or null when it never ran
 * @param problem why it never ran, or null when it did
 * @param sizeLimit the largest message the run would fetch, in bytes (for the words about one over
 *     it)
 * @param advice the form of the advice: the command line's, or the account's lines of a config file
 * @param notices the command's own warnings about the account (a known mailbox under another name),
 *     said before the run's
 */
record RunOutcome(
    String account,
    FetchResult result,
    Problem problem,
    long sizeLimit,
    Advice advice,
    List<Problem> notices) {
  RunOutcome {
    if ((result == null) == (problem == null)) {
      throw new IllegalArgumentException("a result or a problem, one of them");
    }
    Objects.requireNonNull(advice, "advice");
    notices = List.copyOf(notices);
  }

  static RunOutcome of(
      String account, FetchResult result, long sizeLimit, Advice advice, List<Problem> notices) {
    return new RunOutcome(
        account, Objects.requireNonNull(result, "result"), null, sizeLimit, advice, notices);
  }

  static RunOutcome failed(String account, Problem problem) {
    return new RunOutcome(
        account,
        null,
        Objects.requireNonNull(problem, "problem"),
        0,
        Advice.COMMAND_LINE,
        List.of());
  }

  /**
   * OK, WARNING or ERROR: the run's {@link FetchResult#status()}, at least WARNING with a notice of
   * the command's own; ERROR when it never ran.
   */
  FetchResult.Status status() {
    if (result == null) {
      return FetchResult.Status.ERROR;
    }
    FetchResult.Status s = result.status();
    return s == FetchResult.Status.OK && !notices.isEmpty() ? FetchResult.Status.WARNING : s;
  }

  /**
   * What the report shows first for an ERROR: the problem before the run, the error that stopped it
   * or the first message's failure, else the first quarantined message; empty unless ERROR.
   */
  Optional<Problem> firstProblem() {
    if (problem != null) {
      return Optional.of(problem);
    }
    if (result.status() != FetchResult.Status.ERROR) {
      return Optional.empty();
    }
    Optional<FetchException> e =
        result.error().isPresent()
            ? Optional.of(TextReport.asOneEvent(result, result.error().get()))
            : result.firstError();
    if (e.isEmpty()) {
      e =
          CheckRecord.heldBack(result).stream()
              .filter(o -> o.skipReason() == SkipReason.QUARANTINED)
              .map(MessageOutcome::error)
              .filter(Objects::nonNull)
              .findFirst();
    }
    return e.map(x -> Problem.of(x, advice));
  }

  /** 0 for OK, 3 for WARNING, else the first problem's exit code (1 if there were none, a bug). */
  int exitCode() {
    switch (status()) {
      case OK:
        return 0;
      case WARNING:
        return 3;
      default:
        return firstProblem().map(Problem::exitCode).orElse(1);
    }
  }

  /** Several accounts: the first ERROR's exit code; else 3 if any has a WARNING; else 0. */
  static int exitCode(List<RunOutcome> outcomes) {
    boolean warning = false;
    for (RunOutcome o : outcomes) {
      int code = o.exitCode();
      if (code != 0 && code != 3) {
        return code;
      }
      warning |= code == 3;
    }
    return warning ? 3 : 0;
  }

  /** Several accounts: ERROR if any, else WARNING if any, else OK. */
  static FetchResult.Status status(List<RunOutcome> outcomes) {
    FetchResult.Status worst = FetchResult.Status.OK;
    for (RunOutcome o : outcomes) {
      if (o.status().compareTo(worst) > 0) {
        worst = o.status();
      }
    }
    return worst;
  }
}
