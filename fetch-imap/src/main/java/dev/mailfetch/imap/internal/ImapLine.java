package dev.mailfetch.imap.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * One response of the server as it came: a tagged reply ({@code A1 OK ...}), an untagged response
 * ({@code * ...}) or a continuation request ({@code + ...}). Its {@link #wire()} text holds one
 * char per byte (ISO-8859-1), literals kept inline as {@code {n}} CRLF and their bytes, so that
 * {@link ImapTokens} can read it; strings taken out of it are decoded as UTF-8.
 */
public final class ImapLine {
  /** Which of the three responses this is. */
  public enum Kind {
    TAGGED,
    UNTAGGED,
    CONTINUATION
  }

  private final Kind kind;
  private final String tag;
  private final String wire;

  private ImapLine(Kind kind, String tag, String wire) {
    this.kind = kind;
    this.tag = tag;
    this.wire = wire;
  }

  /** The response in {@code wire}, one char per byte, without its final CRLF. */
  public static ImapLine of(String wire) {
    if (wire.startsWith("+")) {
      return new ImapLine(Kind.CONTINUATION, null, wire);
    }
    if (wire.startsWith("* ") || wire.equals("*")) {
      return new ImapLine(Kind.UNTAGGED, null, wire);
    }
    int sp = wire.indexOf(' ');
    return new ImapLine(Kind.TAGGED, sp < 0 ? wire : wire.substring(0, sp), wire);
  }

  public Kind kind() {
    return kind;
  }

  /** The tag of a tagged reply; null otherwise. */
  public String tag() {
    return tag;
  }

  /** The whole response, one char per byte. */
  public String wire() {
    return wire;
  }

  /** What follows the tag, {@code *} or {@code +} and one space. */
  String afterTag() {
    int sp = wire.indexOf(' ');
    return sp < 0 ? "" : wire.substring(sp + 1);
  }

  /**
   * The response's name, upper case: OK, NO, BAD, BYE, PREAUTH, CAPABILITY, LIST, SEARCH,
   * ENABLED... and for a numbered one ({@code * 3 EXISTS}) the word after the number.
   */
  public String name() {
    String rest = afterTag();
    String first = word(rest, 0);
    if (kind == Kind.UNTAGGED && !first.isEmpty() && first.chars().allMatch(Character::isDigit)) {
      return word(rest, first.length() + 1).toUpperCase(Locale.ROOT);
    }
    return first.toUpperCase(Locale.ROOT);
  }

  /** The number of {@code * 3 EXISTS}; -1 where the response has none. */
  public long number() {
    String first = word(afterTag(), 0);
    return !first.isEmpty() && first.length() < 19 && first.chars().allMatch(Character::isDigit)
        ? Long.parseLong(first)
        : -1;
  }

  /** What follows the name (and the number): the response's data, one char per byte. */
  public String data() {
    String rest = afterTag();
    int at = 0;
    if (number() >= 0) {
      at = word(rest, 0).length() + 1;
    }
    String name = word(rest, at);
    int start = Math.min(rest.length(), at + name.length() + 1);
    return rest.substring(start);
  }

  /** The data as tokens ({@link ImapTokens}). */
  public List<Object> tokens() {
    return ImapTokens.parse(data());
  }

  /** The response code in brackets of a status response ({@code OK [APPENDUID 1 2] done}). */
  public ResponseCode code() {
    return ResponseCode.parse(data());
  }

  /** The human text of a status response, after its code, decoded as UTF-8. */
  public String text() {
    String d = data();
    if (d.startsWith("[")) {
      int end = d.indexOf(']');
      d = end < 0 ? "" : d.substring(end + 1).stripLeading();
    }
    return utf8(d);
  }

  /** {@code s}, one char per byte, decoded as UTF-8. */
  static String utf8(String s) {
    return new String(s.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  private static String word(String s, int from) {
    if (from >= s.length()) {
      return "";
    }
    int end = s.indexOf(' ', from);
    return s.substring(from, end < 0 ? s.length() : end);
  }

  @Override
  public String toString() {
    return wire;
  }
}
