package dev.mailfetch.imap.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where the bytes of a literal the server sends go (the message of a {@code FETCH BODY[]}): handed
 * over in slices as they arrive, never gathered in memory first. Each slice is valid only during
 * the call.
 */
@FunctionalInterface
public interface LiteralConsumer {
  /**
   * The literal that follows belongs to {@code response}, the response as far as its {@code {n}}
   * (one char per byte: {@code * 12 FETCH (UID 42 BODY[] {2048}}), so that a consumer of several
   * messages' literals can tell whose bytes come; called before the first slice.
   *
   * @throws IOException when the consumer will not take it (the session then stops)
   */
  default void begin(String response) throws IOException {}

  /**
   * One slice of the literal, in order.
   *
   * @throws IOException when the consumer cannot take it (the session then stops)
   */
  void accept(ByteBuffer slice) throws IOException;

  /** Called once after the literal's last byte, {@code size} bytes in all. */
  default void end(long size) throws IOException {}
}
