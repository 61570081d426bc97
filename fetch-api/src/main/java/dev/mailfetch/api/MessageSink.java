package dev.mailfetch.api;

import java.io.IOException;
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
 * <p>A sink that several fetchers share must be safe for concurrent use.
 */
public interface MessageSink extends AutoCloseable {
  /** Starts a delivery of one message. */
  Delivery begin(Envelope envelope) throws IOException;

  /** Whether the sink holds a message delivered with this key (durable or not yet synced). */
  boolean contains(DeliveryKey key) throws IOException;

  /** Makes every completed delivery durable; see the class documentation. */
  void sync() throws IOException;

  /**
   * The line ends this sink stores. The engine hands it every message with these line ends ({@link
   * LineEnding#LF}: each CRLF made LF while the message is read). {@code CRLF}, the bytes as sent,
   * by default.
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
   * @return true if the sink holds {@code key} and now files it under every label given
   */
  default boolean addLabels(DeliveryKey key, Set<String> labels) throws IOException {
    return false;
  }

  /** Releases what the sink holds open. Does nothing by default. Safe to call more than once. */
  @Override
  default void close() throws IOException {}
}
