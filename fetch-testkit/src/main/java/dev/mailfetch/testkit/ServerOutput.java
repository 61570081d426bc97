package dev.mailfetch.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;

/**
 * Everything a session sends goes through here, so that segmentation, trickling and "close at byte
 * N" apply to all of it alike, greeting and bodies included.
 */
final class ServerOutput {
  /** Thrown when a fault ends the session on purpose. */
  static final class SessionEnded extends IOException {
    private static final long serialVersionUID = 1L;

    SessionEnded(String why) {
      super(why);
    }
  }

  private final Socket socket;
  private OutputStream out;
  private final Segmentation segmentation;
  private final long closeAt;
  private final boolean resetAtByte;
  private final int trickleBytes;
  private final long trickleNanos;
  private long written;

  ServerOutput(
      Socket socket,
      OutputStream out,
      Segmentation segmentation,
      long closeAt,
      boolean resetAtByte,
      int trickleBytes,
      Duration tricklePeriod) {
    this.socket = socket;
    this.out = out;
    this.segmentation = segmentation;
    this.closeAt = closeAt;
    this.resetAtByte = resetAtByte;
    this.trickleBytes = trickleBytes;
    this.trickleNanos = tricklePeriod == null ? 0 : tricklePeriod.toNanos();
  }

  void switchTo(OutputStream tlsOut) {
    this.out = tlsOut;
  }

  long written() {
    return written;
  }

  void write(byte[] b) throws IOException {
    write(b, 0, b.length);
  }

  void write(byte[] b, int off, int len) throws IOException {
    int end = off + len;
    int start = off;
    for (int i = off; i < end; i++) {
      if (cutBefore(b, i, off)) {
        emit(b, start, i - start);
        start = i;
      }
    }
    emit(b, start, end - start);
  }

  private boolean cutBefore(byte[] b, int i, int off) {
    switch (segmentation) {
      case EVERY_BYTE:
        return i > off;
      case AT_CRLF:
        return i > off && b[i] == '\n' && b[i - 1] == '\r';
      case AT_DOT:
        return i > off && b[i] == '.';
      default:
        return false;
    }
  }

  /** Writes one segment (flushed on its own), honouring trickle and the byte fault. */
  private void emit(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n = len;
      if (trickleBytes > 0) {
        n = Math.min(n, trickleBytes);
      }
      if (closeAt >= 0 && written + n >= closeAt) {
        n = (int) (closeAt - written);
        out.write(b, off, n);
        out.flush();
        written += n;
        endAbruptly(resetAtByte, "fault at byte " + closeAt);
      }
      out.write(b, off, n);
      out.flush();
      written += n;
      off += n;
      len -= n;
      if (trickleBytes > 0 && len > 0) {
        pause(trickleNanos);
      }
    }
  }

  void flush() throws IOException {
    out.flush();
  }

  /** Ends the session now: a FIN, or with {@code reset} an RST. */
  void endAbruptly(boolean reset, String why) throws IOException {
    if (reset) {
      socket.setSoLinger(true, 0); // closing with linger 0 sends RST
    }
    socket.close();
    throw new SessionEnded(why);
  }

  static void pause(long nanos) throws IOException {
    if (nanos <= 0) {
      return;
    }
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SessionEnded("server stopped");
    }
  }
}
