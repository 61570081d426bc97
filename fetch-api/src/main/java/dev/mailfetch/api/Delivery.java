package dev.mailfetch.api;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One message on its way into a {@link MessageSink}, used by one thread: {@link #write} any number
 * of times, then exactly one of {@link #complete} or {@link #abort}.
 */
public interface Delivery {
  /**
   * Appends the bytes from the buffer's position to its limit.
   *
   * <p>The buffer is lent, not given: it is valid only until this method returns, and its contents
   * change afterwards (it is usually a slice of the network read buffer, which is how bytes reach a
   * sink without a copy). Copy what must be kept. The sink may move the buffer's position; it must
   * not write into it.
   */
  void write(ByteBuffer bytes) throws IOException;

  /**
   * Ends the message and makes it part of the sink under {@code key}, unless the sink already holds
   * that key, in which case nothing is stored. Durable after the sink's next {@link
   * MessageSink#sync()}.
   */
  DeliveryReceipt complete(DeliveryKey key) throws IOException;

  /**
   * Discards the message: nothing of it stays in the sink. Safe after a failed {@code write} or
   * {@code complete}, and after {@code abort}. Never throws; a sink that cannot clean up logs it.
   */
  void abort();
}
