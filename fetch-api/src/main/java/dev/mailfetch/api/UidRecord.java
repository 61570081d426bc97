package dev.mailfetch.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the state store remembers about one message of an account, by unique id.
 *
 * @param uid the message's unique id on the server
 * @param state where the message stands
 * @param firstSeen when a run first listed it; {@link Retention#deleteAfter} counts from here
 * @param deliveryKey the key it was delivered under, for {@link State#DELIVERED} and {@link
 *     State#DELETED}; otherwise null
 * @param failures in how many runs retrieving or storing it failed (0 unless {@link State#FAILED})
 * @param lastError for {@link State#FAILED}, the last failure's code; for {@link State#DELIVERED},
 *     a fault of the server's noticed when it was delivered (it was served empty, docs/engine.md),
 *     which keeps the engine from deleting it from the server; otherwise null
 * @param lastErrorDetail the words of that error ({@link FetchException#detail()}), so that a later
 *     run can say what went wrong; escaped and bounded as {@link #boundedDetail} says; null where
 *     there is no error or its words were not kept (records from before they were)
 * @param size the size in octets the server's listing gave the message when it was recorded, with
 *     which the engine notices a unique id that now names another message (quirk Q51); {@value
 *     #UNKNOWN_SIZE} where not known (records from before it was kept)
 */
public record UidRecord(
    String uid,
    UidRecord.State state,
    Instant firstSeen,
    DeliveryKey deliveryKey,
    int failures,
    FetchError lastError,
    String lastErrorDetail,
    long size) {

  /** The {@link #size()} of a record that does not know it. */
  public static final long UNKNOWN_SIZE = -1;

  /** Longest {@link #lastErrorDetail()} kept, in characters, after escaping. */
  public static final int MAX_DETAIL_CHARS = 300;

  /**
   * Where a message stands. Each state has a {@link #letter()} that the stores write for it (the
   * journal file, docs/state.md; the database's {@code mailfetch_uid.state}, docs/scale.md), so
   * that what is stored does not depend on the order of the constants.
   */
  public enum State {
    /**
     * On the server when the account was first fetched with "only new mail"; never downloaded,
     * never deleted. Letter {@code B}.
     */
    BASELINE('B'),
    /**
     * Delivered and durable in the sink; still on the server, or its deletion is not confirmed.
     * Letter {@code D}.
     */
    DELIVERED('D'),
    /**
     * Not delivered because the dedup policy found the sink already has a copy. Letter {@code U}.
     */
    DUPLICATE('U'),
    /** Delivered, then deleted from the server with the deletion confirmed. Letter {@code X}. */
    DELETED('X'),
    /**
     * Retrieval or storage failed in {@code failures} runs; retried until quarantined. Letter
     * {@code F}.
     */
    FAILED('F');

    // stored by every store since its first version: a letter never changes, nor goes to another
    private final char letter;

    State(char letter) {
      this.letter = letter;
    }

    /** Whether a run must not download the message again. */
    public boolean isSettled() {
      return this != FAILED;
    }

    /**
     * The one ASCII letter the stores write for this state: {@code B}, {@code D}, {@code U}, {@code
     * X} or {@code F}.
     */
    public char letter() {
      return letter;
    }

    /**
     * The state written as {@code letter} ({@link #letter()}); empty for a letter no state has
     * (damage, or a state of a later version).
     */
    public static Optional<State> fromLetter(char letter) {
      return Optional.ofNullable(letter < BY_LETTER.length ? BY_LETTER[letter] : null);
    }

    // a journal of a million records asks once per record: a look-up, not a search
    private static final State[] BY_LETTER = new State[128];

    static {
      for (State s : values()) {
        BY_LETTER[s.letter] = s;
      }
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
    if (size < UNKNOWN_SIZE) {
      throw new IllegalArgumentException(
          "size must be " + UNKNOWN_SIZE + " (unknown) or more: " + size);
    }
    lastErrorDetail =
        lastErrorDetail == null || lastError == null ? null : boundedDetail(lastErrorDetail);
  }

  /** A record without the last error's words or the listed size, as stores before them kept. */
  public UidRecord(
      String uid,
      State state,
      Instant firstSeen,
      DeliveryKey deliveryKey,
      int failures,
      FetchError lastError) {
    this(uid, state, firstSeen, deliveryKey, failures, lastError, null, UNKNOWN_SIZE);
  }

  /** A message first listed at {@code firstSeen}, in the given state, with no failures. */
  public static UidRecord of(String uid, State state, Instant firstSeen, DeliveryKey key) {
    return new UidRecord(uid, state, firstSeen, key, 0, null);
  }

  /** This record after delivery under {@code key}. */
  public UidRecord delivered(DeliveryKey key) {
    return new UidRecord(uid, State.DELIVERED, firstSeen, key, 0, null, null, size);
  }

  /**
   * This record after delivery under {@code key} of a message the server served wrongly (empty):
   * the fault is kept, and the engine leaves such a message on the server.
   */
  public UidRecord deliveredWithServerFault(DeliveryKey key, FetchException serverFault) {
    return new UidRecord(
        uid, State.DELIVERED, firstSeen, key, 0, serverFault.error(), serverFault.detail(), size);
  }

  /**
   * This record after a deletion the server confirmed. A duplicate stays {@link State#DUPLICATE}:
   * it was never delivered, so there is no delivery key to keep, and it is settled either way.
   */
  public UidRecord deleted() {
    if (state == State.DUPLICATE) {
      return this;
    }
    return new UidRecord(uid, State.DELETED, firstSeen, deliveryKey, 0, null, null, size);
  }

  /** This record after one more failed run, keeping the code but not the words of the error. */
  public UidRecord failedOnce(FetchError error) {
    return new UidRecord(uid, State.FAILED, firstSeen, null, failures + 1, error, null, size);
  }

  /** This record after one more failed run with this error: its code and its words. */
  public UidRecord failedOnce(FetchException error) {
    return new UidRecord(
        uid, State.FAILED, firstSeen, null, failures + 1, error.error(), error.detail(), size);
  }

  /** This record with the size the server's listing gives the message now. */
  public UidRecord withSize(long listedSize) {
    return listedSize == size
        ? this
        : new UidRecord(
            uid, state, firstSeen, deliveryKey, failures, lastError, lastErrorDetail, listedSize);
  }

  /** Whether the state knows the message's listed size. */
  public boolean knowsSize() {
    return size != UNKNOWN_SIZE;
  }

  /**
   * An error's words as a record keeps them: mailfetch's own words in printable Unicode ("RFC 1939
   * §4" stays as it is), with any server text in them escaped already, where it entered; what could
   * break a line of a log, move a terminal's cursor or reorder a line (control and format
   * characters, line separators, lone surrogates) becomes {@code \xNN} or {@code \}{@code uNNNN},
   * so that words read back from a state file can do none of that; at most {@value
   * #MAX_DETAIL_CHARS} characters, the cut marked with {@code ...} and never inside a character.
   * Applying it twice changes nothing.
   */
  public static String boundedDetail(String words) {
    return PrintableWords.of(words, MAX_DETAIL_CHARS);
  }
}
