package dev.mailfetch.imap.internal;

/**
 * How a folder's name becomes a label: its hierarchy delimiter made {@code /} (as labels nest,
 * {@link AppendFolders#labelOf}), a leading {@code INBOX} level dropped (Courier's and Cyrus's
 * namespace: {@code INBOX.Work} is the folder Work), the prefix put first; control characters left
 * out and the whole cut at the 200 characters a label may have.
 */
final class FolderLabels {
  private FolderLabels() {}

  /** The longest label ({@link dev.mailfetch.api.LabelDecision}'s rule). */
  static final int MAX_LABEL = 200;

  /** The label of the folder {@code name} (decoded) on a server with {@code delimiter}. */
  static String ofFolder(String prefix, String name, String delimiter) {
    String n = name;
    if (delimiter != null
        && !delimiter.isEmpty()
        && n.length() > 5 + delimiter.length()
        && n.regionMatches(true, 0, "INBOX", 0, 5)
        && n.startsWith(delimiter, 5)) {
      n = n.substring(5 + delimiter.length());
    }
    return label(prefix, AppendFolders.labelOf(n, delimiter));
  }

  /** {@code prefix} and {@code name} as one label that {@code LabelDecision} takes. */
  static String label(String prefix, String name) {
    StringBuilder out = new StringBuilder(prefix.length() + name.length());
    String all = prefix + name;
    for (int i = 0; i < all.length() && out.length() < MAX_LABEL; i++) {
      char c = all.charAt(i);
      if (!Character.isISOControl(c)) {
        out.append(c);
      }
    }
    if (out.length() > 0 && Character.isHighSurrogate(out.charAt(out.length() - 1))) {
      out.setLength(out.length() - 1); // cut between the two halves of one character
    }
    return out.length() == 0 ? "?" : out.toString();
  }
}
