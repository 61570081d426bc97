package dev.mailfetch.testkit;

import dev.mailfetch.api.QuirkId;

/**
 * The real-world POP3 server behaviours of the catalogue ({@code docs/quirks.md}, Q01–Q50, and
 * those found since, from Q51 on), each a named behaviour a {@link FakePop3Server} can take on.
 * They compose: {@code builder.quirk(Q01_BARE_LF).quirk(Q12_BARE_OK)} is a server that does both.
 *
 * <p>Where a catalogue entry has several distinct forms, each form is its own constant, named after
 * the entry. The Javadoc of each says what the server sends and which real servers did it; the test
 * named after the constant proves the bytes. A constant whose entry is about message content
 * (Q07–Q09) adds messages with that content to every mailbox when the server starts.
 */
public enum Quirk {
  // ---------------------------------------------------------------- framing and lines

  /**
   * Every line end is a bare LF: status lines, listings, bodies and the {@code .⏎} terminator.
   * Mailtrap.io; "broken UNIX servers" (MailKit).
   */
  Q01_BARE_LF,
  /**
   * Status lines end in CRLF, but multi-line bodies and their terminator use bare LF. node-pop3
   * reports.
   */
  Q01_MIXED_LINE_ENDINGS,
  /**
   * The terminator is {@code .\r}; the LF never comes. Cyrus IMAP 3.4.6 POP3 backend
   * (cyrus-imapd#4717).
   */
  Q02_CR_TERMINATOR,
  /**
   * A message without a final line end gets the {@code .} glued to its last line ({@code
   * text.\r\n}). Exchange 2000 (fetchmail FAQ S2).
   */
  Q03_NO_CRLF_BEFORE_DOT,
  /**
   * A body line that is a lone {@code .} is sent unstuffed, in RETR and TOP. IMS POP3 0.86,
   * GreenMail, Mailpit, netius.
   */
  Q04_UNSTUFFED_LONE_DOT,
  /** As Q04, in TOP only; RETR stuffs correctly. hMailServer before 5.7.0 (hmailserver#126). */
  Q04_UNSTUFFED_LONE_DOT_IN_TOP,
  /**
   * Lines that start with a dot and go on ({@code .02 test}) are sent unstuffed; lone dots are
   * stuffed. Mailpit, netius.
   */
  Q05_UNSTUFFED_LEADING_DOT,
  /**
   * The greeting is 10 KiB long (RFC limit: 512 octets). UIDs over 128 bytes (fetchmail
   * CVE-2005-2335).
   */
  Q06_LONG_STATUS_LINE,
  /** The greeting is a single line of 1 MiB. A hostile or broken server (case R-01). */
  Q06_HUGE_STATUS_LINE,
  /**
   * Mailboxes gain a message with a 4 MiB single-line body and lines of 512, 998, 999, 2048 and
   * 2049 octets. Gmail POP; HTML mail.
   */
  Q07_LONG_BODY_LINES,
  /**
   * Mailboxes gain a message holding every byte value, invalid UTF-8 and a lone CR; -ERR texts
   * carry 8-bit bytes. Dovecot passes NULs through.
   */
  Q08_NUL_8BIT,
  /**
   * Mailboxes gain messages without the empty line after the headers, with a {@code CR CR LF}
   * header line, and with a header line without a colon. Dovecot workarounds; Geocities.
   */
  Q09_ODD_HEADERS,
  /**
   * Every byte is written (and flushed) on its own, so replies arrive in arbitrary pieces.
   * secure.plala.or.jp split CAPA (Mew#188).
   */
  Q10_FRAGMENTATION,
  /**
   * DELE is answered with an empty line before the status ({@code \r\n+OK}). Office 365
   * (MailKit#1636), hMailServer.
   */
  Q11_EMPTY_LINE,
  /**
   * DELE is answered with three empty lines before the status. Office 365, beyond what a tolerant
   * client skips.
   */
  Q11_EMPTY_LINES,
  /**
   * After a RETR's terminator the server sends a stray {@code \r\n.\r\n}. hMailServer bytes {@code
   * \n\r\n.\r\n+OK} (aenetmail#174).
   */
  Q11_STRAY_TERMINATOR,

  // ---------------------------------------------------------------- status lines and greeting

