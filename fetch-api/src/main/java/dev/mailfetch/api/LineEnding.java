package dev.mailfetch.api;

/**
 * The line ends a {@link MessageSink} stores, and so the ones the engine hands it.
 *
 * <p>Mail travels with CRLF line ends (RFC 5322 §2.3, RFC 1939 §3); Unix mail tools (Maildir and
 * mbox readers, Dovecot, mutt) expect LF on disk. A source turns one into the other while it reads,
 * never in a second pass over the bytes.
 */
public enum LineEnding {
  /** As on the wire: the message's bytes exactly as the server sent them, unstuffed. */
  CRLF,
  /**
   * Unix: every CRLF of the message becomes LF. A CR not followed by LF, and an LF not preceded by
   * CR, are kept as they are.
   */
  LF
}
