package dev.mailfetch.api;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Holds back the start of a message until its header section is whole (the empty line that ends it
 * has come) or the header cap is reached, whichever is first, however the source slices the bytes:
 * the policies decide on the header section before anything goes to the sink. One buffer serves
 * every message of a run.
 */
final class HeaderHoldBack {
  private final int max;
  private byte[] buf = new byte[4096];
  private int len;

  /** Where to go on looking for the section's end (the LF that may begin the empty line). */
  private int scan;

  /** Where the header section ends, once decided; -1 before. */
  private int split = -1;

  private boolean complete;

  /** Holds at most {@code max} bytes of header section; the rest of a longer one is body. */
  HeaderHoldBack(int max) {
    this.max = max;
  }

  /** Starts a message: nothing held. */
  void clear() {
    len = 0;
    scan = 0;
    split = -1;
  }

  /**
   * Holds {@code slice} (consumed); true once the header section is decided: its end came, or the
   * cap was reached without it.
   */
  boolean hold(ByteBuffer slice) {
    int n = slice.remaining();
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(len + n, buf.length * 2));
    }
    slice.get(buf, len, n);
    len += n;
    int end = HeaderBlock.sectionEnd(buf, len, scan);
    if (end >= 0) {
      split = end;
      complete = true;
    } else {
      scan = -end - 1;
      if (len >= max) {
        split = max;
        complete = false;
      }
    }
    return split >= 0;
  }

  /** The message ended before its header section did (quirk Q09): all of it is headers. */
  void messageEnded() {
    split = len;
    complete = false;
  }

  /** Where the decided header section ends: the offset of the body's first byte in the message. */
  int sectionEnd() {
    return split;
  }

  /** The decided header section, a copy. */
  HeaderBlock section() {
    return HeaderBlock.wrap(Arrays.copyOf(buf, split), complete);
  }

  /** The body bytes that came with the end of the header section (a view). */
  ByteBuffer bodyHeld() {
    return ByteBuffer.wrap(buf, split, len - split);
  }

  /** Everything held, from the message's first byte (a view). */
  ByteBuffer held() {
    return ByteBuffer.wrap(buf, 0, len);
  }

  /** How many bytes are held. */
  int length() {
    return len;
  }
}
