package dev.mailfetch.api;

import java.util.List;

/**
 * Every failure a user of mailfetch can meet, named once.
 *
 * <p>The first six are the errors Gmail's Mail Fetcher showed its users, kept under the same names
 * so that people who knew them find them again; the rest are mailfetch's own. Each constant carries
 * what a person needs to act on it: whether trying again later can help ({@link #retryable()}), the
 * sentence shown to the user ({@link #summary()}), the likely causes ({@link #causes()}), what to
 * do ({@link #remedy()}) and a stable process exit code for the command-line tool ({@link
 * #exitCode()}).
 *
 * <p>These texts and codes are API: users match on them and scripts test exit codes. {@code
 * docs/errors.md} lists every constant, and a test fails when the document and this enum differ.
 */
public enum FetchError {
  /** Gmail's "Connection timed out.": a connection, handshake or reply did not arrive in time. */
  CONNECTION_TIMED_OUT(
      10,
      true,
      "Connection timed out: the mail server did not answer in time.",
      List.of(
          "a firewall or rate limiter silently drops connections from this machine",
          "the host name or port is wrong and points at a machine that does not answer",
          "the server is overloaded, or sends its reply too slowly (a stalled transfer)"),
      Remedy.of(
          "Check the server name and port; if they are right, wait and try again. If it keeps"
              + " happening, ask the mail provider whether they block or rate-limit connections from"
              + " your address.")),

  /** Gmail's "Connection reset by peer.": the server or the network cut the connection. */
  CONNECTION_RESET(
      11,
      true,
      "Connection reset: the mail server closed the connection unexpectedly.",
      List.of(
          "the server dropped the session (idle timeout, overload, or a crash)",
          "a firewall or proxy between us and the server cut the connection",
          "the connection broke in the middle of a message"),
      Remedy.of(
          "Try again later; nothing was deleted from the server for the message that was cut off. If"
              + " it happens at the same message every time, ask the provider about that message.")),

  /** Gmail's READ_ERROR: what the server sent could not be framed into messages. */
  READ_ERROR(
      12,
      true,
      "Read error: the server's data could not be split into messages (a framing error).",
      List.of(
          "a message contains a line with a single '.' that the server did not escape (RFC 1939 §3)",
          "the server answered out of step, for example after pipelined commands",
          "a reply line was far longer than POP3 allows"),
      Remedy.of(
          "The affected message was left on the server and will be tried again. Ask the provider to"
              + " check their server's dot-stuffing; moving the message away on the server unblocks"
              + " it.")),

  /** Gmail's "The other server sent messages in the wrong order.". */
  WRONG_ORDER(
      13,
      false,
      "The server sent its message list in the wrong order.",
      List.of(
          "message numbers do not start at 1 or are not consecutive",
          "the same message number is listed twice, or a number is larger than the message count",
          "the unique-id list (UIDL) and the size list (LIST) name different messages"),
      Remedy.of(
          "Contact your mail provider: their server breaks RFC 1939 §5. Tolerant listing (the default;"
              + " not with --strict) sorts the list and carries on where that is safe.",
          "Contact your mail provider: their server breaks RFC 1939 §5. Tolerating"
              + " Tolerance.UNORDERED_LISTING sorts the list and carries on where that is safe.")),

  /** Gmail's "Received an empty line.": an empty line arrived where a status line was due. */
  EMPTY_LINE(
      14,
      true,
      "Received an empty line where the server's reply was expected.",
      List.of(
          "the server sent a blank line instead of +OK or -ERR (seen after DELE on some servers)",
          "an earlier reply was longer than it announced and left a stray line end behind"),
      Remedy.of("Try again later. If it keeps happening, report it to your mail provider.")),

  /** Gmail's "There are too many messages on the other server.". */
  TOO_MANY_MESSAGES(
      15,
      false,
      "There are too many messages on the server to list them safely.",
      List.of("the mailbox holds more messages than the configured listing limit"),
      Remedy.of(
          "Delete or move some mail out of the inbox on the server, or raise the listing limit with"
              + " --max-listing N if this machine can afford it.",
          "Delete or move some mail out of the inbox on the server, or raise the listing limit"
              + " (FetchLimits.Builder.maxListing) if this machine can afford it.")),

