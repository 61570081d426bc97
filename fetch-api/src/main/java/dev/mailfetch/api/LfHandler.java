package dev.mailfetch.api;

import java.nio.ByteBuffer;

/**
 * Passes message bytes on with each CRLF made LF, cutting the lent slices around each CR: for a
 * source that cannot do it while it reads. A CR at the end of a slice is held until the next byte
 * shows whether an LF follows.
 */
final class LfHandler implements MessageHandler {
  private static final byte[] CR = {'\r'};
  private final MessageHandler next;
  private boolean heldCr;

  LfHandler(MessageHandler next) {
    this.next = next;
  }

  @Override
  public void start(MessageRef ref) {
    heldCr = false;
    next.start(ref);
  }

  @Override
  public void data(ByteBuffer slice) {
    int start = slice.position();
    int end = slice.limit();
    if (start == end) {
      return; // nothing to learn about a held CR
    }
    if (heldCr) {
      heldCr = false;
      if (slice.get(start) != '\n') {
        next.data(ByteBuffer.wrap(CR));
      }
    }
    for (int i = start; i < end; i++) {
      if (slice.get(i) != '\r') {
        continue;
      }
      if (i + 1 == end) {
        pass(slice, start, i, end);
        heldCr = true;
        return;
      }
      if (slice.get(i + 1) == '\n') {
        pass(slice, start, i, end);
        start = i + 1;
      }
    }
    pass(slice, start, end, end);
  }

  /**
   * Hands on {@code [from, to)} of the slice, then restores its limit (the next may move its
   * position).
   */
  private void pass(ByteBuffer slice, int from, int to, int end) {
    if (to > from) {
      slice.limit(to).position(from);
      next.data(slice);
      slice.limit(end);
    }
  }

  @Override
  public void end() {
    if (heldCr) {
      heldCr = false;
      next.data(ByteBuffer.wrap(CR));
    }
    next.end();
  }

  @Override
  public void failed(MessageRef ref, FetchException error) {
    heldCr = false;
    next.failed(ref, error);
  }
}
