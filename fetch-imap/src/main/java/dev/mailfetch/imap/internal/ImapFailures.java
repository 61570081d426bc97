package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.imap.ImapLimits;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place where what an IMAP server says becomes a {@link FetchError}: a refused command by
 * its response code (RFC 5530), a BYE, a broken connection, a cap or a deadline reached. The
 * server's words are always quoted escaped, next to what they mean and a {@link Remedy}.
 */
public final class ImapFailures {
  private ImapFailures() {}

  /** Whose server this is: the destination of a sink, or a source fetched from. */
  public enum Role {
    DESTINATION,
    SOURCE
  }

  /**
   * The error for {@code reply}, a NO or BAD to {@code reply.command()} from {@code server}. Login
   * codes are the login's; a full mailbox or quota is the destination's ({@code SINK_FAILED}, the
   * message stays on the source); a message the destination refuses alone ({@code LIMIT}, {@code
   * TOOBIG}, a NO or BAD to its APPEND without a code) is {@code SINK_REJECTED}.
   */
  public static FetchException refused(TaggedReply reply, String server, Role role) {
    return refused(reply, server, role, Optional.empty());
  }

  private static FetchException refused(
      TaggedReply reply, String server, Role role, Optional<String> loginAdvice) {
    ResponseCode code = reply.code();
    String name = code == null ? "" : code.name();
    String command = reply.command();
    boolean login = command.equals("LOGIN") || command.equals("AUTHENTICATE");
    boolean append = command.equals("APPEND");
    boolean dest = role == Role.DESTINATION;
    ImapAdvice advice = ImapAdvice.of(role);
    String said = reply.line().afterTag();
    String what = server + " refused " + command;
    Optional<Duration> backoff = ImapProviders.exchangeBackoff(said);
    if (backoff.isPresent() || ImapProviders.gmailThrottled(said)) {
      return throttled(what, said, server, dest, backoff);
    }
    switch (name) {
      case "AUTHENTICATIONFAILED":
        return fail(
            FetchError.AUTH_FAILED,
            what + ": the user name or password is wrong",
            said,
            withAdvice(advice.wrongCredentials(server), loginAdvice));
      case "AUTHORIZATIONFAILED":
        return fail(
            FetchError.AUTH_FAILED,
            what + ": the credentials are right but this user may not use that mailbox",
            said,
            null);
      case "EXPIRED":
        return fail(
            FetchError.AUTH_FAILED,
            what + ": the password or account has expired",
            said,
            Remedy.of("Renew the password at the provider, then give the new one."));
      case "PRIVACYREQUIRED":
        return fail(
            FetchError.AUTH_FAILED,
            what + ": it requires TLS for this",
            said,
            Remedy.of(
                "Use imaps:// (implicit TLS) or STARTTLS with this server.",
                "Use "
                    + advice.builder()
                    + ".security(ImapSecurity.IMPLICIT_TLS) or STARTTLS with this server."));
      case "OVERQUOTA":
        if (!dest && ImapProviders.bandwidthExceeded(said)) {
          return fail(
              FetchError.SERVER_TEMPORARY,
              what + ": the account's daily limit of IMAP traffic was reached",
              said,
              Remedy.of(
                  "Run again later: the limit resets within a day (Gmail allows about 2,500 MB of"
                      + " IMAP downloads a day); nothing was lost, the rest stays on "
                      + server
                      + "."));
        }
        return fail(
            dest ? FetchError.SINK_FAILED : FetchError.SERVER_PERMANENT,
            what + ": the mailbox is over its quota (it is full)",
            said,
            Remedy.of(
                "Make room in the mailbox on "
                    + server
                    + " (delete or move mail, or ask for more space), then run again: the messages stay"
                    + " on the source server until then."));
      case "UNAVAILABLE":
      case "INUSE":
      case "SERVERBUG":
        return fail(
            dest ? FetchError.SINK_FAILED : FetchError.SERVER_TEMPORARY,
            what + ": it cannot do this now (" + name + ")",
            said,
            Remedy.of(
                "Try again later; if it keeps happening, tell the provider of "
                    + server
                    + " what it said."));
      case "LIMIT":
      case "TOOBIG":
        if (append && dest) {
          return fail(
              FetchError.SINK_REJECTED,
              what + ": the message is larger than it takes (" + name + ")",
              said,
              null);
        }
        return fail(
            dest ? FetchError.SINK_FAILED : FetchError.SERVER_PERMANENT,
            what + ": a limit of the server was reached (" + name + ")",
            said,
            null);
      case "TRYCREATE":
      case "NONEXISTENT":
        return fail(
            dest ? FetchError.SINK_FAILED : FetchError.CONFIGURATION,
            what + ": the folder does not exist",
            said,
            Remedy.of("Check the folder name, or create the folder on " + server + "."));
      case "NOPERM":
      case "CANNOT":
      case "ALREADYEXISTS":
      case "CONTACTADMIN":
        return fail(
            dest ? FetchError.SINK_FAILED : FetchError.SERVER_PERMANENT,
            what + " (" + name + ")",
            said,
            Remedy.of(
                "Read the server's words; ask the administrator of "
                    + server
                    + " if the folder or the permissions must change."));
      default:
        break;
    }
    if (login) {
      return fail(
          FetchError.AUTH_FAILED,
          what,
          said,
          withAdvice(advice.wrongCredentials(server), loginAdvice));
    }
    if (said.toLowerCase(Locale.ROOT).contains("server unavailable")) { // Exchange, without a code
      return fail(
          dest ? FetchError.SINK_FAILED : FetchError.SERVER_TEMPORARY,
          what + ": it cannot do this now",
          said,
          Remedy.of("Try again later; the messages stay where they are until then."));
    }
    if (dest && append) {
      String low = said.toLowerCase(Locale.ROOT);
      if (low.contains("quota") || low.contains("full") || low.contains("space")) {
        return fail(FetchError.SINK_FAILED, what + ": the mailbox is full", said, null);
      }
      return fail(FetchError.SINK_REJECTED, what + " for this message", said, null);
    }
    if (reply.status().equals("BAD")) {
      return fail(FetchError.PROTOCOL, server + " did not understand " + command, said, null);
    }
    return fail(dest ? FetchError.SINK_FAILED : FetchError.SERVER_PERMANENT, what, said, null);
  }

