package dev.mailfetch.api;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Accepts fetched messages and keeps them: a Maildir, an mbox file, a database table, a queue.
 *
 * <p>To test code against a sink, use {@link InMemorySink}; to test a sink you wrote, extend the
 * sink contract tests in {@code fetch-testkit}, which check every rule below on real bytes.
 *
 * <p><b>The contract.</b>
 *
 * <ol>
 *   <li>{@link #begin} opens a {@link Delivery}; its bytes arrive through {@link Delivery#write}.
 *       The engine has at most one delivery of a sink open at a time per run.
 *   <li>{@link Delivery#complete} with the message's {@link DeliveryKey} makes the message part of
 *       the sink: {@link #contains} answers true for the key from then on. Completing a key the
 *       sink already holds stores nothing and reports {@link DeliveryReceipt#alreadyHeld()}: this
 *       is what makes delivery idempotent, and a crash at any moment harmless.
 *   <li>{@link Delivery#abort} leaves nothing behind: no file, no row, no partial message.
 *   <li>{@link #sync} is the durability barrier: when it returns, every message completed before it
 *       survives a crash of the process or the machine, and a new sink over the same place holds
 *       them. The engine deletes a message from the server only after {@code sync} returned.
 *       Messages completed but not synced may or may not survive a crash.
 * </ol>
 *
 * <p><b>A destination that answers later.</b> A sink into a remote store may take a message in the
 * background, several at a time (the Gmail API): {@link Delivery#complete} then returns once the
 * message is safely handed over (spooled, its intent journalled), {@link #contains} answers true
 * for it while it is on its way, and {@link #sync} waits until the destination answered for every
 * message completed before it. A message the destination refused is named in a {@link
 * DeliveriesFailed} thrown by {@code sync}, with its own error; the engine fails that message alone
 * (or stops the run, where the error is the destination's rather than the message's) and deletes
 * nothing it names. {@code contains} answers false for it from then on.
 *
 * <p><b>Failures.</b> A sink reports its own trouble (a full disk, a read-only directory) with an
 * {@link IOException} whose message names the place and the operating system's reason (or a {@link
 * FetchException} of {@link FetchError#SINK_FAILED} with a remedy of its own, which the engine
 * passes on with its code). The engine aborts that message, leaves it on the server, and reports
 * {@code SINK_FAILED}; it never counts against the message. A destination that refuses this one
 * message says so with {@link FetchError#SINK_REJECTED}: the message fails alone and the refusal
 * counts towards its quarantine. Any other code from a sink ({@link FetchError#AUTH_FAILED} for the
 * destination's grant, {@link FetchError#QUOTA_EXCEEDED}) is the destination's: the run stops, and
 * it counts against no message. A failure of the place rather than the message (the JDK's {@link
 * java.nio.file.AccessDeniedException} or {@link java.nio.file.NoSuchFileException}, or the
 * system's words "No space left on device", "Read-only file system", "Input/output error", or a
 * remote store that cannot be reached) stops the run at once: the messages after it would fail
 * alike (docs/engine.md). Unlike a {@link FetchListener}, a sink is expected to fail loudly: a
 * failure here must stop a message.
 *
 * <p><b>Deadlines.</b> The engine sets no timer over a sink's calls: each is bounded by the sink's
 * own timeouts (a file system has the system's; a sink into a remote store sets connect and request
 * timeouts on its client). The calls a message's bytes pass through ({@link #begin}, {@link
 * Delivery#write}, {@link Delivery#complete}, {@link #contains}, {@link #addLabels}) run while the
 * source reads that message, and their time counts against the source's deadline for it; {@link
 * #sync} runs between the source's calls, while the session waits (docs/engine.md, "Deadlines").
 *
 * <p><b>After close.</b> It is an error to use a sink after {@link #close()}: the engine never
 * does, and a caller must not. What a sink does then is its own: it may throw (an {@link
 * IllegalStateException}, or the {@link IOException} of a file it has closed), or, where it holds
 * nothing open, go on working; code that uses a sink relies on neither.
 *
 * <p>A sink that several fetchers share must be safe for concurrent use. To layer something over a
 * sink (a log, a timer, a count), extend {@link ForwardingMessageSink}.
 */
public interface MessageSink extends AutoCloseable {
  /**
   * Starts a delivery of one message.
   *
   * <p><b>Deadline:</b> the sink's own; runs while the source reads the message, so it counts
   * against the source's deadline for it. An error after {@link #close()}.
   */
  Delivery begin(Envelope envelope) throws IOException;

  /**
   * Whether the sink holds a message delivered with this key (durable or not yet synced).
   *
   * <p><b>Deadline:</b> the sink's own; may run while the source reads a message (a duplicate's
   * check), so it counts against the source's deadline for it.
   */
  boolean contains(DeliveryKey key) throws IOException;

  /**
   * Makes every completed delivery durable; see the class documentation.
   *
   * <p><b>Deadline:</b> the sink's own (a remote store's: until the destination answered for every
   * message, within its retry budget). It runs between the source's calls: the session waits, kept
   * alive by the source where its server drops idle sessions. A timeout is an {@link IOException}
   * like any other failure of the sink: the run stops before deleting anything.
   */
  void sync() throws IOException;

  /**
   * The line ends this sink stores. The engine hands it every message with these line ends ({@link
   * LineEnding#LF}: each CRLF made LF while the message is read). {@code CRLF}, the bytes as sent,
   * by default.
   *
   * <p><b>Deadline:</b> none needed: a constant of the sink, answered at once.
   */
  default LineEnding lineEnding() {
    return LineEnding.CRLF;
  }

  /**
   * Files the message held under {@code key} under {@code labels} as well, keeping the labels it
   * has. The engine calls it when it discards a duplicate whose labels differ from the copy already
   * held, so the labels of the copy it drops are not lost (Gmail lost them: "Some messages aren't
   * labeled properly"). A sink without labels returns false, which is the default.
   *
   * <p><b>Deadline:</b> the sink's own; runs while the source reads the duplicate, so it counts
   * against the source's deadline for it.
   *
   * @return true if the sink holds {@code key} and now files it under every label given
   */
  default boolean addLabels(DeliveryKey key, Set<String> labels) throws IOException {
    return false;
  }

  /**
   * What the sink noticed since it was last asked that failed no delivery but needs a person to
   * know (a destination that stored a message altered, say), each said once: the engine takes them
   * at the end of every run, after its last {@link #sync()}, into {@link FetchResult#warnings()}. A
   * sink that several fetchers share gives each warning to the run that asks first. None by
   * default.
   *
   * <p><b>Deadline:</b> none needed: answered from what the sink holds.
   */
  default List<FetchException> takeWarnings() {
    return List.of();
  }

  /**
   * Releases what the sink holds open. Does nothing by default. Safe to call more than once; any
   * other call after it is an error (see the class documentation).
   *
   * <p><b>Deadline:</b> the sink's own. The engine does not call it: whoever made the sink closes
   * it, once its runs are over.
   */
  @Override
  default void close() throws IOException {}
}
