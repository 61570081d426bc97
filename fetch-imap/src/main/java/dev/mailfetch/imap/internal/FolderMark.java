package dev.mailfetch.imap.internal;

/**
 * What a mailbox mark says of one folder: its {@code STATUS} when the mark was made. Every message
 * that arrived since has a UID at or above {@code next} (UIDs are assigned ascending, RFC 9051
 * §2.3.1.1); so when the folder now holds exactly {@code messages} below it, none of those left.
 */
record FolderMark(long validity, long next, long messages) {
  /** Whether {@code f}'s STATUS now is this mark's: nothing arrived, nothing left. */
  boolean unchanged(SourceFolder f) {
    return f.statusValidity == validity && f.statusNext == next && f.statusMessages == messages;
  }

  /**
   * Whether {@code f}'s STATUS now allows an incremental listing: the same UIDVALIDITY, UIDNEXT not
   * lower, and no fewer messages than arrivals could explain (more messages than UIDs assigned
   * since, or fewer than at the mark, mean something left or the numbers lie).
   */
  boolean allowsIncrement(SourceFolder f) {
    return f.statusValidity == validity
        && f.statusNext >= next
        && f.statusMessages >= messages
        && f.statusMessages - messages <= f.statusNext - next;
  }
}
