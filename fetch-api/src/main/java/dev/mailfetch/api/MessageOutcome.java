package dev.mailfetch.api;

import dev.mailfetch.api.internal.Sizes;
import java.util.Objects;

/**
 * What became of one listed message in one run: exactly one {@link Kind}, with what explains it.
 *
 * @param ref the message as listed
 * @param kind the outcome
 * @param key the delivery key, for {@link Kind#DELIVERED}, and for {@link Kind#ALREADY_SEEN} when
 *     this run met the message's copy in the sink; null for a message the state simply remembered
 *     (a poll of a large mailbox keeps nothing per such message; the key of a UID-identified
 *     message is {@link DeliveryKey#of}) and otherwise
 * @param skipReason for {@link Kind#SKIPPED}, the policy that skipped it; otherwise null
 * @param duplicateOf for {@link Kind#DUPLICATE}, the key of the copy kept; otherwise null
 * @param duplicateReason for {@link Kind#DUPLICATE}, what matched; otherwise null
 * @param error for {@link Kind#FAILED}, the error; for {@link Kind#SKIPPED}, why in words and what
 *     lifts it: a quarantined message's last error, or the limit that held a message back ({@link
 *     FetchError#LIMIT_EXCEEDED}, naming its size, the limit and the setting); otherwise null
 * @param attempted for {@link Kind#FAILED}: whether the run tried this message (false when the run
 *     stopped before reaching it, which does not count against it)
 * @param bytes the bytes received for it in this run
 */
public record MessageOutcome(
    MessageRef ref,
    MessageOutcome.Kind kind,
    DeliveryKey key,
    SkipReason skipReason,
    DeliveryKey duplicateOf,
    String duplicateReason,
    FetchException error,
    boolean attempted,
    long bytes) {

  /** The five things that can become of a listed message. */
  public enum Kind {
    /** Downloaded and durable in the sink. */
    DELIVERED,
    /** Delivered by an earlier run (or already held by the sink): nothing to do. */
    ALREADY_SEEN,
    /** Not downloaded, by a policy named in {@link #skipReason()}. */
    SKIPPED,
    /** Downloaded and discarded: the sink already holds a copy, named in {@link #duplicateOf()}. */
    DUPLICATE,
    /** Could not be fetched or stored; it stays on the server and is tried again next run. */
    FAILED
  }

  /**
   * Checks that the components fit the kind: a skip reason with {@link Kind#SKIPPED} and only with
   * it, the kept copy's key with {@link Kind#DUPLICATE} and only with it, an error with {@link
   * Kind#FAILED}, a delivery key with {@link Kind#DELIVERED}.
   *
   * @param ref the message as listed
   * @param kind the outcome
   * @param key the delivery key, for {@link Kind#DELIVERED}, and for {@link Kind#ALREADY_SEEN} when
   *     this run met the message's copy in the sink; null for a message the state simply remembered
   *     (a poll of a large mailbox keeps nothing per such message; the key of a UID-identified
   *     message is {@link DeliveryKey#of}) and otherwise
   * @param skipReason for {@link Kind#SKIPPED}, the policy that skipped it; otherwise null
   * @param duplicateOf for {@link Kind#DUPLICATE}, the key of the copy kept; otherwise null
   * @param duplicateReason for {@link Kind#DUPLICATE}, what matched; otherwise null
   * @param error for {@link Kind#FAILED}, the error; for a quarantined message, its last error;
   *     otherwise null
   * @param attempted for {@link Kind#FAILED}: whether the run tried this message (false when the
   *     run stopped before reaching it, which does not count against it)
   * @param bytes the bytes received for it in this run
   * @throws NullPointerException if {@code ref} or {@code kind} is null
   * @throws IllegalArgumentException if a component does not fit the kind
   */
  public MessageOutcome {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(kind, "kind");
    if ((kind == Kind.SKIPPED) != (skipReason != null)) {
      throw new IllegalArgumentException("a skip reason goes with SKIPPED, and only with it");
    }
    if ((kind == Kind.DUPLICATE) != (duplicateOf != null)) {
      throw new IllegalArgumentException("duplicateOf goes with DUPLICATE, and only with it");
    }
    if (kind == Kind.FAILED && error == null) {
      throw new IllegalArgumentException("FAILED needs an error");
    }
    if (kind == Kind.DELIVERED && key == null) {
      throw new IllegalArgumentException("DELIVERED needs a delivery key");
    }
  }

  static MessageOutcome delivered(MessageRef ref, DeliveryKey key, long bytes) {
    return new MessageOutcome(ref, Kind.DELIVERED, key, null, null, null, null, true, bytes);
  }

  static MessageOutcome alreadySeen(MessageRef ref, DeliveryKey key, long bytes) {
    return new MessageOutcome(
        ref, Kind.ALREADY_SEEN, key, null, null, null, null, bytes > 0, bytes);
  }

  static MessageOutcome skipped(MessageRef ref, SkipReason reason, FetchException lastError) {
    return new MessageOutcome(ref, Kind.SKIPPED, null, reason, null, null, lastError, false, 0);
  }

  static MessageOutcome duplicate(MessageRef ref, DeliveryKey of, String reason, long bytes) {
    return new MessageOutcome(ref, Kind.DUPLICATE, null, null, of, reason, null, true, bytes);
  }

  static MessageOutcome failed(
      MessageRef ref, FetchException error, boolean attempted, long bytes) {
    return new MessageOutcome(ref, Kind.FAILED, null, null, null, null, error, attempted, bytes);
  }

  /** One line for logs and reports, naming the message by number and unique id. */
  public String describe() {
    String id = "message " + ref.number() + (ref.hasUid() ? " (uid " + ref.uid() + ")" : "");
    switch (kind) {
      case DELIVERED:
        return id + ": delivered, " + Sizes.size(bytes);
      case ALREADY_SEEN:
        return id + ": already fetched";
      case SKIPPED:
        return id
            + ": skipped ("
            + skipReason
            + ")"
            + (error == null
                ? ""
                : skipReason == SkipReason.QUARANTINED
                    ? ", last error " + error.getMessage()
                    : ": " + error.getMessage());
      case DUPLICATE:
        return id + ": duplicate of " + duplicateOf + " (" + duplicateReason + "), discarded";
      default:
        return id + ": failed, " + error.getMessage() + (attempted ? "" : " (not attempted)");
    }
  }
}
