package dev.mailfetch.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What happens to a message on the server once it is safely delivered.
 *
 * <p>{@link #KEEP} (the default) leaves everything; {@link #DELETE_AFTER_DELIVERY} deletes each
 * message once it is durable in the sink; {@link #deleteAfter(Duration)} leaves messages for a
 * while, counted from the run that first listed them, as mail clients' "remove from server after N
 * days" does. Leaving mail on the server needs stable unique ids and a server that allows it; the
 * engine refuses the combination up front otherwise ({@link FetchError#POLICY}).
 */
public final class Retention {
  /** Leave every message on the server. */
  public static final Retention KEEP = new Retention(null);

  /** Delete each message from the server once it is durable in the sink. */
  public static final Retention DELETE_AFTER_DELIVERY = new Retention(Duration.ZERO);

  private final Duration after;

  private Retention(Duration after) {
    this.after = after;
  }

  /**
   * Delete each delivered message once {@code age} has passed since a run first listed it.
   *
   * @throws IllegalArgumentException if {@code age} is negative
   */
  public static Retention deleteAfter(Duration age) {
    Objects.requireNonNull(age, "age");
    if (age.isNegative()) {
      throw new IllegalArgumentException("age must not be negative: " + age);
    }
    return age.isZero() ? DELETE_AFTER_DELIVERY : new Retention(age);
  }

  /** Whether delivered messages stay on the server for some time (or for ever). */
  public boolean leavesMailOnServer() {
    return after == null || !after.isZero();
  }

  /**
   * Whether a delivered message first listed at {@code firstSeen} is due for deletion at {@code
   * now}.
   */
  public boolean deletionDue(Instant firstSeen, Instant now) {
    return after != null && !firstSeen.plus(after).isAfter(now);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Retention && Objects.equals(((Retention) o).after, after);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(after);
  }

  @Override
  public String toString() {
    if (after == null) {
      return "KEEP";
    }
    return after.isZero() ? "DELETE_AFTER_DELIVERY" : "DELETE_AFTER(" + after + ")";
  }
}
