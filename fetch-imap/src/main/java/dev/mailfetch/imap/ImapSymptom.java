package dev.mailfetch.imap;

import dev.mailfetch.api.DoctorSymptom;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.imap.ImapDiagnosis.Stage;
import dev.mailfetch.imap.ImapDiagnosis.Status;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@link ImapDoctor} can find, with the words it shows. The wording is API (users and
 * scripts read it); docs/doctor.md lists the constants.
 *
 * <p>A {@link Status#FAILED} symptom carries the error a fetch with the same settings would stop
 * with, so the doctor's exit code is the fetch's; where that depends on the server's reply (a
 * refused login, a refused STATUS), the finding carries the reply's code instead ({@link
 * ImapDiagnosis.Finding#error()}).
 */
public enum ImapSymptom implements DoctorSymptom {
  // ------------------------------------------------------------------ DNS
  SRV_PUBLISHED(
      Stage.DNS,
      Status.OK,
      null,
      "The domain publishes its IMAP server",
      "The mail domain says in DNS which server and port to use for IMAP (RFC 6186).",
      Remedy.of(
          "Nothing; mailfetch doctor imaps://ADDRESS finds the server from these records.",
          "Nothing; ImapDoctor.Builder.discoverServer finds the server from these records."),
      "RFC 6186 §3"),
  SRV_DIFFERS(
      Stage.DNS,
      Status.WARNING,
      null,
      "The settings differ from what the domain publishes",
      "The server or port you set is not the one the mail domain's IMAP SRV records name.",
      Remedy.of(
          "Unless your provider told you otherwise, use the server and port of the SRV record."),
      "RFC 6186 §3"),
  SRV_NOT_OFFERED(
      Stage.DNS,
      Status.FAILED,
      FetchError.CONFIGURATION,
      "The domain says it offers no IMAP",
      "The mail domain's SRV record for IMAP has the target \".\", which means the service is not"
          + " offered.",
      Remedy.of(
          "Ask the provider how to reach your mail (POP3, another server), or fetch from another"
              + " account."),
      "RFC 6186 §3.4"),
  SRV_NONE(
      Stage.DNS,
      Status.FAILED,
      FetchError.CONFIGURATION,
      "No IMAP server could be found for the domain",
      "The mail domain publishes no IMAP SRV records and none of the usual names (imap, mail)"
          + " answers.",
      Remedy.of(
          "Look up the IMAP server's name in your provider's help pages and give it in the URL"
              + " (imaps://user@HOST).",
          "Look up the IMAP server's name in your provider's help pages and give it to"
              + " ImapDoctor.Builder.host(String)."),
      "RFC 6186 §3"),
  NO_SUCH_HOST(
      Stage.DNS,
      Status.FAILED,
      FetchError.HOST_NOT_FOUND,
      "No such host",
      "The DNS says the server name does not exist: it is misspelt, or the provider has changed it.",
      Remedy.of("Check the server name letter by letter against your provider's instructions."),
      "RFC 1035 §4.1.1"),
  NO_ADDRESS(
      Stage.DNS,
      Status.FAILED,
      FetchError.HOST_NOT_FOUND,
      "The host name has no address",
      "The name exists in DNS but has no IPv4 or IPv6 address, so there is nothing to connect to.",
      Remedy.of(
          "Check the server name; the provider may use another name for IMAP (imap., mail.)."),
      "RFC 1035 §3.2.2"),
  ADDRESS_INVALID(
      Stage.DNS,
      Status.FAILED,
      FetchError.CONFIGURATION,
      "Not a valid address",
      "The server is given as an IP address, but it is none, so there is nothing to connect to.",
      Remedy.of(
          "Correct the address in the URL (an IPv6 address in brackets: imaps://user@[2001:db8::1]),"
              + " or give the server's name instead.",
          "Correct the address given to host(String), or give the server's name instead.")),
  DNS_NO_ANSWER(
      Stage.DNS,
      Status.FAILED,
      FetchError.CONNECTION_TIMED_OUT,
      "DNS did not answer",
      "No DNS server answered the question in time: this machine's network or DNS settings are at"
          + " fault, not the mail server.",
      Remedy.of(
          "Check this machine's network connection and DNS servers (router, /etc/resolv.conf), then"
              + " try again.")),

