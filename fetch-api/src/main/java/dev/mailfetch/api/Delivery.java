package dev.mailfetch.api;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One message on its way into a {@link MessageSink}, used by one thread: {@link #write} any number
 * of times, then exactly one of {@link #complete} or {@link #abort}.
 *
 * <p><b>Deadlines.</b> Each call is bounded by the sink's own timeouts; they run while the source
 * reads the message, so their time counts against the source's deadline for it (docs/engine.md,
 * "Deadlines"). To watch a delivery's bytes, extend {@link ForwardingDelivery}.
 */
public interface Delivery {
  /**
   * Appends the bytes from the buffer's position to its limit.
   *
   * <p>The buffer is lent, not given: it is valid only until this method returns, and its contents
   * change afterwards (it is usually a slice of the network read buffer, which is how bytes reach a
   * sink without a copy). Copy what must be kept. The sink may move the buffer's position; it must
   * not write into it.
   *
   * <p><b>Deadline:</b> the sink's own. The source waits while it runs (POP3: the server's bytes
   * wait in the socket), so a write must not block on anything without a bound of its own.
   */
  void write(ByteBuffer bytes) throws IOException;

  /**
   * Ends the message and makes it part of the sink under {@code key}, unless the sink already holds
   * that key, in which case nothing is stored. Durable after the sink's next {@link
   * MessageSink#sync()}.
   *
   * <p><b>Deadline:</b> the sink's own; a sink into a remote store returns once the message is
   * safely handed over (spooled, its intent journalled), not when the destination answered.
   */
  DeliveryReceipt complete(DeliveryKey key) throws IOException;

  /**
   * Discards the message: nothing of it stays in the sink. Safe after a failed {@code write} or
   * {@code complete}, and after {@code abort}. Never throws; a sink that cannot clean up logs it.
   *
   * <p><b>Deadline:</b> returns promptly, without waiting on anything unbounded: it is called on
   * the way out of a failure, often one of the sink's own.
   */
  void abort();
}