  /** Nothing listens on the server's port: a wrong port, or the service is down. */
  CONNECTION_REFUSED(
      16,
      true,
      "Connection refused: nothing answers on the mail server's port.",
      List.of(
          "the port is wrong (POP3 over TLS uses 995, POP3 with STARTTLS uses 110)",
          "the mail service on the server is down or not switched on",
          "a firewall on the server's side rejects connections to this port"),
      Remedy.of(
          "Check the port in the URL (pop3s:// defaults to 995, pop3:// to 110); if it is right, the"
              + " service is down: try again later, or ask the provider.",
          "Check the port given to the source's builder (port(int); 995 for implicit TLS, 110 for"
              + " STARTTLS); if it is right, the service is down: try again later, or ask the"
              + " provider.")),

  /** The server's name could not be turned into an address. */
  HOST_NOT_FOUND(
      17,
      true,
      "The mail server's name could not be found.",
      List.of(
          "the host name is misspelt, or the provider has changed it",
          "this machine's network or DNS resolver is down or unreachable right now"),
      Remedy.of(
          "Check the host name in the URL letter by letter against the provider's instructions; if it"
              + " is right, this machine's network or DNS is at fault: try again later (mailfetch doctor"
              + " tells the two apart).",
          "Check the host name given to the source's builder (host(String)); if it is right, this"
              + " machine's network or DNS is at fault: try again later (Pop3Doctor tells the two"
              + " apart).")),

  /**
   * The server refused the user name, password or token, or no login method is allowed, usable with
   * the credentials given and offered by the server (then nothing was sent).
   */
  AUTH_FAILED(
      20,
      false,
      "The login did not succeed: the server refused it, or no login method allowed here could be used.",
      List.of(
          "the password is wrong or has changed",
          "the provider wants an app password or OAuth instead of the account password",
          "POP access is switched off for this account at the provider",
          "the server could not open the mailbox and refused the login in its own words (the message quotes them)",
          "no login method is allowed here, usable with the credentials given and offered by the server: nothing"
              + " was sent (the message names the three lists, and its advice what to allow)",
          "the authorization mailfetch holds for an OAuth account or for Gmail as the destination was revoked, or"
              + " expired (a Google Cloud app left in \"Testing\" loses it after 7 days; the message says how to"
              + " authorize again)"),
      Remedy.of(
          "Check the user name (often the full e-mail address) and password. Providers such as Gmail"
              + " and Outlook need POP enabled and an app password or OAuth sign-in.")),

  /** An OAuth access token was refused as expired or revoked. */
  AUTH_TOKEN_EXPIRED(
      21,
      true,
      "The OAuth access token has expired or was revoked.",
      List.of("the access token's lifetime ran out", "the user or an administrator revoked access"),
      Remedy.of(
          "Give a fresh access token (--oauth-token-env or --oauth-token-file is read again at each"
              + " login), or let mailfetch refresh it (--oauth-grant-file, written by mailfetch oauth); if that"
              + " fails, sign in again to grant access.",
          "Refresh the access token (the token supplier is asked again at each login); if that"
              + " fails, sign in again to grant access.")),

  /** The maildrop is in use ({@code [IN-USE]}) or another run holds this account. */
  LOCKED(
      22,
      true,
      "The mailbox is in use by another session, or another mailfetch fetches this account.",
      List.of(
          "another mail program is connected to the same mailbox right now",
          "the server's limit of simultaneous sessions is reached",
          "another mailfetch run already fetches this account"),
      Remedy.of(
          "Wait a few minutes and try again; close other programs that read this mailbox by POP3, or"
              + " let the other mailfetch (a poll holds its accounts while it runs) finish or stop it.")),