  // ------------------------------------------------------------------ TCP
  CONNECTION_REFUSED(
      Stage.TCP,
      Status.FAILED,
      FetchError.CONNECTION_REFUSED,
      "Connection refused",
      "The server's machine answered, but nothing listens on this port: the port is wrong or the"
          + " IMAP service is down.",
      Remedy.of(
          "Check the port: imaps:// uses 993 (IMAP over TLS), imap:// uses 143 (STARTTLS), and a"
              + " :PORT in the URL overrides them; if it is right, the service is down: try later.",
          "Check the port (port(int): 993 for ImapSecurity.IMPLICIT_TLS, 143 for"
              + " ImapSecurity.STARTTLS); if it is right, the service is down: try later.")),
  CONNECTION_TIMED_OUT(
      Stage.TCP,
      Status.FAILED,
      FetchError.CONNECTION_TIMED_OUT,
      "Connection timed out",
      "Nothing answered at all: a firewall drops the connection silently, the address is wrong, or"
          + " this machine's network is down.",
      Remedy.of(
          "Check the server name and port; make sure no firewall on this side blocks the port; ask"
              + " the provider whether they block this address.")),

  // ------------------------------------------------------------------ TLS
  TLS_ESTABLISHED(
      Stage.TLS,
      Status.OK,
      null,
      "Encrypted",
      "The connection is encrypted and the server's certificate is trusted for its name.",
      Remedy.of("Nothing.")),
  NOT_ENCRYPTED(
      Stage.TLS,
      Status.WARNING,
      null,
      "Not encrypted",
      "You chose no encryption: the password and every message cross the network readable by"
          + " anyone on the path.",
      Remedy.of(
          "Use imaps:// (port 993) or imap:// (STARTTLS, port 143) if the server offers it.",
          "Use ImapSecurity.IMPLICIT_TLS or ImapSecurity.STARTTLS if the server offers it."),
      "RFC 8314 §2"),
  STARTTLS_NOT_OFFERED(
      Stage.TLS,
      Status.FAILED,
      FetchError.TLS_REQUIRED_NOT_OFFERED,
      "STARTTLS is not offered",
      "The server does not offer STARTTLS on this port (or refused it), so the connection would stay"
          + " unencrypted; mailfetch stops before any password is sent.",
      Remedy.of(
          "Use implicit TLS (an imaps:// URL, port 993) if the server has it; --tls none only on a"
              + " network you trust.",
          "Use ImapSecurity.IMPLICIT_TLS (port 993) if the server has it; ImapSecurity.NONE only"
              + " on a network you trust."),
      "RFC 9051 §6.2.1"),
  TLS_TO_PLAIN_PORT(
      Stage.TLS,
      Status.FAILED,
      FetchError.TLS_FAILED,
      "This port does not speak TLS",
      "You chose implicit TLS, but the server on this port speaks plain text first (it expects"
          + " STARTTLS).",
      Remedy.of(
          "Use an imap:// URL on this port (STARTTLS), or imaps:// on port 993.",
          "Use ImapSecurity.STARTTLS on this port, or ImapSecurity.IMPLICIT_TLS on port 993."),
      "RFC 8314 §3.3"),
  TLS_HANDSHAKE_FAILED(
      Stage.TLS,
      Status.FAILED,
      FetchError.TLS_FAILED,
      "The TLS handshake failed",
      "The server and mailfetch could not agree on an encrypted connection.",
      Remedy.of(
          "Read what the server did (seen); try the other security (imaps:// or imap://), or ask the"
              + " provider.")),
  TLS_VERSION_TOO_OLD(
      Stage.TLS,
      Status.FAILED,
      FetchError.TLS_FAILED,
      "The server's TLS is too old",
      "The server offers only TLS versions this Java refuses as insecure (TLS 1.0 or 1.1).",
      Remedy.of("Ask the provider to offer TLS 1.2 or 1.3; there is no safe way around it here."),
      "RFC 8996"),
  CERTIFICATE_EXPIRED(
      Stage.TLS,
      Status.FAILED,
      FetchError.CERTIFICATE_INVALID,
      "The server's certificate has expired",
      "The certificate the server shows is past its end date, so it cannot prove who the server"
          + " is (or this machine's clock is wrong).",
      Remedy.of("Tell the provider to renew the certificate; check this machine's date.")),
  CERTIFICATE_NOT_YET_VALID(
      Stage.TLS,
      Status.FAILED,
      FetchError.CERTIFICATE_INVALID,
      "The server's certificate is not valid yet",
      "The certificate's start date is in the future: this machine's clock is probably wrong.",
      Remedy.of("Check this machine's date and time (and time zone), then try again.")),
  CERTIFICATE_WRONG_HOST(
      Stage.TLS,
      Status.FAILED,
      FetchError.CERTIFICATE_INVALID,
      "The certificate is for another name",
      "The certificate the server shows does not name the host you connect to: you may use an"
          + " alias of the server, or be talking to another machine.",
      Remedy.of(
          "Use one of the names the certificate holds (seen) in the URL.",
          "Use one of the names the certificate holds (seen) as host(String).")),
  CERTIFICATE_SELF_SIGNED(
      Stage.TLS,
      Status.FAILED,
      FetchError.CERTIFICATE_INVALID,
      "The certificate is self-signed",
      "The server signed its certificate itself, so nothing vouches for it; anyone on the path"
          + " could show one like it.",
      Remedy.of(
          "If it is your own server, give its certificate with --ca-file FILE (PEM); never turn the"
              + " check off.",
          "If it is your own server, trust its certificate with trustPem(Path) (PEM); never turn"
              + " the check off.")),
  CERTIFICATE_UNTRUSTED(
      Stage.TLS,
      Status.FAILED,
      FetchError.CERTIFICATE_INVALID,
      "The certificate is not trusted",
      "The certificate is signed by an authority this machine does not trust (a private CA, or a"
          + " chain the server sends incomplete).",
      Remedy.of(
          "Give the authority's certificate with --ca-file FILE (PEM), or ask the provider to send"
              + " the whole chain.",
          "Trust the authority's certificate with trustPem(Path) (PEM), or ask the provider to send"
              + " the whole chain.")),
  CERTIFICATE_EXPIRES_SOON(
      Stage.TLS,
      Status.WARNING,
      null,
      "The certificate expires soon",
      "The server's certificate ends within three weeks; if it is not renewed, fetching stops then.",
      Remedy.of("Tell the provider (or renew it, if it is your server).")),

