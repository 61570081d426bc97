package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.pop3.Tolerance;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One status line, classified (RFC 1939 §3, RFC 2449 §8).
 *
 * <p>{@code +OK} is success only as a whole token: followed by the end, a space or {@code [}. So
 * {@code +OKAY} and {@code +ERR} are not successes (quirk Q14, case R-13). {@code -ERR} is failure
 * whatever follows. {@code +} alone or followed by a space is a SASL continuation. An empty line is
 * {@code EMPTY_LINE} (quirk Q11); anything else where a status is due is a framing error.
 */
public final class Reply {
  /** What kind of status line. */
  public enum Kind {
    OK,
    ERR,
    CONTINUATION
  }

  private static final Pattern LOGIN_DELAY_TEXT =
      Pattern.compile("(?i)every \\d+ min|too (soon|often|frequent)|login delay");

  private final Kind kind;
  private final String text;
  private final String code;
  private final String line;

  private Reply(Kind kind, String text, String code, String line) {
    this.kind = kind;
    this.text = text;
    this.code = code;
    this.line = line;
  }

  /**
   * Classifies {@code line}.
   *
   * @param anyCase accept {@code +ok}/{@code -err} (the LOWERCASE_STATUS tolerance)
   * @throws FetchException EMPTY_LINE, PROTOCOL (+ERR and other bogus indicators) or READ_ERROR
   */
  public static Reply parse(String line, boolean anyCase) throws FetchException {
    if (line.isEmpty()) {
      throw new FetchException(
          FetchError.EMPTY_LINE, "the server sent an empty line where a status line was due");
    }
    if (startsWith(line, "+OK", anyCase) && boundary(line, 3)) {
      return withCode(Kind.OK, line, 3);
    }
    if (startsWith(line, "-ERR", anyCase)) {
      return withCode(Kind.ERR, line, 4);
    }
    if (line.equals("+") || line.startsWith("+ ")) {
      return new Reply(Kind.CONTINUATION, line.length() > 2 ? line.substring(2) : "", null, line);
    }
    if (!anyCase
        && ((startsWith(line, "+OK", true) && boundary(line, 3))
            || startsWith(line, "-ERR", true))) {
      throw new FetchException(
          FetchError.PROTOCOL,
          "the server wrote its status indicator in lower case (quirk Q13;"
              + " RFC 1939 writes +OK and -ERR)",
          line,
          null,
          Advice.tolerate(Tolerance.LOWERCASE_STATUS));
    }
    if (startsWith(line, "+ERR", true)) {
      throw new FetchException(
          FetchError.PROTOCOL,
          "the server reported a failure as +ERR, which is not POP3 (quirk Q14)",
          line,
          null);
    }
    if (line.startsWith("+") || line.startsWith("-")) {
      throw new FetchException(
          FetchError.PROTOCOL,
          "the server sent a status line that is neither +OK nor -ERR (RFC 1939 §3)",
          line,
          null);
    }
    throw new FetchException(
        FetchError.READ_ERROR,
        "the server sent data where a status line was due: its replies are out of step",
        line,
        null);
  }

  private static boolean startsWith(String line, String prefix, boolean anyCase) {
    return anyCase
        ? line.regionMatches(true, 0, prefix, 0, prefix.length())
        : line.startsWith(prefix);
  }

  private static boolean boundary(String line, int at) {
    return line.length() == at || line.charAt(at) == ' ' || line.charAt(at) == '[';
  }

  private static Reply withCode(Kind kind, String line, int at) {
    String rest = line.substring(at);
    if (rest.startsWith(" ")) {
      rest = rest.substring(1);
    }
    String code = null;
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      if (close > 1) {
        code = rest.substring(1, close).toUpperCase(Locale.ROOT);
        rest = rest.substring(close + 1).strip();
      }
    }
    return new Reply(kind, rest, code, line);
  }

  public Kind kind() {
    return kind;
  }

  public boolean ok() {
    return kind == Kind.OK;
  }

  /** The text after the indicator (and after the response code, if any). */
  public String text() {
    return text;
  }

  /** The response code without brackets ({@code IN-USE}, {@code SYS/TEMP}), or null. */
  public String code() {
    return code;
  }

  /** The whole line, as received. */
  public String line() {
    return line;
  }

  /**
   * The error a {@code -ERR} stands for: by its response code (RFC 2449 §8, RFC 3206), else by the
   * text heuristics of fetchmail's {@code pop3_ok} (low confidence), else {@code fallback}.
   */
  public FetchError error(FetchError fallback) {
    if (code != null) {
      String top = code.contains("/") ? code.substring(0, code.indexOf('/')) : code;
      switch (top) {
        case "IN-USE":
          return FetchError.LOCKED;
        case "LOGIN-DELAY":
          return FetchError.LOGIN_DELAY;
        case "AUTH":
          return FetchError.AUTH_FAILED;
        case "SYS":
          return code.endsWith("/PERM") ? FetchError.SERVER_PERMANENT : FetchError.SERVER_TEMPORARY;
        default:
          break;
      }
    }
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.contains("lock") || lower.contains("in use")) {
      return FetchError.LOCKED;
    }
    if (LOGIN_DELAY_TEXT.matcher(text).find()) {
      return FetchError.LOGIN_DELAY;
    }
    return fallback;
  }

  /** A {@link FetchException} for this {@code -ERR}, with the server's words. */
  public FetchException exception(FetchError fallback, String doing) {
    return new FetchException(error(fallback), doing, line, null);
  }

  /**
   * This {@code -ERR}, the answer to RETR of message {@code number} that the session listed (quirk
   * Q34: Dovecot's concurrent expunge). RFC 1939 §4 has the server keep every listed message until
   * the session ends, so without a response code that says otherwise this is PROTOCOL, as
   * docs/errors.md files it; that message fails alone and is tried again next run.
   */
  FetchException listedMessageRefused(String server, int number) {
    FetchError e = error(FetchError.PROTOCOL);
    String detail =
        server
            + " refused to send message "
            + number
            + ", which it listed itself in this session"
            + " (RETR); it stays on the server";
    if (e != FetchError.PROTOCOL) {
      return new FetchException(e, detail, line, null);
    }
    return new FetchException(
        e,
        detail
            + " (RFC 1939 §4: a server keeps the messages it listed until the session"
            + " ends)",
        line,
        null,
        Remedy.of(
            "Nothing is lost: the message stays on the server, unless another program"
                + " deleted it meanwhile (some servers then say \"expunged\"), and the next run tries it again. If it fails"
                + " at every run, ask the provider about that message, quoting the server's words."));
  }

  @Override
  public String toString() {
    return FetchException.escape(line);
  }
}
