package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class BytesTest {
  @Property(tries = 3000)
  void theWordAtATimeLfSearch_agreesWithThePlainLoop(
      @ForAll @Size(max = 80) byte[] bytes,
      @ForAll @IntRange(min = 0, max = 80) int from,
      @ForAll @IntRange(min = 0, max = 80) int to,
      @ForAll @IntRange(min = 0, max = 8) int lfs,
      @ForAll long seed) {
    Random r = new Random(seed);
    for (int i = 0; i < lfs && bytes.length > 0; i++) {
      bytes[r.nextInt(bytes.length)] = '\n';
    }
    int a = Math.min(from, bytes.length);
    int b = Math.max(a, Math.min(to, bytes.length));
    assertEquals(Bytes.indexOfLfLinear(bytes, a, b), Bytes.indexOfLf(bytes, a, b));
  }

  @Property(tries = 3000)
  void theWordAtATimeSearch_findsAnyByte_asThePlainLoopDoes(
      @ForAll @Size(max = 80) byte[] bytes,
      @ForAll @IntRange(min = 0, max = 80) int from,
      @ForAll @IntRange(min = 0, max = 80) int to,
      @ForAll byte target) {
    int a = Math.min(from, bytes.length);
    int b = Math.max(a, Math.min(to, bytes.length));
    int expected = a;
    while (expected < b && bytes[expected] != target) {
      expected++;
    }
    long repeated = (target & 0xFFL) * 0x0101010101010101L;
    assertEquals(expected, Bytes.indexOf(bytes, a, b, repeated));
  }

  @Test
  void theNamedTargets_areLfAndDot_inEveryByte() {
    byte[] line = "a.b.c.d.e.f.g.h.i.j.k.l\r\n".getBytes(StandardCharsets.US_ASCII);
    assertEquals(1, Bytes.indexOf(line, 0, line.length, Bytes.DOTS));
    assertEquals(line.length - 1, Bytes.indexOfLf(line, 0, line.length));
    assertEquals(line.length - 1, Bytes.indexOfLf(line, 0, line.length - 1), "none: the end");
  }
}
