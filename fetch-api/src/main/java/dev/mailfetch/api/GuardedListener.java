package dev.mailfetch.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls a user's {@link FetchListener} so that its exceptions are logged and go no further. */
final class GuardedListener implements FetchListener {
  private static final Logger log = LoggerFactory.getLogger(GuardedListener.class);

  private final FetchListener delegate;

  GuardedListener(FetchListener delegate) {
    this.delegate = delegate;
  }

  private void failed(String event, RuntimeException e) {
    log.warn("listener {} threw from {}; ignored", delegate.getClass().getName(), event, e);
  }

  @Override
  public void runStarted(String account) {
    try {
      delegate.runStarted(account);
    } catch (RuntimeException e) {
      failed("runStarted", e);
    }
  }

  @Override
  public void unchangedSinceLastCheck() {
    try {
      delegate.unchangedSinceLastCheck();
    } catch (RuntimeException e) {
      failed("unchangedSinceLastCheck", e);
    }
  }

  @Override
  public void listed(int messages, long octets) {
    try {
      delegate.listed(messages, octets);
    } catch (RuntimeException e) {
      failed("listed", e);
    }
  }

  @Override
  public void planned(int messages, long octets) {
    try {
      delegate.planned(messages, octets);
    } catch (RuntimeException e) {
      failed("planned", e);
    }
  }

  @Override
  public void messageStarted(MessageRef ref) {
    try {
      delegate.messageStarted(ref);
    } catch (RuntimeException e) {
      failed("messageStarted", e);
    }
  }

  @Override
  public void messageReceived(MessageRef ref, long octets) {
    try {
      delegate.messageReceived(ref, octets);
    } catch (RuntimeException e) {
      failed("messageReceived", e);
    }
  }

  @Override
  public void messageFinished(MessageOutcome outcome) {
    try {
      delegate.messageFinished(outcome);
    } catch (RuntimeException e) {
      failed("messageFinished", e);
    }
  }

  @Override
  public void batchSynced(int messages) {
    try {
      delegate.batchSynced(messages);
    } catch (RuntimeException e) {
      failed("batchSynced", e);
    }
  }

  @Override
  public void deletionsCommitted(int count, boolean confirmed) {
    try {
      delegate.deletionsCommitted(count, confirmed);
    } catch (RuntimeException e) {
      failed("deletionsCommitted", e);
    }
  }

  @Override
  public void runFinished(FetchResult result) {
    try {
      delegate.runFinished(result);
    } catch (RuntimeException e) {
      failed("runFinished", e);
    }
  }
}
