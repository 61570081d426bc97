package dev.mailfetch.testkit.imap;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The header section of a stored message, whole or some fields, as FETCH and SEARCH read it. */
final class ImapHeaders {
  private ImapHeaders() {}

  /** The header section with the empty line that ends it (RFC 9051 §6.4.5 BODY[HEADER]). */
  static byte[] header(byte[] content) {
    for (int i = 0; i + 3 < content.length; i++) {
      if (content[i] == '\r'
          && content[i + 1] == '\n'
          && content[i + 2] == '\r'
          && content[i + 3] == '\n') {
        return Arrays.copyOf(content, i + 4);
      }
    }
    return content;
  }

  /**
   * The header fields named (any case), each with its folded lines, then the empty line
   * (BODY[HEADER.FIELDS (…)]).
   */
  static byte[] fields(byte[] content, List<String> names) {
    String head = new String(header(content), StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    boolean keep = false;
    for (String line : head.split("(?<=\r\n)")) {
      if (line.equals("\r\n")) {
        break;
      }
      if (!line.startsWith(" ") && !line.startsWith("\t")) {
        int colon = line.indexOf(':');
        String field = colon > 0 ? line.substring(0, colon).strip() : "";
        keep = names.stream().anyMatch(n -> n.equalsIgnoreCase(field));
      }
      if (keep) {
        b.writeBytes(line.getBytes(StandardCharsets.ISO_8859_1));
      }
    }
    b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    return b.toByteArray();
  }

  /**
   * RFC 9051 §6.4.4 HEADER: a header field {@code field} whose text (after the colon, unfolded)
   * contains {@code value}, ignoring case; an empty value matches any such field.
   */
  static boolean contains(byte[] message, String field, String valueLowerCase) {
    String head = new String(message, StandardCharsets.UTF_8);
    int end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      end = head.indexOf("\n\n");
    }
    head = (end < 0 ? head : head.substring(0, end)).replaceAll("\r?\n[ \t]", " ");
    for (String line : head.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0
          && line.substring(0, colon).strip().equalsIgnoreCase(field)
          && line.substring(colon + 1).toLowerCase(Locale.ROOT).contains(valueLowerCase)) {
        return true;
      }
    }
    return false;
  }
}
