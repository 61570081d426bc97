package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.internal.spool.MessageSpool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An APPEND's literal is the key's header line, then the spooled message with each LF as CRLF, and
 * its announced size is the size sent; the header fields the sink reads come from the spool (moved
 * from AppendSpoolTest: the spool itself is dev.mailfetch.api.internal.spool.MessageSpool).
 */
class AppendLiteralTest {
  private static final byte[] PREFIX = "X-Mailfetch-Key: k\r\n".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;

  private static byte[] message(int bodyBytes) {
    byte[] head =
        "Message-ID: <a@b>\r\nDate: 1 Jan 2000 00:00:00 +0000\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(head, head.length + bodyBytes);
    byte[] body = new byte[bodyBytes];
    new Random(7).nextBytes(body);
    System.arraycopy(body, 0, all, head.length, bodyBytes);
    return all;
  }

  private static byte[] crlf(byte[] lf) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte b : lf) {
      if (b == '\n') {
        o.write('\r');
      }
      o.write(b);
    }
    return o.toByteArray();
  }

  private static byte[] feed(MessageSpool s, byte[] m, int slice) throws IOException {
    for (int off = 0; off < m.length; off += slice) {
      s.write(ByteBuffer.wrap(m, off, Math.min(slice, m.length - off)));
    }
    s.finish();
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    AppendServer.literal(s, PREFIX).writeTo(o);
    return o.toByteArray();
  }

  @Test
  void aSmallMessage_readsBackWithItsPrefix_andItsHeaderFields() throws IOException {
    byte[] m = message(1000);
    try (MessageSpool s = new MessageSpool(dir, 64 * 1024)) {
      byte[] read = feed(s, m, 7);
      long size = AppendServer.literal(s, PREFIX).size();
      assertEquals(crlf(m).length + 20, size);
      assertEquals(size, read.length, "the size announced is the size sent");
      assertArrayEquals(PREFIX, Arrays.copyOf(read, 20));
      assertArrayEquals(crlf(m), Arrays.copyOfRange(read, 20, read.length), "each LF sent as CRLF");
      assertEquals("<a@b>", HeaderFields.messageId(s.headerText()));
    }
  }

  @Test
  void aLargeMessage_inAFile_readsBackTheSame_andItsDateIsRead() throws IOException {
    byte[] m = message(300_000);
    MessageSpool s = new MessageSpool(dir, 64 * 1024);
    byte[] read = feed(s, m, 8192);
    assertTrue(s.inFile());
    assertEquals(AppendServer.literal(s, PREFIX).size(), read.length);
    assertArrayEquals(crlf(m), Arrays.copyOfRange(read, 20, read.length));
    assertEquals(" 1-Jan-2000 00:00:00 +0000", AppendDate.of(s.headerText(), Instant.EPOCH));
    s.close();
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "the spool file is gone");
    }
  }
}
