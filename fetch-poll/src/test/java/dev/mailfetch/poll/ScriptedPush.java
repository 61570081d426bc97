package dev.mailfetch.poll;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.MailPush;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

/**
 * A push in the test's hands: it keeps the watches the poller opens and says "arrived" or "ended"
 * to them when the test does. No thread, no server: what the poller does with a push is what is
 * tested here (the IMAP watch itself is tested in fetch-imap against servers).
 */
final class ScriptedPush implements MailPush {
  private final List<String> mailboxes;
  private final List<Opened> opened = new ArrayList<>();

  ScriptedPush(String... mailboxes) {
    this.mailboxes = List.of(mailboxes);
  }

  /** {@code source} with this push. */
  FetchSource on(FetchSource source) {
    return new FetchSource() {
      @Override
      public String account() {
        return source.account();
      }

      @Override
      public FetchSession open() throws FetchException {
        return source.open();
      }

      @Override
      public Optional<MailPush> push() {
        return Optional.of(ScriptedPush.this);
      }
    };
  }

  @Override
  public List<String> mailboxes() {
    return mailboxes;
  }

  @Override
  public synchronized Watch watch(String mailbox, Listener listener, ThreadFactory threads) {
    Opened o = new Opened(mailbox, listener);
    opened.add(o);
    return o;
  }

  /** Watches opened so far, closed ones included. */
  synchronized int opened() {
    return opened.size();
  }

  /** Watches open now. */
  synchronized int open() {
    return (int) opened.stream().filter(o -> !o.closed).count();
  }

  /** Every open watch says mail arrived. */
  void arrive() {
    for (Opened o : live()) {
      o.listener.arrived(o.mailbox);
    }
  }

  /** Every open watch gives up. */
  void end(FetchException why) {
    for (Opened o : live()) {
      o.closed = true;
      o.listener.ended(o.mailbox, why);
    }
  }

  private synchronized List<Opened> live() {
    return opened.stream().filter(o -> !o.closed).toList();
  }

  private static final class Opened implements Watch {
    final String mailbox;
    final Listener listener;
    volatile boolean closed;

    Opened(String mailbox, Listener listener) {
      this.mailbox = mailbox;
      this.listener = listener;
    }

    @Override
    public String mailbox() {
      return mailbox;
    }

    @Override
    public boolean watching() {
      return !closed;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