  // ------------------------------------------------------------------ capabilities
  CAPABILITIES_READ(
      Stage.CAPABILITIES,
      Status.OK,
      null,
      "Capabilities",
      "What the server says it can do.",
      Remedy.of("Nothing."),
      "RFC 9051 §6.1.1"),
  NOT_IMAP(
      Stage.CAPABILITIES,
      Status.FAILED,
      FetchError.PROTOCOL,
      "This port does not speak IMAP",
      "The server on this port did not greet as an IMAP server does (it may speak POP3, SMTP or"
          + " something else), or it ended the session before its capabilities.",
      Remedy.of(
          "Use the IMAP port (993 for imaps://, 143 for imap://).",
          "Use the IMAP port (993 with ImapSecurity.IMPLICIT_TLS, 143 with STARTTLS)."),
      "RFC 9051 §7.1"),
  NO_IMAP_REVISION(
      Stage.CAPABILITIES,
      Status.WARNING,
      null,
      "No IMAP revision announced",
      "The server names neither IMAP4rev1 nor IMAP4rev2 among its capabilities, as every IMAP"
          + " server must; it may behave in other ways than the standard says.",
      Remedy.of("Nothing to set; tell the provider if fetching misbehaves."),
      "RFC 9051 §7.2.2"),
  SESSION_FAILED(
      Stage.CAPABILITIES,
      Status.FAILED,
      FetchError.PROTOCOL,
      "The session broke before the login",
      "The server ended or broke the session while greeting or telling its capabilities.",
      Remedy.of("Try again later; if it keeps happening, tell the provider what it said (seen).")),

