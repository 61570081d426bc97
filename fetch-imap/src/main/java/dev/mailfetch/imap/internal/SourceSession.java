package dev.mailfetch.imap.internal;

import dev.mailfetch.api.Capabilities;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.Retrieval;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** One session of an {@code ImapSource}. */
public final class SourceSession implements FetchSession {
  private final ImapSession session;
  private final SourceOptions options;

  private SourceSession(ImapSession session, SourceOptions options) {
    this.session = session;
    this.options = options;
  }

  /** Connects, secures and logs in. */
  public static SourceSession open(ImapSettings settings, SourceOptions options)
      throws FetchException {
    ImapSession s = ImapSession.open(settings, ImapFailures.Role.SOURCE);
    try {
      s.login();
    } catch (FetchException | RuntimeException e) {
      s.close();
      throw e;
    }
    return new SourceSession(s, options);
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(
        true, Optional.empty(), Optional.empty(), session.capabilities().names());
  }

  @Override
  public String server() {
    return session.server();
  }

  @Override
  public void list(ListingHandler handler) throws FetchException {
    throw new UnsupportedOperationException("not written yet (" + options + ")");
  }

  @Override
  public void retrieve(Retrieval request, MessageHandler handler) throws FetchException {
    throw new UnsupportedOperationException("not written yet");
  }

  @Override
  public Set<MessageRef> delete(List<MessageRef> messages) throws FetchException {
    throw new UnsupportedOperationException("not written yet");
  }

  @Override
  public boolean quit() {
    session.logout();
    return true;
  }

  @Override
  public void close() {
    session.close();
  }
}
