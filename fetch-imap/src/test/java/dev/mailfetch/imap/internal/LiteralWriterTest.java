package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The form of each literal on the wire: {n+} with LITERAL+, LITERAL- up to 4096 bytes, else {n}.
 */
class LiteralWriterTest {
  private static String written(List<String> caps, int size, boolean[] waited) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new LiteralWriter(out, new ImapCapabilities(caps))
        .write(
            "A1",
            ImapCommand.of("APPEND")
                .string("INBOX")
                .literal(LiteralSource.of(new byte[size]))
                .build(),
            () -> {
              waited[0] = true;
              return true;
            });
    String s = out.toString(StandardCharsets.ISO_8859_1);
    return s.substring(0, s.indexOf('\n') + 1);
  }

  @Test
  void literalPlus_neverWaits() throws Exception {
    boolean[] waited = {false};
    assertEquals("A1 APPEND \"INBOX\" {5000+}\r\n", written(List.of("LITERAL+"), 5000, waited));
    assertEquals(false, waited[0]);
  }

  @Test
  void literalMinus_waitsOnlyAbove4096Bytes() throws Exception {
    boolean[] small = {false};
    assertEquals("A1 APPEND \"INBOX\" {4096+}\r\n", written(List.of("LITERAL-"), 4096, small));
    assertEquals(false, small[0]);
    boolean[] big = {false};
    assertEquals("A1 APPEND \"INBOX\" {4097}\r\n", written(List.of("LITERAL-"), 4097, big));
    assertEquals(true, big[0]);
  }

  @Test
  void withoutEither_everyLiteralWaitsForThePlus() throws Exception {
    boolean[] waited = {false};
    assertEquals("A1 APPEND \"INBOX\" {1}\r\n", written(List.of(), 1, waited));
    assertEquals(true, waited[0]);
  }

  @Test
  void aRefusalInsteadOfThePlus_sendsNoByteOfTheLiteral() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new LiteralWriter(out, new ImapCapabilities(List.of()))
        .write(
            "A1",
            ImapCommand.of("APPEND")
                .string("INBOX")
                .literal(LiteralSource.of(new byte[] {'x'}))
                .build(),
            () -> false);
    assertEquals("A1 APPEND \"INBOX\" {1}\r\n", out.toString(StandardCharsets.ISO_8859_1));
  }
}
