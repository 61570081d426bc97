package dev.mailfetch.api;

import java.util.Set;

/**
 * A source whose server may renumber a mailbox's messages as a whole: an IMAP folder whose {@code
 * UIDVALIDITY} changed, so that every message in it has a new unique id. The engine then recognises
 * the messages it delivered under their old ids by their header fingerprint (as it does for a POP3
 * server that changed its UIDs, quirk Q26, but without guessing whether a migration happened: the
 * source knows), fetches none of them again, and says what happened in a warning.
 *
 * <p>An optional ability of a session ({@link FetchSession#renumbering()}), known once the session
 * has listed.
 */
public interface Renumbering {
  /**
   * Of the ids the state holds that the listing did not list, those whose mailbox the server has
   * renumbered since they were listed (IMAP: the same folder, listed now under another {@code
   * UIDVALIDITY}).
   *
   * <p><b>Deadline:</b> none needed: decided from the listing, answered at once.
   */
  Set<String> renumbered(Set<String> gone);

  /**
   * The mailbox an id belongs to, in words for a person ({@code folder INBOX, UIDVALIDITY now
   * 1733500000}), so the warning names what was renumbered.
   *
   * <p><b>Deadline:</b> none needed: answered at once.
   */
  String mailboxOf(String uid);
}
