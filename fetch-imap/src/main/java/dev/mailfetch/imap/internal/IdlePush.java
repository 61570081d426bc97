package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MailPush;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IMAP's push (RFC 2177 IDLE) for an {@code ImapSource}: one {@link IdleWatch} per watched folder,
 * each its own connection and thread. Immutable; safe for concurrent use.
 */
public final class IdlePush implements MailPush {
  private static final Logger log = LoggerFactory.getLogger(IdlePush.class);

  private final ImapSettings settings;
  private final List<String> mailboxes;

  private IdlePush(ImapSettings settings, List<String> mailboxes) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.mailboxes = List.copyOf(mailboxes);
    if (this.mailboxes.isEmpty()) {
      throw new IllegalArgumentException("push needs at least one folder to watch");
    }
  }

  /**
   * Push for the folders {@code mailboxes} (names as the user gives them, decoded) of the server
   * and account of {@code settings}.
   */
  public static IdlePush of(ImapSettings settings, List<String> mailboxes) {
    return new IdlePush(settings, mailboxes);
  }

  @Override
  public List<String> mailboxes() {
    return mailboxes;
  }

  @Override
  public Watch watch(String mailbox, Listener listener, ThreadFactory threads) {
    if (!mailboxes.contains(mailbox)) {
      throw new IllegalArgumentException(
          "not a folder this source watches: " + mailbox + " (it watches " + mailboxes + ")");
    }
    IdleWatch w = new IdleWatch(settings, mailbox, new Guarded(listener));
    Thread t = threads.newThread(w);
    t.setName("mailfetch-idle " + settings.account() + " " + mailbox);
    w.runIn(t);
    return w;
  }

  @Override
  public String toString() {
    return "IdlePush[" + settings.account() + " at " + settings.server() + ", " + mailboxes + "]";
  }

  /** A listener whose exceptions are logged and go no further: the watch goes on. */
  private static final class Guarded implements Listener {
    private final Listener delegate;

    Guarded(Listener delegate) {
      this.delegate = Objects.requireNonNull(delegate, "listener");
    }

    private static void failed(RuntimeException e) {
      log.warn("a push listener threw; ignored", e);
    }

    @Override
    public void arrived(String mailbox) {
      try {
        delegate.arrived(mailbox);
      } catch (RuntimeException e) {
        failed(e);
      }
    }

    @Override
    public void ended(String mailbox, FetchException why) {
      try {
        delegate.ended(mailbox, why);
      } catch (RuntimeException e) {
        failed(e);
      }
    }

    @Override
    public void watching(String mailbox) {
      try {
        delegate.watching(mailbox);
      } catch (RuntimeException e) {
        failed(e);
      }
    }

    @Override
    public void interrupted(String mailbox, FetchException why) {
      try {
        delegate.interrupted(mailbox, why);
      } catch (RuntimeException e) {
        failed(e);
      }
    }
  }
}