  /** The server asks us to wait longer between logins ({@code [LOGIN-DELAY]}). */
  LOGIN_DELAY(
      23,
      true,
      "The server asks to wait longer between logins.",
      List.of("the account was checked more often than the provider allows"),
      Remedy.of(
          "Check this account less often (for poll, raise --min-interval); the server's LOGIN-DELAY"
              + " capability says how long to wait.",
          "Check this account less often; the server's LOGIN-DELAY capability says how long to wait"
              + " (the Poller heeds it by itself).")),

  /** The TLS handshake failed for a reason other than the certificate. */
  TLS_FAILED(
      30,
      true,
      "The secure (TLS) connection could not be set up.",
      List.of(
          "TLS was spoken to a plain-text port, or plain text to a TLS port",
          "the server offers only old TLS versions (below 1.2) or no common cipher",
          "the server announced STLS but failed it"),
      Remedy.of(
          "Check the port and the URL's scheme: pop3s:// (port 995) starts TLS at once, pop3:// (port"
              + " 110) with STARTTLS; --tls implicit or --tls starttls overrides it. If the server"
              + " supports only TLS 1.0/1.1, ask the provider to upgrade it.",
          "Check the port and security: port 995 uses Security.IMPLICIT_TLS, port 110"
              + " Security.STARTTLS. If the server supports only TLS 1.0/1.1, ask the provider to"
              + " upgrade it.")),

  /** The server's certificate is not valid for this host. */
  CERTIFICATE_INVALID(
      31,
      false,
      "The server's certificate could not be trusted.",
      List.of(
          "the certificate has expired or is not yet valid",
          "the certificate was issued for another host name",
          "the certificate is self-signed or issued by an unknown authority"),
      Remedy.of(
          "Use the host name the certificate was issued for. For a private server, trust its CA with"
              + " --ca-file FILE (PEM); mailfetch never switches certificate checks off.",
          "Use the host name the certificate was issued for. For a private server, trust its CA with"
              + " the source builder's trustPem(Path); mailfetch never switches certificate checks"
              + " off.")),

  /** STLS was required but the server does not offer it. */
  TLS_REQUIRED_NOT_OFFERED(
      32,
      false,
      "The server does not offer STLS, so the password was not sent.",
      List.of(
          "the server does not support STLS on this port",
          "something between us and the server removed STLS from the capability list"),
      Remedy.of(
          "Use implicit TLS (a pop3s:// URL, port 995) if the server offers it. Logging in without"
              + " TLS needs --tls none --allow-plaintext-auth and exposes the password to anyone on"
              + " the network path.",
          "Use Security.IMPLICIT_TLS (port 995) if the server offers it. Logging in without TLS needs"
              + " Security.NONE with allowPlaintextAuthentication(true) and exposes the password to"
              + " anyone on the network path.")),

  /** The requested settings cannot work with this server. */
  POLICY(
      40,
      false,
      "These settings cannot work safely with this server.",
      List.of(
          "leaving mail on the server needs stable unique ids (UIDL), and the server has none",
          "the server announces EXPIRE 0: it does not allow mail to be left on it",
          "the server removes retrieved mail by itself at the end of the session (quirk Q31)"),
      Remedy.of(
          "Delete messages once they are stored (--delete), or ask the provider to enable UIDL.",
          "Use Retention.DELETE_AFTER_DELIVERY, or ask the provider to enable UIDL.")),

  /** The server reported a temporary problem ({@code [SYS/TEMP]} or equivalent). */
  SERVER_TEMPORARY(
      50,
      true,
      "The mail server reported a temporary problem.",
      List.of(
          "the server is busy, its storage is unavailable, or the mailbox is being repaired",
          "the server renumbered an IMAP folder (a new UIDVALIDITY, as after a repair or a move of the"
              + " mailbox): a warning; the messages held from it are recognised by their headers"),
      Remedy.of("Try again later; nothing was lost.")),

  /** The server reported a problem that needs someone to fix it ({@code [SYS/PERM]}). */
  SERVER_PERMANENT(
      51,
      false,
      "The mail server reported a problem that will not go away by itself.",
      List.of("the mailbox is damaged or disabled on the server"),
      Remedy.of("Contact your mail provider and quote the server's reply.")),

