package dev.mailfetch.poll;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.SkipReason;
import dev.mailfetch.api.internal.Sizes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * @param failedMessages messages that failed (they stay on the server and are tried again); not
 *     those the check never tried because it had stopped (its error says why)
 * @param error the error that stopped the check, or the first message's error; empty when none
 * @param next when the account is checked next; empty when it is paused or removed
 * @param interval the interval that led to {@code next} (zero when there is none)
 * @param status how the check's run ended ({@link FetchResult#status()}): a check whose outcome is
 *     {@link Outcome#NEW_MAIL} or {@link Outcome#NOTHING_NEW} can still need a person, with a
 *     warning or a message held back; {@link FetchResult.Status#ERROR} when the check failed
 * @param warnings what did not stop the check but needs a person ({@link FetchResult#warnings()}),
 *     in the order it happened
 * @param heldBack the listed messages that stay on the server until a person acts, in listing
 *     order: each {@link MessageOutcome.Kind#SKIPPED} as {@link SkipReason#QUARANTINED} (with its
 *     last error, at every check that lists it) or {@link SkipReason#MESSAGE_SIZE_LIMIT}
 * @param cause what started the check: its schedule, a person asking, or the server's word that
 *     mail arrived
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
    Duration interval,
    FetchResult.Status status,
    List<FetchException> warnings,
    List<MessageOutcome> heldBack,
    Cause cause) {

  /** What started a check. */
  public enum Cause {
    /** Its schedule: the regular interval, a back-off's end, the first check of an account. */
    SCHEDULED,
    /** {@link Poller#checkNow}: a person or a program asked. */
    ASKED,
    /**
     * The server said that new mail may have arrived ({@link dev.mailfetch.api.MailPush}: IMAP
     * {@code IDLE}); several such words before the check started make one check.
     */
    PUSHED
  }

  /** What a check came to, for the schedule. */
  public enum Outcome {
    /** It worked and new mail arrived. */
    NEW_MAIL,
    /** It worked; nothing new. */
    NOTHING_NEW,
    /**
     * The server asked for time ({@code [LOGIN-DELAY]}, {@code [IN-USE]}): the next check waits
     * longer.
     */
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
   * @param failedMessages messages that failed (they stay on the server and are tried again); not
   *     those the check never tried because it had stopped (its error says why)
   * @param error the error that stopped the check, or the first message's error; empty when none
   * @param next when the account is checked next; empty when it is paused or removed
   * @param interval the interval that led to {@code next} (zero when there is none)
   * @throws NullPointerException if any component but the numbers is null (an absent error or next
   *     check is {@link Optional#empty()}, never null)
   */
  public CheckRecord {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(cause, "cause");
    warnings = List.copyOf(warnings);
    heldBack = List.copyOf(heldBack);
    for (MessageOutcome o : heldBack) {
      if (!isHeldBack(o)) {
        throw new IllegalArgumentException(
            "heldBack takes messages skipped as quarantined or too large: " + o.describe());
      }
    }
  }

  /** A record of a {@linkplain Cause#SCHEDULED scheduled} check (the shape before push). */
  public CheckRecord(
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
      Duration interval,
      FetchResult.Status status,
      List<FetchException> warnings,
      List<MessageOutcome> heldBack) {
    this(
        account,
        started,
        duration,
        outcome,
        listed,
        delivered,
        bytes,
        failedMessages,
        error,
        next,
        interval,
        status,
        warnings,
        heldBack,
        Cause.SCHEDULED);
  }

  /**
   * A record of a scheduled check without warnings or messages held back, its status {@link
   * FetchResult.Status#ERROR} when there is an error or a failed message, else {@link
   * FetchResult.Status#OK}.
   */
  public CheckRecord(
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
    this(
        account,
        started,
        duration,
        outcome,
        listed,
        delivered,
        bytes,
        failedMessages,
        error,
        next,
        interval,
        error.isPresent() || failedMessages > 0 ? FetchResult.Status.ERROR : FetchResult.Status.OK,
        List.of(),
        List.of(),
        Cause.SCHEDULED);
  }

  /**
   * Whether an outcome is one a person must act on before the message is fetched: see {@link
   * #heldBack()}.
   */
  public static boolean isHeldBack(MessageOutcome o) {
    return o.kind() == MessageOutcome.Kind.SKIPPED
        && (o.skipReason() == SkipReason.QUARANTINED
            || o.skipReason() == SkipReason.MESSAGE_SIZE_LIMIT);
  }

  /** The messages of a run that are {@linkplain #isHeldBack held back}, in listing order. */
  public static List<MessageOutcome> heldBack(FetchResult r) {
    if (r.count(MessageOutcome.Kind.SKIPPED) == 0) {
      return List.of();
    }
    List<MessageOutcome> held = new ArrayList<>();
    for (MessageOutcome o : r.outcomes()) {
      if (isHeldBack(o)) {
        held.add(o);
      }
    }
    return held;
  }

  /** How many of {@link #heldBack()} were skipped for this reason. */
  public int heldBack(SkipReason reason) {
    int n = 0;
    for (MessageOutcome o : heldBack) {
      if (o.skipReason() == reason) {
        n++;
      }
    }
    return n;
  }

  /**
   * One line for a log: account, outcome, counts, messages held back, warnings, error, next check.
   */
  public String summary() {
    StringBuilder sb = new StringBuilder(account).append(": ");
    switch (outcome) {
      case NEW_MAIL:
        sb.append(Sizes.count(delivered, "new message"))
            .append(" (")
            .append(Sizes.size(bytes))
            .append(')'); // in the units of every report
        break;
      case NOTHING_NEW:
        sb.append("nothing new");
        break;
      default:
        sb.append(outcome.name().toLowerCase(Locale.ROOT).replace('_', ' '));
    }
    if (failedMessages > 0) {
      sb.append(", ").append(failedMessages).append(" failed");
    }
    int quarantined = heldBack(SkipReason.QUARANTINED);
    if (quarantined > 0) {
      sb.append(", ").append(quarantined).append(" quarantined");
    }
    int tooLarge = heldBack(SkipReason.MESSAGE_SIZE_LIMIT);
    if (tooLarge > 0) {
      sb.append(", ").append(tooLarge).append(" over the size limit");
    }
    if (!warnings.isEmpty()) {
      sb.append("; ")
          .append(warnings.size())
          .append(warnings.size() == 1 ? " warning: " : " warnings, the first: ")
          .append(warnings.get(0).getMessage());
    }
    error.ifPresent(e -> sb.append("; ").append(e.getMessage()));
    next.ifPresent(n -> sb.append("; next check in ").append(interval.toSeconds()).append(" s"));
    return sb.toString();
  }
}
