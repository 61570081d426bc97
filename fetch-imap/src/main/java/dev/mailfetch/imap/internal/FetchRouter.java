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
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where the responses to the pipelined {@code UID FETCH}es of a source session go, message by
 * message, in the order they were asked for: the literal of each to the {@link MessageHandler} as
 * the reader's own slices (no copy), each CRLF made LF on the way where {@link LineEnding#LF} is
 * asked for (slices cut around the CR; a CR that ends a slice waits for the next byte).
 *
 * <p><b>Which message a literal is.</b> The FETCH response before it names the UID; a command asks
 * for several UIDs, and a server may answer pipelined FETCHes in parallel (Dovecot sends a message
 * of the next command between two of the one before), so the literal goes by its UID, not by which
 * command is oldest. A literal that comes before one it must follow is dropped and its message
 * asked for again, alone; so is a literal without a UID in the answer to a command of several. When
 * a command's tagged reply comes, each of its messages that got nothing is settled: an OK says it
 * was deleted meanwhile, and it fails in its turn; a NO to a command of several is asked again
 * alone for each message it left out (RFC 2180 §4.1.2: the NO may be about one of them), so that a
 * refusal names only the message it is about. A literal of no message asked for, or a second one,
 * is read and dropped.
 *
 * <p><b>When a message is whole.</b> Its literal read to the end, its FETCH response closed after
 * it, and a further response parsed after that: its own tagged OK, a later command's, or the next
 * message's FETCH. So a literal the connection cut short is never whole, and one whose announced
 * size lied (swallowing what followed) is caught where the framing breaks, as POP3's terminator is
 * proved by the status line after it.
 *
 * <p><b>A notice in a message's place.</b> A literal that may be Courier's notice for a message
 * deleted meanwhile ({@link UnavailableNotice}, quirk I26) is held, not streamed, until its end: if
 * it is the notice, the message fails as one deleted meanwhile does, naming I26; if not, it is
 * handed on as any other.
 */
final class FetchRouter implements LiteralConsumer, UntaggedListener {
  private static final ByteBuffer CR = ByteBuffer.wrap(new byte[] {'\r'}).asReadOnlyBuffer();

  /** Where a message asked for stands. */
  enum State {
    WAITING,
    STREAMING,
    CLOSED,
    /** Nothing more comes for it: it fails with {@code failure} in its turn. */
    GONE
  }

  /**
   * One message asked for: a FETCH sent (its command's {@code tag}, shared by the messages of a
   * command of several), or one that failed before it could be ({@code early}: then {@link
   * State#GONE}).
   */
  static final class Wanted {
    final MessageRef ref;
    final long uid;
    final String folder;
    String tag;
    boolean shared; // its command asks for other messages too
    boolean inCall;
    boolean again; // its literal came out of turn and was dropped: asked for once more
    boolean settled; // the handler was told: end or failed
    State state = State.WAITING;
    String misfit;
    FetchException failure; // GONE; or CLOSED, when Courier's notice came in its place (I26)

