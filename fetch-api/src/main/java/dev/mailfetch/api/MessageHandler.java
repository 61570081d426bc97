package dev.mailfetch.api;

import java.nio.ByteBuffer;

/**
 * Receives the bytes of retrieved messages from {@link FetchSession#retrieve}. The engine is the
 * only implementation most code needs; a source calls it.
 *
 * <p>Calls for one message come in the order {@code start, data*, end} or end with {@code failed}.
 * The methods do not throw: the handler deals with its own failures (for example a sink that cannot
 * write) and the source carries on with the next message.
 */
public interface MessageHandler {
  /** The bytes of {@code ref} begin. */
  void start(MessageRef ref);

  /**
   * The next bytes of the message being retrieved, after transfer decoding (for POP3: with dot
   * stuffing removed), from the buffer's position to its limit.
   *
   * <p>The buffer is the source's own: it is valid only until this method returns, and its contents
   * change afterwards. Copy what must be kept. The handler may move the buffer's position; it must
   * not write into it.
   */
  void data(ByteBuffer slice);

  /** The message is whole and verified (see {@link FetchSession#retrieve}). */
  void end();

  /**
   * The message could not be retrieved; the session goes on with the next one. Bytes already given
   * for it, if any, are void.
   */
  void failed(MessageRef ref, FetchException error);
}
