package dev.mailfetch.testkit.imap;

/**
 * One session's view of the server's {@link ImapQuirk}s: which are on, and the counts the ones that
 * bite once need (the first session, the first fetch of bodies).
 */
final class ImapQuirkPlay {
  private final ImapSettings settings;
  private final int session;
  private int bodyFetches;
  private boolean lied;

  ImapQuirkPlay(ImapSettings settings, int session) {
    this.settings = settings;
    this.session = session;
  }

  boolean has(ImapQuirk q) {
    return settings.has(q);
  }

  /** Whether {@code q} is on and this is the first session (quirks that bite once). */
  boolean inFirstSession(ImapQuirk q) {
    return session == 1 && settings.has(q);
  }

  boolean firstSession() {
    return session == 1;
  }

  /** I02: whether this literal is the one to lie about (the first of the first session). */
  boolean lieOnce() {
    if (lied
        || session != 1
        || (!has(ImapQuirk.I02_LITERAL_SHORTER_THAN_ANNOUNCED)
            && !has(ImapQuirk.I02_LITERAL_LONGER_THAN_ANNOUNCED))) {
      return false;
    }
    lied = true;
    return true;
  }

  /** Counts a FETCH that asks for bodies; whether it is the session's first. */
  boolean firstBodyFetch() {
    return ++bodyFetches == 1;
  }
}