  /**
   * Every {@code +OK} that would carry free text has none, the greeting included (STAT and LIST n
   * keep their numbers). Dovecot, Cyrus, poczta.o2.pl.
   */
  Q12_BARE_OK,
  /**
   * Status indicators in lower case: {@code +ok}, {@code -err}. A defensive profile (RFC 2449's
   * ABNF is case-insensitive).
   */
  Q13_LOWERCASE_STATUS,
  /** Failures are sent as {@code +ERR …}. hMailServer on PASS (hmailserver#590). */
  Q14_PLUS_ERR,
  /**
   * SASL challenges are sent as {@code +OK <base64>} instead of {@code + <base64>}. Exchange 2003
   * AUTH NTLM (MailKit#391).
   */
  Q15_OK_AS_CONTINUATION,
  /**
   * The greeting is followed by a MOTD line, an empty line and a second {@code +OK} line. A
   * defensive profile (fetchmail's IMAP analog).
   */
  Q16_GREETING_JUNK,
  /**
   * The greeting comes after 1.5 s and PASS or AUTH is answered after 1.5 s. Large mailboxes;
   * Dovecot's own client raised its timeouts.
   */
  Q17_SLOW_SERVER,
  /**
   * The greeting carries {@code <a.b.c>}, which looks like an APOP timestamp but is not a msg-id;
   * APOP is not supported. E.Novation POP3 (curl#3278).
   */
  Q18_APOP_FALSE_TIMESTAMP,
  /** CAPA is answered {@code -ERR unknown command}. Older servers (fetchmail FAQ R11). */
  Q19_CAPA_ERR,
  /** The server closes the connection on CAPA. Servers fetchmail's driver notes. */
  Q19_CAPA_CLOSE,
  /** CAPA is never answered; the server closes after 30 s. fetchmail FAQ R11. */
  Q19_CAPA_HANG,
  /**
   * CAPA before login omits UIDL (which works) and lists {@code RESP_CODES}, {@code LAST} and
   * {@code AUTH=PLAIN}; UIDL appears after login. GreenMail, plala, o2.pl.
   */
  Q20_CAPA_MISLEADING,
  /**
   * Advertises PIPELINING but answers only the first of several commands that arrive together; the
   * rest are dropped. Servers behind Dovecot's no-pipelining option.
   */
  Q21_PIPELINING_DROPS_QUEUED,
  /**
   * Advertises PIPELINING but stops answering once commands arrive together; closes after 30 s.
   * Dovecot pop3c reports.
   */
  Q21_PIPELINING_STALLS,
  /**
   * A command line that arrives in more than one piece is taken as two commands. Servers MailKit
   * and PHPMailer work around.
   */
  Q22_SPLIT_COMMAND,
  /**
   * Advertises STLS, answers {@code +OK}, then sends garbage instead of a TLS handshake and closes.
   * fetchmail's "servers which claim to support TLS".
   */
  Q23_STLS_BROKEN,
  /** Advertises STLS and answers it {@code -ERR}. Case N-02. */
  Q23_STLS_ERR,
  /**
   * Refuses a TLS handshake without SNI for {@code localhost}. Gmail with TLS 1.3 (getmail FAQ).
   */
  Q23_REQUIRES_SNI,

  // ---------------------------------------------------------------- UIDL and listings