  /** The server did not confirm deleting messages it was asked to delete. */
  DELETION_UNCONFIRMED(
      53,
      true,
      "The server did not confirm that it deleted the fetched messages.",
      List.of(
          "the server answered the end of the session (QUIT) with an error, so it may have kept them",
          "the server refused to mark a message for deletion (DELE)",
          "the connection broke before the server confirmed the end of the session"),
      Remedy.of(
          "Nothing is lost and nothing is fetched twice: the messages are stored, and the next run"
              + " asks the server again to delete them. If it happens at every run, ask the provider,"
              + " quoting what the server said (given with the warning; where it gave no reason, --trace"
              + " shows the session's end).",
          "Nothing is lost and nothing is fetched twice: the messages are stored, and the next run"
              + " asks the server again to delete them. If it happens at every run, ask the provider,"
              + " quoting what the server said (the warning's serverReply(); where it gave no reason, the"
              + " dev.mailfetch.pop3.trace logger shows the session's end).")),

  /** The server broke the POP3 protocol in a way that is not a framing error. */
  PROTOCOL(
      52,
      true,
      "The server answered in a way POP3 does not allow.",
      List.of(
          "a reply did not start with +OK or -ERR",
          "a reply contradicted an earlier one (for example an unknown message number)",
          "the server gave a new message the unique id of an earlier one (quirk Q51)",
          "the server served a message empty, without its author's header or body (quirk Q53)"),
      Remedy.of(
          "Report the server's reply to the provider; what was not fetched stays on the server and is"
              + " tried again at the next run.")),

  /** A configured limit was reached; the message names the setting to raise. */
  LIMIT_EXCEEDED(
      60,
      false,
      "A size or count limit was reached; the message names which limit, and the advice whether an option raises it.",
      List.of(
          "a message is larger than the message size limit (an option raises it)",
          "the mailbox lists more messages than the listing limit",
          "a reply line, listing or login exchange from the server is larger than this machine accepts from any"
              + " server (no option raises it: such a server is broken or hostile)"),
      Remedy.of(
          "Follow the advice given with the message: raise the limit it names where an option raises it and the"
              + " size is expected; where none does, tell the provider what the message shows.",
          "Follow the advice given with the message: raise the limit it names (FetchLimits or Pop3Limits) if the"
              + " size is expected; otherwise tell the provider what the message shows.")),

  /** The sink could not store a message (disk full, permissions, vanished directory...). */
  SINK_FAILED(
      70,
      true,
      "Mail could not be stored where it was to go.",
      List.of(
          "the disk is full",
          "the destination is read-only or its permissions do not allow writing",
          "the destination directory was removed or unmounted"),
      Remedy.of(
          "Fix the destination (free space, permissions) and run again: the message is still on the"
              + " server.")),

  /**
   * The destination refused this one message (Gmail's API answered {@code 400} for it, a mail
   * server refused it for good): it stays on the server, and the run goes on with the others.
   */
  SINK_REJECTED(
      73,
      false,
      "The place where mail goes refused this message; it stays on the server.",
      List.of(
          "the destination judged the message malformed, or too large for it (the message quotes its reason)",
          "the destination's own rules refuse this message"),
      Remedy.of(
          "Read the destination's reason in the message. The message stays on the server and is tried again at"
              + " the next run; after repeated refusals it is set aside (--retry-quarantined tries it again), so"
              + " fetch it another way or ask the destination's provider.",
          "Read the destination's reason in the message. The message stays on the server and is tried again at"
              + " the next run; after repeated refusals it is set aside (Fetcher.Builder.retryQuarantined(true)"
              + " tries it again), so fetch it another way or ask the destination's provider.")),

