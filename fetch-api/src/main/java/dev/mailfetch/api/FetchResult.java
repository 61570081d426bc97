package dev.mailfetch.api;

import dev.mailfetch.api.internal.Sizes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The report of one run: an outcome for every listed message, and the error that stopped the run
 * early, if one did.
 *
 * <p>Every message the server listed appears in {@link #outcomes()} exactly once, in listing order,
 * so nothing is skipped in silence. A run that could not list at all (the server refused the login,
 * say) has no outcomes and an {@link #error()}.
 *
 * @param account the account fetched
 * @param server the server as {@code host:port}, or null if the run never connected
 * @param started when the run started
 * @param duration how long it took
 * @param outcomes one per listed message, in listing order
 * @param error the error that stopped the run before it finished, if any
 * @param quirks server quirks noticed and tolerated (IDs such as {@code Q12})
 * @param deleted messages deleted from the server, with the deletion confirmed
 * @param deletionsUnconfirmed messages marked for deletion whose deletion the server did not
 *     confirm; they are deleted again next run if still there
 * @param deletionsRefused messages due for deletion that the server refused to mark (a {@code -ERR}
 *     to DELE); they stay on the server and are deleted at a later run
 * @param capabilities what the server announced (its {@code LOGIN-DELAY}, say, which a poller
 *     heeds); empty when the run never got that far
 * @param warnings what did not stop the run but needs a person to know: deletions the server did
 *     not confirm or refused ({@link FetchError#DELETION_UNCONFIRMED}), faults of the server's that
 *     the run worked around (a reused unique id, a message served empty), each with its code, words
 *     and remedy; in the order they happened
 * @param unchanged the source said the mailbox was unchanged since the last check that left nothing
 *     to do ({@link MailboxMarks}), so nothing was listed: no outcomes, and nothing to do
 */
public record FetchResult(
    String account,
    String server,
    Instant started,
    Duration duration,
    List<MessageOutcome> outcomes,
    Optional<FetchException> error,
    Set<QuirkId> quirks,
    int deleted,
    int deletionsUnconfirmed,
    int deletionsRefused,
    Optional<Capabilities> capabilities,
    List<FetchException> warnings,
    boolean unchanged) {

  /** How a run ended, for a report's status line and a command's exit code. */
  public enum Status {
    /** Every listed message ended well and nothing needs a person. */
    OK,
    /**
     * The run finished and no message failed, but something needs a person to know: a {@link
     * #warnings() warning}, or a message left on the server because it is larger than the size
     * limit (it is never fetched until the limit is raised).
     */
    WARNING,
    /**
     * The run stopped early, a message failed, or a message is quarantined (it failed in too many
     * runs and is no longer tried until someone asks).
     */
    ERROR;
  }

  /**
   * Checks the components and keeps copies of the collections (the engine's own list of outcomes is
   * immutable already and is kept as it is).
   *
   * @param account the account fetched
   * @param server the server as {@code host:port}, or null if the run never connected
   * @param started when the run started
   * @param duration how long it took
   * @param outcomes one per listed message, in listing order
   * @param error the error that stopped the run before it finished, if any
   * @param quirks server quirks noticed and tolerated (IDs such as {@code Q12})
   * @param deleted messages deleted from the server, with the deletion confirmed
   * @param deletionsUnconfirmed messages marked for deletion whose deletion the server did not
   *     confirm; they are deleted again next run if still there
   * @param capabilities what the server announced (its {@code LOGIN-DELAY}, say, which a poller
   *     heeds); empty when the run never got that far
   * @param warnings what did not stop the run but needs a person to know: deletions the server did
   *     not confirm or refused ({@link FetchError#DELETION_UNCONFIRMED}), faults of the server's
   *     that the run worked around (a reused unique id, a message served empty), each with its
   *     code, words and remedy; in the order they happened
   * @param unchanged the source said the mailbox was unchanged since the last check, so nothing was
   *     listed
   * @throws NullPointerException if a component other than {@code server} and the counts is null,
   *     or a collection holds null
   */
  public FetchResult {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(duration, "duration");
    // The engine's own list is immutable and compact; anything else is copied.
    outcomes = outcomes instanceof ListedOutcomes ? outcomes : List.copyOf(outcomes);
    Objects.requireNonNull(error, "error");
    quirks = Set.copyOf(quirks);
    Objects.requireNonNull(capabilities, "capabilities");
    warnings = List.copyOf(warnings);
  }

  /**
   * A result of a run that listed: the canonical constructor with {@code unchanged} false.
   *
   * @param account the account fetched
   * @param server the server as {@code host:port}, or null if the run never connected
   * @param started when the run started
   * @param duration how long it took
   * @param outcomes one per listed message, in listing order
   * @param error the error that stopped the run before it finished, if any
   * @param quirks server quirks noticed and tolerated
   * @param deleted messages deleted from the server, with the deletion confirmed
   * @param deletionsUnconfirmed messages marked for deletion whose deletion the server did not
   *     confirm
   * @param deletionsRefused messages due for deletion that the server refused to mark
   * @param capabilities what the server announced; empty when the run never got that far
   * @param warnings what did not stop the run but needs a person to know, in the order they
   *     happened
   */
  public FetchResult(
      String account,
      String server,
      Instant started,
      Duration duration,
      List<MessageOutcome> outcomes,
      Optional<FetchException> error,
      Set<QuirkId> quirks,
      int deleted,
      int deletionsUnconfirmed,
      int deletionsRefused,
      Optional<Capabilities> capabilities,
      List<FetchException> warnings) {
    this(
        account,
        server,
        started,
        duration,
        outcomes,
        error,
        quirks,
        deleted,
        deletionsUnconfirmed,
        deletionsRefused,
        capabilities,
        warnings,
        false);
  }

  /**
   * A result without warnings: the canonical constructor with an empty {@code warnings} list.
   *
   * @param account the account fetched
   * @param server the server as {@code host:port}, or null if the run never connected
   * @param started when the run started
   * @param duration how long it took
   * @param outcomes one per listed message, in listing order
   * @param error the error that stopped the run before it finished, if any
   * @param quirks server quirks noticed and tolerated
   * @param deleted messages deleted from the server, with the deletion confirmed
   * @param deletionsUnconfirmed messages marked for deletion whose deletion the server did not
   *     confirm
   * @param capabilities what the server announced; empty when the run never got that far
   */
  public FetchResult(
      String account,
      String server,
      Instant started,
      Duration duration,
      List<MessageOutcome> outcomes,
      Optional<FetchException> error,
      Set<QuirkId> quirks,
      int deleted,
      int deletionsUnconfirmed,
      Optional<Capabilities> capabilities) {
    this(
        account,
        server,
        started,
        duration,
        outcomes,
        error,
        quirks,
        deleted,
        deletionsUnconfirmed,
        0,
        capabilities,
        List.of(),
        false);
  }

  /**
   * {@link Status#ERROR} unless {@link #ok()} or when a message is quarantined; else {@link
   * Status#WARNING} with a warning or a message over the size limit; else {@link Status#OK}.
   */
  public Status status() {
    if (!ok()) {
      return Status.ERROR;
    }
    boolean tooLarge = false;
    if (count(MessageOutcome.Kind.SKIPPED) > 0) {
      for (MessageOutcome o : outcomes) {
        if (o.kind() == MessageOutcome.Kind.SKIPPED) {
          if (o.skipReason() == SkipReason.QUARANTINED) {
            return Status.ERROR;
          }
          tooLarge |= o.skipReason() == SkipReason.MESSAGE_SIZE_LIMIT;
        }
      }
    }
    return tooLarge || !warnings.isEmpty() ? Status.WARNING : Status.OK;
  }

  /**
   * True when the run finished and every listed message ended delivered, already seen, skipped by
   * policy or a duplicate: nothing failed.
   */
  public boolean ok() {
    return error.isEmpty() && count(MessageOutcome.Kind.FAILED) == 0;
  }

  /** How many messages the server listed. */
  public int listed() {
    return outcomes.size();
  }

  /** How many outcomes are of this kind. */
  public int count(MessageOutcome.Kind kind) {
    if (outcomes instanceof ListedOutcomes) {
      return ((ListedOutcomes) outcomes).count(kind);
    }
    int n = 0;
    for (MessageOutcome o : outcomes) {
      if (o.kind() == kind) {
        n++;
      }
    }
    return n;
  }

  /** Bytes delivered to the sink in this run. */
  public long bytesDelivered() {
    if (outcomes instanceof ListedOutcomes) {
      return ((ListedOutcomes) outcomes).bytesDelivered();
    }
    long n = 0;
    for (MessageOutcome o : outcomes) {
      if (o.kind() == MessageOutcome.Kind.DELIVERED) {
        n += o.bytes();
      }
    }
    return n;
  }

  /**
   * The error a user should see first: the one that stopped the run, else the first message's
   * failure; empty when {@link #ok()}.
   */
  public Optional<FetchException> firstError() {
    if (error.isPresent()) {
      return error;
    }
    if (outcomes instanceof ListedOutcomes) {
      return ((ListedOutcomes) outcomes).firstFailure();
    }
    for (MessageOutcome o : outcomes) {
      if (o.kind() == MessageOutcome.Kind.FAILED) {
        return Optional.of(o.error());
      }
    }
    return Optional.empty();
  }

  /**
   * How many of the {@link MessageOutcome.Kind#FAILED} outcomes are messages the run never tried
   * because it had stopped ({@link MessageOutcome#attempted()} false; each carries the error that
   * stopped it): said apart from the messages that failed themselves.
   */
  public int notTried() {
    if (outcomes instanceof ListedOutcomes) {
      return ((ListedOutcomes) outcomes)
          .notTried(); // no outcome made up for each message already seen
    }
    int n = 0;
    for (MessageOutcome o : outcomes) {
      if (o.kind() == MessageOutcome.Kind.FAILED && !o.attempted()) {
        n++;
      }
    }
    return n;
  }

  /**
   * A one-line summary for logs, the account first (the engine logs it as it is, not after the
   * account again).
   */
  public String summary() {
    if (unchanged && listed() == 0) {
      return account
          + ": unchanged since the last check, nothing listed"
          + (warnings.isEmpty() ? "" : "; " + Sizes.count(warnings.size(), "warning"))
          + error.map(e -> "; stopped: " + e.getMessage()).orElse("");
    }
    int notTried = notTried();
    return String.format(
        Locale.ROOT,
        "%s: %d listed, %d delivered (%s), %d already seen, %d skipped, %s,"
            + " %d failed, %s%d deleted%s%s%s%s",
        account,
        listed(),
        count(MessageOutcome.Kind.DELIVERED),
        Sizes.size(bytesDelivered()),
        count(MessageOutcome.Kind.ALREADY_SEEN),
        count(MessageOutcome.Kind.SKIPPED),
        Sizes.count(count(MessageOutcome.Kind.DUPLICATE), "duplicate"),
        count(MessageOutcome.Kind.FAILED) - notTried,
        notTried > 0 ? notTried + " not tried (the run had stopped), " : "",
        deleted,
        deletionsUnconfirmed > 0
            ? " (" + Sizes.count(deletionsUnconfirmed, "deletion") + " not confirmed)"
            : "",
        deletionsRefused > 0 ? " (" + deletionsRefused + " refused)" : "",
        warnings.isEmpty() ? "" : "; " + Sizes.count(warnings.size(), "warning"),
        error.map(e -> "; stopped: " + e.getMessage()).orElse(""));
  }
}
