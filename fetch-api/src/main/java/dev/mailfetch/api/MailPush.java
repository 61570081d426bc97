package dev.mailfetch.api;

import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * A source's way to be told at once that new mail may have arrived, instead of asking on a schedule
 * (IMAP: {@code IDLE}, RFC 2177). A source that has it returns it from {@link FetchSource#push()};
 * a {@code Poller} then keeps one {@link Watch} per {@linkplain #mailboxes() mailbox} and checks
 * the account as soon as one says {@link Listener#arrived}, with its regular schedule kept as the
 * fall-back.
 *
 * <p>A push only says "look now": it carries no message. The check it triggers is an ordinary
 * {@link Fetcher#run()}, with every promise of one (exactly once, durable before deleted). A watch
 * may say {@code arrived} when nothing new is there (a flag changed, the connection came back after
 * a gap); a check then finds nothing new, which costs little.
 *
 * <p>To test code that consumes pushes, write a small one whose {@code watch} keeps the listener
 * and calls {@code arrived} when the test says so; no server is needed.
 *
 * <p>Implementations must be safe for concurrent use: watches of several mailboxes run at once, and
 * sessions of the same source may run beside them.
 */
public interface MailPush {
  /**
   * The mailboxes a watch can be opened for, in the order to open them; each watch holds one
   * connection to the server for its life, which is what a bound on connections per server counts.
   * Known from the configuration, without a connection; never empty.
   */
  List<String> mailboxes();

  /**
   * Starts watching {@code mailbox} (one of {@link #mailboxes()}) and returns at once: connecting,
   * logging in and waiting all happen in one thread made by {@code threads}, which the watch keeps
   * for its life and which is blocked in a read nearly all that time (virtual threads suit it).
   *
   * <p>The watch reconnects by itself after a dropped connection, with a bounded, jittered
   * back-off, and says {@link Listener#arrived} once it watches again (mail may have come in the
   * gap). It gives up, and says {@link Listener#ended}, when the server does not offer push or the
   * connection keeps failing; the caller then relies on its schedule alone.
   *
   * <p><b>Deadline:</b> none needed: returns at once; the watch's own reads are bounded by the
   * source's timeouts.
   *
   * @throws IllegalArgumentException if {@code mailbox} is not one of {@link #mailboxes()}
   */
  Watch watch(String mailbox, Listener listener, ThreadFactory threads);

  /** One mailbox being watched; {@link #close()} ends it. */
  interface Watch extends AutoCloseable {
    /** The mailbox watched. */
    String mailbox();

    /**
     * Whether the watch has a connection on which the server would tell it of new mail now; false
     * while it connects, waits to reconnect, or once it has ended.
     */
    boolean watching();

    /**
     * Ends the watch: the connection is closed (politely where it can be, within the source's
     * timeouts) and the listener hears nothing more. Returns without waiting for the thread to end.
     * Safe to call more than once.
     */
    @Override
    void close();
  }

  /**
   * Hears what a watch sees. Called from the watch's own thread: must be fast, must not throw (what
   * it throws is logged and ignored), must not block on a check.
   */
  interface Listener {
    /** New mail may have arrived in {@code mailbox}: check the account soon. */
    void arrived(String mailbox);

    /**
     * The watch gave up and will say nothing more: the server does not offer push, refused the
     * login, or the connection kept failing ({@code why} says which, in the words of {@link
     * FetchException}).
     */
    void ended(String mailbox, FetchException why);

    /** The watch has a connection and waits for the server's word (first time or again). */
    default void watching(String mailbox) {}

    /**
     * The connection broke or timed out; the watch reconnects after a back-off. Not said for a
     * routine renewal the watch makes itself.
     */
    default void interrupted(String mailbox, FetchException why) {}
  }
}
