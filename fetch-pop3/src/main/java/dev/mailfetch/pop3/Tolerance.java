package dev.mailfetch.pop3;

import dev.mailfetch.api.QuirkId;

/**
 * A server misbehaviour the client accepts, by name. The reader is strict by default (CRLF line
 * ends, exact status indicators); each tolerance exists because a quirk of the catalogue ({@code
 * docs/quirks.md}) needs it, and names that quirk. Tolerances are chosen per source ({@code
 * Pop3Source.Builder.tolerate}).
 */
public enum Tolerance {
  /**
   * Bare LF ends a line, in status lines and bodies, and {@code .⏎} ends a body (quirk Q01,
   * Mailtrap.io). Off by default: accepting bare LF lets a server (or a man in the middle) split
   * lines where a strict reader would not, the SMTP-smuggling class of attack.
   */
  BARE_LF(QuirkId.Q01),
  /** Status indicators in any case: {@code +ok}, {@code -Err} (quirk Q13). */
  LOWERCASE_STATUS(QuirkId.Q13),
  /**
   * Empty lines where a status line is due are skipped, up to 100 before one reply (quirk Q11:
   * Office 365 sends one to three after DELE). An empty line and a lone '.' after a message (a
   * stray end marker) is not skipped: it cannot be told from a message's own lone '.' left
   * unescaped.
   */
  EMPTY_LINES(QuirkId.Q11),
  /**
   * A listing that is out of order is sorted, with a warning, instead of failing with WRONG_ORDER
   * (quirk Q29). Gmail failed such servers; tolerant fetchers sort.
   */
  UNORDERED_LISTING(QuirkId.Q29),
  /**
   * A body may end with {@code .\r} and no LF (quirk Q02, the Cyrus 3.4 POP3 backend). A status
   * line right after the CR proves where the message ended, as the next reply does for every
   * message: with pipelining it is the next command's reply; without, the client waits a grace (5
   * s, or half the read timeout if shorter), then sends one NOOP as a probe, and its reply decides
   * (a late LF is still read as the normal end). Without the tolerance such a message is READ_ERROR
   * while pipelining, or times out without, each naming Q02; it stays on the server.
   */
  CR_TERMINATOR(QuirkId.Q02);

  private final QuirkId quirk;

  Tolerance(QuirkId quirk) {
    this.quirk = quirk;
  }

  /** The quirk of the catalogue this tolerance accepts: what the command's --quirk names. */
  public QuirkId quirk() {
    return quirk;
  }
}
