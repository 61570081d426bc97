package dev.mailfetch.sink;

/**
 * An mbox's bytes seen as lines: where the next line starts, whether a line starts with a given
 * prefix. Bytes, not characters: a message's lines may be in any charset, and only the ASCII of
 * {@code From } and the line end matter to the format.
 */
final class MboxLines {
  private MboxLines() {}

  /** Where the line after the one holding {@code from} starts, or -1 after the last. */
  static int nextLine(byte[] a, int from) {
    int eol = indexOf(a, (byte) '\n', from);
    return eol < 0 ? -1 : eol + 1;
  }

  static int indexOf(byte[] a, byte b, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  static boolean startsWith(byte[] a, int at, byte[] prefix) {
    if (at < 0 || at + prefix.length > a.length) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      if (a[at + k] != prefix[k]) {
        return false;
      }
    }
    return true;
  }
}
