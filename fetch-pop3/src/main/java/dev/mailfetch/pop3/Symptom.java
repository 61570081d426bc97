package dev.mailfetch.pop3;

import dev.mailfetch.api.DoctorSymptom;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Diagnosis.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@link Pop3Doctor} can find, with the words it shows. The wording is API (users and
 * scripts read it) and docs/doctor.md lists every constant with the test that produces it; a test
 * fails when the two differ.
 *
 * <p>A {@link Status#FAILED} symptom carries the error a fetch with the same settings would stop
 * with, so the doctor's exit code is the fetch's. References name the RFC rule and, where a known
 * server does it, the quirk of docs/quirks.md.
 */
public enum Symptom implements DoctorSymptom {
  // ------------------------------------------------------------------ DNS
  SRV_PUBLISHED(
      Stage.DNS,
      Status.OK,
      null,
      "The domain publishes its POP3 server",
      "The mail domain says in DNS which server and port to use for POP3 (RFC 6186).",
      Remedy.of(
          "Nothing; mailfetch doctor ADDRESS finds the server from these records.",
          "Nothing; Pop3Doctor.discover finds the server from these records."),
      "RFC 6186 §3"),
  SRV_DIFFERS(
      Stage.DNS,
      Status.WARNING,
      null,
      "The settings differ from what the domain publishes",
      "The server or port you set is not the one the mail domain's SRV records name.",
      Remedy.of(
          "Unless your provider told you otherwise, use the server and port of the SRV record."),
      "RFC 6186 §3"),
  SRV_NOT_OFFERED(
      Stage.DNS,
      Status.FAILED,
      FetchError.CONFIGURATION,
      "The domain says it offers no POP3",
      "The mail domain's SRV record for POP3 has the target \".\", which means the service is not offered.",
      Remedy.of(
          "Ask the provider how to reach your mail (IMAP, another server), or fetch from another account."),
      "RFC 6186 §3.4"),
  SRV_NONE(
      Stage.DNS,
      Status.FAILED,
      FetchError.CONFIGURATION,
      "No POP3 server could be found for the domain",
      "The mail domain publishes no POP3 SRV records and none of the usual names (pop, pop3, mail) answers.",
      Remedy.of(
          "Look up the POP3 server's name in your provider's help pages and give it in the URL (pop3s://user@HOST).",
          "Look up the POP3 server's name in your provider's help pages and give it to the source's builder (host(String))."),
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
          "Check the server name; the provider may use another name for POP3 (pop., pop3., mail.)."),
      "RFC 1035 §3.2.2"),
  ADDRESS_INVALID(
      Stage.DNS,
      Status.FAILED,
      FetchError.CONFIGURATION,
      "Not a valid address",
      "The server is given as an IP address, but it is none (a number over 255, a letter in an IPv6 address), so there is nothing to look up or connect to.",
      Remedy.of(
          "Correct the address in the URL (an IPv6 address in brackets: pop3s://user@[2001:db8::1]), or give the server's name instead.",
          "Correct the address given to host(String), or give the server's name instead.")),
  DNS_NO_ANSWER(
      Stage.DNS,
      Status.FAILED,
      FetchError.CONNECTION_TIMED_OUT,
      "DNS did not answer",
      "No DNS server answered the question in time: this machine's network or DNS settings are at fault, not the mail server.",
      Remedy.of(
          "Check this machine's network connection and DNS servers (router, /etc/resolv.conf), then try again.")),

  // ------------------------------------------------------------------ TCP
  CONNECTION_REFUSED(
      Stage.TCP,
      Status.FAILED,
      FetchError.CONNECTION_REFUSED,
      "Connection refused",
      "The server's machine answered, but nothing listens on this port: the port is wrong or the POP3 service is down.",
      Remedy.of(
          "Check the port: pop3s:// uses 995 (POP3 over TLS), pop3:// uses 110 (STARTTLS), and a :PORT in the URL overrides them; if it is right, the service is down: try later or ask the provider.",
          "Check the port (port(int): 995 for Security.IMPLICIT_TLS, 110 for Security.STARTTLS); if it is right, the service is down: try later or ask the provider.")),
  CONNECTION_TIMED_OUT(
      Stage.TCP,
      Status.FAILED,
      FetchError.CONNECTION_TIMED_OUT,
      "Connection timed out",
      "Nothing answered at all: a firewall or rate limiter drops the connection silently, the address is wrong, or this machine's network is down (no route).",
      Remedy.of(
          "Check the server name and port; make sure no firewall on this side blocks the port; ask the provider whether they block or rate-limit this address.")),
  CONNECTION_RESET(
      Stage.TCP,
      Status.FAILED,
      FetchError.CONNECTION_RESET,
      "Connection reset by peer",
      "The connection was accepted and then cut before the server said anything: a firewall, a load balancer or an overloaded server cut us off.",
      Remedy.of(
          "Try again later; if it keeps happening, ask the provider whether they block or rate-limit connections from this address.")),
  OTHER_PORT_WORKS(
      Stage.TCP,
      Status.OK,
      null,
      "Another port works",
      "A usual POP3 port of the same server answers; the report says what it speaks.",
      Remedy.of(
          "If the port you set fails, use this one with the security it names: pop3s://user@host:PORT for TLS, pop3://user@host:PORT for STARTTLS.",
          "If the port you set fails, use this one (port(int)) with the security it names (security(Security)).")),
  NOT_POP3(
      Stage.TCP,
      Status.FAILED,
      FetchError.PROTOCOL,
      "This port does not speak POP3",
      "The server on this port greeted in another protocol (IMAP, SMTP or something else), so the port or the protocol is wrong.",
      Remedy.of(
          "Use the POP3 port (995 or 110); if the provider offers only IMAP, POP3 fetching cannot work with this account.")),
  SILENT_PORT(
      Stage.TCP,
      Status.FAILED,
      FetchError.CONNECTION_TIMED_OUT,
      "The port accepts connections but says nothing",
      "The connection was accepted but neither a POP3 greeting nor a TLS handshake came back.",
      Remedy.of(
          "Check the port; ask the provider whether something in front of the server holds connections.")),

  // ------------------------------------------------------------------ TLS
  TLS_ESTABLISHED(
      Stage.TLS,
      Status.OK,
      null,
      "Encrypted",
      "The connection is encrypted and the server proved its identity with a valid certificate.",
      Remedy.of("Nothing."),
      "RFC 8314",
      "RFC 2595"),
  TLS_TO_PLAIN_PORT(
      Stage.TLS,
      Status.FAILED,
      FetchError.TLS_FAILED,
      "TLS spoken to a plain-text port",
      "You chose TLS from the start (implicit TLS), but this port greets in plain text: it expects STARTTLS or no encryption.",
      Remedy.of(
          "Use STARTTLS on this port (a pop3:// URL, or --tls starttls), or implicit TLS (pop3s://) on port 995.",
          "Use security(Security.STARTTLS) on this port, or Security.IMPLICIT_TLS on port 995."),
      "RFC 8314 §3.3",
      "RFC 2595 §4"),
  PLAIN_TO_TLS_PORT(
      Stage.TLS,
      Status.FAILED,
      FetchError.TLS_FAILED,
      "Plain text spoken to a TLS port",
      "You chose STARTTLS or no encryption, but this port expects TLS from the first byte (implicit TLS): it waits for a handshake and never greets.",
      Remedy.of(
          "Use implicit TLS on this port: a pop3s:// URL, or --tls implicit.",
          "Use security(Security.IMPLICIT_TLS) on this port."),
      "RFC 8314 §3.3"),
  STLS_NOT_OFFERED(
      Stage.TLS,
      Status.FAILED,
      FetchError.TLS_REQUIRED_NOT_OFFERED,
      "The server does not offer STARTTLS",
      "You chose STARTTLS, but the server does not list STLS, so the password would travel in plain text; mailfetch stopped before sending it.",
      Remedy.of(
          "Use implicit TLS (a pop3s:// URL, port 995) if the server has it; otherwise ask the provider to enable TLS.",
          "Use Security.IMPLICIT_TLS (port 995) if the server has it; otherwise ask the provider to enable TLS."),
      "RFC 2595 §4",
      "RFC 8314"),
  STLS_FAILED(
      Stage.TLS,
      Status.FAILED,
      FetchError.TLS_FAILED,
      "STARTTLS failed",
      "The server lists STLS but refused it or did not start TLS after agreeing; mailfetch stopped before sending any password.",
      Remedy.of(
          "Use implicit TLS (a pop3s:// URL, port 995) if the server has it; tell the provider their STARTTLS is broken.",
          "Use Security.IMPLICIT_TLS (port 995) if the server has it; tell the provider their STARTTLS is broken."),
      List.of("RFC 2595 §4"),
      QuirkId.Q23),
  CERTIFICATE_EXPIRED(
      Stage.TLS,
      Status.FAILED,
      FetchError.CERTIFICATE_INVALID,
      "The certificate has expired",
      "The server's certificate is past its expiry date, so its identity cannot be trusted.",
      Remedy.of("Tell the provider to renew the certificate; do not turn checks off."),
      "RFC 5280 §4.1.2.5"),
  CERTIFICATE_NOT_YET_VALID(
      Stage.TLS,
      Status.FAILED,
      FetchError.CERTIFICATE_INVALID,
      "The certificate is not valid yet",
      "The server's certificate starts later than now: the server's or this machine's clock is wrong.",
      Remedy.of("Check this machine's date and time; if it is right, tell the provider."),
      "RFC 5280 §4.1.2.5"),
  CERTIFICATE_WRONG_HOST(
      Stage.TLS,
      Status.FAILED,
      FetchError.CERTIFICATE_INVALID,
      "The certificate is for another host name",
      "The server's certificate does not name the host you connect to: the host name is not the provider's official one, or the certificate is wrong.",
      Remedy.of(
          "Use the host name the certificate names (see below) in the URL if it is your provider's; otherwise tell the provider.",
          "Use the host name the certificate names (see below) as the source's host(String) if it is your provider's; otherwise tell the provider."),
      "RFC 6125 §6",
      "RFC 2595 §2.4"),
  CERTIFICATE_SELF_SIGNED(
      Stage.TLS,
      Status.FAILED,
      FetchError.CERTIFICATE_INVALID,
      "The certificate is self-signed",
      "The server's certificate was signed by itself, not by an authority this machine trusts.",
      Remedy.of(
          "If this is your own or a private server, trust its certificate with --ca-file FILE (the certificate as PEM); otherwise do not connect.",
          "If this is your own or a private server, trust its certificate with the source builder's trustPem(Path) (the certificate as PEM); otherwise do not connect."),
      "RFC 5280 §6"),
  CERTIFICATE_UNTRUSTED(
      Stage.TLS,
      Status.FAILED,
      FetchError.CERTIFICATE_INVALID,
      "The certificate's authority is not trusted",
      "The server's certificate was issued by an authority this machine does not trust, or the server did not send its intermediate certificates.",
      Remedy.of(
          "If this is a private server, trust its CA with --ca-file FILE (the CA's certificate as PEM); otherwise tell the provider to send the full chain.",
          "If this is a private server, trust its CA with the source builder's trustPem(Path) (the CA's certificate as PEM); otherwise tell the provider to send the full chain."),
      "RFC 5280 §6",
      "RFC 8446 §4.4.2"),
  CERTIFICATE_EXPIRES_SOON(
      Stage.TLS,
      Status.WARNING,
      null,
      "The certificate expires soon",
      "The server's certificate is valid today but expires within 21 days; after that, fetching stops.",
      Remedy.of("Tell the provider to renew it in time."),
      "RFC 5280 §4.1.2.5"),
  TLS_VERSION_TOO_OLD(
      Stage.TLS,
      Status.FAILED,
      FetchError.TLS_FAILED,
      "The server offers only old TLS versions",
      "The server offers no TLS 1.2 or later; older versions are broken and refused.",
      Remedy.of("Tell the provider to enable TLS 1.2 or 1.3."),
      "RFC 8996",
      "RFC 8314 §4.1"),
  TLS_HANDSHAKE_FAILED(
      Stage.TLS,
      Status.FAILED,
      FetchError.TLS_FAILED,
      "The TLS handshake failed",
      "Client and server could not agree on encryption.",
      Remedy.of("Try again; if it persists, tell the provider what the report shows."),
      "RFC 8446"),
  NOT_ENCRYPTED(
      Stage.TLS,
      Status.WARNING,
      null,
      "The connection is not encrypted",
      "You chose no encryption: the password and every message travel readable by anyone on the way.",
      Remedy.of(
          "Use implicit TLS (a pop3s:// URL, port 995) or STARTTLS (a pop3:// URL) if the server offers either.",
          "Use Security.IMPLICIT_TLS (port 995) or Security.STARTTLS if the server offers either."),
      "RFC 8314 §5"),

  // ------------------------------------------------------------------ greeting and capabilities
  GREETING_REFUSED(
      Stage.CAPABILITIES,
      Status.FAILED,
      FetchError.SERVER_TEMPORARY,
      "The server refused the session",
      "The server answered the connection with -ERR: it is overloaded, in maintenance, or refuses this address.",
      Remedy.of("Try again later; if it persists, ask the provider."),
      "RFC 1939 §4"),
  NO_GREETING(
      Stage.CAPABILITIES,
      Status.FAILED,
      FetchError.CONNECTION_TIMED_OUT,
      "No greeting",
      "The connection is open but the server never sent its +OK greeting.",
      Remedy.of(
          "Check the port and the URL's scheme (pop3s:// or pop3://, or --tls); the server may be overloaded: try later.",
          "Check port(int) and security(Security); the server may be overloaded: try later."),
      "RFC 1939 §4"),
  GREETING_JUNK(
      Stage.CAPABILITIES,
      Status.WARNING,
      null,
      "Extra lines after the greeting",
      "The server sent more lines after its greeting, before any command; mailfetch skips them, many clients do not.",
      Remedy.of("For administrators: send one greeting line only."),
      List.of("RFC 1939 §4"),
      QuirkId.Q16),
  CAPA_REFUSED(
      Stage.CAPABILITIES,
      Status.WARNING,
      null,
      "The server does not support CAPA",
      "The server refused or dropped the CAPA command, so what it supports (UIDL, pipelining, STLS) has to be guessed.",
      Remedy.of("For administrators: support CAPA (RFC 2449). Fetching still works."),
      List.of("RFC 2449 §5"),
      QuirkId.Q19),
  CAPABILITIES_READ(
      Stage.CAPABILITIES,
      Status.OK,
      null,
      "Capabilities",
      "What the server says it supports, before TLS, after TLS and after login.",
      Remedy.of("Nothing."),
      "RFC 2449 §6"),
  NO_RESP_CODES(
      Stage.CAPABILITIES,
      Status.WARNING,
      null,
      "No response codes",
      "The server does not announce RESP-CODES, so a busy or locked mailbox cannot be told from a wrong password.",
      Remedy.of(
          "For administrators: send RFC 2449/3206 response codes ([IN-USE], [LOGIN-DELAY], [SYS/TEMP], [AUTH])."),
      "RFC 2449 §8",
      "RFC 3206"),

  // ------------------------------------------------------------------ authentication
  LOGGED_IN(
      Stage.AUTHENTICATION,
      Status.OK,
      null,
      "Logged in",
      "The user name and password (or token) were accepted.",
      Remedy.of("Nothing.")),
  LOGIN_NOT_TRIED(
      Stage.AUTHENTICATION,
      Status.SKIPPED,
      null,
      "Login not tried",
      "No password or token was given, so login and the mailbox could not be examined.",
      Remedy.of(
          "Give the password (--password-env NAME or --password-file FILE) to examine the mailbox too.",
          "Give the source a password (or token) supplier and leave Pop3Doctor.Builder.login on, to examine the mailbox too.")),
  WRONG_CREDENTIALS(
      Stage.AUTHENTICATION,
      Status.FAILED,
      FetchError.AUTH_FAILED,
      "User name or password not accepted",
      "The server refused the login: the password or user name is wrong (often: the password was changed, or the user name must be the whole e-mail address), or POP access is switched off for the account.",
      Remedy.of(
          "Check the user name (try the full address) and password; make sure POP access is enabled in the account's settings."),
      "RFC 1939 §7",
      "RFC 3206 §4"),
  LOGIN_REFUSED(
      Stage.AUTHENTICATION,
      Status.FAILED,
      FetchError.AUTH_FAILED,
      "The server refused the login",
      "The server refused the login in words, without the code [AUTH] that would say the user name or password is wrong: its words (seen) are all there is. They may mean a wrong user name or password, or a problem on the server's side with this mailbox (a damaged or unreadable mailbox).",
      Remedy.of(
          "If the server's words speak of the user name, the password or the login, check them (the user name is often the whole e-mail address); if they speak of the mailbox or the server, ask the provider, quoting its words."),
      List.of("RFC 3206 §4"),
      QuirkId.Q54),
  NEEDS_APP_PASSWORD(
      Stage.AUTHENTICATION,
      Status.FAILED,
      FetchError.AUTH_FAILED,
      "An app password or web login is needed",
      "The server refused the normal password and says so: the account uses two-step verification or wants a web sign-in first.",
      Remedy.of(
          "Create an app password in the account's security settings and use it instead, or sign in on the web once.")),
  NEEDS_OAUTH(
      Stage.AUTHENTICATION,
      Status.FAILED,
      FetchError.AUTH_FAILED,
      "The server wants OAuth",
      "The server offers only OAuth login (XOAUTH2 or OAUTHBEARER) and refuses passwords.",
      Remedy.of(
          "Use an OAuth access token for this account (--oauth-token-env NAME or --oauth-token-file FILE); the provider's documentation says how to get one.",
          "Use an OAuth token provider for this account (the source builder's oauthTokens(TokenProvider)); the provider's documentation says how to get one."),
      "RFC 7628"),
  TOKEN_EXPIRED(
      Stage.AUTHENTICATION,
      Status.FAILED,
      FetchError.AUTH_TOKEN_EXPIRED,
      "The access token was refused",
      "The OAuth access token has expired or was revoked.",
      Remedy.of(
          "Give a fresh access token (--oauth-token-env or --oauth-token-file is read again at each login), or let mailfetch refresh it (--oauth-grant-file, written by mailfetch oauth); if that fails, sign in again to grant access.",
          "Refresh the token: the TokenProvider is asked at each login (and told of the refused one by invalidate); if that fails, sign in again to grant access."),
      List.of("RFC 7628 §3.2.2"),
      QuirkId.Q42),
  NO_COMMON_LOGIN_METHOD(
      Stage.AUTHENTICATION,
      Status.FAILED,
      FetchError.AUTH_FAILED,
      "No login method in common",
      "No login method is allowed here, usable with the credentials given and offered by the server (it may offer only proprietary or weaker ones, or ones that need another kind of credential); nothing was sent.",
      Remedy.of(
          "Allow a method the server offers if it is safe (--auth MECH,MECH), or give the kind of credential its methods need (--oauth-token-env NAME for XOAUTH2 or OAUTHBEARER); otherwise ask the provider for standard login.",
          "Allow a method the server offers if it is safe (the source builder's mechanisms(AuthMechanism...)), or give the kind of credential its methods need (oauthTokens(TokenProvider) for XOAUTH2 or OAUTHBEARER); otherwise ask the provider for standard login."),
      List.of("RFC 5034"),
      QuirkId.Q49),
  CLOSED_AFTER_FAILED_LOGIN(
      Stage.AUTHENTICATION,
      Status.FAILED,
      FetchError.AUTH_FAILED,
      "The server hung up after the login",
      "The server closed the connection instead of answering the login: some do so after a wrong password.",
      Remedy.of(
          "Check the user name and password; for administrators: answer -ERR [AUTH] and keep the session."),
      List.of("RFC 3206 §4"),
      QuirkId.Q39),
  MAILBOX_IN_USE(
      Stage.AUTHENTICATION,
      Status.FAILED,
      FetchError.LOCKED,
      "The mailbox is in use",
      "The server answered [IN-USE] (or said the mailbox is locked): another program (a phone, another mail client, another fetcher) has the mailbox open right now, as POP3 allows one session at a time; or, as some servers give this answer for any failure, the server cannot open the mailbox at all, and its words (seen) say so.",
      Remedy.of(
          "Wait a few minutes and try again; check that no two programs fetch this account. If it persists, or the server's words speak of an internal failure, ask the provider, quoting its words."),
      List.of("RFC 2449 §8.1.1"),
      QuirkId.Q37,
      QuirkId.Q56),
  LOGIN_DELAY(
      Stage.AUTHENTICATION,
      Status.FAILED,
      FetchError.LOGIN_DELAY,
      "Logged in too soon",
      "The server allows a login only every so often and the last one was too recent.",
      Remedy.of(
          "Check less often (for poll, raise --min-interval; the server's LOGIN-DELAY says how often); make sure no other program fetches this account.",
          "Check less often (the server's LOGIN-DELAY says how often; the Poller heeds it by itself); make sure no other program fetches this account."),
      List.of("RFC 2449 §6.5", "RFC 2449 §8.1.2"),
      QuirkId.Q38),
  SERVER_TEMPORARY(
      Stage.AUTHENTICATION,
      Status.FAILED,
      FetchError.SERVER_TEMPORARY,
      "The server has a temporary problem",
      "The server said [SYS/TEMP]: a problem on its side that should pass.",
      Remedy.of("Try again later."),
      "RFC 3206 §5"),
  SERVER_PERMANENT(
      Stage.AUTHENTICATION,
      Status.FAILED,
      FetchError.SERVER_PERMANENT,
      "The server has a lasting problem",
      "The server said [SYS/PERM]: a problem on its side that will not pass by itself (a disabled account, a broken mailbox).",
      Remedy.of("Ask the provider."),
      "RFC 3206 §5"),
  // ------------------------------------------------------------------ mailbox
  MAILBOX_COUNTED(
      Stage.MAILBOX,
      Status.OK,
      null,
      "Mailbox",
      "How many messages the mailbox holds, and their size.",
      Remedy.of("Nothing."),
      "RFC 1939 §5"),
  STAT_REFUSED(
      Stage.MAILBOX,
      Status.FAILED,
      FetchError.TOO_MANY_MESSAGES,
      "The server cannot count the messages",
      "The server refused STAT after a good login: mailboxes that are very large, or a login-frequency rule, make some servers do this.",
      Remedy.of(
          "Delete or move mail out of the inbox of the other account; if the server says to wait, check less often."),
      List.of("RFC 1939 §5"),
      QuirkId.Q47,
      QuirkId.Q38),
  TOO_MANY_MESSAGES(
      Stage.MAILBOX,
      Status.FAILED,
      FetchError.TOO_MANY_MESSAGES,
      "Too many messages",
      "The mailbox lists more messages than a fetch reads in one listing (the client's listing limit, a million messages by default).",
      Remedy.of(
          "Delete some mail from the other account or move it out of the inbox; the command has no option to raise the client's listing limit.",
          "Delete some mail from the other account or move it out of the inbox, or raise Pop3Limits.Builder.maxListingLinesOnTheWire if this machine can afford it.")),
  MANY_MESSAGES(
      Stage.MAILBOX,
      Status.WARNING,
      null,
      "Many messages",
      "The mailbox holds over half the messages a fetch reads in one listing; as it grows, fetching will stop.",
      Remedy.of("Delete old mail from the other account or move it into folders.")),
  NO_UIDL(
      Stage.MAILBOX,
      Status.WARNING,
      null,
      "Mail cannot be left on the server",
      "The server has no working UIDL, so messages cannot be recognised from one check to the next: leaving a copy on the server is impossible; fetch-and-delete works.",
      Remedy.of(
          "Fetch with --delete: leave-on-server cannot work; for administrators: support UIDL.",
          "Use Retention.DELETE_AFTER_DELIVERY: leave-on-server cannot work; for administrators: support UIDL."),
      List.of("RFC 1939 §7"),
      QuirkId.Q24),
  EXPIRE_ZERO(
      Stage.MAILBOX,
      Status.WARNING,
      null,
      "The server deletes mail once it is fetched",
      "The server announces EXPIRE 0: it removes every message once a client retrieved it, so leave-on-server cannot work.",
      Remedy.of(
          "Fetch with --delete, and keep the fetched copy safe.",
          "Use Retention.DELETE_AFTER_DELIVERY, and keep the fetched copy safe."),
      "RFC 2449 §6.7"),
  EXPIRE_DAYS(
      Stage.MAILBOX,
      Status.OK,
      null,
      "The server deletes fetched mail after some days",
      "The server announces EXPIRE: it removes retrieved messages after that many days, whatever the client asks.",
      Remedy.of("Nothing, as long as mail is fetched more often than that."),
      "RFC 2449 §6.7"),
  LOGIN_DELAY_ANNOUNCED(
      Stage.MAILBOX,
      Status.OK,
      null,
      "The server limits how often one may log in",
      "The server announces LOGIN-DELAY: checking more often than that is refused.",
      Remedy.of("Check no more often than that (mailfetch's poller follows it)."),
      "RFC 2449 §6.5"),
  COUNTS_DISAGREE(
      Stage.MAILBOX,
      Status.FAILED,
      FetchError.WRONG_ORDER,
      "The listings disagree",
      "STAT, LIST and UIDL count different messages in the same session; a message that arrives during a session can cause it, a broken server always.",
      Remedy.of(
          "Try again; if it persists, tell the provider (the numbers below show where they disagree); without --strict, mailfetch accepts it.",
          "Try again; if it persists, tell the provider (the numbers below show where they disagree); tolerating Tolerance.UNORDERED_LISTING accepts it."),
      List.of("RFC 1939 §5"),
      QuirkId.Q46,
      QuirkId.Q29),
  SIZES_DISAGREE(
      Stage.MAILBOX,
      Status.WARNING,
      null,
      "STAT's size is not the sum of LIST's sizes",
      "The total size STAT gives differs from the sum of the sizes LIST gives.",
      Remedy.of("For administrators: both must count the same octets (RFC 1939 §5)."),
      List.of("RFC 1939 §5"),
      QuirkId.Q32),

  // ------------------------------------------------------------------ compliance
  NUMBERING_NOT_FROM_ONE(
      Stage.COMPLIANCE,
      Status.FAILED,
      FetchError.WRONG_ORDER,
      "Messages are not numbered from 1",
      "The server numbers messages from 0 (or another number); POP3 numbers them 1 to N.",
      Remedy.of(
          "Tell the provider: \"The other server sent messages in the wrong order\" is what Gmail said of this."),
      List.of("RFC 1939 §5"),
      QuirkId.Q29),
  NUMBERING_OUT_OF_ORDER(
      Stage.COMPLIANCE,
      Status.FAILED,
      FetchError.WRONG_ORDER,
      "Messages are listed out of order",
      "The listing is not in ascending order, skips numbers, repeats one or goes beyond the STAT count.",
      Remedy.of(
          "Tell the provider; without --strict, mailfetch sorts the listing instead.",
          "Tell the provider; tolerating Tolerance.UNORDERED_LISTING sorts the listing instead."),
      List.of("RFC 1939 §5"),
      QuirkId.Q29),
  NUMBERING_TOLERATED(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "Messages are listed out of order (tolerated)",
      "The listings are out of order, skip numbers, start at 0 or disagree in count; tolerated as here (the command's default), the listing is sorted and numbers outside 1 to the STAT count are ignored, so those messages are not fetched. Gmail refused such servers.",
      Remedy.of(
          "Tell the provider; with --strict mailfetch refuses the listing as Gmail did.",
          "Tell the provider; without Tolerance.UNORDERED_LISTING mailfetch refuses the listing as Gmail did."),
      List.of("RFC 1939 §5"),
      QuirkId.Q29,
      QuirkId.Q46),
  UID_SYNTAX(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "Unique ids break the rules",
      "Some unique ids are empty, longer than 70 characters, or hold spaces or bytes outside printable ASCII; mailfetch copes, other clients may not.",
      Remedy.of("For administrators: ids of 1 to 70 characters from 0x21 to 0x7E."),
      List.of("RFC 1939 §7"),
      QuirkId.Q27),
  UID_DUPLICATES(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "Two messages share a unique id",
      "Two messages carry the same unique id; mailfetch keeps both, other clients may skip one.",
      Remedy.of("For administrators: unique ids must be unique within the mailbox."),
      List.of("RFC 1939 §7"),
      QuirkId.Q25),
  UIDS_FROM_NUMBERS(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "Unique ids are the message numbers",
      "Every unique id is its message's number (or that number plus one constant): the server seems to derive ids from the numbers, and then gives the next message to arrive, once one was deleted elsewhere, an id seen before, which other programs take for mail fetched already. Ids that are counters of a mailbox from which nothing was ever deleted look the same from here; only a deletion tells them apart.",
      Remedy.of(
          "For administrators: give each message an id of its own that is never reused (RFC 1939 §7). mailfetch tells new mail under an old id by its size and header (TOP) and reports it; fetching with --delete keeps ids from outliving their messages.",
          "For administrators: give each message an id of its own that is never reused (RFC 1939 §7). The engine tells new mail under an old id by its size and header (TOP) and reports it; Retention.DELETE_AFTER_DELIVERY keeps ids from outliving their messages."),
      List.of("RFC 1939 §7"),
      QuirkId.Q51),
  SINGLE_FORM_WRONG(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "UIDL n / LIST n answer in the wrong form",
      "Asked about one message, the server answers without the number, with another number, or with a whole listing.",
      Remedy.of("For administrators: answer \"+OK n value\" on one line."),
      List.of("RFC 1939 §5", "RFC 1939 §7"),
      QuirkId.Q28),
  UNSTUFFED_DOT(
      Stage.COMPLIANCE,
      Status.FAILED,
      FetchError.READ_ERROR,
      "A line with a single '.' is not escaped",
      "A sampled message contains a line with just '.', which the server sent without doubling it, so the message seems to end there and the rest arrives as garbage.",
      Remedy.of(
          "Tell the provider: lines starting with '.' must be sent with a second '.'. Fetching may resume when that message is deleted or moved."),
      List.of("RFC 1939 §3"),
      QuirkId.Q04),
  GLUED_TERMINATOR(
      Stage.COMPLIANCE,
      Status.FAILED,
      FetchError.READ_ERROR,
      "A message's end marker is broken",
      "A sampled message did not end with CRLF '.' CRLF: the '.' is glued to its last line or the final LF is missing, so the end cannot be found.",
      Remedy.of(
          "Tell the provider; after a few failed runs mailfetch sets such a message aside and the mail after it flows again.",
          "Tell the provider; after Fetcher.Builder.quarantineAfter failed runs such a message is set aside and the mail after it flows again."),
      List.of("RFC 1939 §3"),
      QuirkId.Q03,
      QuirkId.Q02),
  BARE_LF(
      Stage.COMPLIANCE,
      Status.FAILED,
      FetchError.READ_ERROR,
      "Lines end in LF, not CRLF",
      "The server ends lines with a bare LF where POP3 requires CRLF.",
      Remedy.of(
          "Tell the provider; --quirk Q01 accepts it.",
          "Tell the provider; tolerating Tolerance.BARE_LF accepts it."),
      List.of("RFC 1939 §3"),
      QuirkId.Q01),
  BARE_LF_IN_MESSAGES(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "Messages contain bare LF line ends",
      "Sampled messages have lines ending in LF alone; mail must use CRLF on the wire.",
      Remedy.of("For administrators: convert stored mail to CRLF when sending it."),
      List.of("RFC 5322 §2.3", "RFC 1939 §3"),
      QuirkId.Q01),
  TOP_LIST_DISAGREE(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "TOP and LIST disagree on a message's size",
      "A sampled message, read whole with TOP, came to another size than LIST gives for it. Either LIST's sizes are off, or TOP sends other bytes than RETR does (some servers add an empty line after the header); only retrieving the message (RETR) can tell which, and this examination retrieves nothing.",
      Remedy.of(
          "Run the doctor again with --deep: it retrieves the sampled messages and says which of the two is wrong (some servers delete or hide what is retrieved: use it on a test account, or on mail fetched already).",
          "Examine again with Pop3Doctor.Builder.deep(true): it retrieves the sampled messages and says which of the two is wrong (some servers delete or hide what is retrieved: use it on a test account, or on mail fetched already)."),
      List.of("RFC 1939 §5", "RFC 1939 §7"),
      QuirkId.Q32,
      QuirkId.Q55),
  LIST_SIZE_WRONG(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "LIST sizes are not the sizes sent",
      "The sizes LIST gives differ from the sizes of the messages RETR sends (counted with CRLF, as POP3 says); progress and size limits are off.",
      Remedy.of("For administrators: LIST must give the exact size in octets as sent."),
      List.of("RFC 1939 §5"),
      QuirkId.Q32,
      QuirkId.Q50),
  TOP_REFUSED(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "TOP was refused for a message",
      "TOP of a listed message was answered -ERR. Either TOP does not work on this server (header checks then fall back to RETR), or the server refuses that message itself, and a fetch then fails it every run (Dovecot after a message was removed by another session, quirk Q34); only retrieving it (RETR) can tell which, and this examination retrieves nothing.",
      Remedy.of(
          "Run the doctor again with --deep: it retrieves the sampled messages and says whether TOP or the message is at fault (some servers delete or hide what is retrieved: use it on a test account, or on mail fetched already).",
          "Examine again with Pop3Doctor.Builder.deep(true): it retrieves the sampled messages and says whether TOP or the message is at fault (some servers delete or hide what is retrieved: use it on a test account, or on mail fetched already)."),
      List.of("RFC 1939 §7"),
      QuirkId.Q33,
      QuirkId.Q34),
  TOP_BROKEN(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "TOP does not work as it should",
      "TOP is refused, ignores the number of lines, answers twice, or sends other bytes than RETR (an empty line of its own after the header, say); header checks fall back to RETR.",
      Remedy.of("For administrators: support TOP as RFC 1939 §7 says."),
      List.of("RFC 1939 §7"),
      QuirkId.Q33,
      QuirkId.Q55),
  MESSAGES_SERVED_EMPTY(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "Messages are served empty",
      "A sampled message came as nothing but a header field the server adds itself (X-UIDL and the like), with no content of its own, though LIST gives its real size: the server cannot read the message it lists. Its size is not LIST's fault. A fetch stores what it is sent, reports it, and never deletes such a message, so the mail in it stays on the server, but it does not arrive.",
      Remedy.of(
          "Look at the messages named above (seen) on the server (webmail, another mail program); if they are whole there, tell the provider that POP3 serves them empty (their mailbox files may be damaged)."),
      List.of("RFC 1939 §7"),
      QuirkId.Q53),
  UNICODE_MESSAGES_REPLACED(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "Messages arrive replaced by a notice",
      "A sampled message arrived as a notice from the server's postmaster (\"Cannot display Unicode content\") with the original attached: the server does so with a message whose header holds UTF-8 (RFC 6532) for a client that has not turned on UTF-8 mode (RFC 6856), and this session could not turn it on (see what was seen). A fetch would store the notices; their sizes are not LIST's fault.",
      Remedy.of(
          "Ask the provider to offer UTF-8 mode (the UTF8 capability of RFC 6856); until then, each original is attached to the notice stored in its place."),
      List.of("RFC 6856 §2", "RFC 6532"),
      QuirkId.Q52),
  UNICODE_MESSAGES_REPLACED_FOR_OTHERS(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "Programs without UTF-8 mode get notices",
      "With UTF-8 mode off, as mail programs without RFC 6856 have it, the server sends a message whose header holds UTF-8 (RFC 6532) as a notice from its postmaster (\"Cannot display Unicode content\") with the original attached. mailfetch turns UTF-8 mode on and gets such messages as they are.",
      Remedy.of(
          "Nothing for mailfetch. Another program that fetches this mailbox by POP3 without UTF-8 mode stores notices in place of such messages; for administrators: that is the server's design (Courier), not a fault."),
      List.of("RFC 6856 §2", "RFC 6532"),
      QuirkId.Q52),
  PIPELINING_BROKEN(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "PIPELINING does not work as announced",
      "The server announces PIPELINING but did not answer every command of a batch sent together; within the same run mailfetch connects again and goes on one command at a time, so mail is fetched (each run spends a few seconds on this).",
      Remedy.of("For administrators: stop announcing PIPELINING, or answer every command."),
      List.of("RFC 2449 §6.6"),
      QuirkId.Q21),
  SESSION_DROPPED(
      Stage.COMPLIANCE,
      Status.FAILED,
      FetchError.CONNECTION_RESET,
      "The server dropped the session",
      "The server closed the connection in the middle of the session, without a reply.",
      Remedy.of(
          "Try again later; if it happens at the same point every time, tell the provider what the report shows."),
      List.of("RFC 1939 §3"),
      QuirkId.Q36,
      QuirkId.Q43),
  SESSION_STALLED(
      Stage.COMPLIANCE,
      Status.FAILED,
      FetchError.CONNECTION_TIMED_OUT,
      "The server stopped answering",
      "The server stopped sending in the middle of the session and did not answer within the deadline.",
      Remedy.of(
          "Try again later; if it happens at the same point every time, tell the provider what the report shows."),
      List.of("RFC 1939 §3"),
      QuirkId.Q17),
  FRAMING_BROKEN(
      Stage.COMPLIANCE,
      Status.FAILED,
      FetchError.READ_ERROR,
      "Replies could not be told apart",
      "The server's data did not split into replies and messages as POP3 frames them (READ_ERROR).",
      Remedy.of("Tell the provider what the report shows; they may be in violation of POP3."),
      "RFC 1939 §3"),
  EMPTY_LINE_REPLY(
      Stage.COMPLIANCE,
      Status.FAILED,
      FetchError.EMPTY_LINE,
      "Received an empty line",
      "The server sent an empty line where a reply was due.",
      Remedy.of(
          "Tell the provider; --quirk Q11 skips such lines (but not an empty line and a lone '.' after a message, a stray end marker no setting can tell from message text).",
          "Tell the provider; tolerating Tolerance.EMPTY_LINES skips such lines (but not an empty line and a lone '.' after a message, a stray end marker no setting can tell from message text)."),
      List.of("RFC 1939 §3"),
      QuirkId.Q11),
  LIMIT_EXCEEDED(
      Stage.COMPLIANCE,
      Status.FAILED,
      FetchError.LIMIT_EXCEEDED,
      "The server sent more than a limit allows",
      "A reply was longer or larger than the limit named below, which protects this machine from a broken or hostile server.",
      Remedy.of(
          "Tell the provider what the report shows: the command has no option to raise these limits, which protect this machine.",
          "If the server is trustworthy and the size expected, raise the Pop3Limits setting named below; otherwise tell the provider."),
      List.of("RFC 1939 §3", "RFC 2449 §4"),
      QuirkId.Q06),
  PROTOCOL_ERROR(
      Stage.COMPLIANCE,
      Status.FAILED,
      FetchError.PROTOCOL,
      "The server broke the protocol",
      "A reply did not follow POP3's rules (see what was seen).",
      Remedy.of("Tell the provider what the report shows."),
      "RFC 1939"),
  QUIT_NOT_ACKNOWLEDGED(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "QUIT is not answered properly",
      "The server did not answer QUIT with +OK (it closed silently or said -ERR), so a client cannot know whether deletions took effect.",
      Remedy.of("For administrators: answer QUIT with +OK after committing deletions."),
      List.of("RFC 1939 §6"),
      QuirkId.Q35),
  QUIT_SLOW(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "QUIT is answered slowly",
      "The server took over two seconds to answer QUIT; clients that wait less report deletions as failed.",
      Remedy.of("For administrators: commit deletions faster."),
      List.of("RFC 1939 §6"),
      QuirkId.Q35),
  UIDS_UNSTABLE(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "Unique ids change between sessions",
      "The same messages had other unique ids in a second session, so every check would fetch them again.",
      Remedy.of(
          "For administrators: keep ids stable (RFC 1939 §7); for users: fetch with --delete.",
          "For administrators: keep ids stable (RFC 1939 §7); for users: use Retention.DELETE_AFTER_DELIVERY."),
      List.of("RFC 1939 §7"),
      QuirkId.Q26),
  RETR_REMOVES_MAIL(
      Stage.COMPLIANCE,
      Status.WARNING,
      null,
      "Retrieving a message removes it",
      "After RETR and QUIT, the sampled messages were gone though no DELE was sent: the server deletes (or hides) mail once it is retrieved.",
      Remedy.of(
          "Leave-on-server cannot work with this account; check the provider's POP settings (Gmail: \"keep a copy\")."),
      List.of("RFC 1939 §6"),
      QuirkId.Q31,
      QuirkId.Q45),
  LISTED_MESSAGE_REFUSED(
      Stage.COMPLIANCE,
      Status.FAILED,
      FetchError.PROTOCOL,
      "The server refuses to send a message it lists",
      "RETR of a message the server itself listed was answered -ERR (and TOP of it too, so TOP is not at fault): the server refuses to send that message. A fetch gets the others, fails this one every run, and sets it aside (quarantines it) after a few runs.",
      Remedy.of(
          "Ask the provider about that message, quoting the server's words above; mailfetch cannot fetch it until the server sends it."),
      List.of("RFC 1939 §5"),
      QuirkId.Q34);

  private final Stage stage;
  private final Status status;
  private final FetchError error;
  private final String title;
  private final String cause;
  private final Remedy remedy;
  private final List<String> rfcs;
  private final List<QuirkId> quirks;

  /** A symptom no catalogued server quirk shows; {@code rfcs} are the rules it breaks. */
  Symptom(
      Stage stage,
      Status status,
      FetchError error,
      String title,
      String cause,
      Remedy remedy,
      String... rfcs) {
    this(stage, status, error, title, cause, remedy, List.of(rfcs));
  }

  /** A symptom that the catalogued server {@code quirks} show (docs/quirks.md). */
  Symptom(
      Stage stage,
      Status status,
      FetchError error,
      String title,
      String cause,
      Remedy remedy,
      List<String> rfcs,
      QuirkId... quirks) {
    this.stage = stage;
    this.status = status;
    this.error = error;
    this.title = title;
    this.cause = cause;
    this.remedy = remedy;
    this.rfcs = rfcs;
    this.quirks = List.of(quirks);
  }

  /** The stage it belongs to. */
  @Override
  public Stage stage() {
    return stage;
  }

  /** OK for something worth knowing, WARNING, or FAILED when it stops mail. */
  public Status status() {
    return status;
  }

  /** The error a fetch stops with, for a FAILED symptom. */
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

  /**
   * What to do, in the two forms of {@link Remedy}: the command's options for a person running
   * {@code mailfetch doctor}, the builder calls for a developer.
   */
  @Override
  public Remedy remedy() {
    return remedy;
  }

  /**
   * RFC rules and quirk IDs (docs/quirks.md), as the report shows them: {@link #rfcs()}, then
   * {@link #quirks()} by their IDs.
   */
  @Override
  public List<String> references() {
    List<String> all = new ArrayList<>(rfcs);
    for (QuirkId q : quirks) {
      all.add(q.name());
    }
    return List.copyOf(all);
  }

  /** The RFC rules it breaks or concerns ("RFC 1939 §5"). */
  public List<String> rfcs() {
    return rfcs;
  }

  /** The catalogued server quirks (docs/quirks.md) that show it. */
  public List<QuirkId> quirks() {
    return quirks;
  }
}
