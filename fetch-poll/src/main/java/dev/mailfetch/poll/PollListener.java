package dev.mailfetch.poll;

import dev.mailfetch.api.FetchException;

/**
 * Hears what a {@link Poller} does, for a user interface or a log. Called from the threads that run
 * the checks; an exception thrown here is logged and goes no further. Every method does nothing by
 * default.
 */
public interface PollListener {
  PollListener NONE = new PollListener() {};

  /** A check of {@code account} starts. */
  default void checkStarted(String account) {}

  /** A check ended; the record is also in the account's history. */
  default void checkFinished(CheckRecord record) {}

  /**
   * The account is paused after an error a person must fix (said once, not at every check): it is
   * checked again only after {@link Poller#resume} or {@link Poller#checkNow}.
   */
  default void accountPaused(String account, FetchException why) {}

  /** A paused account works again. */
  default void accountResumed(String account) {}

  /**
   * The server of {@code account} will say when mail arrives in {@code mailbox} ({@link
   * dev.mailfetch.api.MailPush}: IMAP {@code IDLE}): said when a watch starts and again after it
   * reconnected.
   */
  default void pushWatching(String account, String mailbox) {}

  /**
   * Push for {@code mailbox} of {@code account} ended (the server does not offer it, or the
   * connection kept failing): the account is checked on its schedule alone until the poller tries
   * push again after a later check that worked.
   */
  default void pushEnded(String account, String mailbox, FetchException why) {}
}
