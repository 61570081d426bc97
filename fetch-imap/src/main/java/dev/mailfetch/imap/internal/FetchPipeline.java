package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Remedy;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code UID FETCH}es of one source session, pipelined: each command asks for a run of messages
 * (up to {@link #COMMAND_MESSAGES} ascending UIDs of one folder, {@link #COMMAND_BYTES} of
 * announced size beyond the first), several commands in flight (up to {@link #WINDOW_COMMANDS},
 * {@link #WINDOW_MESSAGES} messages and {@link #WINDOW_BYTES} beyond the first), their responses
 * sorted by the {@link FetchRouter}. Within a call the window is kept full with the batch's
 * messages; once all of them are settled, the FETCHes for the caller's next batch (as many of what
 * it said comes next as this batch holds) are sent, so that their bytes travel while the engine
 * makes the batch durable, and the next call reads them (none of them is read in this call, whose
 * handler is not theirs). A command never mixes this batch with the next. A folder is opened when
 * the next message is in another one, with nothing in flight. Used by the session's thread.
 */
final class FetchPipeline {
  /**
   * The most messages one command asks for. One command per message cost Dovecot and the client a
   * command each (parsing, a tagged reply, a write with its round through loopback): served alone,
   * without a disk, messages took about twice as long one UID per command as 50 or 64 per command
   * (docs/benchmarks.md, "From IMAP", {@code ImapFetchShapes}).
   */
  static final int COMMAND_MESSAGES = 64;

  /**
   * Announced bytes beyond which a command asks for no further message (one always is): as many as
   * the window, so that a batch is one command where it can be (commands in flight are answered in
   * parallel, and a message that comes before one it must follow is asked for again).
   */
  static final long COMMAND_BYTES = 4L * 1024 * 1024;

  /** The most FETCH commands in flight (fewer where {@code ImapLimits} allows fewer). */
  static final int WINDOW_COMMANDS = 32;

  /**
   * The most messages in flight: two full commands. Dovecot answers commands in flight in parallel,
   * a message of one between two of another; with many commands of several messages in flight it
   * does so often, and each message that comes out of turn is asked for again (measured with a
   * client pausing as a sink's flush does, {@code ImapFetchShapes}: 2 and 4 commands of 50 or 64 in
   * flight, none out of turn in 2,000 messages; 32 in flight, 12% to 30%).
   */
  static final int WINDOW_MESSAGES = 2 * COMMAND_MESSAGES;

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

  /** The tags of the commands sent whose tagged reply was not read yet, in order. */
  private final Set<String> unanswered = new LinkedHashSet<>();

  private String aheadItem;
  private LineEnding aheadEnding;

  /**
   * @param markSeen fetch with {@code BODY[]} in folders opened read-write, rather than {@code
   *     BODY.PEEK[]}
   * @param refusals told each NO the server gave (the session's last refusal)
   * @param noticed where the quirks the retrieval met are noted
   */
  FetchPipeline(
      ImapSession session,
      FolderSelection selection,
      boolean markSeen,
      int maxCommandsInFlight,
      Consumer<TaggedReply> refusals,
      Set<QuirkId> noticed) {
    this.session = session;
    this.selection = selection;
    this.markSeen = markSeen;
    this.window = Math.max(1, Math.min(WINDOW_COMMANDS, maxCommandsInFlight));
    this.refusals = refusals;
    this.router = new FetchRouter(session.server(), noticed);
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
      sent = fill(batch, List.of(), sent);
      FetchRouter.Wanted w = ahead.pollFirst();
      if (w == null) {
        throw new IllegalStateException("nothing asked for message " + (index + 1));
      }
      bytesAhead -= w.tag == null ? 0 : w.ref.size();
      read(w, true);
    }
    if (window > 1) {
      // The caller's next batch, if it is as long as this one, read by the next call; no further:
      // Dovecot holds a command's tagged OK back while later commands run, so this call's last
      // OK, which proves its last message whole, would come after their literals, which this
      // call cannot take (measured: each batch fetched twice).
      fill(batch, following.subList(0, Math.min(following.size(), batch.size())), sent);
    }
  }

  private static MessageRef nth(List<MessageRef> batch, List<MessageRef> next, int i) {
    return i < batch.size() ? batch.get(i) : next.get(i - batch.size());
  }

  /** Sends what the window has room for; returns how many of batch+next are asked for. */
  private int fill(List<MessageRef> batch, List<MessageRef> next, int sent) throws FetchException {
    int total = batch.size() + next.size();
    while (sent < total && roomForACommand()) {
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
      int end = commandEnd(batch, next, sent, u, validity);
      List<FetchRouter.Wanted> command = new ArrayList<>(end - sent);
      StringBuilder uids = new StringBuilder();
      for (int i = sent; i < end; i++) {
        MessageRef r = nth(batch, next, i);
        long uid = i == sent ? u.uid() : MessageUrl.parse(r.uid()).orElseThrow().uid();
        appendUid(uids, uid, i == sent ? -1 : command.get(command.size() - 1).uid);
        FetchRouter.Wanted w = new FetchRouter.Wanted(r, uid, u.folder(), null, null);
        w.inCall = inBatch;
        w.shared = end - sent > 1;
        command.add(w);
      }
      String tag = send(closeRange(uids, command.get(command.size() - 1).uid));
      for (FetchRouter.Wanted w : command) {
        w.tag = tag;
        ahead.addLast(w);
        router.expect(w);
        bytesAhead += w.ref.size();
      }
      sent = end;
    }
    return sent;
  }

  private boolean roomForACommand() {
    return ahead.isEmpty()
        || (unanswered.size() < window
            && ahead.size() < WINDOW_MESSAGES
            && bytesAhead < WINDOW_BYTES);
  }

  /**
   * Where the command that begins with message {@code from} (in folder {@code first}'s, open under
   * {@code validity}) ends: before a message of another folder or UIDVALIDITY, a UID not above the
   * one before (a server answers a command in UID order), the end of the batch, where the caller's
   * next batch would begin, or the command's and the window's limits.
   */
  private int commandEnd(
      List<MessageRef> batch, List<MessageRef> next, int from, MessageUrl first, long validity) {
    int total = batch.size() + next.size();
    int stride = batch.isEmpty() ? COMMAND_MESSAGES : batch.size();
    long bytes = nth(batch, next, from).size();
    long last = first.uid();
    int end = from + 1;
    while (end < total
        && end - from < COMMAND_MESSAGES
        && ahead.size() + end - from < WINDOW_MESSAGES
        && bytes < COMMAND_BYTES
        && bytesAhead + bytes < WINDOW_BYTES
        && end != batch.size()
        && (end < batch.size() || (end - batch.size()) % stride != 0)) {
      MessageRef ref = nth(batch, next, end);
      Optional<MessageUrl> url = MessageUrl.parse(ref.uid());
      if (url.isEmpty()
          || !url.get().folder().equals(first.folder())
          || url.get().uidValidity() != validity
          || url.get().uid() <= last) {
        break;
      }
      last = url.get().uid();
      bytes += ref.size();
      end++;
    }
    return end;
  }

  /** Adds {@code uid} to a UID set, as a range where it follows {@code previous}. */
  private static void appendUid(StringBuilder set, long uid, long previous) {
    if (previous >= 0 && uid == previous + 1) {
      if (set.charAt(set.length() - 1) != ':') {
        set.append(':');
      }
      return;
    }
    if (previous >= 0) {
      closeRange(set, previous);
      set.append(',');
    }
    set.append(uid);
  }

  /** Ends a range left open by {@link #appendUid} at {@code last}. */
  private static String closeRange(StringBuilder set, long last) {
    if (set.charAt(set.length() - 1) == ':') {
      set.append(last);
    }
    return set.toString();
  }

  private String send(String uids) throws FetchException {
    String tag = session.commands().sendUidFetch(uids, "UID " + aheadItem, router, router);
    unanswered.add(tag);
    return tag;
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

  /**
   * Reads until {@code w} is settled: the answers to its command (and whatever the router settles
   * on the way), and, where the router asks for a message again, that one's; then the reply of each
   * command whose messages are all settled, so that every command sent is answered.
   */
  private void read(FetchRouter.Wanted w, boolean mayAskAgain) throws FetchException {
    while (!w.settled) {
      if (w.state == FetchRouter.State.GONE) {
        router.settleGone();
        if (!w.settled) {
          throw new IllegalStateException("message " + w.ref.number() + " is not first in line");
        }
        break;
      }
      if (!unanswered.contains(w.tag)) {
        // Its command's reply settles or asks again for each of its messages: never reached.
        throw new IllegalStateException("message " + w.ref.number() + " waits on an answered tag");
      }
      answer(w.tag, mayAskAgain);
    }
    for (String tag : List.copyOf(unanswered)) {
      if (ahead.stream().noneMatch(a -> !a.settled && tag.equals(a.tag))) {
        answer(tag, mayAskAgain);
      }
    }
  }

  /** Reads up to the tagged reply of {@code tag}, unless that was read, and hands it on. */
  private void answer(String tag, boolean mayAskAgain) throws FetchException {
    if (!unanswered.remove(tag)) {
      return;
    }
    TaggedReply r;
    try {
      r = session.await(tag);
    } catch (FetchException e) {
      router.broke(e); // the message streaming, if any, is not whole
      ahead.clear(); // the session is broken: nothing in flight will be read
      unanswered.clear();
      bytesAhead = 0;
      throw e;
    }
    if (!r.ok()) {
      refusals.accept(r);
    }
    for (FetchRouter.Wanted again : router.answered(tag, r, mayAskAgain)) {
      // Its bytes came out of turn and were dropped, or a NO to its command may not have been
      // about it: asked for again, alone, keeping its place in line.
      again.tag = send(Long.toString(again.uid));
    }
  }

  /** Reads, and drops, what was asked for ahead for a request that did not come. */
  void drain() throws FetchException {
    router.call(DISCARD, ahead.size());
    try {
      while (!ahead.isEmpty()) {
        read(ahead.pollFirst(), false);
      }
      for (String tag : List.copyOf(unanswered)) {
        answer(tag, false);
      }
    } finally {
      ahead.clear();
      unanswered.clear();
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
