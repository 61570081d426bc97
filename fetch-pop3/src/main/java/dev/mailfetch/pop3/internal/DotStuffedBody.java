package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.pop3.Tolerance;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * Reads one dot-stuffed multi-line body (RFC 1939 §3) out of a {@link Pop3Reader}'s buffer, as a
 * state machine that survives any split of the input:
 *
 * <ol>
 *   <li>{@code LINE_START}: a '.' moves to {@code DOT} (held back); anything else is data, except
 *       that while a reply may follow (pipelining) a status line after a line ending in '.' is
 *       READ_ERROR: the body has run into the next reply (quirk Q03).
 *   <li>{@code IN_LINE}: data up to the LF that ends the line (CRLF; a bare LF only with the
 *       BARE_LF tolerance, else it is data).
 *   <li>{@code SCAN}: what {@code IN_LINE} does, many lines at a time: it searches only for '.',
 *       and stops at one that starts a line (the byte before is the LF of a line end) or, while a
 *       reply may follow, one that ends a line followed by '+' or '-'. Lines without such a dot
 *       need no decision, so they pass in one word-at-a-time search ({@link Bytes#indexOf}). {@code
 *       IN_LINE} remains for a dot too near the end of the buffer to see past, and as the oracle in
 *       tests.
 *   <li>{@code DOT}: a CR moves to {@code DOT_CR} (held back); any other byte is the line's data
 *       and the dot is dropped ("the first octet of the line ... is stripped away").
 *   <li>{@code DOT_CR}: an LF ends the body; with the CR_TERMINATOR tolerance a '+' or '-' (the
 *       next pipelined reply) ends it too (quirk Q02); any other byte makes the held CR data.
 * </ol>
 *
 * <p>The body reaches its sink as slices of the reader's buffer, viewed through one reused {@link
 * ByteBuffer}: no object per line or per body. The bytes a slice leaves out (a stuffed dot; the CR
 * of each CRLF where line ends become LF) are cut out of the buffer in place: the data after a cut
 * is moved down to join the data before it ({@link #cut}), and the joined run reaches the sink in
 * one call where the buffer is refilled or the body ends ({@link #flush}). A slice per line would
 * cost the sink's whole path per line, millions of calls in a first fetch, most of them before the
 * JIT has compiled that path. A move never reaches the last byte before the cut's end, and every
 * look back at the bytes before a position ({@link #recentBefore}, the dot scan's) starts at most
 * one byte before the last cut's end, so the moves never change what those looks see. One instance
 * per reader, reused for every body: how the last body ended ({@link #endedAtCr}, {@link #probed},
 * {@link #ranIntoReply}) is kept in fields rather than returned as a value, so that reading a body
 * allocates nothing.
 */
final class DotStuffedBody {
  private static final int LINE_START = 0;
  private static final int IN_LINE = 1;
  private static final int DOT = 2;
  private static final int DOT_CR = 3;
  private static final int SCAN = 4;
  private static final byte[] CR = {'\r'};

  /** ".\r\n" packed as {@link #recentBefore} packs: a line that ends in '.'. */
  private static final int DOT_CRLF = '.' << 16 | '\r' << 8 | '\n';

  private final Pop3Reader reader;
  private final ByteBuffer view;
  private final boolean bareLf;
  private final boolean crTerminator;

  /** False only in tests: bodies then go line by line, the oracle for the dot scan. */
  private boolean scanForDots = true;

  /** The run of data cut so far and not yet handed to the sink: {@code buf[runFrom, runTo)}. */
  private int runFrom;

  private int runTo;

  private boolean endedAtCr;
  private boolean probed;
  private QuirkId ranIntoReply;

  /**
   * @param reader the reader whose buffer the body is read from
   * @param bareLf whether a bare LF ends a line (the BARE_LF tolerance)
   * @param crTerminator whether {@code .\r} followed by the next reply's '+' or '-' ends a body
   *     (the CR_TERMINATOR tolerance, quirk Q02)
   */
  DotStuffedBody(Pop3Reader reader, boolean bareLf, boolean crTerminator) {
    this.reader = reader;
    this.view = ByteBuffer.wrap(reader.buf);
    this.bareLf = bareLf;
    this.crTerminator = crTerminator;
  }

  /** Whether the last body ended with {@code .\r} and no LF (quirk Q02, CR_TERMINATOR only). */
  boolean endedAtCr() {
    return endedAtCr;
  }

  /** Whether a {@link DotCrProbe} was sent during the last body: its answer is still to be read. */
  boolean probed() {
    return probed;
  }

  /**
   * The quirk (Q02 or Q03) that made the last body run into the next reply, its READ_ERROR, or
   * null.
   */
  QuirkId ranIntoReply() {
    return ranIntoReply;
  }

  /** Bodies line by line, as before the dot scan: the oracle the scan is tested against. */
  void lineByLine() {
    scanForDots = false;
  }

  /**
   * Reads a body up to and including its terminator, handing the unstuffed bytes to {@code sink}.
   *
   * @param probe with the CR_TERMINATOR tolerance, what a body resting at {@code .\r} past the
   *     probe's grace gets (once), or null
   * @param replyMayFollow whether another reply may follow the body at once (pipelining): then a
   *     status line right after a line that ends in '.' is READ_ERROR (quirk Q03)
   * @param lf whether each CRLF of the message reaches the sink as LF: the slice ends before the CR
   *     and the next starts at the LF, so no byte is looked at twice
   * @return the number of bytes handed to the sink
   */
  long read(
      Pop3Reader.BodySink sink, long max, DotCrProbe probe, boolean replyMayFollow, boolean lf)
      throws FetchException {
    final Pop3Reader r = reader;
    long total = 0;
    int state = LINE_START;
    boolean prevCr = false;
    int start = r.pos;
    final byte[] b = r.buf;
    endedAtCr = false;
    probed = false;
    ranIntoReply = null;
    runFrom = runTo = start;
    // The last three bytes before recentFrom, packed, so the Q03 check sees a ".\r\n" that reads
    // split across refills.
    int recent = 0;
    int recentFrom = r.pos;
    final int afterLineStart = scanForDots && !lf ? SCAN : IN_LINE;
    while (true) {
      if (r.pos == r.lim) {
        // Converting to LF, a CR at the end of the buffer may be the first half of a CRLF: it
        // stays in the buffer, to be cut or kept once the next byte is known.
        int keep = lf && state == IN_LINE && r.lim - 1 >= start && b[r.lim - 1] == '\r' ? 1 : 0;
        // The bytes before the end first: the cut below may move some of them.
        recent = recentBefore(r.lim - keep, recent, recentFrom);
        total += cut(start, r.lim - keep);
        flush(sink); // the refill below moves the buffer
        if (total > max) {
          throw tooBig(max);
        }
        recentFrom = 0; // every refill here starts the buffer afresh
        r.pos = r.lim - keep;
        if (state == DOT_CR
            && crTerminator
            && probe != null
            && !probed
            && !probeAfterGrace(probe)) {
          throw r.closed(); // (the probe may have refilled the buffer: then pos < lim)
        }
        if ((keep == 1 || r.pos == r.lim)
            && !fillInBody(state, (state == LINE_START || state == SCAN) && recent == DOT_CRLF)) {
          throw r.closed();
        }
        start = r.pos;
      }
      switch (state) {
        case SCAN:
          {
            // Inside a line, looking only for a '.': every byte that needs a decision is one (a
            // stuffed dot, the terminator, the end of a line that ends in '.' for the Q03 guard),
            // so
            // whole lines without one pass in one word-at-a-time search.
            final int l = r.lim;
            int q = r.pos;
            int next = SCAN;
            while ((q = Bytes.indexOf(b, q, l, Bytes.DOTS)) < l) {
              int before =
                  q - 2 >= recentFrom
                      ? (b[q - 2] & 0xFF) << 8 | (b[q - 1] & 0xFF)
                      : recentBefore(q, recent, recentFrom) & 0xFFFF;
              if ((before & 0xFF) == '\n' && (bareLf || before >> 8 == '\r')) {
                next = LINE_START; // a '.' at the start of a line
                break;
              }
              q++;
              if (replyMayFollow) {
                if (q + 2 >= l) {
                  next = IN_LINE; // too near the end to see what follows: go line by line from here
                  break;
                }
                if (b[q] == '\r' && b[q + 1] == '\n' && (b[q + 2] == '+' || b[q + 2] == '-')) {
                  q += 2;
                  next = LINE_START; // a line ending in '.', perhaps then a status line (the Q03
                  // guard)
                  break;
                }
              }
            }
            r.pos = q;
            state = next;
            prevCr = false; // IN_LINE resumes just after a '.'
            break;
          }
        case IN_LINE:
          {
            final int l = r.lim;
            int p = Bytes.indexOfLf(b, r.pos, l);
            if (p == l) {
              prevCr = b[l - 1] == '\r';
              r.pos = l;
              break;
            }
            boolean crlf = p > r.pos ? b[p - 1] == '\r' : prevCr;
            if (lf && crlf && p - 1 >= start) {
              total += cut(start, p - 1); // the data ends before the CR; the next starts at the LF
              start = p;
            }
            r.pos = p + 1;
            prevCr = false;
            if (crlf || bareLf) {
              state = LINE_START;
            }
            break;
          }
        case LINE_START:
          {
            byte c = b[r.pos];
            if (c == '.') {
              total += cut(start, r.pos);
              r.pos++;
              start = r.pos;
              state = DOT;
              break;
            }
            if (replyMayFollow
                && (c == '+' || c == '-')
                && recentBefore(r.pos, recent, recentFrom) == DOT_CRLF) {
              total += cut(start, r.pos);
              flush(sink); // nextLineIsStatus may move the buffer
              if (r.nextLineIsStatus()) {
                throw ranIntoReply(
                    QuirkId.Q03,
                    "a line ending in '.' was followed by a status line, so the server glued"
                        + " the terminator to a message without a final line end (quirk "
                        + QuirkId.Q03
                        + ", Exchange 2000)");
              }
              start =
                  r.pos; // nextLineIsStatus may have moved the buffer: the slice starts again here
              recent =
                  DOT_CRLF; // the bytes before pos, whose indices nextLineIsStatus may have moved
              recentFrom = r.pos;
            }
            state = afterLineStart;
            break;
          }
        case DOT:
          {
            byte c = b[r.pos];
            if (c == '\r') {
              r.pos++;
              start = r.pos;
              state = DOT_CR;
            } else if (c == '\n' && bareLf) {
              r.pos++;
              flush(sink);
              return total; // ".⏎" ends the body under BARE_LF
            } else {
              state = afterLineStart; // the stuffed dot is dropped: the slice starts at this byte
              start = r.pos;
            }
            break;
          }
        case DOT_CR:
          {
            byte c = b[r.pos];
            if (c == '\n') {
              r.pos++;
              flush(sink);
              return total;
            }
            flush(sink); // what follows (the caller's reply, nextLineIsStatus, the held CR)
            if (c == '+' || c == '-') {
              if (crTerminator) {
                endedAtCr = true; // the next reply's status line, which the caller reads and checks
                return total;
              }
              if (replyMayFollow) {
                int before = recentBefore(r.pos, recent, recentFrom);
                boolean status = r.nextLineIsStatus();
                recent =
                    before; // the bytes before pos, whose indices nextLineIsStatus may have moved
                recentFrom = r.pos;
                if (status) {
                  throw ranIntoReply(
                      QuirkId.Q02,
                      "a line of '.' and CR was followed by a status line, so the server ends"
                          + " messages with \".\\r\" (quirk "
                          + QuirkId.Q02
                          + ", Cyrus 3.4)");
                }
              }
            }
            sink.data(ByteBuffer.wrap(CR)); // the held CR was data: ".\rX" unstuffs to "\rX"
            total++;
            start = r.pos;
            runFrom = runTo = start;
            prevCr = true;
            state = afterLineStart;
            break;
          }
        default:
          throw new AssertionError(state);
      }
    }
  }

  /**
   * Waits the probe's grace for what follows {@code .\r}; if nothing comes, sends the probe once.
   * False at end of stream.
   */
  private boolean probeAfterGrace(DotCrProbe probe) throws FetchException {
    probe.readTimeout(probe.grace());
    try {
      return reader.fill();
    } catch (FetchException e) {
      if (e.error() != FetchError.CONNECTION_TIMED_OUT
          || !(e.getCause() instanceof SocketTimeoutException)) {
        throw e; // the operation's own deadline passed: no probe can help
      }
      probed = true;
      probe.send();
      return true;
    } finally {
      probe.readTimeout(null);
    }
  }

  /**
   * {@link Pop3Reader#fill()} inside a body; a timeout there says what the stall looks like when it
   * matches a known server bug, so the person reading the error knows what to do.
   */
  private boolean fillInBody(int state, boolean afterDotLine) throws FetchException {
    try {
      return reader.fill();
    } catch (FetchException e) {
      if (e.error() != FetchError.CONNECTION_TIMED_OUT) {
        throw e;
      }
      if (state == DOT_CR) {
        throw new FetchException(
                FetchError.CONNECTION_TIMED_OUT,
                e.detail()
                    + "; the message stopped at a line"
                    + " of '.' and CR with no LF after it: the server ends messages with \".\\r\" (quirk "
                    + QuirkId.Q02
                    + ", Cyrus 3.4); the message stays on the server",
                null,
                e,
                Advice.tolerate(Tolerance.CR_TERMINATOR))
            .withQuirk(QuirkId.Q02);
      }
      if (afterDotLine) {
        throw new FetchException(
                FetchError.CONNECTION_TIMED_OUT,
                e.detail()
                    + "; the message stopped right after a"
                    + " line ending in '.': the server may glue the terminator to a message without a final line end"
                    + " (quirk "
                    + QuirkId.Q03
                    + ", Exchange 2000), which no client can tell from data; the message stays on the server",
                null,
                e,
                Advice.gluedTerminator())
            .withQuirk(QuirkId.Q03);
      }
      throw e;
    }
  }

  /**
   * The last three bytes before {@code at}, packed: those of {@code buf[from, at)}, preceded by
   * {@code recent} (the ones before {@code from}) where fewer than three are in the buffer.
   */
  private int recentBefore(int at, int recent, int from) {
    int r = recent;
    for (int i = Math.max(from, at - 3); i < at; i++) {
      r = (r << 8 | (reader.buf[i] & 0xFF)) & 0xFFFFFF;
    }
    return r;
  }

  private FetchException ranIntoReply(QuirkId quirk, String why) {
    ranIntoReply = quirk;
    return new FetchException(
            FetchError.READ_ERROR,
            "a message ran into the next reply: " + why + "; the message stays on the server",
            null,
            null,
            quirk.equals(QuirkId.Q02)
                ? Advice.tolerate(Tolerance.CR_TERMINATOR)
                : Advice.gluedTerminator())
        .withQuirk(quirk);
  }

  /**
   * Adds {@code buf[from, to)} to the run of data not yet handed to the sink, moving it down to
   * join the run where bytes were left out between them. Returns the number of bytes added.
   */
  private long cut(int from, int to) {
    if (to <= from) {
      return 0;
    }
    if (runTo == runFrom) {
      runFrom = from;
      runTo = to;
    } else {
      if (from != runTo) {
        System.arraycopy(reader.buf, from, reader.buf, runTo, to - from);
      }
      runTo += to - from;
    }
    return (long) to - from;
  }

  /** Hands the run of data cut so far to the sink, as one slice of the buffer. */
  private void flush(Pop3Reader.BodySink sink) {
    if (runTo > runFrom) {
      view.clear();
      view.position(runFrom);
      view.limit(runTo);
      sink.data(view);
    }
    runFrom = runTo;
  }

  private FetchException tooBig(long max) {
    return new FetchException(
        FetchError.LIMIT_EXCEEDED,
        "a message is larger than " + Limit.MESSAGE_SIZE.words(max) + "; it stays on the server",
        null,
        null,
        Limit.MESSAGE_SIZE.remedy(max));
  }
}
