package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** mboxrd quoting: any message comes back exactly, and no content line reads as a From line. */
class MboxrdQuotingTest {

  /** Messages built from the pieces that matter: From, '>', line ends and other bytes. */
  @Provide
  Arbitrary<byte[]> messages() {
    return Arbitraries.of("From ", "From", ">", ">>", "\n", "\r\n", "x", "Fro", " ", "F")
        .list()
        .ofMaxSize(40)
        .map(parts -> String.join("", parts).getBytes(StandardCharsets.US_ASCII));
  }

  @Property(tries = 1000)
  void unquotingTheQuoted_givesTheMessageBack(
      @ForAll("messages") byte[] message, @ForAll @IntRange(min = 1, max = 7) int chunk)
      throws IOException {
    assertArrayEquals(message, MboxrdQuoting.unquote(quoted(message, chunk)));
  }

  @Property(tries = 1000)
  void noQuotedLine_startsWithFrom(
      @ForAll("messages") byte[] message, @ForAll @IntRange(min = 1, max = 7) int chunk)
      throws IOException {
    String quoted = new String(quoted(message, chunk), StandardCharsets.US_ASCII);
    for (String line : quoted.split("\n", -1)) {
      assertFalse(line.startsWith("From "), quoted);
    }
  }

  @Property(tries = 300)
  void howTheBytesAreSplit_changesNothing(
      @ForAll("messages") byte[] message, @ForAll @IntRange(min = 1, max = 7) int chunk)
      throws IOException {
    assertArrayEquals(quoted(message, message.length + 1), quoted(message, chunk));
  }

  @Test
  void aFromLine_getsOneMoreQuote_atAnyDepth() throws IOException {
    byte[] in = "From a\n>From b\n>>From c\nFromage\n From d\n".getBytes(StandardCharsets.US_ASCII);
    assertEquals(
        ">From a\n>>From b\n>>>From c\nFromage\n From d\n",
        new String(quoted(in, 3), StandardCharsets.US_ASCII));
  }

  private static byte[] quoted(byte[] message, int chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MboxrdQuoting q = new MboxrdQuoting();
    for (int i = 0; i < message.length; i += chunk) {
      q.quote(ByteBuffer.wrap(message, i, Math.min(chunk, message.length - i)), out::write);
    }
    q.end(out::write);
    return out.toByteArray();
  }
}
