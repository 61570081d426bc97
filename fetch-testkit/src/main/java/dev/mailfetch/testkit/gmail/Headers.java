package dev.mailfetch.testkit.gmail;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The few header fields the fake reads from a message's header section. */
final class Headers {
  private Headers() {}

  /**
   * The header fields of a message head (lower-case names, unfolded values; the first occurrence of
   * each name wins).
   */
  static Map<String, String> parse(byte[] head) {
    String text = new String(head, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    int endLf = text.indexOf("\n\n");
    if (end < 0 || (endLf >= 0 && endLf < end)) {
      end = endLf;
    }
    if (end >= 0) {
      text = text.substring(0, end);
    }
    Map<String, String> out = new LinkedHashMap<>();
    String name = null;
    StringBuilder value = new StringBuilder();
    for (String line : text.split("\r?\n")) {
      if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
        value.append(' ').append(line.trim());
        continue;
      }
      if (name != null) {
        out.putIfAbsent(name, value.toString().trim());
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        name = null;
        continue;
      }
      name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      value.setLength(0);
      value.append(line.substring(colon + 1));
    }
    if (name != null) {
      out.putIfAbsent(name, value.toString().trim());
    }
    return out;
  }

  /** An RFC 5322 date, or null where it cannot be read (comments and obsolete zones included). */
  static Instant date(String value) {
    if (value == null) {
      return null;
    }
    String v = value.replaceAll("\\([^)]*\\)", " ").replaceAll("\\s+", " ").trim();
    try {
      return ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A Message-ID without its angle brackets and surrounding space. */
  static String bare(String messageId) {
    String s = messageId.trim();
    if (s.startsWith("<")) {
      s = s.substring(1);
    }
    if (s.endsWith(">")) {
      s = s.substring(0, s.length() - 1);
    }
    return s.trim();
  }
}
