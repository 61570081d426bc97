package dev.mailfetch.sink;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The file deliveries' write buffers, handed from a delivery that ended to the next that begins:
 * one delivery after another (the engine's way) allocates none. A new buffer per message was 29 %
 * of what a first fetch allocated, and 40 of its 98 young collections (docs/benchmarks.md). A few
 * are kept, for deliveries that run at once (a poll's accounts); beyond that a delivery allocates
 * its own and the garbage collector takes it back. On the heap: a buffer kept outside it per
 * thread, as the JDK keeps its own, would stay with every thread that ever delivered.
 */
final class WriteBuffers {
  /** A write, and so a system call, per 64 kB at most. */
  static final int SIZE = 64 * 1024;

  private static final AtomicReferenceArray<ByteBuffer> KEPT = new AtomicReferenceArray<>(8);

  private WriteBuffers() {}

  /** A cleared buffer of {@link #SIZE} bytes with an array: a kept one, or a new one. */
  static ByteBuffer take() {
    for (int i = 0; i < KEPT.length(); i++) {
      ByteBuffer b = KEPT.get(i);
      if (b != null && KEPT.compareAndSet(i, b, null)) {
        return b;
      }
    }
    return ByteBuffer.allocate(SIZE);
  }

  /** Gives back a buffer its delivery will not touch again; kept if there is room. */
  static void giveBack(ByteBuffer b) {
    b.clear();
    for (int i = 0; i < KEPT.length(); i++) {
      if (KEPT.get(i) == null && KEPT.compareAndSet(i, null, b)) {
        return;
      }
    }
  }
}
