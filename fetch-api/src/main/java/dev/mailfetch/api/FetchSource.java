package dev.mailfetch.api;

import java.util.Optional;

/**
 * A mailbox that mail can be fetched from, such as one POP3 account.
 *
 * <p>A source is configuration: it holds no connection. Each {@link #open()} makes one session, and
 * the caller closes it. To test code that consumes a source, write a small in-memory one that lists
 * fixed messages and hands out their bytes; no server or mock framework is needed.
 *
 * <p>Implementations must be safe for concurrent use: two threads may open sessions at once (the
 * engine itself never runs two sessions for one {@link Fetcher} at a time).
 */
public interface FetchSource {
  /**
   * The stable name of this mailbox, for example {@code alice@pop.example.com}. It keys the state
   * kept about the account and the {@linkplain DeliveryKey delivery keys} of its messages, so it
   * must not change when an unrelated setting (a port, a timeout) changes: a new name means every
   * message is seen as new.
   */
  String account();

  /**
   * Connects, secures and authenticates, ready to list.
   *
   * <p><b>Deadline:</b> the source's own timeouts for connecting, securing and each reply of the
   * login (POP3: {@code Pop3Limits} connect, handshake and command timeouts); the engine sets none
   * and waits. Past one it throws {@link FetchError#CONNECTION_TIMED_OUT}, saying what it waited
   * for, and the run ends without a session (docs/engine.md, "Deadlines").
   *
   * @throws FetchException with the reason the session could not be opened (never a raw {@link
   *     java.io.IOException}); it says nothing secret
   */
  FetchSession open() throws FetchException;

  /**
   * How this source can say at once that new mail may have arrived ({@link MailPush}: IMAP's {@code
   * IDLE}); empty by default, for a source that can only be asked on a schedule (POP3). A poller
   * uses it to check as soon as mail arrives.
   *
   * <p><b>Deadline:</b> none needed: answered at once, without a connection.
   */
  default Optional<MailPush> push() {
    return Optional.empty();
  }
}