  /**
   * {@link #refused} for a login, with what a refused login at a big provider most often means (an
   * app password, OAuth only, the token's scope: {@link ImapProviders#loginAdvice}).
   */
  static FetchException loginRefused(
      TaggedReply reply, String server, Role role, boolean withToken) {
    return refused(reply, server, role, ImapProviders.loginAdvice(server, withToken));
  }

  private static Remedy withAdvice(Remedy remedy, Optional<String> more) {
    return more.map(m -> Remedy.of(m + " " + remedy.commandLine(), m + " " + remedy.library()))
        .orElse(remedy);
  }

  /**
   * A provider slowing this account: Exchange Online's {@code Request is throttled. Suggested
   * Backoff Time: N milliseconds}, Gmail's {@code [THROTTLED]}. Temporary: the messages stay, the
   * next run goes on.
   */
  private static FetchException throttled(
      String what, String said, String server, boolean dest, Optional<Duration> backoff) {
    String wait = backoff.map(d -> "; it asks to wait " + words(d)).orElse("");
    return fail(
        dest ? FetchError.SINK_FAILED : FetchError.SERVER_TEMPORARY,
        what + ": it is throttling this account (too many requests in a short time)" + wait,
        said,
        Remedy.of(
            "Run again after "
                + backoff.map(ImapFailures::words).orElse("a few minutes")
                + "; fewer runs or fewer accounts on "
                + server
                + " at once keep it from throttling. Nothing was lost."));
  }

  /**
   * How long the server asks the client to wait before its next command (Exchange Online's
   * throttling: {@code Suggested Backoff Time: N milliseconds}); empty if it asks for nothing.
   */
  public static Optional<Duration> suggestedBackoff(TaggedReply reply) {
    return ImapProviders.exchangeBackoff(reply.line().afterTag());
  }

  /**
   * Whether the server says it is slowing this account down though it answered: Gmail's {@code OK
   * Success [THROTTLED]}; a source says so once and keeps its pace.
   */
  public static boolean throttled(TaggedReply reply) {
    return ImapProviders.gmailThrottled(reply.line().afterTag());
  }

