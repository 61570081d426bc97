package dev.mailfetch.testkit.imap;

import dev.mailfetch.api.QuirkId;

/**
 * The real-world IMAP server behaviours of the catalogue ({@code docs/quirks.md}, "IMAP servers",
 * I01 on), each a named behaviour a {@link FakeImapServer} takes on with {@link
 * FakeImapServer.Builder#quirk}. They compose. Where an entry has several forms, each form is its
 * own constant named after the entry. The Javadoc of each says what the server sends and who did
 * it; {@code ImapQuirkTest} in the testkit proves the bytes, and the IMAP source's {@code
 * ImapSourceQuirkTest} the client's outcome, each with a test named after the ID.
 */
public enum ImapQuirk {
  /**
   * In the answer to the first UID FETCH of bodies, after the first message, the server sends
   * {@code * n EXPUNGE} for the last message of the folder (another session expunged it): the
   * sequence numbers of later messages shift. RFC 3501 §7.4.1 forbids it during FETCH, allows it
   * during UID FETCH; hMailServer renumbered mid-FETCH (hmailserver#458).
   */
  I01_UNSOLICITED_EXPUNGE_DURING_FETCH,
  /**
   * The first BODY[] literal announces two octets more than it sends (the rest of the response
   * follows at once): the client must not read into the next response as if it were the body. A
   * hostile or broken server; the size mismatch of hMailServer (hmailserver#476) carried into the
   * literal.
   */
  I02_LITERAL_SHORTER_THAN_ANNOUNCED,
  /** The first BODY[] literal sends two octets more than it announces, before the {@code )}. */
  I02_LITERAL_LONGER_THAN_ANNOUNCED,
  /**
   * The first message whose body is fetched was expunged by another session meanwhile, and the
   * fetch is answered {@code NO [EXPUNGEISSUED]} (RFC 5530; RFC 2180 §4.1.2). Dovecot.
   */
  I03_FETCH_EXPUNGED_NO,
  /**
   * As I03, answered {@code * n FETCH (UID u BODY[] NIL)} and OK (RFC 2180 §4.1.3). Servers that
   * cache metadata and fail the body (go-imap#318 on Dovecot). Not Cyrus 3.6, which answers with
   * the EMPTY form (observed: {@code ImapSourceCyrusTest}).
   */
  I03_FETCH_EXPUNGED_NIL,
  /**
   * As I03, answered OK without any FETCH response (RFC 2180 §4.1.1, the UID is simply gone).
   * Gmail, Exchange; offlineimap's "server does not have a message with UID"; Cyrus 3.6, which
   * sends the message's {@code * n EXPUNGE} first (observed: {@code ImapSourceCyrusTest}).
   */
  I03_FETCH_EXPUNGED_EMPTY,
  /**
   * FETCH responses come in descending order, not the order of the UIDs. Exchange; RFC 9051 §7.5.2
   * promises no order (chatmail/core#4842: "no guarantee that the message with the highest sequence
   * number has the highest UID").
   */
  I04_UIDS_OUT_OF_ORDER,
  /**
   * SELECT and EXAMINE give no {@code [UIDNEXT]} (STATUS does). Winmail Pro 5.1
   * (modern-email/defects#43), mail.163.com (chatmail/core#5049), Dreamhost (nylas/sync-engine#76),
   * Courier-IMAP 5.0.13 (observed: {@code ImapSourceCourierTest}).
   */
  I05_NO_UIDNEXT,
  /**
   * The first UID FETCH of bodies in a session is answered {@code NO Request is throttled.
   * Suggested Backoff Time: 500 milliseconds}. Office 365 / Exchange Online (imapsync FAQ,
   * imap_tools#135).
   */
  I06_EXCHANGE_THROTTLED,
  /**
   * Every tagged OK carries {@code [THROTTLED]} ({@code OK Success [THROTTLED]}): Gmail slowing a
   * busy account (node-imap#593, MailKit#1396).
   */
  I07_GMAIL_THROTTLED,
  /**
   * The first UID FETCH of bodies is answered {@code NO [OVERQUOTA] Account exceeded command or
   * bandwidth limits. (Failure)} (ha-email-sensor#16); Google's 2,500 MB a day of IMAP downloads.
   */
  I07_GMAIL_BANDWIDTH_EXCEEDED,
  /**
   * IDLE is ended by closing the connection without a word after {@link
   * FakeImapServer.Builder#dropIdleAfter} (1 s unless set), long before RFC 2177's 29 minutes:
   * Yandex after 6 to 10 minutes (imapclient#234), mailbox.org after about 23 (chatmail/core#5093),
   * Gmail (node-imap#125), NAT gateways.
   */
  I08_IDLE_DROPPED_SILENTLY,
  /**
   * As I08, with {@code * BYE Session expired, please login again.} before the close: Gmail's words
   * (emailjs-imap-client#142); Dovecot says {@code * BYE IMAP server shutting down} (NotiMail#4),
   * Office 365 {@code * BYE Connection is closed. 13} (node-imap#561).
   */
  I08_IDLE_BYE,
  /**
   * FETCH responses carry UID only when the client named UID among the items, also in answer to UID
   * FETCH, which RFC 3501 §6.4.8 forbids. Servers and proxies that nextcloud/mail#13507 and
   * turbogmailify#3 work around.
   */
  I09_FETCH_WITHOUT_UID,
  /**
   * Every session after the first sees a new UIDVALIDITY for every folder and new UIDs for the same
   * messages: Dovecot recreating {@code dovecot-uidlist} after files were removed behind its back
   * (chatmail/relay#374), mbox and migration cases (Dovecot wiki "MboxProblems",
   * thunderbird-android#1074); Courier-IMAP 5.0.13 for a Maildir it never opened read-write: with
   * no {@code courierimapuiddb} yet, each EXAMINE or STATUS session numbers it afresh under the
   * time in seconds (observed: {@code ImapSourceCourierTest}).
   */
  I10_UIDVALIDITY_CHANGES_EACH_SESSION,
  /**
   * RFC822.SIZE is 29 octets more than BODY[] (headers added at delivery not counted in the body,
   * or the other way round). hMailServer 5.6.8 (hmailserver#476), WildDuck (wildduck#536).
   */
  I11_SIZE_LARGER_THAN_BODY,
  /**
   * FETCH items come in the reverse of the order asked, UID last, after the literal ({@code * 3
   * FETCH (RFC822 {6} … UID 10)}): "this case actually happens often" (mailio#135); RFC 9051 fixes
   * no order.
   */
  I12_FETCH_ITEMS_REORDERED,
  /**
   * After the session's inactivity time ({@link FakeImapServer.Builder#idleTimeout}) the server
   * sends {@code * BYE Autologout; idle for too long} and closes: UW-IMAP's words, used by Yandex
   * (MailKit#938); AOL after about 5 minutes (imapfilter#316).
   */
  I13_BYE_AUTOLOGOUT,
  /**
   * In the first session, SELECT and EXAMINE are answered {@code NO [UNAVAILABLE] Temporary
   * failure}; later sessions work (RFC 5530). Dovecot behind a proxy, Exchange's {@code NO Server
   * Unavailable. 15} (imapfilter#146).
   */
  I14_UNAVAILABLE_ONCE,
  /**
   * Before login CAPABILITY lists only IMAP4rev1, the login methods and STARTTLS; UIDPLUS, MOVE,
   * IDLE and the rest appear only after login, and the login's OK carries no {@code [CAPABILITY]}.
   * Gmail, Office 365 (MailKit#849 shows both lists).
   */
  I15_CAPABILITIES_GROW_AFTER_LOGIN,
  /**
   * LIST and NAMESPACE give {@code NIL} as hierarchy delimiter, a flat namespace (RFC 3501 §7.2.2):
   * seznam.cz (go-imap#329), MsgServe 8 (offlineimap#663), SEINE (emailjs-imap-client#27),
   * yahoo.co.jp's NAMESPACE (emailjs-imap-client#36).
   */
  I16_NIL_DELIMITER,
  /**
   * An untagged {@code * OK [ALERT] …} before the answer to SELECT and inside UID FETCH answers;
   * RFC 9051 §7.1 says the client must show it to the user. Gmail's alerts ({@code [ALERT] Please
   * log in via your web browser}, mailcow-dockerized#4277), quota warnings.
   */
  I17_UNTAGGED_ALERT,
  /**
   * SELECT gives neither {@code * n RECENT} nor {@code * FLAGS}: IMAP4rev2 (RFC 9051 §7.3.1)
   * dropped RECENT, and a client that waits for both never finishes selecting.
   */
  I18_SELECT_WITHOUT_RECENT_AND_FLAGS,
  /**
   * BODY.PEEK[] sets {@code \Seen} as BODY[] does: a server bug (MailKit#1432, labelled
   * server-bug), Office 365 with BODY.PEEK[HEADER.FIELDS] (imapclient#414).
   */
  I19_PEEK_SETS_SEEN,
  /**
   * The lowest UID of each folder is served as Exchange's notice {@code Retrieval using the IMAP4
   * protocol failed for the following message: 12} in place of the message (a message Exchange
   * cannot convert to MIME), with a matching RFC822.SIZE.
   */
  I20_RETRIEVAL_FAILED_NOTICE,
  /**
   * No UIDPLUS (RFC 4315): not listed, and UID EXPUNGE is answered BAD, so a client cannot expunge
   * only its own messages. SEINE lists only IMAP4rev1 and LITERAL+ (emailjs-imap-client#27).
   */
  I21_NO_UIDPLUS,
  /**
   * No MOVE (RFC 6851): not listed, and MOVE / UID MOVE are answered BAD. yahoo.co.jp's imapgate
   * (emailjs-imap-client#36), Office 365 before login (MailKit#849), hMailServer, Courier-IMAP
   * (5.0.13, Debian 12, lists no MOVE: observed, {@code ImapSourceCourierTest}).
   */
  I22_NO_MOVE,
  /**
   * A login while another session of the user is open is refused {@code NO [ALERT] Too many
   * simultaneous connections. (Failure)}: Gmail, which allows 15 (mailcore2#587); Dovecot's {@code
   * mail_max_userip_connections}.
   */
  I23_TOO_MANY_CONNECTIONS,
  /**
   * Every login is refused with {@code * NO [WEBALERT https://accounts.google.com/signin/continue…]
   * Web login required.} and then {@code NO [ALERT] Please log in via your web browser:
   * https://support.google.com/mail/accounts/answer/78754 (Failure)}. Gmail refusing a password
   * login it deems less secure (S22.Imap#116, MailSystem.NET#17, mailcow-dockerized#4277).
   */
  I24_WEBALERT_LOGIN,
  /**
   * Inside UID FETCH answers, an unsolicited {@code * n FETCH (FLAGS (\Flagged))} without UID for
   * another message another session changed: Dovecot (node-imap#11 crashed on it), FETCH results
   * without UID that chatmail/core#3022 learned to ignore.
   */
  I25_UNSOLICITED_FLAGS_DURING_FETCH,
  /**
   * The first message whose body is fetched was removed meanwhile (by another program, its Maildir
   * file gone), and it is served, with OK and no EXPUNGE, as a message of the server's own: {@code
   * From: System Administrator <root@localhost>}, {@code Subject: message unavailable}, "This
   * message is no longer available on the server." (129 octets with CRLF). Courier-IMAP's {@code
   * fetch.c} ({@code unavailable[]}); seen on Courier-IMAP 5.0.13 ({@code ImapSourceCourierTest}).
   */
  I26_EXPUNGED_SERVED_AS_NOTICE;

  /** The catalogue ID, such as {@link QuirkId#I01}: what the client and the doctor report. */
  public QuirkId id() {
    return QuirkId.valueOf(name().substring(0, 3));
  }
}
