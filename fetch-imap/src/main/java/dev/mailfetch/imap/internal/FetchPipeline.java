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
 * their responses sorted by the {@link FetchRouter}. Within a call the window is kept full with the
 * batch's messages; once all of them are settled, the FETCHes for what the engine said comes next
 * are sent, so that their bytes travel while the engine makes the batch durable, and the next call
 * reads them (none of them is read in this call, whose handler is not theirs). A folder is opened
 * when the next message is in another one, with nothing in flight. Used by the session's thread.
 */
final class FetchPipeline {
  /** The most FETCH commands in flight (fewer where {@code ImapLimits} allows fewer). */
  static final int WINDOW_MESSAGES = 32;

  /** Announced bytes in flight beyond which no further FETCH is sent (one always is). */
  static final long WINDOW_BYTES = 4L * 1024 * 1024;

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
  private final FetchRouter router;

  /** What was asked for and not yet read, in order (the router's messages). */
  private final ArrayDeque<FetchRouter.Wanted> ahead = new ArrayDeque<>();

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
    this.router = new FetchRouter(session.server());
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
    if (!item.equals(aheadItem) || ending != aheadEnding || router.spoiled()) {
      drain();
    }
    aheadItem = item;
    aheadEnding = ending;
    router.asking(item.replace(".PEEK", ""), ending);
    int i = 0;
    for (FetchRouter.Wanted w : ahead) {
      if (i >= batch.size() + following.size() || !w.ref.equals(nth(batch, following, i))) {
        drain(); // the engine asks for something else than what was sent ahead
        break;
      }
      i++;
    }
    router.call(handler, batch.size());
    int sent = ahead.size();
    for (int index = 0; index < batch.size(); index++) {
      sent = fill(batch, List.of(), sent, item);
      FetchRouter.Wanted w = ahead.pollFirst();
      if (w == null) {
        throw new IllegalStateException("nothing asked for message " + (index + 1));
      }
      bytesAhead -= w.tag == null ? 0 : w.ref.size();
      read(w);
    }
    if (window > 1) {
      fill(batch, following, sent, item); // read by the next call
    }
  }

  private static MessageRef nth(List<MessageRef> batch, List<MessageRef> next, int i) {
    return i < batch.size() ? batch.get(i) : next.get(i - batch.size());
  }

  /** Sends what the window has room for; returns how many of batch+next are asked for. */
  private int fill(List<MessageRef> batch, List<MessageRef> next, int sent, String item)
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
          early(ref, unsent);
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
        early(ref, renumbered(ref, u, validity));
        sent++;
        continue;
      }
      String tag = session.commands().sendUidFetch(Long.toString(u.uid()), item, router, router);
      FetchRouter.Wanted w = new FetchRouter.Wanted(ref, u.uid(), u.folder(), tag, null);
      w.inCall = inBatch;
      ahead.addLast(w);
      router.expect(w);
      bytesAhead += ref.size();
      sent++;
    }
    return sent;
  }

  private void early(MessageRef ref, FetchException why) {
    FetchRouter.Wanted w = new FetchRouter.Wanted(ref, -1, "", null, why);
    w.inCall = true;
    ahead.addLast(w);
    router.expect(w);
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

  /** Reads the answer to {@code w}'s FETCH (and whatever the router settles on the way). */
  private void read(FetchRouter.Wanted w) throws FetchException {
    if (w.tag == null) {
      router.settleEarly();
      return;
    }
    while (true) {
      TaggedReply r;
      try {
        r = session.await(w.tag);
      } catch (FetchException e) {
        router.broke(e); // the message streaming, if any, is not whole
        ahead.clear(); // the session is broken: nothing in flight will be read
        bytesAhead = 0;
        throw e;
      }
      if (!r.ok()) {
        refusals.accept(r);
      }
      if (!router.answered(w.tag, r, FetchRouter.what(w.ref, w.uid, w.folder))) {
        return;
      }
      // Its bytes came out of turn and were dropped: asked for again, now first in line.
      w.tag = session.commands().sendUidFetch(Long.toString(w.uid), aheadItem, router, router);
    }
  }

  /** Reads, and drops, what was asked for ahead for a request that did not come. */
  void drain() throws FetchException {
    router.call(DISCARD, ahead.size());
    try {
      while (!ahead.isEmpty()) {
        FetchRouter.Wanted w = ahead.pollFirst();
        if (w.tag == null) {
          router.settleEarly();
        } else {
          router.answered(w.tag, session.await(w.tag), "");
        }
      }
    } finally {
      ahead.clear();
      router.clear();
      bytesAhead = 0;
    }
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
