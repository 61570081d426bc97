package dev.mailfetch.api;

/**
 * How the engine keeps a session's mailbox mark in the {@link UidStore}: with the retention of the
 * run that kept it. A mark kept while mail stayed on the server says nothing of what a run that
 * deletes after delivery finds due (every message delivered before is due then, in a mailbox that
 * did not change), so such a run does not take that mark's shortcut; it lists once and keeps a mark
 * of its own. A mark kept by a deleting run serves a keeping run too: nothing was left to do then.
 */
final class KeptMark {
  /** Before the session's mark of a run that deleted after delivery. */
  static final String DELETING = "deleting ";

  private KeptMark() {}

  /** The mark to keep after a run that left nothing to do. */
  static String of(String sessionMark, boolean deletes) {
    return deletes ? DELETING + sessionMark : sessionMark;
  }

  /**
   * The session's mark in a kept one, if it may spare a run of this retention its listing; null if
   * not. A mark without the prefix was kept while keeping mail, or before the engine wrote the
   * prefix: either way a run that deletes lists once and keeps a mark of its own.
   */
  static String usable(String kept, Retention retention) {
    if (kept == null) {
      return null;
    }
    if (kept.startsWith(DELETING)) {
      return kept.substring(DELETING.length());
    }
    return Retention.KEEP.equals(retention) ? kept : null;
  }
}
