package dev.mailfetch.api;

import java.io.IOException;
import java.util.Set;

/** A sink that forwards every call; tests override the one they want to misbehave. */
class ForwardingSink implements MessageSink {
  final MessageSink delegate;

  ForwardingSink(MessageSink delegate) {
    this.delegate = delegate;
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
  public void close() throws IOException {
    delegate.close();
  }
}