  /**
   * {@code e} as the failure of {@code role}'s server. A source's broken or timed-out connection
   * keeps its code ({@code CONNECTION_RESET}, {@code CONNECTION_TIMED_OUT}). A destination's is
   * {@code SINK_FAILED}, in words that name the IMAP server (its last words kept), caused by a
   * {@link ConnectException} ({@link SocketTimeoutException} for a deadline): the engine reads that
   * as its place unreachable, stops the run and counts it against no message, where the source's
   * codes would say the POP3 server broke and strike the messages held in the batch.
   */
  public static FetchException asRole(FetchException e, String server, Role role) {
    if (role == Role.DESTINATION
        && (e.error() == FetchError.CONNECTION_REFUSED || e.error() == FetchError.HOST_NOT_FOUND)) {
      // A destination that cannot be reached is the sink's place, not the source's server: the
      // engine stops the run and counts it against no message (SinkPlace reads the cause).
      String words = "the IMAP server " + server + " cannot be reached: " + e.detail();
      IOException away =
          e.error() == FetchError.HOST_NOT_FOUND
              ? new UnknownHostException(words)
              : new ConnectException(words);
      away.initCause(e);
      return new FetchException(
          FetchError.SINK_FAILED, words, e.serverReply().orElse(null), away, e.remedy());
    }
    boolean timedOut = e.error() == FetchError.CONNECTION_TIMED_OUT;
    if (role != Role.DESTINATION || !(timedOut || e.error() == FetchError.CONNECTION_RESET)) {
      return e;
    }
    String reply = e.serverReply().orElse(null);
    String said = e.detail();
    String quoted = " (server said: \"" + reply + "\")";
    if (reply != null && said.endsWith(quoted)) {
      said = said.substring(0, said.length() - quoted.length());
    }
    String words = destinationWords(said, server, timedOut);
    Throwable cause = e;
    if (!unreachable(e)) { // no server's words to keep escaped once: the cause can be our own
      IOException gone = timedOut ? new SocketTimeoutException(words) : new ConnectException(words);
      gone.initCause(e);
      cause = gone;
    }
    return new FetchException(
        FetchError.SINK_FAILED,
        words,
        reply,
        cause,
        timedOut
            ? e.remedy()
            : Remedy.of(
                "Check that the IMAP server "
                    + server
                    + " is up and reachable, then run again: nothing was lost, the messages it did"
                    + " not take stay on the POP3 server."));
  }

  private static String destinationWords(String said, String server, boolean timedOut) {
    String to = "the connection to " + server;
    String named = "the connection to the IMAP server " + server;
    if (said.startsWith(to)) {
      return named + said.substring(to.length());
    }
    String rest = said.startsWith(server) ? "it" + said.substring(server.length()) : said;
    return named + (timedOut ? " timed out: " : " broke: ") + rest;
  }

  /**
   * Whether {@code e} is a lost connection: a source's codes, or a destination's {@code
   * SINK_FAILED} caused by one ({@link #asRole}).
   */
  public static boolean connectionLost(FetchException e) {
    FetchError c = e.error();
    return c == FetchError.CONNECTION_RESET
        || c == FetchError.READ_ERROR
        || c == FetchError.CONNECTION_TIMED_OUT
        || (c == FetchError.SINK_FAILED && unreachable(e));
  }

  private static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException || t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** The server ended the session with {@code * BYE}: its words, and what its code means. */
  public static FetchException bye(String server, ImapLine bye) {
    ResponseCode code = bye.code();
    String why = code == null ? "" : byeReason(code.name());
    String words = server + " ended the session (BYE" + (why.isEmpty() ? ")" : "): " + why);
    // The cause says "unreachable" to the engine where the server is a sink's (asRole).
    return new FetchException(
        FetchError.CONNECTION_RESET, words, bye.afterTag(), new ConnectException(words));
  }

  private static String byeReason(String code) {
    return switch (code) {
      case "UNAVAILABLE" -> "it cannot serve now (UNAVAILABLE)";
      case "TOOBIG", "LIMIT" -> "a message was larger than it takes (" + code + ")";
      case "OVERQUOTA" -> "the mailbox is over its quota (OVERQUOTA)";
      case "ALERT" -> "with an alert for you (ALERT)";
      default -> "";
    };
  }

