package dev.mailfetch.api;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * A fetch failed for the reason named by {@link #error()}.
 *
 * <p>The message reads {@code CODE: detail (server said: "reply")}, so it can be pasted into a bug
 * report as it is. The server's reply, where there is one, is kept escaped and truncated: control
 * characters and bytes outside printable ASCII appear as {@code \xNN}, and nothing longer than
 * {@value #MAX_REPLY_CHARS} characters is kept, so a hostile server cannot fill a log or forge log
 * lines through us. It is escaped once, where it enters: a failure that explains another ({@link
 * #inContext}, {@link #withConsequence}, or a constructor given the cause's {@link #serverReply()}
 * and the cause) keeps it as it is. The detail is mailfetch's own words, in printable Unicode.
 *
 * <p>No secret ever reaches this exception: callers build the detail text from settings names and
 * server replies, never from credentials. (A server reply is not a secret; a SASL exchange is never
 * quoted.)
 */
public class FetchException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Longest server reply kept, after escaping. */
  public static final int MAX_REPLY_CHARS = 200;

  private final FetchError error;
  private final String detail;
  private final String serverReply;
  private final Remedy remedy;
  private final QuirkId quirk;

  /**
   * A failure without a server reply, a cause or advice of its own.
   *
   * @param error what went wrong
   * @param detail what was happening, in words, naming the setting to change where there is one
   */
  public FetchException(FetchError error, String detail) {
    this(error, detail, null, null);
  }

  /**
   * A failure caused by another exception (an {@link java.io.IOException} of the network or the
   * file system, say), without a server reply.
   *
   * @param error what went wrong
   * @param detail what was happening, in words, naming the setting to change where there is one
   * @param cause the underlying exception, or null
   */
  public FetchException(FetchError error, String detail, Throwable cause) {
    this(error, detail, null, cause);
  }

  /**
   * A failure, with the server's reply that shows it where there is one.
   *
   * @param error what went wrong
   * @param detail what was happening, in words, naming the setting to change where there is one
   * @param serverReply the server's reply line as received (escaped and truncated here), or null
   * @param cause the underlying exception, or null
   */
  public FetchException(FetchError error, String detail, String serverReply, Throwable cause) {
    this(error, detail, serverReply, cause, null);
  }

  /**
   * A failure with advice of its own, where the code's general {@link FetchError#remedy()} does not
   * fit this case well (it names the exact setting, say, or the server's own words).
   *
   * @param error what went wrong
   * @param detail what was happening, in words, naming the setting to change where there is one
   * @param serverReply the server's reply line as received (escaped and truncated here), or null
   * @param cause the underlying exception, or null
   * @param remedy what to do about this failure, or null for the code's general remedy
   * @throws NullPointerException if {@code error} or {@code detail} is null
   */
  public FetchException(
      FetchError error, String detail, String serverReply, Throwable cause, Remedy remedy) {
    this(error, detail, escapedReply(serverReply, cause), cause, remedy, null);
  }

  /** The one constructor that does the work: {@code escapedReply} is escaped already. */
  private FetchException(
      FetchError error,
      String detail,
      String escapedReply,
      Throwable cause,
      Remedy remedy,
      QuirkId quirk) {
    super(format(error, detail, escapedReply), cause);
    this.error = Objects.requireNonNull(error, "error");
    this.detail = Objects.requireNonNull(detail, "detail");
    this.serverReply = escapedReply;
    this.remedy = remedy;
    this.quirk = quirk;
  }

  /**
   * A reply escaped once: the reply of the cause, passed on by a wrapper that explains it ({@code
   * new FetchException(code, words, cause.serverReply().orElse(null), cause)}), is escaped already
   * and is kept as it is; any other is escaped here.
   */
  private static String escapedReply(String serverReply, Throwable cause) {
    if (serverReply == null) {
      return null;
    }
    if (cause instanceof FetchException
        && serverReply.equals(((FetchException) cause).serverReply)) {
      return serverReply;
    }
    return escape(serverReply);
  }

  /** What went wrong, with its user-facing text and exit code. */
  public FetchError error() {
    return error;
  }

  /**
   * What was happening, without the code in front: the message is {@code CODE: detail (server said:
   * "reply")}, and a report that shows the code on its own shows this beside it.
   */
  public String detail() {
    return detail + (serverReply == null ? "" : " (server said: \"" + serverReply + "\")");
  }

  /**
   * What to do: this failure's own advice where it has one, else its code's {@link
   * FetchError#remedy()}.
   */
  public Remedy remedy() {
    return remedy != null ? remedy : error.remedy();
  }

  /** The server's reply, escaped and truncated, where the failure came with one. */
  public Optional<String> serverReply() {
    return Optional.ofNullable(serverReply);
  }

  /**
   * The catalogued server quirk (docs/quirks.md) this failure shows, where the code that raised it
   * knew one: what a report or the doctor names, and what a caller decides on, instead of reading
   * the words.
   */
  public Optional<QuirkId> quirk() {
    return Optional.ofNullable(quirk);
  }

  /**
   * This failure, naming the quirk it shows: everything else as it is (code, words, reply, remedy,
   * cause).
   *
   * @param quirk the quirk of the catalogue this failure shows
   */
  public FetchException withQuirk(QuirkId quirk) {
    FetchException marked =
        new FetchException(
            error, detail, serverReply, getCause(), remedy, Objects.requireNonNull(quirk, "quirk"));
    marked.setStackTrace(getStackTrace());
    for (Throwable s : getSuppressed()) {
      marked.addSuppressed(s);
    }
    return marked;
  }

  /** Whether trying again later may succeed; see {@link FetchError#retryable()}. */
  public boolean retryable() {
    return error.retryable();
  }

  /**
   * This failure said where it happened: {@code "context: "} before its words, and the rest as it
   * is: its code (no second code in front of the first), its own remedy, its server reply (escaped
   * once, never twice), and this as the cause. For a caller that catches a {@code FetchException}
   * from a part it called (a sink, a state store) and must say what it was doing.
   *
   * @param context what was being done, in words ("saving the state of message 3")
   */
  public FetchException inContext(String context) {
    return new FetchException(error, context + ": " + detail, serverReply, this, remedy, quirk);
  }

  /**
   * This failure with what it led to after its words ({@code "detail; consequence"}), its code and
   * server reply as they are, and this as the cause.
   *
   * @param consequence what became of the message or the run, in words
   * @param remedy what to do now, or null to keep this failure's own
   */
  public FetchException withConsequence(String consequence, Remedy remedy) {
    return new FetchException(
        error,
        detail + "; " + consequence,
        serverReply,
        this,
        remedy != null ? remedy : this.remedy,
        quirk);
  }

  private static String format(FetchError error, String detail, String escapedReply) {
    StringBuilder sb = new StringBuilder(error.name()).append(": ").append(detail);
    if (escapedReply != null) {
      sb.append(" (server said: \"").append(escapedReply).append("\")");
    }
    return sb.toString();
  }

  /**
   * Makes untrusted text safe to show and log: printable ASCII stays, everything else becomes
   * {@code \xNN} (or {@code \r}, {@code \n}, {@code \t}), {@code \} and {@code "} are escaped, and
   * the result stops after {@value #MAX_REPLY_CHARS} characters with a note of how much was cut.
   */
  public static String escape(CharSequence text) {
    StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_REPLY_CHARS) + 16);
    int i = 0;
    for (; i < text.length() && sb.length() < MAX_REPLY_CHARS; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\r':
          sb.append("\\r");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\t':
          sb.append("\\t");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '"':
          sb.append("\\\"");
          break;
        default:
          if (c >= 0x20 && c < 0x7f) {
            sb.append(c);
          } else if (c <= 0xff) {
            sb.append(String.format("\\x%02X", (int) c));
          } else {
            sb.append(String.format("\\u%04X", (int) c));
          }
      }
    }
    if (i < text.length()) {
      sb.append("…(").append(text.length() - i).append(" more)");
    }
    return sb.toString();
  }
}