  /**
   * The destination took a message and stored it changed (a Cyrus IMAP server replacing each 8-bit
   * byte of a header with {@code X}): a warning, never a run's failure — the message is delivered,
   * its body intact, and what changed is named.
   */
  SINK_ALTERED(
      75,
      false,
      "The place where mail goes stored some messages changed.",
      List.of(
          "the destination replaces bytes it does not accept instead of refusing the message (Cyrus"
              + " IMAP's munge8bit turns each 8-bit header byte, a raw UTF-8 subject, into X)"),
      Remedy.of(
          "The messages are delivered and their bodies are intact; what changed is named in the"
              + " message. Ask the destination's administrator to keep the bytes (on Cyrus IMAP:"
              + " munge8bit: no in imapd.conf), or deliver to another destination (--to).",
          "The messages are delivered and their bodies are intact; what changed is named in the"
              + " message. Ask the destination's administrator to keep the bytes (on Cyrus IMAP:"
              + " munge8bit: no in imapd.conf), or deliver to another MessageSink.")),

  /**
   * The destination's limit on how much it takes was reached (Gmail's daily import limit, or its
   * rate limit for longer than mailfetch waits): the run stopped, nothing was lost.
   */
  QUOTA_EXCEEDED(
      74,
      true,
      "The place where mail goes will take no more for now: its limit was reached.",
      List.of(
          "Gmail's daily limit for this account or for the Google Cloud project was reached",
          "the destination kept asking mailfetch to slow down for longer than it waits"),
      Remedy.of(
          "Run again later (Gmail's daily limits reset within a day): what was delivered is kept, and the rest"
              + " stays on the server for the next run.")),

  /** mailfetch's own state (which messages it has fetched) could not be read or written. */
  STATE_FAILED(
      71,
      true,
      "mailfetch could not write its record of fetched messages.",
      List.of("the disk holding the state is full or read-only"),
      Remedy.of(
          "Fix the state location (free space, permissions) and run again. Messages already stored"
              + " are recognised and not stored twice.")),

  /** mailfetch's record of fetched messages is damaged, and it will not guess what it held. */
  STATE_DAMAGED(
      72,
      false,
      "mailfetch's record of fetched messages is damaged, so it fetched and deleted nothing.",
      List.of(
          "the state file was edited, cut short or overwritten by another program",
          "the disk or file system damaged it"),
      Remedy.of(
          "Restore the state directory (--state, or mailfetch-state beside the mail) from a backup;"
              + " or move the file the message names aside: the next run then takes every message on"
              + " the server as new, and the messages already stored are recognised and not stored"
              + " twice.",
          "Restore the state directory from a backup; or move the file the message names aside: the"
              + " next run then takes every message on the server as new, and a sink that passes the"
              + " contract tests recognises the messages it holds by their delivery keys.")),

  /** The run was asked to stop (its program or poller is shutting down) and ended early. */
  STOPPED(
      80,
      true,
      "The fetch was stopped before it finished.",
      List.of("the program or the poller running it was shut down"),
      Remedy.of(
          "Nothing to do: what was delivered is kept, and the rest stays on the server for the next"
              + " run.")),

  /** The configuration is wrong or inconsistent; the message names the setting. */
  CONFIGURATION(
      78,
      false,
      "The configuration is not valid.",
      List.of("a setting is missing, malformed, or contradicts another setting"),
      Remedy.of("Correct the setting named in the message."));

  private final int exitCode;
  private final boolean retryable;
  private final String summary;
  private final List<String> causes;
  private final Remedy remedy;

  FetchError(int exitCode, boolean retryable, String summary, List<String> causes, Remedy remedy) {
    this.exitCode = exitCode;
    this.retryable = retryable;
    this.summary = summary;
    this.causes = causes;
    this.remedy = remedy;
  }

  /** The stable process exit code of the command-line tool for this error (never 0, 1 or 2). */
  public int exitCode() {
    return exitCode;
  }

  /**
   * Whether the same run may succeed later without anyone changing anything: true for network
   * trouble and temporary server states, false where a person must act first.
   */
  public boolean retryable() {
    return retryable;
  }

  /** One sentence a user sees, in plain words. */
  public String summary() {
    return summary;
  }

  /** The likely causes, most likely first. */
  public List<String> causes() {
    return causes;
  }

  /**
   * What to do about it, for a person at the command line and for a developer; a {@link
   * FetchException} may carry a remedy of its own that fits its case better ({@link
   * FetchException#remedy()}).
   */
  public Remedy remedy() {
    return remedy;
  }
}
