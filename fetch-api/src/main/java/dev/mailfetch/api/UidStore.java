package dev.mailfetch.api;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Remembers, for one account, what happened to each message by unique id, so that each run fetches
 * only what is new and no message is delivered twice.
 *
 * <p>To test with a store, use {@link InMemoryUidStore}; the durable, crash-safe store lives in
 * {@code fetch-dedup}.
 *
 * <p><b>The contract.</b> {@link #put} replaces the record of its uid; {@link #get} sees it at
 * once. Both are durable only after {@link #sync()} returns; a crash before that may lose any of
 * them, never part of one. The engine calls {@code sync} after the sink's barrier and before it
 * deletes anything from the server. One store belongs to one account and is used by one run at a
 * time.
 *
 * <p>Failures are {@link IOException}s naming the file and the reason; the engine reports them as
 * {@link FetchError#STATE_FAILED} and stops the run before deleting anything.
 *
 * <p><b>Deadlines.</b> Every call is bounded by the store's own I/O (a local file's: the system's;
 * a store over a network sets timeouts on its client); the engine sets no timer and waits. The
 * engine calls it between the source's calls (planning after the listing, the barrier after a
 * batch, the deletions), so the session waits meanwhile, kept alive by the source where its server
 * drops idle sessions. A call past the store's bound throws {@link IOException}: {@code
 * STATE_FAILED}, and nothing is deleted (docs/engine.md, "Deadlines").
 */
public interface UidStore {
  /**
   * The record of {@code uid}, if any.
   *
   * <p><b>Deadline:</b> the store's own (see the class documentation).
   */
  Optional<UidRecord> get(String uid) throws IOException;

  /**
   * Records {@code record}, replacing what the store held for its uid.
   *
   * <p><b>Deadline:</b> the store's own (see the class documentation).
   */
  void put(UidRecord record) throws IOException;

  /**
   * When the first run of this account finished its listing; empty for an account never fetched.
   * "Only new mail" treats what is on the server at that first run as already there.
   *
   * <p><b>Deadline:</b> the store's own (see the class documentation).
   */
  Optional<Instant> firstRun() throws IOException;

  /**
   * Records the first run; has no effect if one is recorded.
   *
   * <p><b>Deadline:</b> the store's own (see the class documentation).
   */
  void recordFirstRun(Instant at) throws IOException;

  /**
   * The server's complete listing at {@code now}: a store that forgets notes the UIDs it holds that
   * are not in {@code listed} as gone, clears that note for UIDs listed again, and may forget UIDs
   * gone long enough. Durable at the next {@link #sync()}. The engine calls it once per run, after
   * a listing that completed.
   *
   * <p><b>Deadline:</b> the store's own (see the class documentation).
   *
   * @return the UIDs this store holds (and has not forgotten) that {@code listed} lacks; empty by
   *     default (a store that keeps no such account)
   */
  default Set<String> retainListed(Set<String> listed, Instant now) throws IOException {
    return Set.of();
  }

  /**
   * Whether this store keeps a fingerprint of each delivered message's headers, with which the
   * engine recognises messages whose UIDs a server changed (quirk Q26) without downloading them,
   * and tells new mail under a UID a server reused (quirk Q51) from the message that had it. The
   * engine then reads every message's header section (a copy of it, at most {@link
   * FetchLimits#maxHeaderBytes()}). False by default: the engine then decides a reused UID by the
   * listed size alone ({@link UidRecord#size()}), which a store keeps by keeping its records whole.
   *
   * <p><b>Deadline:</b> none needed: a constant of the store, answered at once.
   */
  default boolean keepsFingerprints() {
    return false;
  }

  /**
   * Records the {@link ContentDigest#ofHeaders} fingerprint of a delivered message, replacing any
   * before for its uid; durable at sync.
   *
   * <p><b>Deadline:</b> the store's own (see the class documentation).
   */
  default void recordFingerprint(String uid, byte[] fingerprint) throws IOException {}

  /**
   * The fingerprints recorded for those of {@code uids} that have one. Empty by default.
   *
   * <p><b>Deadline:</b> the store's own (see the class documentation).
   */
  default Map<String, byte[]> fingerprints(Set<String> uids) throws IOException {
    return Map.of();
  }

  /**
   * The {@linkplain MailboxMarks mailbox mark} kept by the last run that left nothing to do, if
   * any. Empty by default (a store that keeps none: every run then lists).
   *
   * <p><b>Deadline:</b> the store's own (see the class documentation).
   */
  default Optional<String> mailboxMark() throws IOException {
    return Optional.empty();
  }

  /**
   * Keeps {@code mark} as the {@linkplain MailboxMarks mailbox mark}, replacing any before, or
   * forgets it when {@code mark} is empty; durable at sync. Does nothing by default.
   *
   * <p><b>Deadline:</b> the store's own (see the class documentation).
   */
  default void recordMailboxMark(Optional<String> mark) throws IOException {}

  /**
   * Makes everything recorded so far durable.
   *
   * <p><b>Deadline:</b> the store's own (see the class documentation); the engine deletes nothing
   * before it returned.
   */
  void sync() throws IOException;
}