  // ------------------------------------------------------------------ login
  LOGGED_IN(
      Stage.AUTHENTICATION,
      Status.OK,
      null,
      "Logged in",
      "The server accepted the credentials.",
      Remedy.of("Nothing.")),
  LOGIN_NOT_TRIED(
      Stage.AUTHENTICATION,
      Status.SKIPPED,
      null,
      "Login not tried",
      "No password or token was given, so the login and the folders could not be examined.",
      Remedy.of(
          "Give the password (--password-env NAME or --password-file FILE) to examine the folders"
              + " too.",
          "Give the doctor a password (or token) supplier and leave login on, to examine the"
              + " folders too.")),
  LOGIN_REFUSED(
      Stage.AUTHENTICATION,
      Status.FAILED,
      FetchError.AUTH_FAILED,
      "The login was refused",
      "The server refused the user name and password or token: they are wrong, or the provider"
          + " wants an app password or OAuth for IMAP (Gmail, Outlook, Yahoo and AOL do).",
      Remedy.of(
          "Check the user name and the password; where the provider asks for one, create an app"
              + " password, or authorize with mailfetch oauth and --oauth-grant-file.",
          "Check the user name and the password; where the provider asks for one, use an app"
              + " password, or oauthTokens(TokenProvider).")),
  LOGIN_FAILED(
      Stage.AUTHENTICATION,
      Status.FAILED,
      FetchError.AUTH_FAILED,
      "The login did not succeed",
      "The login could not be completed (the finding carries the code a fetch would stop with).",
      Remedy.of(
          "Read what the server said (seen) and do what it asks; then run the doctor again.")),

  // ------------------------------------------------------------------ folders
  FOLDER_COUNTED(
      Stage.FOLDERS,
      Status.OK,
      null,
      "Folder",
      "A folder to fetch from exists; its counts come from STATUS.",
      Remedy.of("Nothing."),
      "RFC 9051 §6.3.11"),
  SPECIAL_FOLDERS(
      Stage.FOLDERS,
      Status.OK,
      null,
      "Special folders",
      "The folders the server marks as Trash, Sent, Drafts, Junk or All Mail (SPECIAL-USE), or"
          + " that have those usual names.",
      Remedy.of("Nothing."),
      "RFC 6154"),
  FOLDER_MISSING(
      Stage.FOLDERS,
      Status.FAILED,
      FetchError.CONFIGURATION,
      "A folder to fetch from does not exist",
      "The folder is not on the server (names are case-sensitive, except INBOX; a sub-folder is"
          + " written with the server's delimiter).",
      Remedy.of(
          "Use one of the folders the server lists (seen) with --folder NAME, or create it.",
          "Use one of the folders the server lists (seen) in ImapFolders.named(...), or create it.")),
  FOLDER_REFUSED(
      Stage.FOLDERS,
      Status.FAILED,
      FetchError.SERVER_PERMANENT,
      "The server refused to open a folder",
      "The server did not give a folder's counts (the finding carries the code a fetch would stop"
          + " with).",
      Remedy.of("Read what the server said (seen); ask the provider if the folder needs rights.")),
  NO_UIDNEXT(
      Stage.FOLDERS,
      Status.WARNING,
      null,
      "The server does not tell UIDNEXT",
      "STATUS gave no UIDNEXT, so \"nothing new\" cannot be told in one round trip: every check"
          + " lists the folder's UIDs (slower on large folders, nothing lost).",
      Remedy.of("Nothing to set; tell the provider if checks are slow."),
      "RFC 9051 §6.3.11"),

