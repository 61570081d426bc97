package dev.mailfetch.api;

/**
 * mailfetch's own words made safe for one line of a log or a terminal, without losing their
 * language: printable Unicode stays ("RFC 1939 §4", "Grüße", "—"), and what could break a line,
 * move a cursor or reorder what a reader sees becomes {@code \xNN} or {@code \}{@code uNNNN}:
 * control characters (CR, LF, ESC, C1), format characters (the bidi overrides that make a line read
 * backwards, zero-width joiners), line and paragraph separators, lone surrogates, unassigned and
 * private-use code points. A backslash is not escaped, so text escaped before (a server's reply
 * inside the words, escaped by {@link FetchException#escape}) passes through unchanged, and
 * applying this twice changes nothing.
 *
 * <p>A server's reply is untrusted and gets the stricter {@link FetchException#escape} (printable
 * ASCII only) where it enters; this is for words that reach a person later, from a state file say.
 */
final class PrintableWords {
  private PrintableWords() {}

  /**
   * {@code words} made printable, at most {@code max} characters long: a longer result is cut after
   * the last whole character or escape that fits before "...".
   */
  static String of(CharSequence words, int max) {
    StringBuilder sb = new StringBuilder(Math.min(words.length(), max) + 8);
    int fit = 0;
    for (int i = 0; i < words.length() && sb.length() <= max; ) {
      int cp = Character.codePointAt(words, i);
      if (isPrintable(cp)) {
        sb.appendCodePoint(cp);
      } else {
        for (int k = i; k < i + Character.charCount(cp); k++) {
          char c = words.charAt(k);
          sb.append(
              c <= 0xff ? String.format("\\x%02X", (int) c) : String.format("\\u%04X", (int) c));
        }
      }
      i += Character.charCount(cp);
      if (sb.length() <= max - 3) {
        fit = sb.length();
      }
    }
    if (sb.length() > max) {
      sb.setLength(fit);
      sb.append("...");
    }
    return sb.toString();
  }

  static boolean isPrintable(int cp) {
    switch (Character.getType(cp)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
      case Character.SURROGATE:
      case Character.PRIVATE_USE:
      case Character.UNASSIGNED:
        return false;
      default:
        return true;
    }
  }
}
