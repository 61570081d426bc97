package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.Remedy;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@code UID FETCH}es of one source session, pipelined in a window: several commands in flight
 * (up to {@link #WINDOW_MESSAGES}, and {@link #WINDOW_BYTES} of announced size beyond the first),
 * the ones for what the engine said comes next sent behind a batch so that their bytes travel while
 * the engine makes the batch durable. A message is whole only once its command's tagged {@code OK}
 * was read ({@link BodyLiteral#whole}). A message the server no longer has (deleted meanwhile: the
 * FETCH answers nothing, or NO) fails alone and the session goes on. A folder is opened when the
 * next message is in another one, with nothing in flight. Used by the session's thread only.
 */
final class FetchPipeline {
  /** The most FETCH commands in flight (fewer where {@code ImapLimits} allows fewer). */
  static final int WINDOW_MESSAGES = 32;

  /** Announced bytes in flight beyond which no further FETCH is sent (one always is). */
  static final long WINDOW_BYTES = 4L * 1024 * 1024;

  /** A FETCH sent (its tag) or a message that failed before one could be ({@code unsent}). */
  private record Pending(MessageRef ref, String tag, BodyLiteral body, FetchException unsent) {}

  private static final MessageHandler DISCARD =
      new MessageHandler() {
        @Override
        public void start(MessageRef ref) {}

        @Override
        public void data(ByteBuffer slice) {}

        @Override
        public void end() {}

        @Override
        public void failed(MessageRef ref, FetchException error) {}
      };

  private final ImapSession session;
  private final FolderSelection selection;
  private final boolean markSeen;
  private final int window;
  private final Consumer<TaggedReply> refusals;
  private final ArrayDeque<Pending> ahead = new ArrayDeque<>();
  private long bytesAhead;
  private String aheadItem;
  private LineEnding aheadEnding;

  /**
   * @param markSeen fetch with {@code BODY[]} in folders opened read-write, rather than {@code
   *     BODY.PEEK[]}
   * @param refusals told each NO the server gave (the session's last refusal)
   */
  FetchPipeline(
      ImapSession session,
      FolderSelection selection,
      boolean markSeen,
      int maxCommandsInFlight,
      Consumer<TaggedReply> refusals) {
    this.session = session;
    this.selection = selection;
    this.markSeen = markSeen;
    this.window = Math.max(1, Math.min(WINDOW_MESSAGES, maxCommandsInFlight));
    this.refusals = refusals;
  }

  /** Whole messages ({@code BODY.PEEK[]}, or {@code BODY[]} with markSeen) of {@code batch}. */
  void retrieve(
      List<MessageRef> batch, List<MessageRef> following, LineEnding ending, MessageHandler handler)
      throws FetchException {
    run(batch, following, markSeen ? "BODY[]" : "BODY.PEEK[]", ending, handler);
  }

  /** The header sections ({@code BODY.PEEK[HEADER]}), as sent, of {@code batch}. */
  void headers(List<MessageRef> batch, MessageHandler handler) throws FetchException {
    run(batch, List.of(), "BODY.PEEK[HEADER]", LineEnding.CRLF, handler);
  }

  private void run(
      List<MessageRef> batch,
      List<MessageRef> following,
      String item,
      LineEnding ending,
      MessageHandler handler)
      throws FetchException {
    if (!item.equals(aheadItem) || ending != aheadEnding) {
      drain();
      aheadItem = item;
      aheadEnding = ending;
    }
    List<MessageRef> next = window > 1 ? following : List.of();
    int i = 0;
    for (Pending p : ahead) {
      if (i >= batch.size() + next.size() || !p.ref().equals(nth(batch, next, i))) {
        drain(); // the engine asks for something else than what was sent ahead
        break;
      }
      i++;
    }
    int sent = ahead.size();
    for (int index = 0; index < batch.size(); index++) {
      sent = fill(batch, next, sent, item, ending);
      Pending p = ahead.pollFirst();
      if (p == null) {
        throw new IllegalStateException("no FETCH in flight for message " + (index + 1));
      }
      bytesAhead -= p.ref().size();
      read(p, handler);
    }
    fill(batch, next, sent, item, ending);
  }

  private static MessageRef nth(List<MessageRef> batch, List<MessageRef> next, int i) {
    return i < batch.size() ? batch.get(i) : next.get(i - batch.size());
  }

  /** Sends what the window has room for; returns how many of batch+next are sent or settled. */
  private int fill(
      List<MessageRef> batch, List<MessageRef> next, int sent, String item, LineEnding ending)
      throws FetchException {
    while (sent < batch.size() + next.size()
        && (ahead.isEmpty() || (ahead.size() < window && bytesAhead < WINDOW_BYTES))) {
      MessageRef ref = nth(batch, next, sent);
      boolean inBatch = sent < batch.size();
      Optional<MessageUrl> url = MessageUrl.parse(ref.uid());
      if (url.isEmpty() || !url.get().folder().equals(selection.name())) {
        if (!inBatch || (url.isPresent() && !ahead.isEmpty())) {
          break; // another folder: opened once nothing is in flight, for the batch only
        }
        FetchException unsent = url.isEmpty() ? notOurs(ref) : open(url.get());
        if (unsent != null) {
          ahead.addLast(new Pending(ref, null, null, unsent));
          sent++;
          continue;
        }
      }
      MessageUrl u = url.get();
      long validity = selection.ensure(u.folder(), markSeen);
      if (validity != u.uidValidity()) {
        if (!inBatch) {
          break;
        }
        ahead.addLast(new Pending(ref, null, null, renumbered(ref, u, validity)));
        sent++;
        continue;
      }
      String section = item.replace(".PEEK", "");
      BodyLiteral body = new BodyLiteral(ref, u.uid(), section, ending);
      String tag = session.commands().sendUidFetch(Long.toString(u.uid()), item, body, null);
      ahead.addLast(new Pending(ref, tag, body, null));
      bytesAhead += ref.size();
      sent++;
    }
    return sent;
  }

  /** Opens the folder of {@code url}; null when it opened, else why its messages cannot come. */
  private FetchException open(MessageUrl url) throws FetchException {
    try {
      selection.ensure(url.folder(), markSeen);
      return null;
    } catch (FetchException e) {
      if (ImapFailures.connectionLost(e)) {
        throw e;
      }
      return e.inContext("opening folder " + FetchException.escape(url.folder()));
    }
  }

  private void read(Pending p, MessageHandler handler) throws FetchException {
    if (p.unsent() != null) {
      handler.failed(p.ref(), p.unsent());
      return;
    }
    p.body().handTo(handler);
    TaggedReply r;
    try {
      r = session.await(p.tag());
    } catch (FetchException e) {
      ahead.clear(); // the session is broken: nothing in flight will be read
      bytesAhead = 0;
      if (p.body().started()) {
        handler.failed(p.ref(), e);
      }
      throw e;
    }
    if (!r.ok()) {
      refusals.accept(r);
      handler.failed(
          p.ref(),
          session
              .withAlerts(ImapFailures.refused(r, session.server(), ImapFailures.Role.SOURCE))
              .inContext(what(p.ref(), p.body().uid)));
    } else if (p.body().whole(r.untagged("FETCH"))) {
      handler.end();
    } else if (p.body().started()) {
      handler.failed(
          p.ref(),
          new FetchException(
              FetchError.PROTOCOL,
              session.server()
                  + " answered the FETCH of "
                  + what(p.ref(), p.body().uid)
                  + " with "
                  + p.body().misfit()
                  + "; its bytes were dropped and it stays on the server",
              r.line().wire(),
              null));
    } else {
      handler.failed(p.ref(), vanished(p.ref(), p.body().uid, r));
    }
  }

  /** Reads, and drops, what was sent ahead for a request that did not come. */
  void drain() throws FetchException {
    while (!ahead.isEmpty()) {
      Pending p = ahead.pollFirst();
      if (p.tag() != null) {
        p.body().handTo(DISCARD);
        try {
          session.await(p.tag());
        } catch (FetchException e) {
          ahead.clear();
          bytesAhead = 0;
          throw e;
        }
      }
    }
    bytesAhead = 0;
  }

  /** Whether FETCHes sent ahead are unread. */
  boolean hasAhead() {
    return !ahead.isEmpty();
  }

  private static String what(MessageRef ref, long uid) {
    MessageUrl u = MessageUrl.parse(ref.uid()).orElseThrow();
    return "message "
        + ref.number()
        + " (UID "
        + uid
        + " in folder "
        + FetchException.escape(u.folder())
        + ")";
  }

  private FetchException vanished(MessageRef ref, long uid, TaggedReply r) {
    return new FetchException(
        FetchError.SERVER_TEMPORARY,
        session.server()
            + " sent nothing for "
            + what(ref, uid)
            + ": it was deleted or moved since the listing (by another program, or a rule on"
            + " the server); nothing of it was fetched",
        r.line().wire(),
        null,
        Remedy.of(
            "Nothing to do: the next run lists the folder again and fetches what is in it then."));
  }

  private FetchException renumbered(MessageRef ref, MessageUrl u, long now) {
    return new FetchException(
        FetchError.SERVER_TEMPORARY,
        session.server()
            + " renumbered folder "
            + FetchException.escape(u.folder())
            + " (UIDVALIDITY "
            + u.uidValidity()
            + " when listed, "
            + (now == SourceFolder.UNKNOWN ? "none" : Long.toString(now))
            + " now) since the listing, so message "
            + ref.number()
            + " cannot be found by its UID; nothing of it was fetched",
        null,
        null,
        Remedy.of(
            "Nothing to do: the next run lists the folder under its new numbers and recognises"
                + " what was fetched before."));
  }

  private FetchException notOurs(MessageRef ref) {
    return new FetchException(
        FetchError.CONFIGURATION,
        "message "
            + ref.number()
            + " has the id \""
            + FetchException.escape(String.valueOf(ref.uid()))
            + "\", which is not one the IMAP source lists; it cannot be fetched from "
            + session.server());
  }
}
