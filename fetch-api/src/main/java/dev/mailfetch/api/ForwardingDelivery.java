package dev.mailfetch.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A {@link Delivery} that passes every call on to another: the bytes of one message on their way
 * through a {@link ForwardingMessageSink}. Extend it to watch them (a count of bytes, a digest, a
 * log line when the message is stored or dropped), overriding only what concerns the layer. A layer
 * that looks at the bytes in {@link #write} must leave the buffer's position where the delegate
 * expects it: read them through {@link ByteBuffer#duplicate()}, or before passing the buffer on, as
 * the buffer is lent (see {@link Delivery#write}).
 */
public abstract class ForwardingDelivery implements Delivery {
  private final Delivery delegate;

  /**
   * A delivery that passes every call on to {@code delegate}.
   *
   * @throws NullPointerException if {@code delegate} is null
   */
  protected ForwardingDelivery(Delivery delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The delivery this one passes its calls on to. */
  public final Delivery delegate() {
    return delegate;
  }

  @Override
  public void write(ByteBuffer bytes) throws IOException {
    delegate.write(bytes);
  }

  @Override
  public DeliveryReceipt complete(DeliveryKey key) throws IOException {
    return delegate.complete(key);
  }

  @Override
  public void abort() {
    delegate.abort();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(" + delegate + ")";
  }
}
