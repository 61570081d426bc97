package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.Sizes;
import dev.mailfetch.pop3.Tolerance;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads what a POP3 server sends: status lines, listing lines, and dot-stuffed multi-line bodies
 * (RFC 1939 §3).
 *
 * <p><b>Buffers.</b> One buffer per connection, refilled in exactly one place ({@link #fill}).
 * Every line end is found by one search, {@link Bytes#indexOfLf}. A body is read out of the same
 * buffer by the reader's {@link DotStuffedBody}, which hands it to its sink as slices: no copy, no
 * object per line.
 *
 * <p><b>Modes and results.</b> {@link #replyMayFollow} and {@link #lineEndsToLf} are set by the
 * session around a batch and hold for every body of it; {@code lastBody…()} tell how the last body
 * ended. They stay fields, not a value per call, so that a body costs no allocation.
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

  private InputStream in;

  /** The read buffer, which {@link DotStuffedBody} reads bodies out of. */
  final byte[] buf;

  /** The next byte to consume; read and moved by {@link DotStuffedBody} too. */
  int pos;

  /** The end of what is buffered. */
  int lim;

  private long consumed;
  private final boolean bareLf;
  private final DotStuffedBody body;

  /**
   * Inside a body, or reading the replies of a batch of RETRs: a connection that ends here cuts a
   * message off (the code's own advice); anywhere else it gets advice of its own.
   */
  private boolean aboutMessages;

  private boolean replyMayFollow;
  private long deadline = Long.MAX_VALUE;
  private String doing = "reading";
  private boolean truncated;

  /** Whether bodies reach the sink with each CRLF made LF (for a sink that stores LF). */
  private boolean toLf;

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
    this.bareLf = bareLf;
    this.body = new DotStuffedBody(this, bareLf, crTerminator);
  }

  /** Whether the last body ended with {@code .\r} and no LF (quirk Q02, CR_TERMINATOR only). */
  public boolean lastBodyEndedAtCr() {
    return body.endedAtCr();
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
    return body.probed();
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
  public int discardBufferedLines(int maxLines, Consumer<String> each) {
    int dropped = 0;
    while (true) {
      int p = Bytes.indexOfLf(buf, pos, lim);
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
      if (Bytes.indexOfLf(buf, pos, lim) < lim || !fill()) {
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
   * stream. The one place the buffer is refilled, for lines and bodies alike.
   */
  boolean fill() throws FetchException {
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

  FetchException closed() {
    return new FetchException(
        FetchError.CONNECTION_RESET,
        "the server closed the connection while "
            + doing
            + " (after "
            + Sizes.size(consumed + lim)
            + ")",
        null,
        null,
        outsideAMessage());
  }

  /**
   * The advice for a connection that ended: the code's own (a message cut off) inside a body, else
   * its own.
   */
  private Remedy outsideAMessage() {
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
      int p = Bytes.indexOfLf(buf, pos + scanned, lim);
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
      int p = Bytes.indexOfLf(buf, pos, lim);
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
            Advice.tolerate(Tolerance.BARE_LF))
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
      return body.read(sink, max, probe, replyMayFollow, toLf);
    } finally {
      aboutMessages = was;
    }
  }

  /** Bodies line by line, as before the dot scan: the oracle the scan is tested against. */
  void lineByLine() {
    body.lineByLine();
  }

  /**
   * The quirk (Q02 or Q03) that made the last body run into the next reply, its READ_ERROR, or
   * null.
   */
  public QuirkId lastBodyRanIntoReply() {
    return body.ranIntoReply();
  }
}
