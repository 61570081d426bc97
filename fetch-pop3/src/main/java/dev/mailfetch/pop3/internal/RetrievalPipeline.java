package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.pop3.Tolerance;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The RETRs (and TOPs) of one session, pipelined in a window: a message is whole only when the
 * status line after it parses (quirk Q04), so each is followed by one more command, the next RETR
 * or a closing NOOP. With pipelining, the RETRs for what the engine said comes next go out behind a
 * batch, so that the pipeline never runs dry across the engine's barriers; what is in flight
 * between two calls is {@link #ahead}. The closing NOOP goes in the write of the last RETR
 * announced, so that its answer is on its way while the last messages are read rather than asked
 * for after them, a round trip at the end of a run. Used under the session's connection lock only.
 */
final class RetrievalPipeline {
  /** How long a body may rest at ".\r" before the Q02 probe (the catalogue's figure). */
  private static final Duration Q02_GRACE = Duration.ofSeconds(5);

  private static final Pop3Command Q02_PROBE =
      Pop3Commands.NOOP.noted("probe: did the message end at \".\\r\"? quirk Q02");

  /** A command whose reply is unread, in the order sent. */
  sealed interface InFlight permits Retr, ClosingNoop, KeepAliveNoop {}

  /** A RETR (or TOP) for {@code ref}: its status line, then the message. */
  record Retr(MessageRef ref) implements InFlight {}

  /**
   * The NOOP after the last RETR announced, whose status line proves that message whole. Sent with
   * the RETRs of what follows a batch, it may be read a call later, or, where a later call asks for
   * more than was announced, have RETRs behind it.
   */
  record ClosingNoop() implements InFlight {}

  /** A keepalive NOOP sent during the engine's barrier, behind the RETRs sent ahead. */
  record KeepAliveNoop() implements InFlight {}

  private static final InFlight CLOSING_NOOP = new ClosingNoop();
  private static final InFlight KEEPALIVE_NOOP = new KeepAliveNoop();

  private final Pop3Connection connection;
  private final ServerMemory memory;
  private final RetrievedMarks marks;
  private final Runnable close;

  /**
   * Commands whose replies are unread, in the order sent, beyond what the last call read: the RETRs
   * sent for what the engine said comes next, and keepalive NOOPs sent behind them; within a call,
   * also its own RETRs and closing NOOP.
   */
  private final ArrayDeque<InFlight> ahead = new ArrayDeque<>();

  /**
   * The status line of {@code ahead}'s first command: read, as it proved the message before it
   * whole.
   */
  private Reply aheadStatus;

  /** Keepalive NOOPs in {@link #ahead}. */
  private int noopsAhead;

  /**
   * @param marks where what RETR sent is recorded (quirk Q31)
   * @param close ends the session without QUIT ({@link #dropAhead})
   */
  RetrievalPipeline(Pop3Connection connection, RetrievedMarks marks, Runnable close) {
    this.connection = connection;
    this.memory = connection.memory();
    this.marks = marks;
    this.close = close;
  }

  /** Whether commands are in flight from an earlier call. */
  boolean hasAhead() {
    return !ahead.isEmpty();
  }

  /** Keepalive NOOPs in flight behind the RETRs sent ahead. */
  int noopsAhead() {
    return noopsAhead;
  }

  /**
   * A keepalive NOOP just sent: queued behind the RETRs in flight, to be read in its place. False
   * when nothing is in flight (the NOOP's answer is then the next reply on the line).
   */
  boolean keepAliveSent() {
    if (ahead.isEmpty()) {
      return false;
    }
    ahead.addLast(KEEPALIVE_NOOP); // answered after the RETRs sent ahead, read in its place
    noopsAhead++;
    return true;
  }

  private static String doing(InFlight cmd, boolean top) {
    if (cmd instanceof ClosingNoop) {
      return "confirming the last message";
    }
    if (cmd instanceof KeepAliveNoop) {
      return "reading the answer to a keepalive NOOP";
    }
    return (top ? "reading the top of message " : "retrieving message ")
        + ((Retr) cmd).ref().number();
  }

  /**
   * RETR for each message of {@code batch}, handed to {@code handler}; with pipelining, the RETRs
   * for {@code next} follow, so that their replies travel while the engine makes this batch
   * durable. The next call takes them up; any other use of the connection drops them ({@link
   * #dropAhead}).
   */
  void retrieve(List<MessageRef> batch, List<MessageRef> next, MessageHandler handler)
      throws FetchException {
    bodies(batch, next, handler, -1);
  }

  /** TOP n {@code lines} for each message of {@code batch}, in the same window as RETR. */
  void top(List<MessageRef> batch, int lines, MessageHandler handler) throws FetchException {
    bodies(batch, List.of(), handler, lines);
  }

  /** RETR, or with {@code topLines} 0 or more TOP, for each message of the batch. */
  private void bodies(
      List<MessageRef> batch, List<MessageRef> next, MessageHandler handler, int topLines)
      throws FetchException {
    boolean top = topLines >= 0;
    int window = connection.window();
    List<MessageRef> following = window > 1 && !top ? next : List.of();
    int requested = requestedAhead(batch, following, top);
    if (batch.isEmpty()) {
      return;
    }
    Reply statusRead = aheadStatus;
    aheadStatus = null;
    // Each RETR is followed by one more command (the next RETR, or a closing NOOP) whose status
    // line proves that the message ended where the terminator said (quirk Q04).
    Window w = new Window(batch, following, topLines, window, requested, !closedAhead());
    topUp(w, batch, handler);
    MessageRef pending = null; // a message whose bytes are in, awaiting the next status line
    int index = 0;
    while (true) {
      InFlight cmd = ahead.peekFirst();
      if (cmd == null) {
        throw new IllegalStateException(
            "no command in flight while reading message " + (index + 1) + " of a batch");
      }
      Reply r;
      try {
        if (statusRead != null) {
          r = statusRead;
          statusRead = null;
        } else {
          String doing = doing(cmd, top);
          r =
              window > 1 && pending != null
                  ? connection.queuedReply(doing)
                  : connection.reply(doing);
        }
      } catch (FetchException e) {
        throw replyFailed(e, pending, handler, window > 1);
      }
      if (pending != null) {
        handler.end(); // the status line after it parsed: the message is whole
        pending = null;
      }
      if (!(cmd instanceof Retr)) {
        // a keepalive NOOP sent during the engine's barrier, answered in its place, or the
        // closing NOOP; at the batch's end, NOOPs right behind it are read too: none stays in
        // flight with nothing after it
        ahead.pollFirst();
        if (cmd instanceof KeepAliveNoop) {
          noopsAhead--;
        }
        InFlight behind = ahead.peekFirst();
        if (index == batch.size() && (behind == null || behind instanceof Retr)) {
          break;
        }
        continue;
      }
      if (index == batch.size()) {
        aheadStatus = r; // the first reply of what follows: the engine's next call reads on here
        break;
      }
      ahead.pollFirst();
      MessageRef ref = batch.get(index++);
      w.received();
      if (!r.ok()) {
        refused(r, ref, top, handler);
        topUp(w, batch, handler);
        continue;
      }
      if (window > 1) {
        FetchException misplaced =
            MisplacedReply.check(connection, r, ref, batch, following, index, top);
        if (misplaced != null) {
          connection.markBroken();
          memory.pipeliningStalled(connection);
          throw new PipelinedUnanswered(misplaced);
        }
      }
      readMessage(ref, top, window, handler);
      pending = ref;
      // Only now, with this body read, may a non-pipelining client send its next command.
      w.topUp();
    }
  }

  /** Whether the last RETR in flight has the closing NOOP behind it. */
  private boolean closedAhead() {
    var sent = ahead.descendingIterator();
    while (sent.hasNext()) {
      InFlight cmd = sent.next();
      if (!(cmd instanceof KeepAliveNoop)) {
        return cmd instanceof ClosingNoop;
      }
    }
    return false;
  }

  /**
   * How many RETRs earlier calls requested ahead, checked to be where this batch, then what follows
   * it, begin; else (or for TOP, which never follows them) the session is dropped.
   */
  private int requestedAhead(List<MessageRef> batch, List<MessageRef> following, boolean top)
      throws FetchException {
    int total = batch.size() + following.size();
    int requested = 0;
    for (InFlight sent : ahead) {
      if (sent instanceof Retr retr) {
        if (top || (requested < total && !retr.ref().equals(nth(batch, following, requested)))) {
          throw dropAhead();
        }
        requested++;
      }
    }
    return requested;
  }

  /** The reply after {@code pending} (null if none) failed with {@code e}: what to throw. */
  private FetchException replyFailed(
      FetchException e, MessageRef pending, MessageHandler handler, boolean pipelined) {
    if (e.error() == FetchError.CONNECTION_TIMED_OUT
        && pipelined
        && (pending == null || !connection.reader().lastBodyEndedAtCr())) {
      connection.markBroken();
      memory.pipeliningStalled(connection);
      if (pending != null) {
        // Silence after its terminator: nothing of it, nor of anything after it, was left to
        // come (a '.' left unescaped inside it, quirk Q04, is followed by the rest at once).
        handler.end();
      }
      return new PipelinedUnanswered(e);
    }
    return bodyFailed(e, pending, handler, pipelined);
  }

  /** RETR or TOP for {@code ref} refused: that message fails, the batch goes on (Q33, Q34). */
  private void refused(Reply r, MessageRef ref, boolean top, MessageHandler handler) {
    connection.noticed(top ? QuirkId.Q33 : QuirkId.Q34);
    handler.failed(
        ref,
        top
            ? r.exception(
                FetchError.SERVER_TEMPORARY,
                connection.server()
                    + " refused to send the top of"
                    + " message "
                    + ref.number()
                    + " (TOP); it stays there")
            : r.listedMessageRefused(connection.server(), ref.number()));
  }

  /**
   * The content after a +OK for {@code ref}, handed to {@code handler} up to its terminator; whole
   * only once the next status line parses (the caller's next turn).
   */
  private void readMessage(MessageRef ref, boolean top, int window, MessageHandler handler)
      throws FetchException {
    Pop3Reader reader = connection.reader();
    Pop3Settings settings = connection.settings();
    if (!top) {
      marks.retrieved(ref.number());
    }
    if (top && reader.nextLineIsStatus()) {
      // Quirk Q33 (FTGate): TOP answers +OK twice. Dropping the second keeps the framing; no
      // decision that loses mail rests on what TOP returns.
      connection.noticed(QuirkId.Q33);
      reader.readLineTruncating(settings.limits().maxStatusLine());
    }
    if (reader.nextLineIsStatus()) {
      // A message that starts with a status line: the replies are one ahead of the commands
      // (case N-12). Nothing of it reaches the sink; pipelining is off for this server now.
      FetchException desync =
          ListingReader.repliesAhead(
              connection, "message " + ref.number() + " would be another reply");
      handler.failed(ref, desync);
      throw desync;
    }
    handler.start(ref);
    reader.deadline(
        System.nanoTime()
            + settings.limits().commandTimeout().toNanos()
            + (long) (ref.size() / 100_000.0 * 1e9),
        "receiving message " + ref.number());
    reader.replyMayFollow(window > 1);
    long bodyStart = reader.offset();
    try {
      reader.readBody(
          handler::data,
          settings.limits().maxBodyBytesOnTheWire(),
          window == 1 && crTolerated() ? dotCrProbe : null);
      if (reader.lastBodyProbed()) {
        // The probe's answer, a status line, shows the body ended where the reader stopped.
        connection.reply("checking where message " + ref.number() + " ended (the quirk Q02 probe)");
      }
    } catch (FetchException e) {
      connection.markBroken();
      e = BodyFailures.endless(e, ref, reader.offset() - bodyStart);
      if (reader.lastBodyRanIntoReply() != null) {
        // The body ran into the next reply (Q02, Q03): one command at a time from now on, where
        // such a message stalls (or, Q02 with its tolerance, is probed) instead of swallowing the
        // next.
        memory.stopPipelining(connection, reader.lastBodyRanIntoReply(), null);
      }
      handler.failed(ref, e);
      throw e;
    }
    if (reader.lastBodyEndedAtCr()) {
      // whole only if the next line is a status line, checked on the caller's next turn
      connection.noticed(QuirkId.Q02);
    }
  }

  /**
   * Sends what the window has room for, with no message of the batch half read. A connection that
   * breaks on the way out while a command of the batch is already in flight broke while the server
   * was answering it (quirk Q36: a server that resets inside RETR 1 is met while RETR 2 goes out,
   * and the kernel drops what of message 1 had come): that message is the one cut off, as if the
   * reset had been met reading it, so a message that breaks the connection run after run is counted
   * against every time, whatever the timing.
   */
  private void topUp(Window w, List<MessageRef> batch, MessageHandler handler)
      throws FetchException {
    try {
      w.topUp();
    } catch (FetchException e) {
      if (e.error() != FetchError.CONNECTION_RESET) {
        throw e;
      }
      for (InFlight cmd : ahead) {
        if (cmd instanceof Retr retr && batch.contains(retr.ref())) {
          MessageRef due = retr.ref();
          FetchException cut = BodyFailures.cutWhileSending(due, e);
          handler.failed(due, cut);
          throw cut;
        }
      }
      throw e;
    }
  }

  /**
   * A reply after {@code pending} (null if none) failed with {@code e}: what the caller throws,
   * handed over.
   */
  private FetchException bodyFailed(
      FetchException e, MessageRef pending, MessageHandler handler, boolean pipelined) {
    if (e.error() == FetchError.CONNECTION_TIMED_OUT && pipelined) {
      memory.pipeliningStalled(connection);
    }
    FetchException stray =
        pending == null ? null : BodyFailures.strayTerminator(connection, pending, e);
    if (stray != null) {
      handler.failed(pending, stray);
      return stray;
    }
    if (pending != null) {
      FetchException framing = BodyFailures.notWhereTerminatorSaid(pending, e);
      handler.failed(pending, framing);
      return framing;
    }
    return e;
  }

  static MessageRef nth(List<MessageRef> batch, List<MessageRef> following, int i) {
    return i < batch.size() ? batch.get(i) : following.get(i - batch.size());
  }

  /**
   * The RETRs (or TOPs) of one call in flight: this batch's, then, with pipelining, those of what
   * follows it, never more than {@code size} unanswered; the closing NOOP, unless one is behind the
   * last RETR already, goes with the last of them, outside the window (it carries no message), or,
   * one command at a time, after it.
   */
  private final class Window {
    private final List<MessageRef> batch;
    private final List<MessageRef> following;
    private final int topLines;
    private final int size;
    private final int total;
    private int sent;
    private int unanswered;
    private boolean noopDue;

    Window(
        List<MessageRef> batch,
        List<MessageRef> following,
        int topLines,
        int size,
        int requested,
        boolean closeWithNoop) {
      this.batch = batch;
      this.following = following;
      this.topLines = topLines;
      this.size = size;
      this.total = batch.size() + following.size();
      this.sent = requested;
      this.unanswered = requested;
      this.noopDue = closeWithNoop;
    }

    void received() {
      unanswered--;
    }

    /**
     * Sends what the window has room for, in one write: with pipelining, only once {@link
     * Pop3Connection#REFILL} commands fit (or all that are left, or nothing is in flight), so that
     * a message answered does not cost a system call for its one RETR (a write per RETR was 4 % of
     * a first fetch's CPU). The commands join {@link #ahead} once written.
     */
    void topUp() throws FetchException {
      int room = size - unanswered;
      int left = total - sent;
      int n =
          left > 0 && (room >= Math.min(Pop3Connection.REFILL, left) || unanswered == 0)
              ? Math.min(room, left)
              : 0;
      boolean noop = noopDue && sent + n == total && (size > 1 || unanswered + n == 0);
      if (n == 0 && !noop) {
        return; // most calls while pipelining: nothing to send, nothing to allocate
      }
      List<Pop3Command> out = new ArrayList<>(n + 1);
      for (int k = 0; k < n; k++) {
        MessageRef ref = nth(batch, following, sent + k);
        out.add(
            topLines >= 0
                ? Pop3Commands.top(ref.number(), topLines)
                : Pop3Commands.retr(ref.number()));
      }
      if (noop) {
        out.add(Pop3Commands.NOOP);
      }
      if (out.size() == 1) {
        connection.send(out.get(0));
      } else if (!out.isEmpty()) {
        connection.sendBatch(out);
      }
      for (int k = 0; k < n; k++) {
        ahead.addLast(new Retr(nth(batch, following, sent++)));
        unanswered++;
      }
      if (noop) {
        ahead.addLast(CLOSING_NOOP);
        noopDue = false;
      }
    }
  }

  /**
   * The engine did not take up the RETRs sent ahead (it stopped, or it deletes or quits first): the
   * session is dropped without QUIT, as after a crash. Reading those messages and then ending with
   * QUIT could make a server that forgets what was retrieved (Gmail's POP, quirk Q31) forget
   * messages that were never stored; without QUIT a server deletes nothing (RFC 1939 §6), so the
   * run's deletions simply wait for the next run.
   */
  FetchException dropAhead() {
    int n = 0;
    for (InFlight sent : ahead) {
      n += sent instanceof Retr ? 1 : 0;
    }
    ahead.clear();
    aheadStatus = null;
    noopsAhead = 0;
    connection.markBroken();
    close.run();
    return new FetchException(
        FetchError.PROTOCOL,
        "the session with "
            + connection.server()
            + " was dropped without QUIT: "
            + n
            + " messages requested ahead were not taken up, and some servers forget retrieved messages at QUIT"
            + " (quirk Q31); nothing is deleted this time");
  }

  private boolean crTolerated() {
    return connection.settings().tolerances().contains(Tolerance.CR_TERMINATOR);
  }

  /**
   * Quirk Q02 on a server that does not pipeline: a body resting at ".\r" gets, after a grace (5 s,
   * or half the read timeout if that is shorter), one NOOP; a reply that follows the CR, or a late
   * LF and then the reply, both end the message there, proven by the NOOP's status line.
   */
  private final DotCrProbe dotCrProbe =
      new DotCrProbe() {
        @Override
        public void readTimeout(Duration wait) throws FetchException {
          connection.readTimeout(wait);
        }

        @Override
        public Duration grace() {
          Duration half = connection.settings().limits().readTimeout().dividedBy(2);
          return half.compareTo(Q02_GRACE) < 0 ? half : Q02_GRACE;
        }

        @Override
        public void send() throws FetchException {
          connection.noticed(QuirkId.Q02);
          connection.send(Q02_PROBE);
        }
      };
}
