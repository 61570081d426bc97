package dev.mailfetch.api;

import java.time.Instant;
import java.util.Objects;

/**
 * What the state store remembers about one message of an account, by unique id.
 *
 * @param uid the message's unique id on the server
 * @param state where the message stands
 * @param firstSeen when a run first listed it; {@link Retention#deleteAfter} counts from here
 * @param deliveryKey the key it was delivered under, for {@link State#DELIVERED} and {@link
 *     State#DELETED}; otherwise null
 * @param failures in how many runs retrieving or storing it failed (0 unless {@link
 *     State#FAILED})
 * @param lastError the last failure's error, or null
 */
public record UidRecord(
    String uid,
    UidRecord.State state,
    Instant firstSeen,
    DeliveryKey deliveryKey,
    int failures,
    FetchError lastError) {

  /** Where a message stands. */
  public enum State {
    /**
     * On the server when the account was first fetched with "only new mail"; never downloaded,
     * never deleted.
     */
    BASELINE,
    /** Delivered and durable in the sink; still on the server, or its deletion is not confirmed. */
    DELIVERED,
    /** Not delivered because the dedup policy found the sink already has a copy. */
    DUPLICATE,
    /** Delivered, then deleted from the server with the deletion confirmed. */
    DELETED,
    /** Retrieval or storage failed in {@code failures} runs; retried until quarantined. */
    FAILED;

    /** Whether a run must not download the message again. */
    public boolean isSettled() {
      return this != FAILED;
    }
  }

  /**
   * Checks the components.
   *
   * @param uid the message's unique id on the server
   * @param state where the message stands
   * @param firstSeen when a run first listed it; {@link Retention#deleteAfter} counts from here
   * @param deliveryKey the key it was delivered under, for {@link State#DELIVERED} and {@link
   *     State#DELETED}; otherwise null
   * @param failures in how many runs retrieving or storing it failed (0 unless {@link
   *     State#FAILED})
   * @param lastError the last failure's error, or null
   * @throws NullPointerException if {@code uid}, {@code state} or {@code firstSeen} is null
   * @throws IllegalArgumentException if {@code failures} is negative, or the state is {@link
   *     State#DELIVERED} or {@link State#DELETED} without a delivery key
   */
  public UidRecord {
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(firstSeen, "firstSeen");
    if (failures < 0) {
      throw new IllegalArgumentException("failures must not be negative: " + failures);
    }
    if ((state == State.DELIVERED || state == State.DELETED) && deliveryKey == null) {
      throw new IllegalArgumentException(state + " needs a delivery key");
    }
  }

  /** A message first listed at {@code firstSeen}, in the given state, with no failures. */
  public static UidRecord of(String uid, State state, Instant firstSeen, DeliveryKey key) {
    return new UidRecord(uid, state, firstSeen, key, 0, null);
  }

  /** This record after delivery under {@code key}. */
  public UidRecord delivered(DeliveryKey key) {
    return new UidRecord(uid, State.DELIVERED, firstSeen, key, 0, null);
  }

  /**
   * This record after a deletion the server confirmed. A duplicate stays {@link State#DUPLICATE}:
   * it was never delivered, so there is no delivery key to keep, and it is settled either way.
   */
  public UidRecord deleted() {
    if (state == State.DUPLICATE) {
      return this;
    }
    return new UidRecord(uid, State.DELETED, firstSeen, deliveryKey, 0, null);
  }

  /** This record after one more failed run. */
  public UidRecord failedOnce(FetchError error) {
    return new UidRecord(uid, State.FAILED, firstSeen, null, failures + 1, error);
  }
}