  /** No UIDL in CAPA, and UIDL answers {@code -ERR}. Verizon JPOP (neomutt#1427). */
  Q24_NO_UIDL,
  /**
   * Message 2k reports the same UID as message 2k-1. Hash-based UIDs (Dovecot %m), Cyrus UID reuse.
   */
  Q25_UIDL_DUPLICATES,
  /**
   * Every session lists new UIDs for the same messages. Exchange 2003→2007 moves, Zimbra, Cyrus
   * replication.
   */
  Q26_UIDL_UNSTABLE,
  /** Every UIDL line starts with {@code +OK }. K-9 issue 1237. */
  Q27_UIDL_PLUS_OK_PREFIX,
  /** Three spaces between the number and the UID. K-9 issue 3546. */
  Q27_UIDL_MULTIPLE_SPACES,
  /** Message 1's UID is blank ({@code 1 }). getmail 4.7.4 reports. */
  Q27_UIDL_BLANK,
  /** UIDs contain a space ({@code 1 ab c}). fetchmail 5.8.4 notes. */
  Q27_UIDL_SPACE_INSIDE,
  /** UIDs contain '/' and 8-bit bytes. getmail rewrites '/'. */
  Q27_UIDL_ODD_BYTES,
  /** UIDs are 300 characters long. fetchmail CVE-2005-2335. */
  Q27_UIDL_LONG,
  /**
   * {@code UIDL n} and {@code LIST n} answer without the number ({@code +OK abc}). Twisted's POP3
   * server.
   */
  Q28_SINGLE_FORM_NO_NUMBER,
  /** {@code UIDL n} answers with a multi-line listing. Mailpit before #552. */
  Q28_SINGLE_FORM_MULTILINE,
  /**
   * {@code UIDL n} and {@code LIST n} answer with another message's number. fetchmail's "UID for
   * wrong message".
   */
  Q28_SINGLE_FORM_WRONG_NUMBER,
  /** Listings skip numbers: 1, 2, 5, 6… (RETR accepts the listed numbers). K-9 issue 2252. */
  Q29_NUMBERING_GAPS,
  /**
   * Listings come out of order (the last first). Dovecot's pop3c sorts because servers reorder; VMS
   * servers.
   */
  Q29_NUMBERING_SHUFFLED,
  /** Listings number from 0. Gmail's fetcher rejects it ("wrong order"); a defensive profile. */
  Q29_NUMBERING_ZERO_BASED,
  /**
   * Listings add an entry numbered beyond the STAT count. fetchmail's "bogus data for message
   * sizes".
   */
  Q29_NUMBERING_BEYOND_STAT,
  /**
   * DELE and QUIT answer {@code +OK} but nothing is deleted. Gmail (by its settings), Dovecot
   * pop3_deleted_flag.
   */
  Q30_DELE_NOT_HONOURED,
  /**
   * Messages retrieved with RETR vanish after QUIT without DELE. Gmail's normal POP mode (getmail
   * FAQ).
   */
  Q31_AUTO_DELETE_ON_RETR,
  /** RETR marks a message deleted; only RSET keeps it. MercuryP/NLM 1.48 (fetchmailconf). */
  Q31_RETR_MARKS_DELETED,
  /** LIST and STAT count LF line ends, not CRLF. qmail, Dovecot's pop3_fast_size_lookups. */
  Q32_LIST_SIZE_LF_COUNT,
  /** LIST sizes are rounded to 1024. HP OpenMail before 6.0. */
  Q32_LIST_SIZE_ROUNDED,
  /** LIST sizes are half the real size (a compressed store). Exchange. */
  Q32_LIST_SIZE_COMPRESSED,
  /** TOP returns the headers and one body line whatever n is. OpenMail, usa.net 2.2. */
  Q33_TOP_IGNORES_N,
  /** TOP truncates after 64 KiB. Maillennium (Comcast). */
  Q33_TOP_TRUNCATES,
  /** TOP answers {@code +OK} twice. FTGate V2. */
  Q33_TOP_DOUBLE_OK,
  /** TOP answers {@code -ERR}. Servers AM's mail.pop3.disabletop exists for. */
  Q33_TOP_ERR,

  // ---------------------------------------------------------------- session, locking, errors