  // ------------------------------------------------------------------ compliance
  EXTENSIONS_OFFERED(
      Stage.COMPLIANCE,
      Status.OK,
      null,
      "Extensions",
      "The IMAP extensions mailfetch uses, where the server offers them.",
      Remedy.of("Nothing.")),
  NO_UIDPLUS(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "No UIDPLUS",
      "Without UID EXPUNGE, deleting could also remove messages other programs marked deleted;"
          + " mailfetch therefore never expunges here: it moves fetched mail to Trash where MOVE is"
          + " offered, else refuses to delete (keeping and marking seen work).",
      Remedy.of(
          "Use --on-server keep (the default), seen, or trash; expunge needs UIDPLUS.",
          "Use Retention.KEEP, or ImapDeletion.MARK_SEEN or TRASH; EXPUNGE needs UIDPLUS."),
      "RFC 4315"),
  NO_MOVE(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "No MOVE",
      "The server cannot move messages between folders in one step, so --on-server trash and"
          + " move=FOLDER cannot work here (keep, seen and expunge do).",
      Remedy.of(
          "Use --on-server keep, seen or expunge with this server.",
          "Use ImapDeletion.EXPUNGE or MARK_SEEN (or keep) with this server."),
      "RFC 6851"),
  NO_IDLE(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "No IDLE",
      "The server cannot tell of new mail as it arrives: mailfetch poll checks at its interval"
          + " instead, so mail arrives up to one interval late.",
      Remedy.of(
          "Nothing to set; choose the poll interval (--every) for how late mail may come.",
          "Nothing to set; the Poller checks this account at its interval."),
      "RFC 2177"),
  NO_CONDSTORE(
      Stage.COMPLIANCE,
      Status.OK,
      null,
      "No CONDSTORE",
      "The server has no modification sequences: \"nothing new\" is told by UIDNEXT alone, which is"
          + " enough to fetch exactly once.",
      Remedy.of("Nothing."),
      "RFC 7162"),
  NO_SPECIAL_USE(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "No SPECIAL-USE",
      "The server does not mark its Trash, Sent, Drafts and Junk folders, so mailfetch knows them"
          + " by their usual names only: --all-folders may fetch a Sent folder with another name,"
          + " and a Junk folder with another name is not labelled as spam.",
      Remedy.of(
          "Name the folders to fetch with --folder NAME instead of --all-folders.",
          "Name the folders with ImapFolders.named(...) instead of allExceptTrashSentDrafts()."),
      "RFC 6154");

  private final Stage stage;
  private final Status status;
  private final FetchError error;
  private final String title;
  private final String cause;
  private final Remedy remedy;
  private final List<String> references;

  ImapSymptom(
      Stage stage,
      Status status,
      FetchError error,
      String title,
      String cause,
      Remedy remedy,
      String... references) {
    this.stage = stage;
    this.status = status;
    this.error = error;
    this.title = title;
    this.cause = cause;
    this.remedy = remedy;
    this.references = List.of(references);
  }

  /** The stage it belongs to. */
  @Override
  public Stage stage() {
    return stage;
  }

  /** OK for something worth knowing, WARNING, FAILED when it stops mail, or SKIPPED. */
  public Status status() {
    return status;
  }

  /** The error a fetch stops with, for a FAILED symptom (a finding may carry the reply's own). */
  @Override
  public Optional<FetchError> error() {
    return Optional.ofNullable(error);
  }

  /** A few words, as the report's heading. */
  @Override
  public String title() {
    return title;
  }

  /** What it means, in words a person understands. */
  @Override
  public String cause() {
    return cause;
  }

  /** What to do: the command's options for a person, the builder calls for a developer. */
  @Override
  public Remedy remedy() {
    return remedy;
  }

  /** The RFC rules it concerns ("RFC 9051 §6.3.11"). */
  @Override
  public List<String> references() {
    return references;
  }
}
