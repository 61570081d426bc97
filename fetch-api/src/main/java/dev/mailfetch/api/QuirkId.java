package dev.mailfetch.api;

import java.util.Locale;
import java.util.Optional;

/**
 * The catalogue of server quirks (docs/quirks.md): one name per behaviour of a real server that
 * breaks naive clients, shared by the client that tolerates it, the doctor that diagnoses it, the
 * testkit that plays it and the reports that name it. Reports and options spell an ID as its {@link
 * #name()} ({@code Q21}); {@link #parse} reads that spelling back.
 *
 * <p>The IDs are stable: a behaviour met later takes the next number, and a number is never reused.
 * The testkit's {@code Quirk} constants are the forms each ID takes on the wire ({@code
 * Q21_PIPELINING_DROPS_QUEUED}, {@code Q21_PIPELINING_STALLS}). IDs from {@code I01} on are IMAP
 * servers' behaviours, played by the testkit's {@code ImapQuirk} ({@code
 * I01_UNSOLICITED_EXPUNGE_DURING_FETCH}).
 */
public enum QuirkId {
  /** Line ends are bare LF (or mixed). */
  Q01("line ends are bare LF (or mixed)"),
  /** The end marker is a dot and a CR, with no LF. */
  Q02("the end marker is a dot and a CR, with no LF"),
  /** No line end before the end marker. */
  Q03("no line end before the end marker"),
  /** A lone dot inside a message is not escaped. */
  Q04("a lone dot inside a message is not escaped"),
  /** A leading dot inside a message is not escaped. */
  Q05("a leading dot inside a message is not escaped"),
  /** A status line over the limit. */
  Q06("a status line over the limit"),
  /** Very long body lines. */
  Q07("very long body lines"),
  /** NUL and 8-bit bytes. */
  Q08("NUL and 8-bit bytes"),
  /** Odd header sections. */
  Q09("odd header sections"),
  /** Replies arrive in small pieces. */
  Q10("replies arrive in small pieces"),
  /** Empty lines before a status line. */
  Q11("empty lines before a status line"),
  /** +OK without text. */
  Q12("+OK without text"),
  /** Status words in lower case. */
  Q13("status words in lower case"),
  /** Failures sent as +ERR. */
  Q14("failures sent as +ERR"),
  /** SASL challenges sent as +OK. */
  Q15("SASL challenges sent as +OK"),
  /** Junk after the greeting. */
  Q16("junk after the greeting"),
  /** A slow server. */
  Q17("a slow server"),
  /** A false APOP timestamp in the greeting. */
  Q18("a false APOP timestamp in the greeting"),
  /** CAPA refused, dropped or never answered. */
  Q19("CAPA refused, dropped or never answered"),
  /** CAPA before login is misleading. */
  Q20("CAPA before login is misleading"),
  /** PIPELINING advertised but broken. */
  Q21("PIPELINING advertised but broken"),
  /** A command split in pieces is taken as two. */
  Q22("a command split in pieces is taken as two"),
  /** STLS advertised but broken, or SNI required. */
  Q23("STLS advertised but broken, or SNI required"),
  /** No UIDL. */
  Q24("no UIDL"),
  /** Two messages share a UID. */
  Q25("two messages share a UID"),
  /** UIDs change between sessions. */
  Q26("UIDs change between sessions"),
  /** Odd UIDL lines. */
  Q27("odd UIDL lines"),
  /** Broken single-message LIST/UIDL forms. */
  Q28("broken single-message LIST/UIDL forms"),
  /** Message numbers with gaps, out of order or beyond STAT. */
  Q29("message numbers with gaps, out of order or beyond STAT"),
  /** DELE not honoured. */
  Q30("DELE not honoured"),
  /** RETR deletes or marks deleted by itself. */
  Q31("RETR deletes or marks deleted by itself"),
  /** LIST sizes that are not the real sizes. */
  Q32("LIST sizes that are not the real sizes"),
  /** TOP that does not work. */
  Q33("TOP that does not work"),
  /** RETR refused for a listed message. */
  Q34("RETR refused for a listed message"),
  /** QUIT without a proper answer. */
  Q35("QUIT without a proper answer"),
  /** Connection dropped during RETR. */
  Q36("connection dropped during RETR"),
  /** The mailbox is locked by another session. */
  Q37("the mailbox is locked by another session"),
  /** Logins allowed only every so often. */
  Q38("logins allowed only every so often"),
  /** The connection closed after a failed login. */
  Q39("the connection closed after a failed login"),
  /** Nothing allowed between USER and PASS. */
  Q40("nothing allowed between USER and PASS"),
  /** XOAUTH2 only in two steps. */
  Q41("XOAUTH2 only in two steps"),
  /** An OAuth failure sent as a continuation. */
  Q42("an OAuth failure sent as a continuation"),
  /** A short idle timeout. */
  Q43("a short idle timeout"),
  /** TOP and RETR headers differ. */
  Q44("TOP and RETR headers differ"),
  /** Gmail's POP view (at most 250, retrieved ones vanish). */
  Q45("Gmail's POP view (at most 250, retrieved ones vanish)"),
  /** A message arrives between listings. */
  Q46("a message arrives between listings"),
  /** A huge mailbox, or STAT refused. */
  Q47("a huge mailbox, or STAT refused"),
  /** UIDs taken from X-UIDL headers. */
  Q48("UIDs taken from X-UIDL headers"),
  /** Only proprietary login methods. */
  Q49("only proprietary login methods"),
  /** X- headers stripped. */
  Q50("X- headers stripped"),
  /** UIDs derived from message numbers. */
  Q51("UIDs derived from message numbers"),
  /** Unicode mail replaced by a notice without UTF8. */
  Q52("Unicode mail replaced by a notice without UTF8"),
  /** A listed message served empty. */
  Q53("a listed message served empty"),
  /** A refused password without a response code. */
  Q54("a refused password without a response code"),
  /** TOP adds an empty line. */
  Q55("TOP adds an empty line"),
  /** IN-USE answered for any login failure. */
  Q56("IN-USE answered for any login failure"),
  // IMAP servers (docs/quirks.md, "IMAP servers"): the testkit's ImapQuirk plays them.
  /** An EXPUNGE arrives in the middle of a FETCH. */
  I01("an EXPUNGE arrives in the middle of a FETCH"),
  /** A literal shorter or longer than announced. */
  I02("a literal shorter or longer than announced"),
  /** The body of a message deleted meanwhile. */
  I03("the body of a message deleted meanwhile"),
  /** FETCH responses out of UID order. */
  I04("FETCH responses out of UID order"),
  /** No UIDNEXT when a folder is selected. */
  I05("no UIDNEXT when a folder is selected"),
  /** Exchange's throttling NO. */
  I06("Exchange's throttling NO"),
  /** Gmail's command and bandwidth limits. */
  I07("Gmail's command and bandwidth limits"),
  /** IDLE dropped before 29 minutes. */
  I08("IDLE dropped before 29 minutes"),
  /** FETCH responses without their UID. */
  I09("FETCH responses without their UID"),
  /** UIDVALIDITY changes between sessions. */
  I10("UIDVALIDITY changes between sessions"),
  /** RFC822.SIZE differs from the body. */
  I11("RFC822.SIZE differs from the body"),
  /** FETCH items in an unexpected order. */
  I12("FETCH items in an unexpected order"),
  /** BYE on an inactivity timeout. */
  I13("BYE on an inactivity timeout"),
  /** NO [UNAVAILABLE] for a while. */
  I14("NO [UNAVAILABLE] for a while"),
  /** Capabilities change after login. */
  I15("capabilities change after login"),
  /** LIST with a NIL delimiter. */
  I16("LIST with a NIL delimiter"),
  /** Untagged OK [ALERT] at any time. */
  I17("untagged OK [ALERT] at any time"),
  /** SELECT without RECENT or FLAGS. */
  I18("SELECT without RECENT or FLAGS"),
  /** BODY.PEEK[] sets \Seen. */
  I19("BODY.PEEK[] sets \\Seen"),
  /** A message replaced by a retrieval-failed notice. */
  I20("a message replaced by a retrieval-failed notice"),
  /** No UIDPLUS (no UID EXPUNGE). */
  I21("no UIDPLUS (no UID EXPUNGE)"),
  /** No MOVE. */
  I22("no MOVE"),
  /** Too many simultaneous connections. */
  I23("too many simultaneous connections"),
  /** A web login required. */
  I24("a web login required"),
  /** Unsolicited FLAGS updates in a FETCH. */
  I25("unsolicited FLAGS updates in a FETCH"),
  /**
   * A message deleted meanwhile served as a notice: Courier-IMAP answers the FETCH of a message
   * whose file another program removed with OK and a message of its own ("This message is no longer
   * available on the server."), not the mail.
   */
  I26("a message deleted meanwhile served as a notice");

  private final String title;

  QuirkId(String title) {
    this.title = title;
  }

  /** What the server does, in a few words, for a report or a log line. */
  public String title() {
    return title;
  }

  /**
   * The ID a person typed ({@code Q21}, {@code q21}, {@code Q21_PIPELINING_STALLS}: what comes
   * after an underscore is a form of the ID and is ignored), or empty if it names none.
   */
  public static Optional<QuirkId> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String id = text.strip().toUpperCase(Locale.ROOT);
    int cut = id.indexOf('_');
    if (cut >= 0) {
      id = id.substring(0, cut);
    }
    for (QuirkId q : values()) {
      if (q.name().equals(id)) {
        return Optional.of(q);
      }
    }
    return Optional.empty();
  }
}
