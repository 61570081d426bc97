package dev.mailfetch.api;

import dev.mailfetch.api.internal.Sizes;

/**
 * What a run says of deletions the server refused (DELE) or did not confirm (QUIT): {@link
 * FetchError#DELETION_UNCONFIRMED} warnings that carry the server's own words where it gave some
 * ({@link FetchSession#lastRefusal()}), as every failure with a server reply does ({@code … (server
 * said: "…")}), and advice that fits: to quote what it said, or, where it said nothing, what the
 * trace shows.
 */
final class DeletionWords {
  private static final String NOTHING_LOST =
      "Nothing is lost and nothing is fetched twice: the messages are stored,"
          + " and the next run asks the server again to delete them. If it happens at every run, ask the provider";
  private static final Remedy QUOTE =
      Remedy.of(NOTHING_LOST + " about it, quoting what the server said.");
  private static final Remedy TRACE =
      Remedy.of(
          NOTHING_LOST
              + ", with what --trace shows of the session's end: the server gave no reason.",
          NOTHING_LOST
              + ", with what the protocol trace (for POP3, the dev.mailfetch.pop3.trace logger) shows of the"
              + " session's end: the server gave no reason.");

  private DeletionWords() {}

  /**
   * The session's last refusal as it stands, or null; a source that fails to say is taken as
   * silent.
   */
  static String lastRefusal(FetchSession session) {
    try {
      return session.lastRefusal().orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The words of a refusal that came after {@code earlier} (what {@link #lastRefusal} gave before
   * the step), or null: a step that got no words (a QUIT whose connection broke) leaves the last
   * refusal as it was, and another step's words are never quoted for this one. (A server that says
   * exactly the same twice is then quoted once, which costs a quote, never a wrong one.)
   */
  static String since(String earlier, FetchSession session) {
    String now = lastRefusal(session);
    return now != null && !now.equals(earlier) ? now : null;
  }

  /** DELE refused for {@code refused} messages, the first of them {@code first}. */
  static FetchException refused(int refused, MessageRef first, String words) {
    return new FetchException(
        FetchError.DELETION_UNCONFIRMED,
        "the server refused to delete "
            + (refused == 1
                ? "message " + FetchRun.describe(first)
                : refused + " messages (the first: " + FetchRun.describe(first) + ")")
            + "; "
            + (refused == 1 ? "it is" : "they are")
            + " stored, and stay"
            + (refused == 1 ? "s" : "")
            + " on the server until a later run deletes "
            + (refused == 1 ? "it" : "them"),
        words,
        null,
        words == null ? TRACE : QUOTE);
  }

  /** QUIT not confirmed, with {@code marked} messages marked for deletion. */
  static FetchException unconfirmed(int marked, String words) {
    return new FetchException(
        FetchError.DELETION_UNCONFIRMED,
        "the server did not confirm the end of the session"
            + " (QUIT), so the "
            + Sizes.count(marked, "message")
            + " marked for deletion may still"
            + " be on it; "
            + (marked == 1 ? "it is" : "they are")
            + " stored, and the next run deletes "
            + (marked == 1 ? "it" : "them")
            + " again if still there",
        words,
        null,
        words == null ? TRACE : QUOTE);
  }
}