    Wanted(MessageRef ref, long uid, String folder, String tag, FetchException early) {
      this.ref = ref;
      this.uid = uid;
      this.folder = folder;
      this.tag = tag;
      if (early != null) {
        this.state = State.GONE;
        this.failure = early;
      }
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
  private UnavailableNotice notice; // the literal streaming is held, not handed on
  private final Set<QuirkId> noticed;

  FetchRouter(String server) {
    this(server, EnumSet.noneOf(QuirkId.class));
  }

  /**
   * @param noticed where the quirks the retrieval met are noted (I26)
   */
  FetchRouter(String server, Set<QuirkId> noticed) {
    this.server = server;
    this.noticed = noticed;
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
    notice = null;
    spoiled = false;
  }

  /** The session broke with {@code e}: the message streaming fails; everything is forgotten. */
  void broke(FetchException e) {
    Wanted streaming = current;
    clear();
    if (streaming != null && streaming.inCall) {
      streaming.settled = true;
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
    notice = null;
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
    if (said < 0 && target.shared) {
      // No UID, in the answer to a command of several: whose it is cannot be told. Each of them
      // is asked for again alone, where the command says whose the literal is.
      for (Wanted w : wanted) {
        if (target.tag.equals(w.tag) && w.state == State.WAITING && w.inCall) {
          w.again = true;
        }
      }
      return;
    }
    if (!target.inCall) {
      spoiled = true; // asked for ahead, come early: asked again in the call that wants it
      target.state = State.CLOSED;
      target.misfit = "its bytes came before it was asked for";
      return;
    }
    settleReady();
    for (Wanted w : wanted) {
      if (w == target) {
        break;
      }
      if (w.inCall && (w.state == State.WAITING || w.state == State.STREAMING)) {
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
    if (section.equals("BODY[]") && UnavailableNotice.mayBe(announced(upper), target.ref.size())) {
      notice = new UnavailableNotice(); // perhaps Courier's notice in its place (I26)
      return;
    }
    handler.start(target.ref);
  }

  /** The size a literal's response announces ({@code {129}} at its end), or -1. */
  private static long announced(String upper) {
    int open = upper.lastIndexOf('{');
    int close = upper.indexOf('}', open);
    String digits = close < 0 ? "" : upper.substring(open + 1, close);
    return digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)
        ? -1
        : Long.parseLong(digits);
  }

  @Override
  public void accept(ByteBuffer slice) {
    if (dropping) {
      return;
    }
    if (notice != null) {
      notice.hold(slice);
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
    if (!dropping && notice != null) {
      UnavailableNotice held = notice;
      notice = null;
      if (held.is()) {
        current.failure = vanished(current, UnavailableNotice.WORDS).withQuirk(QuirkId.I26);
        noticed.add(QuirkId.I26);
      } else {
        handler.start(current.ref); // a message of the notice's length, not the notice
        accept(held.bytes());
      }
    }
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
    settleReady();
    return carried; // a literal dropped: its response is of no use either
  }

  /**
   * The tagged reply of {@code tag}: proves the messages before it whole, and settles each message
   * of its command that got nothing (deleted meanwhile; or a NO) or a literal that did not fit.
   *
   * @param mayAskAgain false when what is in flight is being read only to be dropped
   * @return the messages of the command to ask for again, alone and in this order (a literal came
   *     out of turn and was dropped; or a NO to a command of several left them out): they stay in
   *     their place, under the tag the caller then gives each
   */
  List<Wanted> answered(String tag, TaggedReply reply, boolean mayAskAgain) {
    List<Wanted> again = new ArrayList<>();
    for (Wanted w : wanted) {
      if (!tag.equals(w.tag) || w.state == State.GONE) {
        continue;
      }
      // Its literal came out of turn; or the NO may be about another message of the command.
      boolean ask = w.state == State.WAITING && mayAskAgain && (reply.ok() ? w.again : w.shared);
      if (ask && w.inCall) {
        w.again = false;
        w.shared = false;
        again.add(w);
      } else if (ask) {
        spoiled = true; // asked for ahead: the call that wants it asks again
        gone(w, misfit(w, reply));
      } else if (w.state == State.WAITING) {
        gone(
            w,
            reply.ok()
                ? vanished(w, reply.line().wire())
                : ImapFailures.refused(reply, server, ImapFailures.Role.SOURCE)
                    .inContext(what(w.ref, w.uid, w.folder)));
      } else if (w.state != State.CLOSED || w.misfit != null) {
        if (w == current) {
          current = null;
        }
        gone(w, misfit(w, reply));
      }
    }
    settleReady();
    return again;
  }

  private static void gone(Wanted w, FetchException why) {
    w.state = State.GONE;
    w.failure = why;
  }

  /**
   * Settles the messages at the head of this call that nothing more comes for ({@link State#GONE}):
   * each fails, in its turn.
   */
  void settleGone() {
    for (Wanted w = head(); w != null && w.inCall && w.state == State.GONE; w = head()) {
      wanted.pollFirst();
      settle(w);
    }
  }

  private void settle(Wanted w) {
    w.settled = true;
    if (w.state == State.GONE) {
      handler.failed(w.ref, w.failure);
    } else if (w.state == State.CLOSED && w.misfit == null && w.failure != null) {
      handler.failed(w.ref, w.failure); // Courier's notice in its place (I26)
    } else if (w.state == State.CLOSED && w.misfit == null) {
      handler.end();
    } else {
      handler.failed(w.ref, misfit(w, null));
    }
  }

  /**
   * A response came after the messages at the head of this call: each that streamed and closed is
   * whole, each that nothing more comes for fails, in order, until one still waits.
   */
  private void settleReady() {
    for (Wanted w = head(); w != null && w.inCall && current == null; w = head()) {
      if (w.state == State.GONE || (w.state == State.CLOSED && w.misfit == null)) {
        wanted.pollFirst();
        settle(w);
      } else {
        return;
      }
    }
  }

  /** Every message before {@code target}, each closed or gone: ended, or failed. */
  private void settleBefore(Wanted target) {
    for (Iterator<Wanted> it = wanted.iterator(); it.hasNext(); ) {
      Wanted w = it.next();
      if (w == target) {
        return;
      }
      it.remove();
      settle(w);
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
