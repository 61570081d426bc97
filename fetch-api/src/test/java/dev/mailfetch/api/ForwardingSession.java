package dev.mailfetch.api;

import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/** A session that forwards every call; tests override the one they want to misbehave. */
class ForwardingSession implements FetchSession {
  final FetchSession delegate;

  ForwardingSession(FetchSession delegate) {
    this.delegate = delegate;
  }

  /** A source whose sessions are {@code wrap} applied to {@code real}'s. */
  static FetchSource wrapping(FetchSource real, UnaryOperator<FetchSession> wrap) {
    return new FetchSource() {
      @Override
      public String account() {
        return real.account();
      }

      @Override
      public FetchSession open() throws FetchException {
        return wrap.apply(real.open());
      }
    };
  }

  @Override
  public Capabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public String server() {
    return delegate.server();
  }

  @Override
  public void list(ListingHandler handler) throws FetchException {
    delegate.list(handler);
  }

  @Override
  public void retrieve(List<MessageRef> batch, MessageHandler handler) throws FetchException {
    delegate.retrieve(batch, handler);
  }

  @Override
  public Set<MessageRef> delete(List<MessageRef> messages) throws FetchException {
    return delegate.delete(messages);
  }

  @Override
  public boolean quit() {
    return delegate.quit();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
