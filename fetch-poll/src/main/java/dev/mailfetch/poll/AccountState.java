package dev.mailfetch.poll;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.MailPush;
import dev.mailfetch.api.MessageOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One account of a {@link Poller} and what the poller knows of it: its schedule, when it is due,
 * why it is paused, the check running and the one asked for, and its last checks. Not thread-safe:
 * the poller guards it with its lock (only {@link #removed} is read by the running check itself).
 */
final class AccountState {
  final String name;

  /** The server's host name, lower case: what the per-host bound counts. */
  final String host;

  final Fetcher fetcher;
  final Cadence cadence;

  /** The order accounts were added in: of two due at the same moment, the earlier starts first. */
  final long order;

  private final int historySize;
  private final ArrayDeque<CheckRecord> history = new ArrayDeque<>();

  /** When the next scheduled check is due. */
  Instant next;

  /** The error a person must fix before the account is checked again; null when not paused. */
  FetchException pausedBy;

  /** The check running; null when none runs. */
  CompletableFuture<CheckRecord> current;

  /** A check asked for by {@link Poller#checkNow} that has not started yet; null when none. */
  CompletableFuture<CheckRecord> wanted;

  /** Set once the account is removed: its running check stops, and nothing is scheduled after. */
  volatile boolean removed;

  /** What started the running check, and what asks for the wanted one. */
  CheckRecord.Cause cause = CheckRecord.Cause.SCHEDULED;

  CheckRecord.Cause wantedCause = CheckRecord.Cause.SCHEDULED;

  /** The source's push where the poller uses push; null when the account is only polled. */
  final MailPush push;

  /** The push watches (one per watched mailbox), each holding a connection to the host. */
  final List<PushWatches.Entry> entries = new ArrayList<>();

  /** Mail arrived while a check ran: another check follows it at once. */
  boolean pushPending;

  /** Push ended: not tried again before this (after a check that worked); null when it runs. */
  Instant pushRetryAt;

  AccountState(
      String host,
      Fetcher fetcher,
      PollSchedule schedule,
      int historySize,
      long order,
      boolean usePush) {
    this.name = fetcher.account();
    this.push = usePush ? fetcher.push().orElse(null) : null;
    this.host = host;
    this.fetcher = fetcher;
    this.cadence = new Cadence(schedule, name);
    this.historySize = historySize;
    this.order = order;
  }

  /**
   * Whether the account waits for a check: none runs, it is still polled, and it is either asked
   * for or not paused. Exactly these are in the {@link DueQueue}.
   */
  boolean waiting() {
    return current == null && !removed && (wanted != null || pausedBy == null);
  }

  /** Marks a check as running (the one asked for, if any) and returns its future. */
  CompletableFuture<CheckRecord> start() {
    cause = wanted != null ? wantedCause : CheckRecord.Cause.SCHEDULED;
    current = wanted != null ? wanted : new CompletableFuture<>();
    wanted = null;
    wantedCause = CheckRecord.Cause.SCHEDULED;
    return current;
  }

  /**
   * Asks for a check for {@code why} unless one is asked for already (a burst of pushes makes one
   * check; a person's asking names the check); false if one was.
   */
  boolean want(CheckRecord.Cause why) {
    if (wanted != null) {
      if (why == CheckRecord.Cause.ASKED) {
        wantedCause = why;
      }
      return false;
    }
    wanted = new CompletableFuture<>();
    wantedCause = why;
    return true;
  }

  /**
   * Applies a check's verdict: the next check by the rule it names, the pause, and the record,
   * which joins the history (the oldest leaves it beyond the history's size).
   *
   * @param r the check's result; null when it has none
   * @param ended when it ended
   * @param minInterval the schedule's minimum, after a check the poller stopped
   */
  CheckRecord finish(
      FetchResult r, CheckClassifier.Verdict v, Instant ended, Duration minInterval) {
    Instant started = r != null ? r.started() : ended;
    Cadence.Decision d =
        switch (v.next()) {
          case ADAPTIVE ->
              cadence.afterSuccess(
                  started, ended, r.count(MessageOutcome.Kind.DELIVERED), v.loginDelay());
          case PUT_OFF -> cadence.afterPutOff(ended, v.loginDelay());
          case BACK_OFF -> cadence.afterTransient(ended);
          case MIN_INTERVAL, NONE -> null;
        };
    if (d != null) {
      next = d.next();
    } else if (v.next() == CheckClassifier.NextCheck.MIN_INTERVAL) {
      next = ended.plus(minInterval);
    }
    pausedBy = v.pausedBy().orElse(null);
    boolean scheduled = !removed && pausedBy == null;
    CheckRecord record =
        new CheckRecord(
            name,
            started,
            Duration.between(started, ended),
            v.outcome(),
            r == null ? 0 : r.listed(),
            r == null ? 0 : r.count(MessageOutcome.Kind.DELIVERED),
            r == null ? 0 : r.bytesDelivered(),
            r == null ? 0 : r.count(MessageOutcome.Kind.FAILED) - r.notTried(),
            v.error().isPresent() ? v.error() : r.firstError(),
            scheduled ? Optional.of(next) : Optional.empty(),
            scheduled ? Duration.between(ended, next) : Duration.ZERO,
            r == null ? FetchResult.Status.ERROR : r.status(),
            r == null ? List.of() : r.warnings(),
            r == null ? List.of() : CheckRecord.heldBack(r),
            cause);
    history.addLast(record);
    while (history.size() > historySize) {
      history.removeFirst();
    }
    return record;
  }

  /** The last checks, oldest first. */
  List<CheckRecord> history() {
    return List.copyOf(history);
  }

  PollStatus status() {
    return new PollStatus(
        name,
        host,
        current != null,
        pausedBy == null ? Optional.of(next) : Optional.empty(),
        Optional.ofNullable(pausedBy),
        cadence.ratePerHour(),
        cadence.failuresInARow());
  }
}
