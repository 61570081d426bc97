package dev.mailfetch.api;

/**
 * A cheap way to tell that a mailbox has not changed since it was last listed, so a poll with
 * nothing new costs a round trip instead of a listing (IMAP: {@code STATUS} of each folder's {@code
 * UIDVALIDITY}, {@code UIDNEXT} and {@code MESSAGES}). The engine keeps the mark of a run that left
 * nothing to do ({@link UidStore#recordMailboxMark}) and, at the next run, asks {@link
 * #unchangedSince} before listing: when the answer is yes the run lists nothing and ends at once.
 *
 * <p>An optional ability of a session ({@link FetchSession#mailboxMarks()}).
 */
public interface MailboxMarks {
  /**
   * The mailbox as the listing saw it, in a short printable token (at most {@link #MAX_LENGTH}
   * characters of printable ASCII) that only this source needs to understand.
   *
   * <p><b>Deadline:</b> none needed: known since the listing, answered at once.
   *
   * @throws IllegalStateException before the session has listed
   */
  String listed();

  /**
   * Whether the mailbox is still as {@code mark} (an earlier {@link #listed()}) describes it:
   * nothing arrived, nothing was removed, nothing renumbered. Called before {@link
   * FetchSession#list}, which the engine then skips when the answer is true; a mark this source
   * cannot read is simply not unchanged.
   *
   * <p><b>Deadline:</b> the source's own, for the one reply (IMAP: the command timeout).
   *
   * @throws FetchException if the session broke
   */
  boolean unchangedSince(String mark) throws FetchException;

  /** The longest mark the engine keeps. */
  int MAX_LENGTH = 4000;
}
