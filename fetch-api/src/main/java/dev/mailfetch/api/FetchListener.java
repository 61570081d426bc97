package dev.mailfetch.api;

/**
 * Hears what a run does, for progress bars, logs and a history of checks.
 *
 * <p>Every method does nothing by default; override what you need. Calls come on the thread that
 * runs the fetch, in this order: {@code runStarted}, {@code listed} (or {@code
 * unchangedSinceLastCheck}, and nothing more until {@code runFinished}), {@code planned}, then for
 * messages {@code messageStarted}, {@code messageReceived} when its bytes are whole, and {@code
 * messageFinished} after its batch's durability barrier (every listed message finishes exactly
 * once, including those skipped or already seen, which never start), {@code batchSynced} after each
 * durability barrier, {@code deletionsCommitted} at the end of a session that deleted, and {@code
 * runFinished} last.
 *
 * <p>A listener must be fast, must not throw, and must not call back into the fetcher. The engine
 * guards every call: an exception is logged and the run carries on, so a faulty listener cannot
 * cost a message.
 *
 * <p><b>Deadline.</b> The engine sets no timer over a listener: {@code messageStarted} and {@code
 * messageReceived} come while the source reads the message, so their time counts against the
 * source's deadline for it, and the others hold up the run (docs/engine.md, "Deadlines"). A
 * listener that reports somewhere slow hands the work to a thread of its own.
 */
public interface FetchListener {
  /** A listener that does nothing. */
  FetchListener NONE = new FetchListener() {};

  /** A run of {@code account} starts. */
  default void runStarted(String account) {}

  /**
   * The source said the mailbox is unchanged since the last check that left nothing to do ({@link
   * MailboxMarks}): nothing is listed, and the run ends with nothing to do. Heard instead of {@code
   * listed} and {@code planned}.
   */
  default void unchangedSinceLastCheck() {}

  /** The server lists {@code messages} messages, {@code octets} in all. */
  default void listed(int messages, long octets) {}

  /** This run will download {@code messages} messages, about {@code octets} bytes. */
  default void planned(int messages, long octets) {}

  /** Downloading {@code ref} starts. */
  default void messageStarted(MessageRef ref) {}

  /**
   * The whole of {@code ref} arrived, {@code octets} bytes of it. It is not durable yet, and may
   * still fail (the sink, a later check): its outcome is {@code messageFinished}, after its batch's
   * durability barrier. Heard as each message arrives, so that progress moves with each message and
   * not only with each batch (of up to {@code batchSize}). Not heard for a message cut off before
   * its end.
   */
  default void messageReceived(MessageRef ref, long octets) {}

  /** A listed message has its outcome for this run. */
  default void messageFinished(MessageOutcome outcome) {}

  /** {@code messages} messages are now durable in the sink and recorded. */
  default void batchSynced(int messages) {}

  /**
   * The session ended with {@code count} messages marked for deletion; {@code confirmed} tells
   * whether the server confirmed it, so that they are gone.
   */
  default void deletionsCommitted(int count, boolean confirmed) {}

  /** The run is over. */
  default void runFinished(FetchResult result) {}
}
