package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.Remedy;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;

/**
 * Where the responses to the pipelined {@code UID FETCH}es of a source session go, message by
 * message, in the order they were asked for: the literal of each to the {@link MessageHandler} as
 * the reader's own slices (no copy), each CRLF made LF on the way where {@link LineEnding#LF} is
 * asked for (slices cut around the CR; a CR that ends a slice waits for the next byte).
 *
 * <p><b>Which message a literal is.</b> The FETCH response before it names the UID; a server may
 * answer pipelined FETCHes in parallel (Dovecot sends the next message before the tagged OK of the
 * one before), so the literal goes by its UID, not by which command is oldest. A message asked for
 * whose turn passes without its literal (a later one came first, or its tagged OK came with
 * nothing: deleted meanwhile) fails alone. A literal of no message asked for, or a second one, is
 * read and dropped.
 *
 * <p><b>When a message is whole.</b> Its literal read to the end, its FETCH response closed after
 * it, and a further response parsed after that: its own tagged OK, a later command's, or the next
 * message's FETCH. So a literal the connection cut short is never whole, and one whose announced
 * size lied (swallowing what followed) is caught where the framing breaks, as POP3's terminator is
 * proved by the status line after it.
 */
final class FetchRouter implements LiteralConsumer, UntaggedListener {
  private static final ByteBuffer CR = ByteBuffer.wrap(new byte[] {'\r'}).asReadOnlyBuffer();

  /** Where a message asked for stands. */
  private enum State {
    WAITING,
    STREAMING,
    CLOSED
  }

  /** One message asked for (a FETCH sent, or one that failed before it could be: {@code early}). */
  static final class Wanted {
    final MessageRef ref;
    final long uid;
    final String folder;
    String tag;
    final FetchException early;
    boolean inCall;
    boolean again; // its literal came out of turn and was dropped: asked for once more
    State state = State.WAITING;
    String misfit;

    Wanted(MessageRef ref, long uid, String folder, String tag, FetchException early) {
      this.ref = ref;
      this.uid = uid;
      this.folder = folder;
      this.tag = tag;
      this.early = early;
    }
  }

  private final String server;
  private final ArrayDeque<Wanted> wanted = new ArrayDeque<>();
  private String section = "BODY[]";
  private boolean toLf;
  private MessageHandler handler;
  private Wanted current;
  private boolean dropping;
  private boolean crHeld;
  private boolean spoiled;

  FetchRouter(String server) {
    this.server = server;
  }

  /** What the FETCHes from now on ask for: the reply's section name, the line ends wanted. */
  void asking(String section, LineEnding ending) {
    this.section = section;
    this.toLf = ending == LineEnding.LF;
  }

  /** A message asked for, after those before it. */
  void expect(Wanted w) {
    wanted.addLast(w);
  }

  /**
   * A call begins: its messages are the first {@code count} asked for, its handler {@code h}. A
   * literal of a message beyond them, if one comes during the call, cannot be handed to anyone: it
   * is dropped, and the router is {@link #spoiled()}.
   */
  void call(MessageHandler h, int count) {
    this.handler = h;
    int i = 0;
    for (Wanted w : wanted) {
      w.inCall = i++ < count;
    }
  }

  /** Whether a message asked for ahead lost its bytes: what is in flight must be asked again. */
  boolean spoiled() {
    return spoiled;
  }

  /** Forgets every message asked for (all answered, or the session broke). */
  void clear() {
    wanted.clear();
    current = null;
    spoiled = false;
  }

  /** The session broke with {@code e}: the message streaming fails; everything is forgotten. */
  void broke(FetchException e) {
    Wanted streaming = current;
    clear();
    if (streaming != null && streaming.inCall) {
      handler.failed(streaming.ref, e);
    }
  }

  /** The first message asked for and not yet settled, or null. */
  Wanted head() {
    return wanted.peekFirst();
  }

  @Override
  public void begin(String response) {
    String upper = response.toUpperCase(Locale.ROOT);
    String before = upper.substring(0, upper.lastIndexOf('{')).stripTrailing();
    long said = uidIn(upper);
    Wanted target = null;
    for (Wanted w : wanted) {
      if (w.tag != null && w.state == State.WAITING && (said < 0 || w.uid == said)) {
        target = w;
        break;
      }
    }
    dropping = true;
    if (target == null || !before.endsWith(section)) {
      return; // a literal of no message asked for, or another section: read and dropped
    }
    if (!target.inCall) {
      spoiled = true; // asked for ahead, come early: asked again in the call that wants it
      target.state = State.CLOSED;
      target.misfit = "its bytes came before it was asked for";
      return;
    }
    proveHead();
    for (Wanted w : wanted) {
      if (w == target) {
        break;
      }
      if (w.inCall && w.early == null && w.state != State.CLOSED) {
        // An earlier message has not come yet (Dovecot answers pipelined FETCHes in parallel, a
        // small message before a large one): this one cannot be handed on before it, nor held.
        target.again = true;
        return;
      }
    }
    settleBefore(target);
    dropping = false;
    crHeld = false;
    target.state = State.STREAMING;
    current = target;
    handler.start(target.ref);
  }

