package dev.mailfetch.smtp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link DotStuffingWriter} against a reader that unstuffs the way fetch-pop3's {@code
 * DotStuffedBody} does (RFC 1939 §3: a line "." ends, a leading dot of any other line is dropped,
 * each CRLF read as LF): for any bytes, written in any split, the reader gets the bytes back, with
 * a line end after a last line that had none.
 */
class DotStuffingWriterTest {
  @Provide
  Arbitrary<byte[]> mail() {
    Arbitrary<Byte> awkward = Arbitraries.of((byte) '.', (byte) '\r', (byte) '\n', (byte) 'a');
    Arbitrary<Byte> any = Arbitraries.bytes();
    return Arbitraries.frequencyOf(Tuple.of(4, awkward), Tuple.of(1, any))
        .list()
        .ofMaxSize(300)
        .map(
            l -> {
              byte[] b = new byte[l.size()];
              for (int i = 0; i < b.length; i++) {
                b[i] = l.get(i);
              }
              return b;
            });
  }

  @Property(tries = 2000)
  void stuffingThenUnstuffing_givesTheBytesBack_forAnyBytesAndAnySplit(
      @ForAll("mail") byte[] message,
      @ForAll @Size(max = 8) List<@IntRange(min = 1, max = 40) Integer> splits)
      throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    DotStuffingWriter w = new DotStuffingWriter(wire, true);
    int off = 0;
    for (int s : splits) {
      int n = Math.min(s, message.length - off);
      w.write(message, off, n);
      off += n;
    }
    w.write(message, off, message.length - off);
    boolean added = w.finish();
    byte[] sent = wire.toByteArray();
    for (int i = 0; i < sent.length; i++) {
      if (sent[i] == '\n') {
        assertTrue(i > 0 && sent[i - 1] == '\r', "no bare LF on the wire");
      }
    }
    boolean endsOpen = message.length > 0 && message[message.length - 1] != '\n';
    assertEquals(endsOpen, added);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(message);
    if (endsOpen) {
      expected.write('\n');
    }
    assertArrayEquals(expected.toByteArray(), unstuff(sent));
  }

  @Property(tries = 500)
  void withoutStuffing_onlyLineEndsChange(@ForAll("mail") byte[] message) throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    DotStuffingWriter w = new DotStuffingWriter(wire, false);
    w.write(message, 0, message.length);
    w.finish();
    long lfs = 0;
    for (byte b : message) {
      lfs += b == '\n' ? 1 : 0;
    }
    assertEquals(message.length + lfs, wire.size(), "BDAT's size: one byte more per LF");
    assertArrayEquals(message, toLf(wire.toByteArray()));
  }

  /** RFC 1939's reading, line by line up to the lone dot, each CRLF as LF; fails without one. */
  private static byte[] unstuff(byte[] wire) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (true) {
      int eol = -1;
      for (int j = i; j + 1 < wire.length; j++) {
        if (wire[j] == '\r' && wire[j + 1] == '\n') {
          eol = j;
          break;
        }
      }
      if (eol < 0) {
        throw new AssertionError("the message never ended with a lone dot");
      }
      if (eol - i == 1 && wire[i] == '.') {
        assertEquals(wire.length, eol + 2, "nothing after the lone dot");
        return out.toByteArray();
      }
      int from = wire[i] == '.' ? i + 1 : i;
      out.write(wire, from, eol - from);
      out.write('\n');
      i = eol + 2;
    }
  }

  private static byte[] toLf(byte[] crlf) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < crlf.length; i++) {
      if (!(crlf[i] == '\r' && i + 1 < crlf.length && crlf[i + 1] == '\n')) {
        out.write(crlf[i]);
      }
    }
    return out.toByteArray();
  }
}
