package dev.mailfetch.api;

import java.io.IOException;

/**
 * Decides whether a fetched message duplicates one the sink already holds, for example the same
 * message that reached the user both by forwarding and by fetching. Gmail's rule is the default
 * shape: the first copy wins and later copies are discarded.
 *
 * <p>Called before the message's body is stored. The engine discards a message only when the
 * verdict names a first copy that the sink really holds and that is not the message itself, so a
 * policy that remembers too much can cost a duplicate, never a message. {@link #delivered} is
 * called as soon as the sink holds a message (completed; durable at the batch's barrier), so that a
 * second copy in the same batch is caught; if a crash then loses the first copy, a verdict naming
 * it is not acted on, because the sink does not hold it.
 *
 * <p>Implementations must be safe for concurrent use if shared between fetchers. Stock policies (by
 * Message-ID, by content digest, composite) live in {@code fetch-dedup}.
 *
 * <p><b>Deadlines.</b> The engine calls a policy on the fetching thread while the source reads the
 * message, and sets no timer: the server waits meanwhile, and the time counts against the source's
 * deadline for the message (docs/engine.md, "Deadlines"). So each call must be short, and a policy
 * that consults anything slow (a database, a network) bounds that with a timeout of its own and
 * throws {@link IOException} past it: the engine then delivers the message as new, or does not
 * remember it, and warns (a duplicate at worst, never a lost message).
 */
public interface DedupPolicy {
  /**
   * Whether this message duplicates one already held.
   *
   * <p><b>Deadline:</b> short, with a bound of its own (see the class documentation).
   */
  DedupVerdict check(Envelope envelope, HeaderBlock headers) throws IOException;

  /**
   * The message is durable in the sink under {@code key}; remember it if the policy keeps state.
   *
   * <p><b>Deadline:</b> short, with a bound of its own (see the class documentation).
   */
  default void delivered(Envelope envelope, HeaderBlock headers, DeliveryKey key)
      throws IOException {}

  /**
   * Whether this policy also judges by content: the engine then computes the message's {@link
   * ContentDigest} while the body streams in and calls {@link #checkContent} after the body and
   * before the delivery is completed; a duplicate found then is aborted in the sink, never stored.
   */
  default boolean needsContentDigest() {
    return false;
  }

  /**
   * The second look, with the message's {@link ContentDigest} (32 bytes). NEW by default.
   *
   * <p><b>Deadline:</b> short, with a bound of its own (see the class documentation).
   */
  default DedupVerdict checkContent(Envelope envelope, HeaderBlock headers, byte[] contentDigest)
      throws IOException {
    return DedupVerdict.NEW;
  }

  /**
   * As {@link #delivered(Envelope, HeaderBlock, DeliveryKey)}, with the content digest when {@link
   * #needsContentDigest()} (else null). The engine calls this one.
   *
   * <p><b>Deadline:</b> short, with a bound of its own (see the class documentation).
   */
  default void delivered(
      Envelope envelope, HeaderBlock headers, DeliveryKey key, byte[] contentDigest)
      throws IOException {
    delivered(envelope, headers, key);
  }

  /** Whether {@link #check} reads the headers; see {@link LabelPolicy#needsHeaders()}. */
  default boolean needsHeaders() {
    return true;
  }

  /** No duplicate discarding: every new message is delivered. The default. */
  static DedupPolicy none() {
    return NoDedup.INSTANCE;
  }
}

/** The policy that finds no duplicates. */
enum NoDedup implements DedupPolicy {
  INSTANCE;

  @Override
  public DedupVerdict check(Envelope envelope, HeaderBlock headers) {
    return DedupVerdict.NEW;
  }

  @Override
  public boolean needsHeaders() {
    return false;
  }

  @Override
  public String toString() {
    return "DedupPolicy.none()";
  }
}
