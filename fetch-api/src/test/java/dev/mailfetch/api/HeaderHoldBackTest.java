package dev.mailfetch.api;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class HeaderHoldBackTest {

  /** What one message fed through a hold-back gave. */
  private record Held(int end, int sectionSize, boolean complete, byte[] held, byte[] body) {}

  /** Feeds {@code slices} as a source would, until the section is decided or the message ends. */
  private static Held feed(HeaderHoldBack holdBack, List<byte[]> slices) {
    holdBack.clear();
    boolean decided = false;
    for (byte[] slice : slices) {
      ByteBuffer buffer = ByteBuffer.wrap(slice);
      decided = holdBack.hold(buffer);
      assertFalse(buffer.hasRemaining(), "a held slice is consumed");
      if (decided) {
        break;
      }
    }
    if (!decided) {
      holdBack.messageEnded();
    }
    HeaderBlock section = holdBack.section();
    return new Held(
        holdBack.sectionEnd(),
        section.size(),
        section.complete(),
        bytes(holdBack.held()),
        bytes(holdBack.bodyHeld()));
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** Cuts {@code message} at {@code cuts} (positions in it, any order, repeats allowed). */
  private static List<byte[]> slices(byte[] message, List<Integer> cuts) {
    TreeSet<Integer> at = new TreeSet<>();
    for (int c : cuts) {
      at.add(Math.floorMod(c, message.length + 1));
    }
    at.add(message.length);
    List<byte[]> out = new ArrayList<>();
    int from = 0;
    for (int to : at) {
      out.add(Arrays.copyOfRange(message, from, to)); // empty slices too: a source may send them
      from = to;
    }
    return out;
  }

  /** The end of the header section by RFC 5322's rule, read plainly: after the first empty line. */
  private static int expectedEnd(byte[] m) {
    if (m.length >= 1 && m[0] == '\n') {
      return 1;
    }
    if (m.length >= 2 && m[0] == '\r' && m[1] == '\n') {
      return 2;
    }
    for (int i = 0; i < m.length; i++) {
      if (m[i] == '\n' && i + 1 < m.length && m[i + 1] == '\n') {
        return i + 2;
      }
      if (m[i] == '\n' && i + 2 < m.length && m[i + 1] == '\r' && m[i + 2] == '\n') {
        return i + 3;
      }
    }
    return -1;
  }

  @Provide
  Arbitrary<byte[]> messages() {
    // Few symbols, so that line ends, lone CRs and empty lines meet at every offset.
    Arbitrary<Byte> symbol =
        Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.just((byte) 'a')),
            Tuple.of(2, Arbitraries.just((byte) ':')),
            Tuple.of(3, Arbitraries.just((byte) '\r')),
            Tuple.of(3, Arbitraries.just((byte) '\n')));
    return symbol.list().ofMaxSize(300).map(HeaderHoldBackTest::toBytes);
  }

  private static byte[] toBytes(List<Byte> list) {
    byte[] b = new byte[list.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = list.get(i);
    }
    return b;
  }

  /**
   * However a source slices a message, the header section ends at the same offset as when the
   * message comes in one piece (and where the first empty line ends), with the same bytes held.
   */
  @Property(tries = 2000)
  void anySplitFindsTheHeaderEndAtTheSameOffsetAsOnePiece(
      @ForAll("messages") byte[] message,
      @ForAll List<@IntRange(min = 0, max = 400) Integer> cuts) {
    HeaderHoldBack holdBack = new HeaderHoldBack(Integer.MAX_VALUE);
    Held whole = feed(holdBack, List.of(message));
    Held sliced = feed(holdBack, slices(message, cuts));
    int expected = expectedEnd(message);
    assertEquals(expected < 0 ? message.length : expected, whole.end());
    assertEquals(whole.end(), sliced.end());
    assertEquals(expected >= 0, sliced.complete());
    assertEquals(sliced.end(), sliced.sectionSize());
    // What is held is the message from its start: the section, then the body that came with it.
    byte[] held = sliced.held();
    assertTrue(held.length >= sliced.end());
    assertArrayEquals(Arrays.copyOf(message, held.length), held);
    assertArrayEquals(Arrays.copyOfRange(held, sliced.end(), held.length), sliced.body());
  }

  /** Under the cap, the header end is found at the same offset whatever the split. */
  @Property(tries = 1000)
  void anySplitFindsAHeaderEndWithinTheCap(
      @ForAll("messages") byte[] message,
      @ForAll List<@IntRange(min = 0, max = 400) Integer> cuts,
      @ForAll @IntRange(min = 1, max = 300) int cap) {
    int expected = expectedEnd(message);
    Held sliced = feed(new HeaderHoldBack(cap), slices(message, cuts));
    if (expected >= 0 && expected <= cap) {
      assertEquals(expected, sliced.end());
      assertTrue(sliced.complete());
    } else if (message.length >= cap) {
      // Cut at the cap, unless the end came in the slice that reached it.
      assertTrue(sliced.end() == cap || sliced.end() == expected, "ended at " + sliced.end());
      assertEquals(sliced.end() == expected, sliced.complete());
    } else {
      assertEquals(message.length, sliced.end()); // quirk Q09: all of it is headers
      assertFalse(sliced.complete());
    }
  }

  @Test
  void headerSectionLongerThanTheCapIsCutAtTheCapAndTheRestIsBody() {
    byte[] message = "Subject: x\r\nX-Long: aaaaaaaaaaaaaaaaaaaa\r\n\r\nbody".getBytes(US_ASCII);
    HeaderHoldBack holdBack = new HeaderHoldBack(16);
    holdBack.clear();
    assertFalse(holdBack.hold(ByteBuffer.wrap(message, 0, 10)));
    assertTrue(holdBack.hold(ByteBuffer.wrap(message, 10, 10)));
    assertEquals(16, holdBack.sectionEnd());
    assertFalse(holdBack.section().complete());
    assertEquals(16, holdBack.section().size());
    assertEquals("Subject: x\r\nX-Lo", new String(bytes(holdBack.held()), 0, 16, US_ASCII));
    assertEquals("ng: ", new String(bytes(holdBack.bodyHeld()), US_ASCII));
    assertEquals(20, holdBack.length());
  }

  @Test
  void bufferGrowsForALargeSliceAndIsReusedForTheNextMessage() {
    ByteArrayOutputStream big = new ByteArrayOutputStream();
    for (int i = 0; i < 1000; i++) {
      big.writeBytes(("X-Field-" + i + ": value\r\n").getBytes(US_ASCII));
    }
    big.writeBytes("\r\nbody".getBytes(US_ASCII));
    byte[] message = big.toByteArray();
    HeaderHoldBack holdBack = new HeaderHoldBack(1 << 20);
    Held first = feed(holdBack, List.of(message));
    assertEquals(message.length - 4, first.end());
    assertArrayEquals("body".getBytes(US_ASCII), first.body());
    Held second = feed(holdBack, List.of("A: b\n\nc".getBytes(US_ASCII)));
    assertEquals(6, second.end());
    assertArrayEquals("A: b\n\nc".getBytes(US_ASCII), second.held());
    assertArrayEquals("c".getBytes(US_ASCII), second.body());
  }
}