  @Override
  public void accept(ByteBuffer slice) {
    if (dropping) {
      return;
    }
    if (!toLf) {
      handler.data(slice);
      return;
    }
    int start = slice.position();
    int end = slice.limit();
    if (start == end) {
      return; // nothing to tell a held CR by
    }
    if (crHeld) {
      crHeld = false;
      if (slice.get(start) != '\n') {
        handler.data(CR.duplicate()); // a CR alone, not the end of a line
      }
    }
    ByteBuffer view = slice.duplicate();
    int from = start;
    for (int i = start; i < end; i++) {
      if (slice.get(i) != '\r') {
        continue;
      }
      if (i + 1 == end) {
        hand(view, from, i);
        crHeld = true;
        return;
      }
      if (slice.get(i + 1) == '\n') {
        hand(view, from, i);
        from = i + 1;
      }
    }
    hand(view, from, end);
  }

  private void hand(ByteBuffer view, int from, int to) {
    if (to > from) {
      view.limit(to);
      view.position(from);
      handler.data(view);
    }
  }

  @Override
  public void end(long size) {
    if (!dropping && crHeld) {
      crHeld = false;
      handler.data(CR.duplicate());
    }
    dropping = false;
  }

  /**
   * An untagged response: the close of the message streaming (its FETCH response, literal and all),
   * or any other, which proves the message before it whole.
   */
  @Override
  public boolean take(ImapLine line) {
    String upper = line.wire().toUpperCase(Locale.ROOT);
    boolean carried =
        line.name().equals("FETCH") && upper.contains(section) && upper.contains("{0}");
    if (carried && current != null) {
      long said = uidIn(upper);
      if (said >= 0 && said != current.uid) {
        current.misfit = "a response naming UID " + said;
      } else if (!upper.stripTrailing().endsWith(")")) {
        current.misfit = "a response that does not close after it";
      }
      current.state = State.CLOSED;
      current = null;
      return true;
    }
    proveHead();
    return carried; // a literal dropped: its response is of no use either
  }

  /**
   * The tagged reply of {@code tag}: proves the message before it whole, and settles the message it
   * answers if its turn came without a literal (nothing sent: deleted meanwhile; or a NO).
   *
   * @param what the message answered, in words, for a refusal's context
   * @return true when the message must be asked for again (its literal came out of turn and was
   *     dropped): it stays first, under the tag the caller gives it
   */
  boolean answered(String tag, TaggedReply reply, String what) {
    proveHead();
    Wanted w = head();
    if (w == null || !tag.equals(w.tag)) {
      return false; // settled already
    }
    if (w.again && w.state == State.WAITING && reply.ok()) {
      w.again = false;
      return true; // its literal came out of turn: the caller asks for it again
    }
    wanted.pollFirst();
    if (w.state == State.CLOSED && w.misfit == null) {
      handler.end();
    } else if (w.state != State.WAITING || w.misfit != null) {
      current = null;
      handler.failed(w.ref, misfit(w, reply));
    } else if (!reply.ok()) {
      handler.failed(
          w.ref, ImapFailures.refused(reply, server, ImapFailures.Role.SOURCE).inContext(what));
    } else {
      handler.failed(w.ref, vanished(w, reply.line().wire()));
    }
    return false;
  }

  /** Settles the head, which failed before its FETCH could be sent. */
  void settleEarly() {
    Wanted w = wanted.pollFirst();
    handler.failed(w.ref, w.early);
  }

  /** A message that streamed, closed, and has a response after it: whole. */
  private void proveHead() {
    Wanted w = head();
    if (w != null && w.state == State.CLOSED && w.inCall && w.misfit == null && current == null) {
      wanted.pollFirst();
      handler.end();
    }
  }

  /** Every message before {@code target}, each closed or early: ended, or failed. */
  private void settleBefore(Wanted target) {
    for (Iterator<Wanted> it = wanted.iterator(); it.hasNext(); ) {
      Wanted w = it.next();
      if (w == target) {
        return;
      }
      it.remove();
      if (w.early != null) {
        handler.failed(w.ref, w.early);
      } else if (w.state == State.CLOSED && w.misfit == null) {
        handler.end();
      } else {
        handler.failed(w.ref, misfit(w, null));
      }
    }
  }

  /** Message {@code w}, in words. */
  static String what(MessageRef ref, long uid, String folder) {
    return "message "
        + ref.number()
        + " (UID "
        + uid
        + " in folder "
        + FetchException.escape(folder)
        + ")";
  }

  private FetchException misfit(Wanted w, TaggedReply reply) {
    return new FetchException(
        FetchError.PROTOCOL,
        server
            + " answered the FETCH of "
            + what(w.ref, w.uid, w.folder)
            + " with "
            + (w.misfit != null ? w.misfit : "a literal it did not finish")
            + "; what came of it was dropped and it stays on the server",
        reply == null ? null : reply.line().wire(),
        null);
  }

  private FetchException vanished(Wanted w, String reply) {
    return new FetchException(
        FetchError.SERVER_TEMPORARY,
        server
            + " sent nothing for "
            + what(w.ref, w.uid, w.folder)
            + ": it was deleted or moved since the listing (by another program, or a rule on"
            + " the server); nothing of it was fetched",
        reply,
        null,
        Remedy.of(
            "Nothing to do: the next run lists the folder again and fetches what is in it then."));
  }

  /** The UID item of a FETCH response's text (upper case), or -1. */
  static long uidIn(String upper) {
    int at = upper.indexOf("(UID ");
    if (at < 0) {
      at = upper.indexOf(" UID ");
    }
    if (at < 0) {
      return -1;
    }
    at += 5;
    int end = at;
    while (end < upper.length() && upper.charAt(end) >= '0' && upper.charAt(end) <= '9') {
      end++;
    }
    return end > at && end - at < 19 ? Long.parseLong(upper.substring(at, end)) : -1;
  }
}
