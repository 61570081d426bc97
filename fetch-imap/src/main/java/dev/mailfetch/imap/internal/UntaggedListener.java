package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;

/**
 * Takes the untagged responses of one command as they come (a listing's {@code * n FETCH} lines),
 * so that a long answer is handed on instead of held whole in its {@link TaggedReply}.
 */
@FunctionalInterface
public interface UntaggedListener {
  /**
   * One untagged response that came while the command was the oldest in flight.
   *
   * @return true when taken; false to keep it with the command's reply, as without a listener
   * @throws FetchException to stop: the session is then unusable
   */
  boolean take(ImapLine response) throws FetchException;
}