  /**
   * The connection broke while {@code reply.command()} was sent, after the server had refused it:
   * the refusal's words, not the broken write's.
   */
  static FetchException brokeAfterRefusal(String server, TaggedReply reply, IOException e) {
    ResponseCode code = reply.code();
    String words =
        server
            + " refused "
            + reply.command()
            + (code == null ? "" : " (" + code.name() + ")")
            + " and closed the connection";
    ConnectException gone = new ConnectException(words); // see bye()
    gone.initCause(e);
    return new FetchException(FetchError.CONNECTION_RESET, words, reply.line().afterTag(), gone);
  }

  /** Whether {@code e} is the server's end of a session over a message's size. */
  public static boolean overSize(FetchException e) {
    String said = e.serverReply().orElse("");
    return said.contains("[TOOBIG]") || said.contains("[LIMIT]");
  }

  private static FetchException fail(FetchError e, String detail, String said, Remedy remedy) {
    return new FetchException(e, detail, said, null, remedy);
  }

  static FetchException lineTooLong(String server, ImapLimits limits, ImapAdvice advice) {
    return limit(
        server
            + " sent a response line longer than "
            + limits.maxLineBytes()
            + " bytes; it was cut off there",
        "maxLineBytes",
        limits.maxLineBytes(),
        advice);
  }

  static FetchException literalTooBig(
      String server, long size, ImapLimits limits, ImapAdvice advice) {
    return limit(
        server
            + " announced a literal of "
            + size
            + " bytes, more than "
            + limits.maxLiteralBytes()
            + " bytes",
        "maxLiteralBytes",
        limits.maxLiteralBytes(),
        advice);
  }

  static FetchException tooManyUntagged(
      String server, String command, ImapLimits limits, ImapAdvice advice) {
    return limit(
        server
            + " sent more than "
            + limits.maxUntaggedPerCommand()
            + " untagged responses to "
            + command,
        "maxUntaggedPerCommand",
        limits.maxUntaggedPerCommand(),
        advice);
  }

  private static FetchException limit(
      String detail, String setting, Object now, ImapAdvice advice) {
    return new FetchException(
        FetchError.LIMIT_EXCEEDED, detail, null, null, advice.raiseLimit(setting, now));
  }

  static FetchException commandTimedOut(String server, ImapLimits limits, ImapAdvice advice) {
    return timedOut(
        server + " did not finish its reply within " + words(limits.commandTimeout()),
        "commandTimeout",
        limits.commandTimeout(),
        advice);
  }

  static FetchException silent(String server, ImapLimits limits, ImapAdvice advice) {
    return timedOut(
        server + " sent nothing for " + words(limits.readTimeout()),
        "readTimeout",
        limits.readTimeout(),
        advice);
  }

  static FetchException noContinuation(
      String server, String command, ImapLimits limits, ImapAdvice advice) {
    return timedOut(
        server
            + " did not ask for the literal of "
            + command
            + " (no \"+\") within "
            + words(limits.continuationTimeout()),
        "continuationTimeout",
        limits.continuationTimeout(),
        advice);
  }

  private static FetchException timedOut(
      String detail, String setting, Duration now, ImapAdvice advice) {
    return new FetchException(
        FetchError.CONNECTION_TIMED_OUT,
        detail,
        null,
        null,
        advice.slowServer(setting, words(now)));
  }

  static FetchException closed(String server, IOException e) {
    if (e instanceof FetchException typed) {
      return typed; // already said with its code: not a second time
    }
    return new FetchException(
        FetchError.CONNECTION_RESET,
        "the connection to "
            + server
            + " broke"
            + (e == null
                ? " (the server closed it)"
                : ": " + FetchException.escape(String.valueOf(e.getMessage()))),
        e);
  }

  static FetchException consumerFailed(String server, IOException e) {
    return new FetchException(
        FetchError.SINK_FAILED,
        "a literal from "
            + server
            + " could not be stored: "
            + FetchException.escape(String.valueOf(e.getMessage())),
        e);
  }

  static FetchException protocol(String server, String what, ImapLine line) {
    return new FetchException(
        FetchError.PROTOCOL, server + " " + what, line == null ? null : line.wire(), null);
  }

  private static String words(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
