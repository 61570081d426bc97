package dev.mailfetch.api;

import java.util.List;

/**
 * A session's ability to undo what its server marks on a message by itself when the message is
 * retrieved: some POP3 servers take a retrieval for a deletion, to be carried out at the end of the
 * session (quirk Q31; undone with {@code RSET}); an IMAP server sets {@code \Seen}. A session
 * offers it through {@link FetchSession#retrievalMarks()}.
 */
@FunctionalInterface
public interface RetrievalMarks {
  /**
   * Undoes the server's own marks on messages this session retrieved that the caller did not store
   * (the sink refused one, it was too large), so that they stay on the server as they were. Called
   * at most once per session, before any {@link FetchSession#delete} of the session, and only with
   * a non-empty list. Undoing may undo more than these (POP3's {@code RSET} clears every mark of
   * the session), which is why it comes before any deletion.
   *
   * <p><b>Deadline.</b> One exchange with the server, bounded by the source's own timeouts.
   *
   * @throws FetchException if they could not be undone; the caller then ends the session without
   *     {@link FetchSession#quit}, so that nothing is removed
   */
  void unmark(List<MessageRef> retrievedNotStored) throws FetchException;
}
