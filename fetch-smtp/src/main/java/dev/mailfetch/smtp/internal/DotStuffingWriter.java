package dev.mailfetch.smtp.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A message on its way out of DATA (RFC 5321 §4.5.2), the mirror of fetch-pop3's {@code
 * DotStuffedBody}: each line end (the sinks are handed LF) goes out as CRLF, a line that starts
 * with a dot gets a second one, and {@link #finish} ends the last line where the message did not
 * and adds the lone dot. A bare CR travels as it is: it ends no line on the wire. Runs of bytes
 * between line ends and leading dots are passed on in one write, never copied.
 *
 * <p>For BDAT (CHUNKING) nothing is stuffed and nothing is added ({@code stuff} false): only the
 * line ends become CRLF, so the size on the wire is the message's plus one byte per LF.
 */
public final class DotStuffingWriter extends FilterOutputStream {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] DOT = {'.'};
  private static final byte[] END = {'.', '\r', '\n'};

  private final boolean stuff;
  private boolean lineStart = true;
  private long written;

  /**
   * @param stuff whether to dot-stuff and end with the lone dot (DATA), or only make line ends CRLF
   *     (BDAT)
   */
  public DotStuffingWriter(OutputStream out, boolean stuff) {
    super(out);
    this.stuff = stuff;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    int run = off;
    int end = off + len;
    for (int i = off; i < end; i++) {
      byte c = b[i];
      if (lineStart && stuff && c == '.') {
        emit(b, run, i - run);
        emit(DOT, 0, 1); // the dot itself starts the next run
        run = i;
      }
      if (c == '\n') {
        emit(b, run, i - run);
        emit(CRLF, 0, 2);
        run = i + 1;
        lineStart = true;
      } else {
        lineStart = false;
      }
    }
    emit(b, run, end - run);
  }

  private void emit(byte[] b, int off, int len) throws IOException {
    if (len > 0) {
      out.write(b, off, len);
      written += len;
    }
  }

  /**
   * Ends the message: for DATA, a CRLF where the last line had none, then {@code .CRLF}; for BDAT
   * nothing. Flushes. Does not close the stream under it.
   *
   * @return whether a line end was added that the message did not have
   */
  public boolean finish() throws IOException {
    boolean added = false;
    if (stuff) {
      if (!lineStart) {
        emit(CRLF, 0, 2);
        added = true;
      }
      emit(END, 0, 3);
    }
    out.flush();
    return added;
  }

  /** The bytes passed on so far. */
  public long written() {
    return written;
  }

  @Override
  public void close() throws IOException {
    flush(); // the session's stream stays open
  }
}
