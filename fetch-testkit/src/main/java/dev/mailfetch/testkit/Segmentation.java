package dev.mailfetch.testkit;

/**
 * How a {@link FakePop3Server} cuts what it sends into writes, each flushed on its own (with {@code
 * TCP_NODELAY}, so each is its own TCP segment or TLS record): a client's reader must give the same
 * result whatever the cuts. Quirk Q10 (plala.or.jp split responses at arbitrary bytes).
 */
public enum Segmentation {
  /** Each reply in one write. */
  WHOLE,
  /** Every byte in its own write. */
  EVERY_BYTE,
  /** A cut between every CR and the LF after it. */
  AT_CRLF,
  /** A cut before every '.', so a dot-stuffed line or the terminator arrives split. */
  AT_DOT
}
