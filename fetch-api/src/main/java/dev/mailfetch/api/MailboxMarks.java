package dev.mailfetch.api;

/**
 * A cheap way to tell that a mailbox has not changed since it was last listed, so a poll with
 * nothing new costs a round trip instead of a listing (IMAP: {@code STATUS} of each folder's {@code
 * UIDVALIDITY}, {@code UIDNEXT} and {@code MESSAGES}). The engine keeps the mark of a run that left
 * nothing to do ({@link UidStore#recordMailboxMark}) and, at the next run, asks {@link
 * #unchangedSince} before listing: when the answer is yes the run lists nothing and ends at once.
 *
 * <p>When the mailbox did change, a source that can prove what did may list only that: the engine
 * offers the stored mark ({@link #listOnlyNewSince}) and asks afterwards whether the listing was
 * incremental ({@link #listedOnlyNew()}); after an incremental listing it forgets nothing it holds
 * of the messages left out. A source without incremental listings leaves both defaults.
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

  /**
   * Lets the next {@link FetchSession#list} be incremental: list only the messages that may have
   * arrived since {@code mark} was made, where the source can prove the rest unchanged. Only a
   * hint: the source may list in full, and says which it did in {@link #listedOnlyNew()}.
   *
   * <p>The engine calls this at most once per session, just before {@link FetchSession#list}, after
   * {@link #unchangedSince} answered false for the same {@code mark}, and only where that mark was
   * kept by a run that left nothing to do and mail stays on the server ({@link Retention#KEEP}):
   * then every message in the mailbox when the mark was made is settled in the store, and a message
   * the listing leaves out needs nothing this run either. Under a retention that deletes, every run
   * lists in full, so that what falls due is found.
   *
   * <p>The default does nothing: the listing stays complete.
   *
   * <p><b>Deadline:</b> none needed: answered at once, without a reply from the server.
   *
   * @param mark an earlier {@link #listed()} of this source (one it cannot read makes no
   *     difference: the listing is then complete)
   */
  default void listOnlyNewSince(String mark) {}

  /**
   * Whether the listing just made was incremental. True is a promise, for the mark given to {@link
   * #listOnlyNewSince}:
   *
   * <ul>
   *   <li>every message that arrived in the mailbox since the mark was made, and is there at the
   *       listing, is listed (under the unique id a complete listing would give it);
   *   <li>every message the listing leaves out was in the mailbox when the mark was made and still
   *       is, under the same unique id: nothing left out was removed or renumbered.
   * </ul>
   *
   * It may list messages that were there at the mark too. The engine then takes the absence of a
   * unique id from the listing as nothing: it forgets no record ({@link UidStore#retainListed} is
   * not called), guesses no renumbering ({@link Renumbering}) and no changed ids (quirk Q26).
   *
   * <p>False (the default) means the listing was complete, as if {@link #listOnlyNewSince} had not
   * been called: an id it lacks is gone from the mailbox.
   *
   * <p><b>Deadline:</b> none needed: known since the listing, answered at once.
   *
   * @throws IllegalStateException before the session has listed
   */
  default boolean listedOnlyNew() {
    return false;
  }

  /** The longest mark the engine keeps. */
  int MAX_LENGTH = 4000;
}
