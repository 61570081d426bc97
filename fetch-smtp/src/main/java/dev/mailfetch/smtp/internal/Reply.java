package dev.mailfetch.smtp.internal;

import java.util.List;

/**
 * One reply of the server (RFC 5321 §4.2): its three-digit code and its lines' texts, without the
 * code and the separator.
 */
record Reply(int code, List<String> lines) {
  boolean positive() {
    return code >= 200 && code < 400;
  }

  boolean transient4xx() {
    return code >= 400 && code < 500;
  }

  boolean permanent5xx() {
    return code >= 500;
  }

  /** The reply as the server wrote its first line (the words quoted in an error). */
  String firstLine() {
    return code + " " + (lines.isEmpty() ? "" : lines.get(0));
  }

  /** The reply's lines as the server wrote them, one after another. */
  String text() {
    StringBuilder b = new StringBuilder();
    for (String l : lines) {
      if (b.length() > 0) {
        b.append(" / ");
      }
      b.append(code).append(' ').append(l);
    }
    return b.length() == 0 ? String.valueOf(code) : b.toString();
  }
}