  /**
   * RETR of message 2, though listed, answers {@code -ERR Message 2 expunged.}. Dovecot (concurrent
   * expunge), Exchange.
   */
  Q34_RETR_ERR_LISTED,
  /**
   * QUIT closes the connection without a reply (deletions unknown). Many servers; Thunderbird waits
   * 3 s.
   */
  Q35_QUIT_NO_REPLY,
  /**
   * QUIT is answered {@code -ERR Error locking your mailbox} and nothing is deleted. cucipop on
   * SunOS.
   */
  Q35_QUIT_ERR,
  /** QUIT is answered after 3 s. Exchange. */
  Q35_QUIT_SLOW,
  /**
   * The connection is reset halfway through the first RETR of every session. Gmail on large
   * messages, qpopper 2.53.
   */
  Q36_DROP_MID_RETR,
  /** Login is refused with {@code -ERR [IN-USE]}. Dovecot, qpopper. */
  Q37_LOCKED_IN_USE,
  /**
   * Login is refused with {@code -ERR unable to lock maildrop}, without a code. QPOP 2.2, UCB
   * popper.
   */
  Q37_LOCKED_TEXT,
  /**
   * STAT after a good login answers {@code -ERR login allowed only every 15 minutes}. Hotmail
   * (Angus Mail's comment).
   */
  Q38_LOGIN_DELAY_ON_STAT,
  /**
   * Login is refused with {@code -ERR [LOGIN-DELAY] …} and CAPA says {@code LOGIN-DELAY 900}. RFC
   * 2449 servers.
   */
  Q38_LOGIN_DELAY_CODE,
  /**
   * A failed login is answered {@code -ERR} and the connection closed. pop.free.fr (MailKit#856).
   */
  Q39_CLOSE_ON_AUTH_FAIL,
  /**
   * A command between USER and PASS makes PASS fail {@code -ERR Unknown command.}; a bare AUTH
   * fails too. Mailu's nginx proxy, hMailServer.
   */
  Q40_STRICT_USER_PASS,
  /**
   * XOAUTH2 with an initial response is refused; only {@code AUTH XOAUTH2}, {@code + }, token
   * works. Microsoft 365.
   */
  Q41_XOAUTH2_TWO_STEP,
  /**
   * A failed OAuth login is answered with {@code + base64(JSON)}, then {@code -ERR} after the
   * client's reply. Google, Microsoft (RFC 7628 §3.2.2).
   */
  Q42_OAUTH_ERROR_CONTINUATION,
  /**
   * A session with no command for 60 s is dropped without a word. Outlook.com (Thunderbird's note).
   */
  Q43_SHORT_IDLE_TIMEOUT,
  /**
   * Each TOP and RETR carries a different {@code Received} header. Exchange, Lotus Notes (Angus
   * Mail's forgettopheaders).
   */
  Q44_TOP_RETR_HEADERS_DIFFER,
  /**
   * Each session lists at most the 250 oldest messages not yet retrieved; retrieved ones vanish
   * after QUIT. Gmail's POP view.
   */
  Q45_GMAIL_POP_VIEW,
  /** A message arrives between UIDL and LIST: LIST lists one more than UIDL did. getmail 4.23.0. */
  Q46_LIST_UIDL_RACE,
  /** The mailbox holds 250,000 small messages (generated, not stored). Hotmail, large accounts. */
  Q47_HUGE_MAILBOX,
  /** STAT answers {@code -ERR}. Hotmail (Q38), huge mailboxes. */
  Q47_STAT_ERR,
  /**
   * UIDs come from each message's {@code X-UIDL:} header where it has one. qpopper lineage, GMX,
   * Dovecot pop3_reuse_xuidl.
   */
  Q48_XUIDL_DERIVED,
  /** Only proprietary login: CAPA lists {@code SASL MSN RPA}; USER is refused. MSN, CompuServe. */
  Q49_PROPRIETARY_AUTH,
  /** X- and Resent- headers are dropped from messages on the way out. HP OpenMail. */
  Q50_STRIPS_X_HEADERS,
  /**
   * Multipart messages lose everything after their first part on the way out; LIST still counts it
   * all. MailMax, InterChange.
   */
  Q50_DROPS_ATTACHMENTS,

  // ---------------------------------------------------------------- found since the catalogue

  /**
   * The UID of a message is its number, so a message that arrives after one was deleted elsewhere
   * takes an id seen before (RFC 1939 §7 forbids it). Servers that derive UIDs from message
   * numbers.
   */
  Q51_UIDL_FROM_MESSAGE_NUMBER,
  /**
   * CAPA lists {@code UTF8 USER}; to a client that does not send {@code UTF8} (RFC 6856), each
   * message with 8-bit bytes in its header (RFC 6532) is served, by RETR and TOP, as a notice from
   * the postmaster ("Cannot display Unicode content") with the original attached as {@code
   * message/global}, while LIST gives the original's size. Courier (see {@code UnicodeNotice}).
   */
  Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8,
  /**
   * Every second message (2, 4, …) is served, by RETR and TOP, as only the server's own header
   * {@code X-UIDL: uid} and no content; LIST still gives its real size. A server bug seen in the
   * wild.
   */
  Q53_SERVED_EMPTY,
  /**
   * Every login, with the right password too, is refused {@code -ERR message is damaged}: the
   * server cannot open the mailbox and says so in words only, as it sends no response codes at all
   * (nor RESP-CODES in CAPA). A distribution-packaged server met in an interop run.
   */
  Q54_PASS_REFUSED_WITHOUT_CODE,
  /**
   * TOP sends an empty line of its own after the header section, so its answer is two octets longer
   * than the message; RETR and LIST agree with each other. A distribution-packaged server met in an
   * interop run.
   */
  Q55_TOP_ADDS_EMPTY_LINE,
  /**
   * A login with the right password is refused {@code -ERR [IN-USE] Internal login failure. Refer
   * to server log for more information.}: the lock's code for a failure that is no lock. Dovecot
   * (also {@code [IN-USE] Couldn't sync mailbox.}).
   */
  Q56_IN_USE_FOR_ANY_FAILURE;

  /** The catalogue ID, such as {@link QuirkId#Q04}: what the client and the doctor report. */
  public QuirkId id() {
    return QuirkId.valueOf(name().substring(0, 3));
  }
}
