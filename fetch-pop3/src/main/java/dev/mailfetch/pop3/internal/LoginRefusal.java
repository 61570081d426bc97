package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A login the server refused with {@code -ERR}, as the error a person reads.
 *
 * <p>Only {@code [AUTH]} says the user name or password is wrong (RFC 3206 §4). Without it, the
 * server's words are all there is: a server that cannot open the mailbox may refuse the login with
 * "message is damaged" and no code (quirk Q54), and calling that a wrong password sends a person to
 * change a password that was right. So the server's own words lead ("refused the login and said:
 * …"), and the advice names both causes. The code is still {@code AUTH_FAILED} (retrying does not
 * help until someone acts), unless a response code or the server's words say otherwise (RFC 2449's
 * {@code [IN-USE]}, {@code [LOGIN-DELAY]}, RFC 3206's {@code [SYS/...]}, fetchmail's heuristics).
 * And {@code [IN-USE]}, which some servers give for any failure to open the mailbox (Dovecot's
 * "Internal login failure", quirk Q56), is told with both of its causes too.
 */
final class LoginRefusal extends FetchException {
  private static final long serialVersionUID = 1L;

  private static final Remedy NO_CODE =
      Remedy.of(
          "The server gave no reason code, so its words are all there is"
              + " to go by: they may mean a wrong user name or password (check both; the user name is often the whole"
              + " e-mail address), or a problem on the server's side with this mailbox (then ask the provider, quoting"
              + " its words).");
  private static final Remedy IN_USE =
      Remedy.of(
          "Another program may have this mailbox open (POP3 allows one"
              + " session at a time): wait a few minutes, try again, and make sure no two programs fetch this account."
              + " Some servers give this answer for any failure to open the mailbox: if it persists, ask the provider,"
              + " quoting the server's words.");

  /** A refusal that says no one is logged in: "not allowed before login", "unknown command". */
  private static final Pattern NOT_LOGGED_IN =
      Pattern.compile(
          "(?i)not (yet )?(logged in|authenticated|authori[sz]ed)"
              + "|before (login|logging in|authenticat)|log ?in first|authenticate first|unknown command");

  private final boolean credentials;
  private final String reply;

  private LoginRefusal(
      FetchError error,
      String detail,
      Reply r,
      boolean quoted,
      Remedy remedy,
      boolean credentials) {
    super(error, detail, quoted ? r.line() : null, null, remedy);
    this.credentials = credentials;
    this.reply = FetchException.escape(r.line());
  }

  /** Whether the server said the credentials are wrong ({@code [AUTH]}). */
  boolean credentials() {
    return credentials;
  }

  /**
   * The server's refusal, escaped: in {@link #serverReply()} where it came with {@code [AUTH]}, and
   * quoted in the words otherwise, but here always, for a caller that reads what the server said
   * (the doctor's app-password finding).
   */
  String reply() {
    return reply;
  }

  /**
   * The error for {@code r}, a {@code -ERR} to {@code step} of a login at {@code server}.
   *
   * @param authRespCode whether the server announces AUTH-RESP-CODE: it then promises {@code
   *     [AUTH]} for bad credentials, so a refusal without it is the server's own trouble
   */
  static LoginRefusal of(String server, Reply r, String step, boolean authRespCode) {
    String code = r.code() == null ? "" : r.code().toUpperCase(Locale.ROOT);
    if (code.equals("AUTH") || code.startsWith("AUTH/")) {
      return new LoginRefusal(
          FetchError.AUTH_FAILED,
          server + " rejected the user name or password (" + step + ")",
          r,
          true,
          null,
          true);
    }
    String said =
        " and said: \"" + (r.text().isEmpty() ? "" : FetchException.escape(r.text())) + "\"";
    FetchError e =
        r.error(
            authRespCode && r.code() == null
                ? FetchError.SERVER_TEMPORARY
                : FetchError.AUTH_FAILED);
    String coded =
        r.code() == null ? "" : " with the code [" + FetchException.escape(r.code()) + "]";
    switch (e) {
      case LOCKED:
        return new LoginRefusal(
            e,
            server + " refused to open the mailbox (" + step + ")" + coded + said,
            r,
            false,
            IN_USE,
            false);
      case AUTH_FAILED:
        return new LoginRefusal(
            e,
            server + " refused the login (" + step + ")" + said + "; it gave no reason code",
            r,
            false,
            NO_CODE,
            false);
      case SERVER_PERMANENT:
        return new LoginRefusal(
            e,
            server
                + " refused the login ("
                + step
                + ")"
                + coded
                + said
                + ": a lasting"
                + " problem on its side, which trying again will not mend",
            r,
            false,
            null,
            false);
      default:
        // [LOGIN-DELAY], [SYS/TEMP], or no [AUTH] from a server that promises it: the code's own
        // advice fits.
        boolean promised = authRespCode && r.code() == null && e == FetchError.SERVER_TEMPORARY;
        return new LoginRefusal(
            e,
            server
                + " refused the login for now ("
                + step
                + ")"
                + coded
                + said
                + (promised
                    ? "; it promises the code [AUTH] for a wrong user name or password and gave none, so the"
                        + " fault is on its side"
                    : ""),
            r,
            false,
            null,
            false);
    }
  }

  /**
   * The error for {@code r}, a {@code -ERR} to the first command after a login the server answered
   * {@code +OK} ({@code how}), when its words say no one is logged in: the login did not really
   * take (a broken server, or a hostile one that says +OK to any AUTH, case A-06). Not "try again
   * later": null when the words say something else, and the command's own error then stands.
   */
  static FetchException notReallyLoggedIn(String server, Reply r, String how, String command) {
    if (r.code() != null || how == null || !NOT_LOGGED_IN.matcher(r.text()).find()) {
      return null;
    }
    return new FetchException(
        FetchError.PROTOCOL,
        server
            + " answered the login ("
            + how
            + ") with +OK, then"
            + " refused "
            + command
            + " as if no one had logged in: the login did not really take, and nothing was"
            + " fetched",
        r.line(),
        null,
        Remedy.of(
            "Tell the provider, quoting the server's words: its answer to the"
                + " login and its next answer contradict each other, which trying again will not mend. If the user name or"
                + " password might be wrong, check them too: this server does not say so as POP3 servers should."));
  }
}
