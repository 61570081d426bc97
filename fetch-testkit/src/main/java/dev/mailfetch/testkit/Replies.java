package dev.mailfetch.testkit;

import java.io.IOException;
import java.util.List;

/**
 * Writes a session's replies in its {@link Dialect}, each reply one write to the {@link
 * ServerOutput}, so that segmentation and byte faults see replies as a client would.
 */
final class Replies {
  private final ServerOutput out;
  private final Dialect dialect;

  Replies(ServerOutput out, Dialect dialect) {
    this.out = out;
    this.dialect = dialect;
  }

  Dialect dialect() {
    return dialect;
  }

  /** Where the bytes go, for what is not a reply line (scripted bytes, bodies, faults). */
  ServerOutput out() {
    return out;
  }

  /** One status or continuation line, with this server's line end. */
  void line(String line) throws IOException {
    out.write(dialect.line(line));
  }

  /** A status line and its lines, ended by the terminator. */
  void multiline(String status, List<String> lines) throws IOException {
    out.write(dialect.multiline(status, lines));
  }

  void ok(String text) throws IOException {
    line(dialect.ok(text));
  }

  void err(String text) throws IOException {
    line(dialect.err(text));
  }

  void err(String code, String text) throws IOException {
    line(dialect.err(code, text));
  }
}
