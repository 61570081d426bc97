package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one session retrieved and what it marked for deletion, against servers that delete of their
 * own accord what was retrieved (quirk Q31). Two forms are met:
 *
 * <ul>
 *   <li>RETR marks the message deleted, QUIT removes it, and RSET undoes the mark (MercuryP). So a
 *       session that retrieved mail and marked none for deletion (leave-on-server, or nothing due
 *       yet) sends RSET before QUIT: RFC 1939 §5 has RSET unmark what is marked and nothing else,
 *       so on any other server it changes nothing. In delete mode the DELE of such a message is
 *       refused as "already deleted" (RFC 1939's own example answer): that is the deletion asked
 *       for, not a refusal, and is counted so.
 *   <li>The server removes at QUIT whatever was retrieved, and RSET does not help (Gmail's POP set
 *       to delete or archive). Nothing a client sends prevents it but ending without QUIT, which
 *       commits nothing (RFC 1939 §6). So a session that keeps mail and holds a message retrieved
 *       but not stored ends without QUIT: that message is then still on the server whatever kind
 *       the server is. The rest cannot be prevented, only said: where QUIT's answer says the server
 *       deleted more than was asked ("+OK Logging out, 2 messages deleted" after no DELE), the
 *       session warns (POLICY: keeping mail on this server cannot work), naming the messages. A
 *       server that says nothing (Gmail answers "Farewell") is found by {@code mailfetch doctor
 *       --deep} (RETR_REMOVES_MAIL).
 * </ul>
 */
final class RetrievedMarks {
  /** RFC 1939 §6's "-ERR message 2 already deleted", Dovecot's "Message is deleted.". */
  private static final Pattern ALREADY_DELETED =
      Pattern.compile("(?i)\\b(already|is|was|been|marked( as)?) (marked )?deleted\\b");

  /** "2 messages deleted", "messages deleted", "no messages deleted", "1 message expunged". */
  private static final Pattern QUIT_DELETED =
      Pattern.compile(
          "(?i)\\b(?:(\\d{1,9}|no)\\s+)?messages?\\s+(?:(?:were|have been)\\s+)?(?:deleted|expunged|removed)\\b");

  private final BitSet retrieved = new BitSet();
  private int marked;
  private boolean notStored;

  /** RETR of message {@code n} was answered {@code +OK}: the server may have marked it (Q31). */
  void retrieved(int n) {
    retrieved.set(n);
  }

  /** The server accepted a DELE (or, see {@link #alreadyDeleted}, had marked it already). */
  void marked() {
    marked++;
  }

  /**
   * The engine asked to keep messages that were retrieved but not stored ({@code
   * FetchSession.keep}).
   */
  void notStored() {
    notStored = true;
  }

  boolean anyRetrieved() {
    return !retrieved.isEmpty();
  }

  /** Whether RSET must precede QUIT: mail was retrieved and none marked for deletion. */
  boolean rsetBeforeQuit() {
    return marked == 0 && anyRetrieved();
  }

  /**
   * Whether the session must end without QUIT: it keeps mail (no deletion marked) and holds a
   * message retrieved but not stored, which a server that deletes what was retrieved would remove
   * at QUIT, RSET or not. Ending without QUIT commits nothing, and there is nothing to commit.
   */
  boolean endWithoutQuit() {
    return marked == 0 && notStored;
  }

  /**
   * Whether {@code r}, the {@code -ERR} to DELE of message {@code n}, says the message is marked
   * deleted already, by the RETR of this session: then the deletion asked for holds. A response
   * code (RFC 2449, 3206) is the server's own reason, never this.
   */
  boolean alreadyDeleted(int n, Reply r) {
    return retrieved.get(n) && r.code() == null && ALREADY_DELETED.matcher(r.text()).find();
  }

  /**
   * The warning for a QUIT answered {@code r} when the server says it deleted more than the {@code
   * marked} messages it was asked to, or null.
   */
  FetchException quitDeletedMore(String server, Reply r) {
    Matcher m = QUIT_DELETED.matcher(r.text());
    if (!m.find() || !anyRetrieved()) {
      return null;
    }
    String n = m.group(1);
    boolean more;
    if (n == null) {
      more = marked == 0; // "messages deleted", no number: more than none
    } else if (n.toLowerCase(Locale.ROOT).equals("no")) {
      more = false;
    } else {
      more = Long.parseLong(n) > marked;
    }
    if (!more) {
      return null;
    }
    List<Integer> numbers = new ArrayList<>();
    retrieved.stream().forEach(numbers::add);
    String asked =
        marked == 0
            ? "mailfetch, keeping mail on the server, asked it to delete none"
            : "mailfetch asked it to delete " + marked;
    return new FetchException(
        FetchError.POLICY,
        server
            + " says it deleted "
            + (n == null ? "messages" : n)
            + " when the session ended (its answer to QUIT: \""
            + FetchException.escape(r.line())
            + "\"), though "
            + asked
            + ": it removes retrieved mail by itself (quirk Q31). Of this session's "
            + ListingDisagreement.messages(numbers)
            + ", what was stored is safe here; on the server "
            + (numbers.size() == 1 ? "it is" : "they are")
            + " gone",
        null,
        null,
        Remedy.of(
            "Mail cannot be left on this server as it is set up: change the account's POP setting if it has one"
                + " (Gmail: \"When messages are accessed with POP\": keep the copy in the Inbox), or fetch with"
                + " --delete so that the run does what the server does anyway. mailfetch doctor --deep confirms it"
                + " (\"Retrieving a message removes it\").",
            "Mail cannot be left on this server as it is set up: change the account's POP setting if it has one"
                + " (Gmail: \"When messages are accessed with POP\": keep the copy in the Inbox), or use"
                + " Retention.DELETE_AFTER_DELIVERY so that the run does what the server does anyway. Pop3Doctor with"
                + " deep(true) confirms it (RETR_REMOVES_MAIL)."));
  }
}
