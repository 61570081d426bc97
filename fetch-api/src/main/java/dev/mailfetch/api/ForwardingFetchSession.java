package dev.mailfetch.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link FetchSession} that passes every call on to another. Extend it to layer something over a
 * session, overriding only the calls that concern the layer: a log of each retrieval, a count of
 * the bytes received, a timer around each call, a fault for a test.
 *
 * <p>Every method, the optional ones included, forwards to {@link #delegate()}: a layer passes the
 * session's {@linkplain #headerReading() abilities} on as they are, and a layer that watches one of
 * them wraps what the delegate returns. For example, a layer that counts messages and their bytes:
 *
 * <pre>{@code
 * class CountingSession extends ForwardingFetchSession {
 *   long messages, bytes;
 *
 *   CountingSession(FetchSession delegate) {
 *     super(delegate);
 *   }
 *
 *   @Override
 *   public void retrieve(Retrieval request, MessageHandler handler) throws FetchException {
 *     super.retrieve(request, new MessageHandler() {
 *       public void start(MessageRef ref) { handler.start(ref); }
 *       public void data(ByteBuffer slice) { bytes += slice.remaining(); handler.data(slice); }
 *       public void end() { messages++; handler.end(); }
 *       public void failed(MessageRef ref, FetchException e) { handler.failed(ref, e); }
 *     });
 *   }
 * }
 * }</pre>
 *
 * <p>A {@link FetchSource} whose {@code open()} returns {@code new CountingSession(real.open())}
 * puts the layer under the engine.
 */
public abstract class ForwardingFetchSession implements FetchSession {
  private final FetchSession delegate;

  /**
   * A session that passes every call on to {@code delegate}.
   *
   * @throws NullPointerException if {@code delegate} is null
   */
  protected ForwardingFetchSession(FetchSession delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The session this one passes its calls on to. */
  public final FetchSession delegate() {
    return delegate;
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
  public void retrieve(Retrieval request, MessageHandler handler) throws FetchException {
    delegate.retrieve(request, handler);
  }

  @Override
  public Optional<HeaderReading> headerReading() {
    return delegate.headerReading();
  }

  @Override
  public Optional<RetrievalMarks> retrievalMarks() {
    return delegate.retrievalMarks();
  }

  @Override
  public Optional<SourceLabels> sourceLabels() {
    return delegate.sourceLabels();
  }

  @Override
  public Optional<Renumbering> renumbering() {
    return delegate.renumbering();
  }

  @Override
  public Optional<MailboxMarks> mailboxMarks() {
    return delegate.mailboxMarks();
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
  public Set<QuirkId> quirksNoticed() {
    return delegate.quirksNoticed();
  }

  @Override
  public List<FetchException> warnings() {
    return delegate.warnings();
  }

  @Override
  public Optional<String> lastRefusal() {
    return delegate.lastRefusal();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(" + delegate + ")";
  }
}
