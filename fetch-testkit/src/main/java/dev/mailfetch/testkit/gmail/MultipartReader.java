package dev.mailfetch.testkit.gmail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a {@code multipart/related} body (RFC 2046) part by part, streaming each part's content to
 * a consumer so a large message part is never held whole.
 */
final class MultipartReader {
  /** A body that is not the multipart it says it is: answered 400. */
  static final class Malformed extends IOException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }

  interface Content {
    void write(byte[] b, int off, int len) throws IOException;
  }

  private final InputStream in;
  private final byte[] delimiter;
  private final byte[] buf = new byte[64 * 1024];
  private int pos;
  private int lim;
  private boolean eof;
  private boolean finished;

  MultipartReader(InputStream in, String boundary) {
    this.in = in;
    this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    // The first delimiter needs no CRLF before it: pretend one was there.
    buf[0] = '\r';
    buf[1] = '\n';
    lim = 2;
  }

  /** The boundary parameter of a multipart Content-Type, or null. */
  static String boundary(String contentType) {
    if (contentType == null) {
      return null;
    }
    for (String param : contentType.split(";")) {
      String p = param.trim();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
        String b = p.substring("boundary=".length()).trim();
        if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
          b = b.substring(1, b.length() - 1);
        }
        return b.isEmpty() ? null : b;
      }
    }
    return null;
  }

  /** Skips to the first part; false where the body has no part at all. */
  boolean start() throws IOException {
    scan(null);
    return !finished;
  }

  /** The next part's header fields (lower-case names), or null after the last part. */
  Map<String, String> headers() throws IOException {
    if (finished) {
      return null;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    while (true) {
      String line = line();
      if (line.isEmpty()) {
        return headers;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
  }

  /** Streams the current part's content to {@code out}, up to the next delimiter. */
  void content(Content out) throws IOException {
    scan(out);
  }

  private void scan(Content out) throws IOException {
    while (true) {
      int found = indexOf(delimiter, pos, lim);
      if (found >= 0) {
        if (out != null) {
          out.write(buf, pos, found - pos);
        }
        pos = found + delimiter.length;
        afterDelimiter();
        return;
      }
      int keep = Math.min(delimiter.length - 1, lim - pos);
      int emit = lim - pos - keep;
      if (out != null && emit > 0) {
        out.write(buf, pos, emit);
      }
      pos += emit;
      if (eof) {
        throw new Malformed("multipart body ends before its closing delimiter");
      }
      fill();
    }
  }

  private void afterDelimiter() throws IOException {
    ensure(2);
    if (lim - pos >= 2 && buf[pos] == '-' && buf[pos + 1] == '-') {
      finished = true;
      in.transferTo(OutputStream.nullOutputStream()); // the epilogue
      return;
    }
    line(); // transport padding up to the CRLF
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= lim) {
        if (eof) {
          throw new Malformed("multipart body ends inside a part header");
        }
        fill();
        continue;
      }
      byte b = buf[pos++];
      if (b == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      if (sb.length() > 8192) {
        throw new Malformed("multipart part header line longer than 8192 bytes");
      }
      sb.append((char) (b & 0xff));
    }
  }

  private void ensure(int n) throws IOException {
    while (lim - pos < n && !eof) {
      fill();
    }
  }

  private void fill() throws IOException {
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
    }
    int n = in.read(buf, lim, buf.length - lim);
    if (n < 0) {
      eof = true;
    } else {
      lim += n;
    }
  }

  private int indexOf(byte[] needle, int from, int to) {
    outer:
    for (int i = from; i + needle.length <= to; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (buf[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
