package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.imap.ImapLimits;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads the server's responses, each within its caps and deadline: a line without end is cut off at
 * {@link ImapLimits#maxLineBytes()} with a typed error, a literal is streamed to a consumer (a
 * message body) or kept inline only while small, and every read waits no longer than the read
 * timeout and the command's own deadline, whichever comes first.
 */
final class ImapReader {
  /** Sets the wait of the next read (a socket's SO_TIMEOUT). */
  @FunctionalInterface
  interface ReadTimeout {
    void set(int millis) throws IOException;
  }

  private final ImapLimits limits;
  private final String server;
  private ReadTimeout timeout;
  private InputStream in;
  private final byte[] buf = new byte[16 * 1024];
  private int pos;
  private int lim;

  private final ImapAdvice advice;

  ImapReader(ReadTimeout timeout, InputStream in, ImapLimits limits, String server) {
    this(timeout, in, limits, server, ImapAdvice.DESTINATION);
  }

  ImapReader(
      ReadTimeout timeout, InputStream in, ImapLimits limits, String server, ImapAdvice advice) {
    this.timeout = timeout;
    this.in = in;
    this.limits = limits;
    this.server = server;
    this.advice = advice;
  }

  /**
   * Reads from {@code next} (the TLS socket) from now on.
   *
   * @return how many bytes were buffered and dropped: bytes that came before TLS began cannot be
   *     trusted (the STARTTLS injection attack)
   */
  int switchTo(Socket next, InputStream nextIn) {
    int dropped = lim - pos;
    pos = lim = 0;
    timeout = next::setSoTimeout;
    in = nextIn;
    return dropped;
  }

  /** Bytes already received and not yet read (which a STARTTLS reply must not be followed by). */
  int buffered() {
    return lim - pos;
  }

  /**
   * The next response, by {@code deadline} ({@link System#nanoTime()}); the literals of a message
   * section ({@code BODY[...]}, {@code BINARY[...]}, {@code RFC822}) go to {@code body} where it is
   * not null.
   */
  ImapLine read(long deadline, LiteralConsumer body) throws FetchException {
    byte[] line = new byte[256];
    int len = 0;
    int counted = 0; // bytes counted against maxLineBytes
    while (true) {
      int b = next(deadline);
      if (b == '\n') {
        int end = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
        long size = literalAt(line, end);
        if (size < 0) {
          return ImapLine.of(new String(line, 0, end, StandardCharsets.ISO_8859_1));
        }
        String before = new String(line, 0, end, StandardCharsets.ISO_8859_1);
        if (size > limits.maxLiteralBytes()) {
          throw ImapFailures.literalTooBig(server, size, limits, advice);
        }
        if (body != null && isBodySection(before)) {
          stream(before, size, deadline, body);
          // The bytes went to the consumer: the line keeps an empty literal where they were.
          int brace = before.lastIndexOf('{');
          byte[] marker = "{0}\r\n".getBytes(StandardCharsets.ISO_8859_1);
          len = brace;
          line = ensure(line, len + marker.length);
          System.arraycopy(marker, 0, line, len, marker.length);
          len += marker.length;
          continue;
        }
        if (counted + size > limits.maxLineBytes()) {
          throw ImapFailures.lineTooLong(server, limits, advice);
        }
        line = ensure(line, len + 1 + (int) size);
        line[len++] = '\n';
        for (long k = 0; k < size; k++) {
          line[len++] = (byte) next(deadline);
        }
        counted += (int) size;
        continue;
      }
      if (++counted > limits.maxLineBytes()) {
        throw ImapFailures.lineTooLong(server, limits, advice);
      }
      line = ensure(line, len + 1);
      line[len++] = (byte) b;
    }
  }

  private void stream(String before, long size, long deadline, LiteralConsumer body)
      throws FetchException {
    long left = size;
    try {
      body.begin(before);
      while (left > 0) {
        if (pos == lim) {
          fill(deadline);
        }
        int n = (int) Math.min(left, lim - pos);
        body.accept(ByteBuffer.wrap(buf, pos, n).asReadOnlyBuffer());
        pos += n;
        left -= n;
      }
      body.end(size);
    } catch (FetchException e) {
      throw e;
    } catch (IOException e) {
      throw ImapFailures.consumerFailed(server, e);
    }
  }

  /** The size of the literal {@code {n}} (or {@code ~{n}}) that ends line[0, end), else -1. */
  static long literalAt(byte[] line, int end) {
    if (end < 3 || line[end - 1] != '}') {
      return -1;
    }
    int i = end - 2;
    if (line[i] == '+') { // a client's form; servers do not send it, read it alike
      i--;
    }
    int digitsEnd = i + 1;
    while (i >= 0 && line[i] >= '0' && line[i] <= '9') {
      i--;
    }
    if (i < 0 || line[i] != '{' || digitsEnd - i - 1 == 0 || digitsEnd - i - 1 > 18) {
      return -1;
    }
    return Long.parseLong(new String(line, i + 1, digitsEnd - i - 1, StandardCharsets.US_ASCII));
  }

  private static boolean isBodySection(String before) {
    String b = before.substring(0, before.lastIndexOf('{')).stripTrailing();
    if (b.endsWith("~")) {
      b = b.substring(0, b.length() - 1).stripTrailing();
    }
    return b.endsWith("]") || b.toUpperCase(Locale.ROOT).endsWith("RFC822");
  }

  /**
   * Waits until a response begins to arrive, at most until {@code until} ({@link
   * System#nanoTime()}): while IDLE waits, silence is what the server owes, not a failure.
   *
   * @return false if nothing came by then
   * @throws FetchException if the connection ended
   */
  boolean awaitData(long until) throws FetchException {
    while (pos == lim) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      int n;
      try {
        timeout.set((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
        n = in.read(buf, 0, buf.length);
      } catch (SocketTimeoutException e) {
        continue; // a socket wakes a little early at times: the loop looks at the clock again
      } catch (IOException e) {
        throw ImapFailures.closed(server, e);
      }
      if (n < 0) {
        throw ImapFailures.closed(server, null);
      }
      pos = 0;
      lim = n;
    }
    return true;
  }

  private static byte[] ensure(byte[] a, int need) {
    return need <= a.length ? a : Arrays.copyOf(a, Math.max(need, a.length * 2));
  }

  private int next(long deadline) throws FetchException {
    if (pos == lim) {
      fill(deadline);
    }
    return buf[pos++] & 0xff;
  }

  private void fill(long deadline) throws FetchException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw ImapFailures.commandTimedOut(server, limits, advice);
    }
    long readMillis = limits.readTimeout().toMillis();
    boolean deadlineFirst = left / 1_000_000 < readMillis;
    int n;
    try {
      timeout.set((int) Math.max(1, Math.min(readMillis, left / 1_000_000)));
      n = in.read(buf, 0, buf.length);
    } catch (SocketTimeoutException e) {
      throw deadlineFirst
          ? ImapFailures.commandTimedOut(server, limits, advice)
          : ImapFailures.silent(server, limits, advice);
    } catch (IOException e) {
      throw ImapFailures.closed(server, e);
    }
    if (n < 0) { // thrown outside the try: a FetchException is an IOException, said once
      throw ImapFailures.closed(server, null);
    }
    pos = 0;
    lim = n;
  }
}
