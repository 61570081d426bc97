package dev.mailfetch.pop3.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The one search primitive of the read path: the first given byte in a range of a byte array, eight
 * bytes at a time (the "has zero byte" trick on the bytes XOR the target, as Netty's {@code
 * ByteBufUtil} does). Every line scan and the body's dot scan go through it; {@link
 * #indexOfLfLinear} is the plain loop it is tested against.
 */
final class Bytes {
  private Bytes() {}

  /** Eight bytes of the buffer as one long, for the word-at-a-time search. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** LF in every byte: what {@link #indexOf} takes to find the end of a line. */
  static final long LFS = 0x0A0A0A0A0A0A0A0AL;

  /** '.' in every byte: what {@link #indexOf} takes to find a dot in a body. */
  static final long DOTS = 0x2E2E2E2E2E2E2E2EL;

  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /**
   * The index of the first LF in {@code b[from, to)}, or {@code to}: the LF scan is what the read
   * path spends its time on.
   */
  static int indexOfLf(byte[] b, int from, int to) {
    return indexOf(b, from, to, LFS);
  }

  /**
   * The index of the first byte {@code (byte) repeated} in {@code b[from, to)}, or {@code to};
   * {@code repeated} holds that byte in each of its eight bytes ({@link #LFS}, {@link #DOTS}).
   */
  static int indexOf(byte[] b, int from, int to, long repeated) {
    int i = from;
    // Sixteen bytes per step, one branch for both words: most steps find nothing.
    for (; i + 16 <= to; i += 16) {
      long x = (long) LONGS.get(b, i) ^ repeated;
      long y = (long) LONGS.get(b, i + 8) ^ repeated;
      long fx = (x - ONES) & ~x & HIGHS;
      long fy = (y - ONES) & ~y & HIGHS;
      if ((fx | fy) != 0) {
        return fx != 0
            ? i + (Long.numberOfTrailingZeros(fx) >>> 3)
            : i + 8 + (Long.numberOfTrailingZeros(fy) >>> 3);
      }
    }
    for (; i + 8 <= to; i += 8) {
      long x = (long) LONGS.get(b, i) ^ repeated;
      long found = (x - ONES) & ~x & HIGHS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    byte target = (byte) repeated;
    for (; i < to; i++) {
      if (b[i] == target) {
        return i;
      }
    }
    return to;
  }

  /** The plain loop: the oracle for {@link #indexOfLf}. */
  static int indexOfLfLinear(byte[] b, int from, int to) {
    int i = from;
    while (i < to && b[i] != '\n') {
      i++;
    }
    return i;
  }
}
