package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DELE, RSET and QUIT of one session (RFC 1939 §6): which messages the server marks, and whether
 * the marks commit at QUIT, against servers that mark or delete what RETR sent (quirk Q31, {@link
 * RetrievedMarks}) or refuse QUIT (quirk Q35). Used under the session's connection lock only.
 */
final class Deletions {
  // The session's logger, by name: the command mutes it where its report says the same.
  private static final Logger log = LoggerFactory.getLogger(Pop3Session.class);

  private final Pop3Connection connection;
  private final ServerMemory memory;
  private final RetrievedMarks marks;
  private final IntSupplier messageCount;
  private final Consumer<FetchException> warn;
  private final Runnable close;

  /** The last refused DELE or QUIT, as the server said it. */
  private volatile String lastRefusal;

  /**
   * @param messageCount the listing's count, which STAT before RSET is compared with
   * @param warn where a warning a person must read goes
   * @param close closes the connection (after QUIT, or in its place)
   */
  Deletions(
      Pop3Connection connection,
      RetrievedMarks marks,
      IntSupplier messageCount,
      Consumer<FetchException> warn,
      Runnable close) {
    this.connection = connection;
    this.memory = connection.memory();
    this.marks = marks;
    this.messageCount = messageCount;
    this.warn = warn;
    this.close = close;
  }

  /** The last refused DELE or QUIT, as the server said it; null if none. */
  String lastRefusal() {
    return lastRefusal;
  }

  /** Messages were retrieved that the engine did not store ({@link RetrievedMarks#notStored}). */
  void notStored() {
    marks.notStored();
  }

  /**
   * RSET, before any DELE of the session: a server that marks what RETR sent as deleted (quirk Q31,
   * MercuryP) would remove these at QUIT, and they were never stored. On a server without that
   * habit RSET changes nothing, as no DELE was sent yet. A refused RSET is an error: the engine
   * then ends without QUIT.
   */
  void keep(int retrievedNotStored) throws FetchException {
    connection.send(Pop3Commands.RSET);
    Reply r =
        connection.reply("keeping " + retrievedNotStored + " messages that were not stored (RSET)");
    if (!r.ok()) {
      connection.markBroken();
      throw r.exception(
          FetchError.PROTOCOL,
          connection.server()
              + " refused RSET: messages it sent but that were not"
              + " stored might be removed at QUIT (quirk Q31), so the session ends without QUIT");
    }
  }

  /** DELE for each message, pipelined: those the server accepted. */
  Set<MessageRef> delete(List<MessageRef> messages) throws FetchException {
    Set<MessageRef> accepted = new LinkedHashSet<>();
    int window = connection.window();
    boolean answered = false;
    ArrayDeque<MessageRef> queue = new ArrayDeque<>(messages);
    ArrayDeque<MessageRef> sent = new ArrayDeque<>();
    while (!queue.isEmpty() || !sent.isEmpty()) {
      while (sent.size() < window && !queue.isEmpty()) {
        MessageRef ref = queue.poll();
        connection.send(Pop3Commands.dele(ref.number()));
        sent.add(ref);
      }
      MessageRef ref = sent.poll();
      Reply r;
      try {
        r =
            window > 1 && answered
                ? connection.queuedReply("deleting message " + ref.number())
                : connection.reply("deleting message " + ref.number());
        answered = true;
      } catch (FetchException e) {
        if (e.error() == FetchError.CONNECTION_TIMED_OUT && window > 1) {
          connection
              .markBroken(); // without QUIT, the DELEs this connection took are void (RFC 1939 §6)
          memory.pipeliningStalled(connection);
          throw new PipelinedUnanswered(e);
        }
        throw e;
      }
      if (r.ok() || marks.alreadyDeleted(ref.number(), r)) {
        if (!r.ok()) {
          connection.noticed(
              QuirkId.Q31); // RETR marked it deleted already: the deletion asked for holds
        }
        accepted.add(ref);
        marks.marked();
      } else {
        lastRefusal = r.line();
        log.debug(
            "{} - {} refused DELE {}: {}",
            connection.settings().account(),
            connection.server(),
            ref.number(),
            r);
      }
    }
    return accepted;
  }

  /**
   * QUIT, or in its place RSET or nothing where the marks must not commit ({@link RetrievedMarks}):
   * whether the server confirmed the deletions. The connection is closed after it.
   */
  boolean quit() {
    if (connection.isBroken() || connection.socket() == null) {
      return false;
    }
    if (marks.endWithoutQuit() || (marks.rsetBeforeQuit() && !unmarkRetrieved())) {
      close.run(); // nothing to commit, and a message not stored must not be removed at QUIT
      // (RetrievedMarks)
      return false;
    }
    try {
      connection.send(Pop3Commands.QUIT);
      connection
          .reader()
          .deadline(
              System.nanoTime() + Duration.ofSeconds(10).toNanos(), "waiting for the QUIT reply");
      Reply r = connection.reply("waiting for the QUIT reply");
      if (!r.ok()) {
        connection.noticed(QuirkId.Q35);
        lastRefusal = r.line();
        log.debug(
            "{} - {} answered QUIT with {}: deletions not confirmed",
            connection.settings().account(),
            connection.server(),
            r);
      } else {
        FetchException more = marks.quitDeletedMore(connection.server(), r);
        if (more != null) {
          warn.accept(more);
        }
      }
      return r.ok();
    } catch (FetchException e) {
      connection.noticed(QuirkId.Q35);
      log.debug(
          "{} - no reply to QUIT from {}: deletions not confirmed ({})",
          connection.settings().account(),
          connection.server(),
          e.getMessage());
      return false;
    } finally {
      close.run();
    }
  }

  /**
   * RSET before QUIT, where mail was retrieved and none marked for deletion (see {@link
   * RetrievedMarks}); STAT first, whose count falls below the listing's on a server whose RETR
   * marks (quirk Q31). False when either failed: the session then ends without QUIT, which commits
   * nothing. STAT's count decides nothing that follows, so on a server that pipelines both go in
   * one write, a round trip fewer at the end of every run that kept mail; QUIT still waits for
   * RSET's answer.
   */
  private boolean unmarkRetrieved() {
    try {
      boolean together = connection.pipelining();
      if (together) {
        connection.sendBatch(List.of(Pop3Commands.STAT, Pop3Commands.RSET));
      } else {
        connection.send(Pop3Commands.STAT);
      }
      Reply stat = connection.reply("counting messages before RSET (STAT)");
      long now = stat.ok() ? ListingReader.number(stat.text().split("[ \t]+")[0]) : -1;
      if (now >= 0 && now < messageCount.getAsInt()) {
        connection.noticed(QuirkId.Q31);
      }
      String undoing = "undoing the deletion marks a server may set on RETR (RSET)";
      if (together) {
        try {
          return connection.queuedReply(undoing).ok();
        } catch (FetchException e) {
          memory.pipeliningStalled(connection); // RFC 2449 P6, as for a RETR left unanswered
          throw e;
        }
      }
      connection.send(Pop3Commands.RSET);
      return connection.reply(undoing).ok();
    } catch (FetchException e) {
      log.debug(
          "{} - STAT and RSET before QUIT failed ({}); ending without QUIT",
          connection.settings().account(),
          e.getMessage());
      return false;
    }
  }
}
