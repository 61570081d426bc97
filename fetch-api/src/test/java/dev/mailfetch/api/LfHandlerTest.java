package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The fallback CRLF-to-LF conversion for sources that cannot convert while they read. */
class LfHandlerTest {
  /** The rule itself: each CRLF becomes LF, nothing else changes. */
  static byte[] toLf(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '\r' && i + 1 < in.length && in[i + 1] == '\n') {
        continue;
      }
      out.write(in[i]);
    }
    return out.toByteArray();
  }

  @Provide
  Arbitrary<byte[]> lineEndHeavy() {
    return Arbitraries.of((byte) '\r', (byte) '\n', (byte) 'a', (byte) '.', (byte) 0)
        .array(byte[].class)
        .ofMaxSize(200);
  }

  @Property(tries = 2000)
  void anySplit_givesEachCrlfAsLf_andEverythingElseAsItWas(
      @ForAll("lineEndHeavy") byte[] message, @ForAll("cuts") List<Integer> cuts) {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    List<String> events = new ArrayList<>();
    MessageHandler sink =
        new MessageHandler() {
          @Override
          public void start(MessageRef ref) {
            events.add("start");
          }

          @Override
          public void data(ByteBuffer slice) {
            byte[] b = new byte[slice.remaining()];
            slice.get(b);
            got.writeBytes(b);
          }

          @Override
          public void end() {
            events.add("end");
          }

          @Override
          public void failed(MessageRef ref, FetchException error) {
            events.add("failed");
          }
        };
    LfHandler lf = new LfHandler(sink);
    lf.start(new MessageRef(1, "u", message.length));
    byte[] lent = new byte[message.length + 8]; // one reused buffer, as a reader lends it
    int off = 0;
    for (int cut : cuts) {
      int n = Math.min(cut, message.length - off);
      System.arraycopy(message, off, lent, 3, n);
      lf.data(ByteBuffer.wrap(lent, 3, n).slice());
      Arrays.fill(lent, (byte) 'Z');
      off += n;
    }
    if (off < message.length) {
      System.arraycopy(message, off, lent, 0, message.length - off);
      lf.data(ByteBuffer.wrap(lent, 0, message.length - off));
    }
    lf.end();
    assertArrayEquals(toLf(message), got.toByteArray());
    assertEquals(List.of("start", "end"), events);
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 12).list().ofMaxSize(30);
  }
}
