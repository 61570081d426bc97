package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Reads what a POP3 server sends: status lines, listing lines, and dot-stuffed multi-line bodies
 * (RFC 1939 §3).
 *
 * <p><b>Buffers.</b> One buffer per connection, refilled in exactly one place ({@link #fill}). A
 * body reaches its sink as slices of that buffer, viewed through one reused {@link ByteBuffer}: no
 * copy, no object per line. Dot-unstuffing drops the stuffed dot by starting the next slice one
 * byte later.
 *
 * <p><b>Bodies, as a state machine</b> that survives any split of the input:
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
 *       need no decision, so they pass in one word-at-a-time search. {@code IN_LINE} remains for a
 *       dot too near the end of the buffer to see past, and as the oracle in tests.
 *   <li>{@code DOT}: a CR moves to {@code DOT_CR} (held back); any other byte is the line's data
 *       and the dot is dropped ("the first octet of the line ... is stripped away").
 *   <li>{@code DOT_CR}: an LF ends the body; with the CR_TERMINATOR tolerance a '+' or '-' (the
 *       next pipelined reply) ends it too (quirk Q02); any other byte makes the held CR data.
 * </ol>
 *
 * <p><b>Errors</b> are typed: end of stream is {@code CONNECTION_RESET}, silence past the read
 * timeout or the command deadline is {@code CONNECTION_TIMED_OUT}, a line over its cap is {@code
 * LIMIT_EXCEEDED} naming the setting. Server text in errors is escaped by {@link FetchException}.
 */
public final class Pop3Reader {
  /** Receives body bytes; the buffer is valid only during the call. */
  @FunctionalInterface
  public interface BodySink {
    void data(ByteBuffer slice);
  }

  /**
   * What the reader does when a body rests at {@code .\r} and nothing more comes (quirk Q02 on a
   * server that does not pipeline): wait a short grace, then let the session send a probe whose
   * answer shows whether the message ended there.
   */
  public interface DotCrProbe {
    /** Sets how long the next read may wait; null restores the normal read timeout. */
    void readTimeout(Duration wait) throws FetchException;

    /** How long to wait at {@code .\r} before probing. */
    Duration grace();

    /** Sends the probe command; its answer is the caller's to read. */
    void send() throws FetchException;
  }

  private static final int LINE_START = 0;
  private static final int IN_LINE = 1;
  private static final int DOT = 2;
  private static final int DOT_CR = 3;
  private static final int SCAN = 4;
  private static final byte[] CR = {'\r'};

  /** ".\r\n" packed as {@link #recentBefore} packs: a line that ends in '.'. */
  private static final int DOT_CRLF = '.' << 16 | '\r' << 8 | '\n';

  /** Eight bytes of the buffer as one long, for the word-at-a-time LF search. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
  private static final long DOTS = 0x2E2E2E2E2E2E2E2EL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private InputStream in;
  private final byte[] buf;
  private final ByteBuffer view;
  private int pos;
  private int lim;
  private long consumed;
  private final boolean bareLf;
  private final boolean crTerminator;
  private boolean endedAtCr;
  private boolean probed;

  /**
   * Inside a body, or reading the replies of a batch of RETRs: a connection that ends here cuts a
   * message off (the code's own advice); anywhere else it gets advice of its own.
   */
  private boolean aboutMessages;

  private boolean replyMayFollow;
  private QuirkId ranIntoReply;
  private long deadline = Long.MAX_VALUE;
  private String doing = "reading";
  private boolean truncated;

  /** Whether bodies reach the sink with each CRLF made LF (for a sink that stores LF). */
  private boolean toLf;

  /** False only in tests: bodies then go line by line, the oracle for the dot scan. */
  private boolean scanForDots = true;

  /**
   * @param in the stream, already buffered by nothing else (this is the buffer)
   * @param bufferSize the read buffer's size
   * @param bareLf whether a bare LF ends a line (the BARE_LF tolerance)
   */
  public Pop3Reader(InputStream in, int bufferSize, boolean bareLf) {
    this(in, bufferSize, bareLf, false);
  }

  /**
   * @param crTerminator whether {@code .\r} followed by the next reply's '+' or '-' ends a body
   *     (the CR_TERMINATOR tolerance, quirk Q02)
   */
  public Pop3Reader(InputStream in, int bufferSize, boolean bareLf, boolean crTerminator) {
    this.in = in;
    this.buf = new byte[bufferSize];
    this.view = ByteBuffer.wrap(buf);
    this.bareLf = bareLf;
    this.crTerminator = crTerminator;
  }

  /** Whether the last body ended with {@code .\r} and no LF (quirk Q02, CR_TERMINATOR only). */
  public boolean lastBodyEndedAtCr() {
    return endedAtCr;
  }

  /**
   * Whether another reply may follow the body at once (pipelining). Then a status line right after
   * a line that ends in '.' means the server glued the terminator to the message (quirk Q03) and
   * the body has run into the next reply: READ_ERROR, rather than one message holding the next.
   */
  public void replyMayFollow(boolean pipelined) {
    this.replyMayFollow = pipelined;
  }

  /**
   * Whether the next bodies reach the sink with each CRLF of the message made LF ({@link
   * dev.mailfetch.api.LineEnding#LF}). The CR is dropped by the slicing itself: the slice ends
   * before it and the next starts at the LF, so no byte is looked at twice. Bodies then go line by
   * line, as every line end needs a cut.
   */
  public void lineEndsToLf(boolean lf) {
    this.toLf = lf;
  }

  /** Whether a {@link DotCrProbe} was sent during the last body: its answer is still to be read. */
  public boolean lastBodyProbed() {
    return probed;
  }

  /**
   * Reads from {@code next} from now on (after a TLS handshake). Bytes still buffered are dropped
   * and counted.
   */
  public int switchTo(InputStream next) {
    int dropped = lim - pos;
    pos = lim = 0;
    this.in = next;
    return dropped;
  }

  /** How many bytes are buffered but not yet consumed. */
  public int buffered() {
    return lim - pos;
  }

  /**
   * Whether what is read next is about messages (the replies of a batch of RETRs, whose bodies
   * follow them): a connection that ends there may cut one off.
   */
  public void aboutMessages(boolean yes) {
    aboutMessages = yes;
  }

  /** Bytes consumed since the connection opened, for error messages. */
  public long offset() {
    return consumed + pos;
  }

  /**
   * Drops the complete lines already buffered (at most {@code maxLines}), without waiting for more:
   * data nobody asked for (quirk Q16, case N-10).
   *
   * @param each is given each line dropped, without its line end (for the protocol trace)
   * @return how many lines were dropped, or -1 if more than {@code maxLines} were waiting
   */
  public int discardBufferedLines(int maxLines, java.util.function.Consumer<String> each) {
    int dropped = 0;
    while (true) {
      int p = pos;
      while (p < lim && buf[p] != '\n') {
        p++;
      }
      if (p == lim) {
        return dropped;
      }
      if (dropped == maxLines) {
        return -1;
      }
      int end = p > pos && buf[p - 1] == '\r' ? p - 1 : p;
      each.accept(new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1));
      pos = p + 1;
      dropped++;
    }
  }

  /**
   * Whether the next line, once enough of it has arrived, starts like a POP3 status line ({@code
   * +OK} or {@code -ERR} as a whole token). At the start of a message body this means replies and
   * commands are out of step (case N-12): no mail starts that way.
   */
  public boolean nextLineIsStatus() throws FetchException {
    while (lim - pos < 5) {
      int p = pos;
      while (p < lim && buf[p] != '\n') {
        p++;
      }
      if (p < lim || !fill()) {
        break;
      }
    }
    int n = lim - pos;
    boolean ok =
        n >= 3
            && buf[pos] == '+'
            && buf[pos + 1] == 'O'
            && buf[pos + 2] == 'K'
            && (n == 3 || buf[pos + 3] == ' ' || buf[pos + 3] == '\r' || buf[pos + 3] == '[');
    boolean err =
        n >= 4
            && buf[pos] == '-'
            && buf[pos + 1] == 'E'
            && buf[pos + 2] == 'R'
            && buf[pos + 3] == 'R';
    return ok || err;
  }

  /** Sets the deadline of the current operation, and what it is, for the timeout message. */
  public void deadline(long nanoTime, String doing) {
    this.deadline = nanoTime;
    this.doing = doing;
  }

  /**
   * Refills the buffer; everything before {@code pos} must have been consumed. False at end of
   * stream.
   */
  private boolean fill() throws FetchException {
    if (pos < lim) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
    }
    consumed += pos;
    lim -= pos;
    pos = 0;
    if (System.nanoTime() > deadline) {
      throw timedOut(null);
    }
    int n;
    try {
      n = in.read(buf, lim, buf.length - lim);
    } catch (SocketTimeoutException e) {
      throw timedOut(e);
    } catch (IOException e) {
      throw new FetchException(
          FetchError.CONNECTION_RESET,
          "the connection broke while " + doing + ": " + e.getMessage(),
          null,
          e,
          outsideAMessage());
    }
    if (n < 0) {
      return false;
    }
    lim += n;
    return true;
  }

  private FetchException timedOut(Throwable cause) {
    return new FetchException(
        FetchError.CONNECTION_TIMED_OUT,
        "the server did not answer in time while "
            + doing
            + (cause instanceof SocketTimeoutException
                ? " (it stayed silent longer than a read may wait)"
                : " (the whole reply took longer than one may)"),
        null,
        cause,
        Advice.slowServer());
  }

  private FetchException closed() {
    return new FetchException(
        FetchError.CONNECTION_RESET,
        "the server closed the connection while "
            + doing
            + " (after "
            + dev.mailfetch.api.internal.Sizes.size(consumed + lim)
            + ")",
        null,
        null,
        outsideAMessage());
  }

  /**
   * The advice for a connection that ended: the code's own (a message cut off) inside a body, else
   * its own.
   */
  private dev.mailfetch.api.Remedy outsideAMessage() {
    return aboutMessages ? null : Advice.closedOutsideAMessage(doing);
  }

  /**
   * Reads one line and returns it without its line end, bytes as ISO-8859-1 characters.
   *
   * @param max the longest line accepted, line end included
   * @param limit the limit {@code max} comes from, named in the error
   */
  public String readLine(int max, Limit limit) throws FetchException {
    StringBuilder spill = null; // the start of a line longer than the buffer
    int scanned = 0; // bytes from pos already known not to be LF
    while (true) {
      int p = pos + scanned;
      while (p < lim && buf[p] != '\n') {
        p++;
      }
      int length = (spill == null ? 0 : spill.length()) + (p - pos);
      if (length >= max) {
        throw new FetchException(
            FetchError.LIMIT_EXCEEDED,
            "a line from the server is longer than " + limit.words(max) + " while " + doing,
            null,
            null,
            limit.remedy(max));
      }
      if (p < lim) {
        String line =
            (spill == null ? "" : spill.toString())
                + new String(buf, pos, p - pos, StandardCharsets.ISO_8859_1);
        pos = p + 1;
        if (line.endsWith("\r")) {
          return line.substring(0, line.length() - 1);
        }
        if (!bareLf) {
          throw bareLfLine(line);
        }
        return line;
      }
      if (lim == buf.length && pos == 0) {
        // The buffer is full of one line: keep it aside and read on.
        if (spill == null) {
          spill = new StringBuilder();
        }
        spill.append(new String(buf, 0, lim, StandardCharsets.ISO_8859_1));
        pos = lim;
      }
      scanned = lim - pos;
      if (!fill()) {
        throw closed();
      }
    }
  }

  /**
   * Reads one line as {@link #readLine} does, but a line longer than {@code max} is not an error:
   * its first {@code max} bytes are returned and the rest is read and dropped (within the
   * operation's deadline). {@link #lastLineTruncated()} tells which happened.
   */
  public String readLineTruncating(int max) throws FetchException {
    truncated = false;
    StringBuilder kept = new StringBuilder();
    while (true) {
      int p = pos;
      while (p < lim && buf[p] != '\n') {
        p++;
      }
      int room = max - kept.length();
      if (room > 0) {
        kept.append(new String(buf, pos, Math.min(room, p - pos), StandardCharsets.ISO_8859_1));
      }
      if (p - pos > room) {
        truncated = true;
      }
      if (p < lim) {
        pos = p + 1;
        int n = kept.length();
        if (!truncated && n > 0 && kept.charAt(n - 1) == '\r') {
          kept.setLength(n - 1);
        } else if (!truncated && !bareLf) {
          throw bareLfLine(kept.toString());
        }
        return kept.toString();
      }
      pos = lim;
      if (!fill()) {
        throw closed();
      }
    }
  }

  private FetchException bareLfLine(String line) {
    return new FetchException(
            FetchError.READ_ERROR,
            "a line ended in a bare LF, not CRLF, while "
                + doing
                + " (quirk "
                + QuirkId.Q01
                + ": POP3 lines end in CRLF)",
            line,
            null,
            Advice.tolerate(dev.mailfetch.pop3.Tolerance.BARE_LF))
        .withQuirk(QuirkId.Q01);
  }

  /** Whether the last {@link #readLineTruncating} line was longer than asked for. */
  public boolean lastLineTruncated() {
    return truncated;
  }

  /**
   * Reads a dot-stuffed body up to and including its terminator, handing the unstuffed bytes to
   * {@code sink} as slices of the read buffer.
   *
   * @return the number of bytes handed to the sink
   * @throws FetchException LIMIT_EXCEEDED past {@code max} bytes (the rest is not read: the
   *     connection is then unusable), CONNECTION_RESET at end of stream before the terminator
   */
  public long readBody(BodySink sink, long max) throws FetchException {
    return readBody(sink, max, null);
  }

  /**
   * As {@link #readBody(BodySink, long)}; with the CR_TERMINATOR tolerance and a {@code probe}, a
   * body resting at {@code .\r} past the probe's grace gets one probe (see {@link DotCrProbe}).
   */
  public long readBody(BodySink sink, long max, DotCrProbe probe) throws FetchException {
    boolean was = aboutMessages;
    aboutMessages = true;
    try {
      return readBodyIn(sink, max, probe);
    } finally {
      aboutMessages = was;
    }
  }

  private long readBodyIn(BodySink sink, long max, DotCrProbe probe) throws FetchException {
    long total = 0;
    int state = LINE_START;
    boolean prevCr = false;
    int start = pos;
    final byte[] b = buf;
    endedAtCr = false;
    probed = false;
    ranIntoReply = null;
    // The last three bytes before recentFrom, packed, so the Q03 check sees a ".\r\n" that reads
    // split across refills.
    int recent = 0;
    int recentFrom = pos;
    final boolean lf = toLf;
    final int afterLineStart = scanForDots && !lf ? SCAN : IN_LINE;
    while (true) {
      if (pos == lim) {
        // Converting to LF, a CR at the end of the buffer may be the first half of a CRLF: it
        // stays in the buffer, to be cut or kept once the next byte is known.
        int keep = lf && state == IN_LINE && lim - 1 >= start && b[lim - 1] == '\r' ? 1 : 0;
        total += emit(sink, start, lim - keep);
        if (total > max) {
          throw tooBig(max);
        }
        recent = recentBefore(lim - keep, recent, recentFrom);
        recentFrom = 0; // every refill here starts the buffer afresh
        pos = lim - keep;
        if (state == DOT_CR
            && crTerminator
            && probe != null
            && !probed
            && !probeAfterGrace(probe)) {
          throw closed(); // (the probe may have refilled the buffer: then pos < lim)
        }
        if ((keep == 1 || pos == lim)
            && !fillInBody(state, (state == LINE_START || state == SCAN) && recent == DOT_CRLF)) {
          throw closed();
        }
        start = pos;
      }
      switch (state) {
        case SCAN:
          {
            // Inside a line, looking only for a '.': every byte that needs a decision is one (a
            // stuffed dot, the terminator, the end of a line that ends in '.' for the Q03 guard),
            // so
            // whole lines without one pass in one word-at-a-time search.
            final int l = lim;
            int q = pos;
            int next = SCAN;
            while ((q = indexOf(b, q, l, DOTS)) < l) {
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
            pos = q;
            state = next;
            prevCr = false; // IN_LINE resumes just after a '.'
            break;
          }
        case IN_LINE:
          {
            final int l = lim;
            int p = indexOfLf(b, pos, l);
            if (p == l) {
              prevCr = b[l - 1] == '\r';
              pos = l;
              break;
            }
            boolean crlf = p > pos ? b[p - 1] == '\r' : prevCr;
            if (lf && crlf && p - 1 >= start) {
              total +=
                  emit(
                      sink, start,
                      p - 1); // the slice ends before the CR; the next starts at the LF
              start = p;
            }
            pos = p + 1;
            prevCr = false;
            if (crlf || bareLf) {
              state = LINE_START;
            }
            break;
          }
        case LINE_START:
          {
            byte c = b[pos];
            if (c == '.') {
              total += emit(sink, start, pos);
              pos++;
              start = pos;
              state = DOT;
              break;
            }
            if (replyMayFollow
                && (c == '+' || c == '-')
                && recentBefore(pos, recent, recentFrom) == DOT_CRLF) {
              total += emit(sink, start, pos);
              if (nextLineIsStatus()) {
                throw ranIntoReply(
                    QuirkId.Q03,
                    "a line ending in '.' was followed by a status line, so the server glued"
                        + " the terminator to a message without a final line end (quirk "
                        + QuirkId.Q03
                        + ", Exchange 2000)");
              }
              start =
                  pos; // nextLineIsStatus may have moved the buffer: the slice starts again here
              recent =
                  DOT_CRLF; // the bytes before pos, whose indices nextLineIsStatus may have moved
              recentFrom = pos;
            }
            state = afterLineStart;
            break;
          }
        case DOT:
          {
            byte c = b[pos];
            if (c == '\r') {
              pos++;
              start = pos;
              state = DOT_CR;
            } else if (c == '\n' && bareLf) {
              pos++;
              return total; // ".⏎" ends the body under BARE_LF
            } else {
              state = afterLineStart; // the stuffed dot is dropped: the slice starts at this byte
              start = pos;
            }
            break;
          }
        default:
          { // DOT_CR
            byte c = b[pos];
            if (c == '\n') {
              pos++;
              return total;
            }
            if (c == '+' || c == '-') {
              if (crTerminator) {
                endedAtCr = true; // the next reply's status line, which the caller reads and checks
                return total;
              }
              if (replyMayFollow) {
                int before = recentBefore(pos, recent, recentFrom);
                boolean status = nextLineIsStatus();
                recent =
                    before; // the bytes before pos, whose indices nextLineIsStatus may have moved
                recentFrom = pos;
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
            start = pos;
            prevCr = true;
            state = afterLineStart;
            break;
          }
      }
    }
  }

  /**
   * The index of the first LF in {@code b[from, to)}, or {@code to}. Eight bytes at a time (the
   * "has zero byte" trick on the bytes XOR LF, as Netty's {@code ByteBufUtil} does): the LF scan is
   * what the body path spends its time on. {@link #indexOfLfLinear} is the oracle it is tested
   * against.
   */
  static int indexOfLf(byte[] b, int from, int to) {
    return indexOf(b, from, to, LFS);
  }

  /**
   * The index of the first byte {@code (byte) repeated} in {@code b[from, to)}, or {@code to}; see
   * {@link #indexOfLf}.
   */
  static int indexOf(byte[] b, int from, int to, long repeated) {
    int i = from;
    // Sixteen bytes per step, one branch for both words: most steps find nothing.
    for (; i + 16 <= to; i += 16) {
      long x = (long) LONGS.get(b, i) ^ repeated;
      long y = (long) LONGS.get(b, i + 8) ^ repeated;
      long fx = (x - ONES) & ~x & HIGHS;
      long fy = (y - ONES) & ~y & HIGHS;
      if ((fx | fy) != 0) {
        return fx != 0
            ? i + (Long.numberOfTrailingZeros(fx) >>> 3)
            : i + 8 + (Long.numberOfTrailingZeros(fy) >>> 3);
      }
    }
    for (; i + 8 <= to; i += 8) {
      long x = (long) LONGS.get(b, i) ^ repeated;
      long found = (x - ONES) & ~x & HIGHS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    byte target = (byte) repeated;
    for (; i < to; i++) {
      if (b[i] == target) {
        return i;
      }
    }
    return to;
  }

  /** Bodies line by line, as before the dot scan: the oracle the scan is tested against. */
  void lineByLine() {
    scanForDots = false;
  }

  /** The plain loop: the oracle for {@link #indexOfLf}. */
  static int indexOfLfLinear(byte[] b, int from, int to) {
    int i = from;
    while (i < to && b[i] != '\n') {
      i++;
    }
    return i;
  }

  /**
   * Waits the probe's grace for what follows {@code .\r}; if nothing comes, sends the probe once.
   * False at end of stream.
   */
  private boolean probeAfterGrace(DotCrProbe probe) throws FetchException {
    probe.readTimeout(probe.grace());
    try {
      return fill();
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
   * {@link #fill()} inside a body; a timeout there says what the stall looks like when it matches a
   * known server bug, so the person reading the error knows what to do.
   */
  private boolean fillInBody(int state, boolean afterDotLine) throws FetchException {
    try {
      return fill();
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
                Advice.tolerate(dev.mailfetch.pop3.Tolerance.CR_TERMINATOR))
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
      r = (r << 8 | (buf[i] & 0xFF)) & 0xFFFFFF;
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
                ? Advice.tolerate(dev.mailfetch.pop3.Tolerance.CR_TERMINATOR)
                : Advice.gluedTerminator())
        .withQuirk(quirk);
  }

  /**
   * The quirk (Q02 or Q03) that made the last body run into the next reply, its READ_ERROR, or
   * null.
   */
  public QuirkId lastBodyRanIntoReply() {
    return ranIntoReply;
  }

  private long emit(BodySink sink, int from, int to) {
    if (to <= from) {
      return 0;
    }
    view.clear();
    view.position(from);
    view.limit(to);
    sink.data(view);
    return (long) to - from;
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
