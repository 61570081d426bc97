package dev.mailfetch.poll;

import dev.mailfetch.api.FetchException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a user's {@link PollListener} so that its exceptions are logged and go no further: a
 * listener that throws must not stop a check, free its slot twice, or leave a waiter without its
 * record. Its warning is logged as the {@link Poller}'s, the logger an application configures.
 */
final class GuardedPollListener implements PollListener {
  private static final Logger log = LoggerFactory.getLogger(Poller.class);

  private final PollListener delegate;

  GuardedPollListener(PollListener delegate) {
    this.delegate = delegate;
  }

  private void failed(RuntimeException e) {
    log.warn("poll listener {} threw; ignored", delegate.getClass().getName(), e);
  }

  @Override
  public void checkStarted(String account) {
    try {
      delegate.checkStarted(account);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void checkFinished(CheckRecord record) {
    try {
      delegate.checkFinished(record);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void accountPaused(String account, FetchException why) {
    try {
      delegate.accountPaused(account, why);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void accountResumed(String account) {
    try {
      delegate.accountResumed(account);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void pushWatching(String account, String mailbox) {
    try {
      delegate.pushWatching(account, mailbox);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void pushEnded(String account, String mailbox, FetchException why) {
    try {
      delegate.pushEnded(account, mailbox, why);
    } catch (RuntimeException e) {
      failed(e);
    }
  }
}
