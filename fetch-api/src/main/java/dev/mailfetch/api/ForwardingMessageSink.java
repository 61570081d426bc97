package dev.mailfetch.api;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link MessageSink} that passes every call on to another. Extend it to layer something over a
 * sink, overriding only the calls that concern the layer: a log line per message stored, a timer
 * around {@link #sync()}, a count of what each label received. Every method, the defaults included,
 * forwards to {@link #delegate()}, so the layer keeps the sink's {@linkplain #lineEnding() line
 * ends} and labels. For example, a layer that times the durability barrier:
 *
 * <pre>{@code
 * class TimedSink extends ForwardingMessageSink {
 *   TimedSink(MessageSink delegate) {
 *     super(delegate);
 *   }
 *
 *   @Override
 *   public void sync() throws IOException {
 *     long start = System.nanoTime();
 *     try {
 *       super.sync();
 *     } finally {
 *       metrics.record("sink.sync", System.nanoTime() - start);
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>To watch the bytes of each message, wrap the {@link Delivery} that {@link #begin} returns in a
 * {@link ForwardingDelivery}.
 */
public abstract class ForwardingMessageSink implements MessageSink {
  private final MessageSink delegate;

  /**
   * A sink that passes every call on to {@code delegate}.
   *
   * @throws NullPointerException if {@code delegate} is null
   */
  protected ForwardingMessageSink(MessageSink delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The sink this one passes its calls on to. */
  public final MessageSink delegate() {
    return delegate;
  }

  @Override
  public Delivery begin(Envelope envelope) throws IOException {
    return delegate.begin(envelope);
  }

  @Override
  public boolean contains(DeliveryKey key) throws IOException {
    return delegate.contains(key);
  }

  @Override
  public void sync() throws IOException {
    delegate.sync();
  }

  @Override
  public LineEnding lineEnding() {
    return delegate.lineEnding();
  }

  @Override
  public boolean addLabels(DeliveryKey key, Set<String> labels) throws IOException {
    return delegate.addLabels(key, labels);
  }

  @Override
  public List<FetchException> takeWarnings() {
    return delegate.takeWarnings();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(" + delegate + ")";
  }
}
