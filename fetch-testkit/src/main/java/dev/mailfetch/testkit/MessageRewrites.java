package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.Q44_TOP_RETR_HEADERS_DIFFER;
import static dev.mailfetch.testkit.Quirk.Q50_DROPS_ATTACHMENTS;
import static dev.mailfetch.testkit.Quirk.Q50_STRIPS_X_HEADERS;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What servers do to a message on its way out (Q44, Q50, Q53, Q55), and the header reading the fake
 * server needs (TOP's end, Q48's X-UIDL), as functions of the bytes.
 */
final class MessageRewrites {
  private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";\r\n]+)\"?");

  private MessageRewrites() {}

  /**
   * The message as a server with {@code quirks} hands it out: without X- headers (Q50), without its
   * attachments (Q50), with a trace field that differs at each fetch (Q44; {@code fetch} counts
   * from 1).
   */
  static byte[] served(byte[] content, Set<Quirk> quirks, int fetch) {
    byte[] c = content;
    if (quirks.contains(Q50_STRIPS_X_HEADERS)) {
      c = stripHeaders(c);
    }
    if (quirks.contains(Q50_DROPS_ATTACHMENTS)) {
      c = firstPartOnly(c);
    }
    if (quirks.contains(Q44_TOP_RETR_HEADERS_DIFFER)) {
      c = withTrace(c, fetch);
    }
    return c;
  }

  /** The message with a {@code Received:} trace field of fetch {@code id} in front (Q44). */
  static byte[] withTrace(byte[] c, int id) {
    byte[] trace =
        ("Received: by fake.invalid with POP3 id " + id + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] both = new byte[trace.length + c.length];
    System.arraycopy(trace, 0, both, 0, trace.length);
    System.arraycopy(c, 0, both, trace.length, c.length);
    return both;
  }

  /** A message whose header is only {@code X-UIDL} and whose body is empty (Q53). */
  static byte[] emptyWithUid(String uid) {
    return ("X-UIDL: " + uid + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * The message with one more empty line after the empty line that ends its header section (Q55).
   */
  static byte[] withEmptyLineAfterHeader(byte[] content) {
    int header = topEnd(content, 0);
    byte[] more = new byte[content.length + 2];
    System.arraycopy(content, 0, more, 0, header);
    more[header] = '\r';
    more[header + 1] = '\n';
    System.arraycopy(content, header, more, header + 2, content.length - header);
    return more;
  }

  /** Where the header section, the empty line and {@code lines} body lines end. */
  static int topEnd(byte[] c, int lines) {
    int p = 0;
    boolean inHeaders = true;
    int bodyLines = 0;
    int lineStart = 0;
    while (p < c.length) {
      if (c[p] == '\n') {
        boolean empty = p - lineStart == 0 || (p - lineStart == 1 && c[lineStart] == '\r');
        p++;
        if (inHeaders) {
          if (empty) {
            inHeaders = false;
            if (lines == 0) {
              return p;
            }
          }
        } else if (++bodyLines >= lines) {
          return p;
        }
        lineStart = p;
      } else {
        p++;
      }
    }
    return c.length;
  }

  /** The value of the first header field {@code name}, or null. */
  static String header(byte[] c, String name) {
    String text = new String(c, 0, Math.min(c.length, 64 * 1024), StandardCharsets.ISO_8859_1);
    for (String line : text.split("\r?\n")) {
      if (line.isEmpty()) {
        return null;
      }
      if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
        return line.substring(name.length() + 1).strip();
      }
    }
    return null;
  }

  /** The message without its X- and Resent- header fields (and their folded lines). */
  static byte[] stripHeaders(byte[] c) {
    ByteArrayOutputStream o = new ByteArrayOutputStream(c.length);
    int p = 0;
    boolean dropping = false;
    while (p < c.length) {
      int e = p;
      while (e < c.length && c[e] != '\n') {
        e++;
      }
      e = Math.min(c.length, e + 1);
      String line = new String(c, p, e - p, StandardCharsets.ISO_8859_1);
      if (line.equals("\r\n") || line.equals("\n")) {
        o.write(c, p, c.length - p);
        return o.toByteArray();
      }
      boolean continuation = line.startsWith(" ") || line.startsWith("\t");
      if (!continuation) {
        String lower = line.toLowerCase(Locale.ROOT);
        dropping = lower.startsWith("x-") || lower.startsWith("resent-");
      }
      if (!dropping) {
        o.write(c, p, e - p);
      }
      p = e;
    }
    return o.toByteArray();
  }

  /** A multipart message cut after its first part, closed properly. */
  static byte[] firstPartOnly(byte[] c) {
    String text = new String(c, StandardCharsets.ISO_8859_1);
    Matcher m = BOUNDARY.matcher(text);
    if (!m.find()) {
      return c;
    }
    String delimiter = "\r\n--" + m.group(1);
    int first = text.indexOf(delimiter);
    int second = first < 0 ? -1 : text.indexOf(delimiter, first + delimiter.length());
    if (second < 0) {
      return c;
    }
    return (text.substring(0, second) + delimiter + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }
}
