package dev.mailfetch.imap.internal;

import java.util.Locale;

/** Reads one field of a message's header block, unfolded. */
final class HeaderFields {
  private HeaderFields() {}

  /**
   * The value of the first field named {@code lowerName} in {@code headerText} (its continuation
   * lines joined), or null where the block has none.
   */
  static String value(String headerText, String lowerName) {
    String[] lines = headerText.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) {
        return null; // the end of the header block
      }
      int colon = line.indexOf(':');
      if (colon <= 0
          || !line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(lowerName)) {
        continue;
      }
      StringBuilder v = new StringBuilder(line.substring(colon + 1));
      while (i + 1 < lines.length
          && !lines[i + 1].isEmpty()
          && (lines[i + 1].charAt(0) == ' ' || lines[i + 1].charAt(0) == '\t')) {
        v.append(' ').append(lines[++i].trim());
      }
      return v.toString().trim();
    }
    return null;
  }

  /**
   * The {@code Message-ID} of {@code headerText} with its angle brackets, or null where it has none
   * a search can use (printable ASCII only).
   */
  static String messageId(String headerText) {
    String v = value(headerText, "message-id");
    if (v == null) {
      return null;
    }
    int lt = v.indexOf('<');
    int gt = lt < 0 ? -1 : v.indexOf('>', lt);
    String id = lt >= 0 && gt > lt + 1 ? v.substring(lt, gt + 1) : null;
    return id != null && id.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '"' && c != '\\')
        ? id
        : null;
  }
}
