package dev.mailfetch.cli.serve;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Text from elsewhere made safe to put in a page or a JSON answer. Everything a server says
 * (greetings, {@code -ERR} replies, certificate subjects), every subject and every account name is
 * hostile text: it goes through here, never straight into the page.
 */
final class HtmlText {
  private HtmlText() {}

  /**
   * Text escaped for an HTML element or a quoted attribute value; control characters (a CR, an ANSI
   * escape, a NUL) shown as U+FFFD, since a person cannot read them and they have misled terminals.
   */
  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&':
          sb.append("&amp;");
          break;
        case '<':
          sb.append("&lt;");
          break;
        case '>':
          sb.append("&gt;");
          break;
        case '"':
          sb.append("&quot;");
          break;
        case '\'':
          sb.append("&#39;");
          break;
        default:
          sb.append(visible(c) ? c : '\uFFFD');
      }
    }
    return sb.toString();
  }

  /** Text as a JSON string, quotes included; {@code < > &} as \\u escapes (safe inside a page). */
  static String json(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(text.length() + 16).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /** A path segment: the account's name in a URL ({@code /accounts/NAME}). */
  static String segment(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static boolean visible(char c) {
    if (c == '\n' || c == '\t') {
      return true;
    }
    // C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a person reads
    return !(c < 0x20
        || (c >= 0x7f && c <= 0x9f)
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069'));
  }
}
