package dev.mailfetch.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One open session with a mailbox, used by a single thread, in this order: {@link #list}, then
 * {@link #retrieve} and {@link #delete} any number of times, then {@link #quit}. {@link #close()}
 * always comes last, and is safe to call more than once.
 *
 * <p><b>Deletion is two-phase, as in POP3.</b> {@link #delete} only marks messages; they are
 * removed when {@link #quit} returns true. A session that ends any other way, including {@link
 * #close()} without {@code quit}, removes nothing (RFC 1939 §6). The engine relies on this to roll
 * back.
 *
 * <p><b>Failures.</b> A method that throws {@link FetchException} leaves the session unusable: the
 * caller's next step is {@code close()}. A failure that concerns one message only (a server that
 * refuses to retrieve it) is reported to the {@link MessageHandler} and the session goes on.
 *
 * <p><b>Optional abilities.</b> What only some sessions can do is offered by an accessor that
 * returns an {@link Optional}: {@link #headerReading()}, {@link #retrievalMarks()}. See {@link
 * #headerReading()} for why.
 *
 * <p><b>Deadlines.</b> The engine sets no timer over these calls and waits for each: a call that
 * talks to the server is bounded by the source's own timeouts (connecting, silence between reads, a
 * deadline for each reply), past which it throws {@link FetchError#CONNECTION_TIMED_OUT} and the
 * session is unusable; a call that does not ({@link #capabilities}, {@link #server}, the ability
 * accessors, {@link #quirksNoticed}, {@link #warnings}, {@link #lastRefusal}, {@link #close})
 * answers at once. Each method says which it is (docs/engine.md, "Deadlines").
 *
 * <p>To layer something over a session (a log, a timer, a count), extend {@link
 * ForwardingFetchSession}.
 */
public interface FetchSession extends AutoCloseable {
  /**
   * What the session allows; known once the session is open and does not change.
   *
   * <p><b>Deadline:</b> none needed: known since the session opened, answered at once.
   */
  Capabilities capabilities();

  /**
   * The server as {@code host:port}, for reports and the provenance header.
   *
   * <p><b>Deadline:</b> none needed: answered at once.
   */
  String server();

  /**
   * Lists the mailbox: first {@link ListingHandler#count}, then {@link ListingHandler#message} for
   * each message in ascending number. The listing is streamed: a source does not hold it whole.
   *
   * <p><b>Deadline:</b> the source's own, for each reply of the listing (POP3: the read and command
   * timeouts of {@code Pop3Limits}); a longer mailbox takes longer. The handler's time counts
   * against it.
   *
   * @throws FetchException if the listing could not be read or is inconsistent, or as the handler
   *     threw it (the handler stops a listing that is too long this way)
   */
  void list(ListingHandler handler) throws FetchException;

  /**
   * Retrieves the messages of {@code request.batch()}, in this order, and hands each one's bytes to
   * the handler in {@code request.lineEnding()}. A protocol that can pipeline sends all the
   * requests of the batch at once.
   *
   * <p>For each message the handler sees either {@code start}, any number of {@code data}, and
   * {@code end}, or {@code failed} (possibly after {@code start} and some {@code data}: the bytes
   * so far are then void). {@code end} means the message is whole and its framing verified: for
   * POP3, the terminator was seen <em>and</em> the reply that follows it parsed as a reply, so that
   * an unescaped lone dot cannot pass a truncated message off as whole.
   *
   * <p><b>Line ends.</b> For {@link LineEnding#LF} each CRLF of a message becomes LF. A source
   * should do that while it reads (the POP3 source cuts its slices around the CR); one that cannot
   * hands the bytes as sent to {@link Retrieval#convertingFromCrlf
   * request.convertingFromCrlf(handler)}, which converts the slices instead.
   *
   * <p><b>What follows.</b> {@code request.following()} names the messages the caller will then ask
   * for, in that order, in one or more further calls (their batches laid end to end make it, or
   * begin it; it may be a view, read only as far as needed). A source that pipelines may request
   * some of those messages ahead, so that their bytes travel while the caller makes this batch
   * durable rather than after, and its window of requests stays full across batches; it then reads
   * them in those calls. If the next call is anything else (the caller stopped, deletes or quits
   * first), the source may end the session without committing anything, as a dropped connection
   * does (a POP3 server that forgets retrieved messages at QUIT must not forget ones never stored):
   * that call then fails, {@code quit} returns false, and the caller's deletions wait for the next
   * session. A source that does not pipeline ignores it.
   *
   * <p><b>Deadline:</b> the source's own, for each message (POP3: the command timeout, and one
   * second more per 100 kB listed, for each body; the read timeout for silence), so a batch takes
   * as long as its messages. The handler's time, and so the sink's, counts against the deadline of
   * the message it is handed: the server waits meanwhile. Past it the source fails the message in
   * progress and throws {@link FetchError#CONNECTION_TIMED_OUT}.
   *
   * @throws FetchException if the session broke; the message in progress, if any, is not whole, and
   *     none after it was retrieved
   */
  void retrieve(Retrieval request, MessageHandler handler) throws FetchException;

  /**
   * Reading a message's header section alone, where this session can ({@link HeaderReading}); empty
   * by default.
   *
   * <p>Optional abilities are asked for, not tried: an accessor returning an {@link Optional}
   * rather than a sub-interface found with {@code instanceof}, because an ability can depend on the
   * server (a POP3 server without {@code TOP}), known only once the session is open, and because a
   * layer over a session ({@link ForwardingFetchSession}) then passes the abilities of the session
   * under it on instead of hiding them. Nor is it a default that throws: a caller sees what a
   * session offers before it plans on it.
   *
   * <p><b>Deadline:</b> none needed: answered at once; reading is bounded as {@link
   * HeaderReading#readHeaders} says.
   */
  default Optional<HeaderReading> headerReading() {
    return Optional.empty();
  }

  /**
   * Undoing the server's own marks on messages retrieved but not stored, where the server makes
   * such marks and this session can undo them ({@link RetrievalMarks}: a POP3 server that takes
   * retrieval for deletion, quirk Q31); empty by default, for a server that marks nothing on
   * retrieval. Asked for as {@link #headerReading()} is, for the same reasons.
   *
   * <p><b>Deadline:</b> none needed: answered at once; undoing is bounded as {@link
   * RetrievalMarks#unmark} says.
   */
  default Optional<RetrievalMarks> retrievalMarks() {
    return Optional.empty();
  }

  /**
   * The labels this session's source gives each message by where it found it ({@link SourceLabels}:
   * an IMAP folder, Gmail's labels, the provider's junk verdict); empty by default. Asked for as
   * {@link #headerReading()} is, for the same reasons.
   *
   * <p><b>Deadline:</b> none needed: answered at once.
   */
  default Optional<SourceLabels> sourceLabels() {
    return Optional.empty();
  }

  /**
   * How this session's server may renumber a mailbox's messages as a whole ({@link Renumbering}:
   * IMAP's {@code UIDVALIDITY}); empty by default, for a source whose ids change only one by one.
   *
   * <p><b>Deadline:</b> none needed: answered at once.
   */
  default Optional<Renumbering> renumbering() {
    return Optional.empty();
  }

  /**
   * A cheap check that the mailbox has not changed since a former listing ({@link MailboxMarks});
   * empty by default, in which case every run lists.
   *
   * <p><b>Deadline:</b> none needed: answered at once; checking is bounded as {@link
   * MailboxMarks#unchangedSince} says.
   */
  default Optional<MailboxMarks> mailboxMarks() {
    return Optional.empty();
  }

  /**
   * Marks these messages for deletion at {@link #quit}.
   *
   * <p><b>Deadline:</b> the source's own, for each reply (POP3: one per message, pipelined where
   * the server allows). Past it the source throws {@link FetchError#CONNECTION_TIMED_OUT}; the
   * session then ends without {@link #quit}, so nothing is deleted.
   *
   * @return the messages the server accepted for deletion; the others stay on the server
   * @throws FetchException if the session broke
   */
  Set<MessageRef> delete(List<MessageRef> messages) throws FetchException;

  /**
   * Ends the session, committing deletions.
   *
   * <p><b>Deadline:</b> the source's own, for the one reply. Past it, it returns false (no reply):
   * it never throws.
   *
   * @return true when the server confirmed the end of the session, so that the messages marked for
   *     deletion are gone; false when it did not (a {@code -ERR} or no reply), in which case they
   *     may still be there and the engine will delete them again next time
   */
  boolean quit();

  /**
   * Names of the server quirks this session noticed and tolerated (such as {@code Q12}), for the
   * run's report. Empty by default.
   *
   * <p><b>Deadline:</b> none needed: answered at once, from what the session saw.
   */
  default Set<QuirkId> quirksNoticed() {
    return Set.of();
  }

  /**
   * What this session noticed that does not stop the run but a person must know: a listing the
   * server contradicted (so that some messages could not be fetched), a rule it broke that the
   * session worked around at a cost. The engine adds them to {@link FetchResult#warnings()} when
   * the session ends. Each names its code, what happened and what to do. Empty by default.
   *
   * <p><b>Deadline:</b> none needed: answered at once, from what the session saw.
   */
  default List<FetchException> warnings() {
    return List.of();
  }

  /**
   * The server's own words the last time it refused, or did not confirm, something that does not
   * break the session: a deletion it would not mark (POP3: the {@code -ERR} reply to {@code DELE}),
   * the end of a session it did not confirm (the {@code -ERR} reply to {@code QUIT}). The engine
   * quotes it in the warnings it gives for deletions that were not confirmed, so that a person
   * reads what the server said rather than only that it said no. The reply is the line as the
   * server sent it (for POP3 the whole {@code -ERR} line, as a {@link FetchException} quotes a
   * reply), not escaped: it may contain anything a server can send, so it goes to a {@code
   * FetchException} constructor as its server reply, which escapes it, or is escaped where printed.
   * Empty when the server refused nothing, or gave no words (a connection that broke instead), and
   * by default.
   *
   * <p><b>Deadline:</b> none needed: answered at once, from what the session saw.
   */
  default Optional<String> lastRefusal() {
    return Optional.empty();
  }

  /**
   * Drops the session without committing anything. Safe to call more than once; never throws.
   *
   * <p><b>Deadline:</b> returns at once: it closes the connection without waiting for the server
   * (POP3 sends nothing: QUIT would commit).
   */
  @Override
  void close();
}
