package dev.mailfetch.api;

import java.util.List;
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
 */
public interface FetchSession extends AutoCloseable {
  /** What the session allows; known once the session is open and does not change. */
  Capabilities capabilities();

  /** The server as {@code host:port}, for reports and the provenance header. */
  String server();

  /**
   * Lists the mailbox: first {@link ListingHandler#count}, then {@link ListingHandler#message} for
   * each message in ascending number. The listing is streamed: a source does not hold it whole.
   *
   * @throws FetchException if the listing could not be read or is inconsistent, or as the handler
   *     threw it (the handler stops a listing that is too long this way)
   */
  void list(ListingHandler handler) throws FetchException;

  /**
   * Retrieves these messages, in this order, and hands each one's bytes to the handler. A protocol
   * that can pipeline sends all the requests of the batch at once.
   *
   * <p>For each message the handler sees either {@code start}, any number of {@code data}, and
   * {@code end}, or {@code failed} (possibly after {@code start} and some {@code data}: the bytes
   * so far are then void). {@code end} means the message is whole and its framing verified: for
   * POP3, the terminator was seen <em>and</em> the reply that follows it parsed as a reply, so that
   * an unescaped lone dot cannot pass a truncated message off as whole.
   *
   * @throws FetchException if the session broke; the message in progress, if any, is not whole, and
   *     none after it was retrieved
   */
  void retrieve(List<MessageRef> batch, MessageHandler handler) throws FetchException;

  /**
   * As {@link #retrieve(List, MessageHandler)}, with the message bytes in {@code ending}: for
   * {@link LineEnding#LF} each CRLF of a message becomes LF. A source should do that while it reads
   * (the POP3 source cuts its slices around the CR); this default converts the slices {@code
   * retrieve} hands over instead.
   */
  default void retrieve(List<MessageRef> batch, LineEnding ending, MessageHandler handler)
      throws FetchException {
    retrieve(batch, ending == LineEnding.LF ? new LfHandler(handler) : handler);
  }

  /**
   * As {@link #retrieve(List, LineEnding, MessageHandler)}, knowing that the caller will then ask
   * for {@code next}, in that order, in one or more further calls (their batches laid end to end
   * make {@code next}, or begin it; the caller may pass a view, read only as far as needed). A
   * source that pipelines may request some of those messages ahead, so that their bytes travel
   * while the caller makes this batch durable rather than after, and its window of requests stays
   * full across batches; it then reads them in those calls. If the next call is anything else (the
   * caller stopped, deletes or quits first), the source may end the session without committing
   * anything, as a dropped connection does (a POP3 server that forgets retrieved messages at QUIT
   * must not forget ones never stored): that call then fails, {@code quit} returns false, and the
   * caller's deletions wait for the next session. The default ignores {@code next}.
   */
  default void retrieve(
      List<MessageRef> batch, List<MessageRef> next, LineEnding ending, MessageHandler handler)
      throws FetchException {
    retrieve(batch, ending, handler);
  }

  /**
   * Reads only the header section of each message (POP3: {@code TOP n 0}), handed over as {@link
   * #retrieve} hands messages (a message the server will not show fails alone); read-only. The
   * engine uses it to recognise messages whose UIDs the server changed (quirk Q26) or reused (quirk
   * Q51) without downloading them. A source that cannot throws {@link
   * UnsupportedOperationException}, the default.
   */
  default void headers(List<MessageRef> batch, MessageHandler handler) throws FetchException {
    throw new UnsupportedOperationException("this source cannot read header sections alone");
  }

  /**
   * Messages this session retrieved that the caller did not store (the sink refused one, it was too
   * large): a source whose server takes retrieval for deletion (POP3 quirk Q31: some servers mark a
   * retrieved message deleted, to be removed at QUIT) undoes that, so that they stay on the server.
   * Called before any {@link #delete} of the session. The default does nothing.
   *
   * @throws FetchException if it could not be undone; the caller then ends the session without
   *     {@link #quit}, so that nothing is removed
   */
  default void keep(List<MessageRef> retrievedNotStored) throws FetchException {}

  /**
   * Marks these messages for deletion at {@link #quit}.
   *
   * @return the messages the server accepted for deletion; the others stay on the server
   * @throws FetchException if the session broke
   */
  Set<MessageRef> delete(List<MessageRef> messages) throws FetchException;

  /**
   * Ends the session, committing deletions.
   *
   * @return true when the server confirmed the end of the session, so that the messages marked for
   *     deletion are gone; false when it did not (a {@code -ERR} or no reply), in which case they
   *     may still be there and the engine will delete them again next time
   */
  boolean quit();

  /**
   * Names of the server quirks this session noticed and tolerated (such as {@code Q12}), for the
   * run's report. Empty by default.
   */
  default Set<QuirkId> quirksNoticed() {
    return Set.of();
  }

  /**
   * What this session noticed that does not stop the run but a person must know: a listing the
   * server contradicted (so that some messages could not be fetched), a rule it broke that the
   * session worked around at a cost. The engine adds them to {@link FetchResult#warnings()} when
   * the session ends. Each names its code, what happened and what to do. Empty by default.
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
   */
  default java.util.Optional<String> lastRefusal() {
    return java.util.Optional.empty();
  }

  /** Drops the session without committing anything. Safe to call more than once; never throws. */
  @Override
  void close();
}
