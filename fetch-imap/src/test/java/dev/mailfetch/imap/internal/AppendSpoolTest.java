package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendSpoolTest {
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

  private static byte[] feed(AppendSpool s, byte[] m, int slice) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(slice);
    for (int off = 0; off < m.length; off += slice) {
      buf.clear();
      buf.put(m, off, Math.min(slice, m.length - off)).flip();
      s.write(buf);
      buf.clear();
      while (buf.hasRemaining()) {
        buf.put((byte) 'Z'); // lent: the spool must have copied
      }
    }
    s.finish();
    s.prefix("X-Mailfetch-Key: k\r\n".getBytes(StandardCharsets.US_ASCII));
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try (InputStream in = s.open()) {
      in.transferTo(o);
    }
    return o.toByteArray();
  }

  @Test
  void aSmallMessage_staysInMemory_andReadsBackWithItsPrefix() throws IOException {
    byte[] m = message(1000);
    try (AppendSpool s = new AppendSpool(dir, 64 * 1024)) {
      byte[] read = feed(s, m, 7);
      assertFalse(s.inFile());
      assertEquals(crlf(m).length + 20, s.literalSize());
      assertEquals(s.literalSize(), read.length, "the size announced is the size sent");
      assertArrayEquals(crlf(m), Arrays.copyOfRange(read, 20, read.length), "each LF sent as CRLF");
      assertEquals("<a@b>", HeaderFields.messageId(s.headerText()));
    }
  }

  @Test
  void aLargeMessage_goesToAFile_whichCloseDeletes() throws IOException {
    byte[] m = message(300_000);
    AppendSpool s = new AppendSpool(dir, 64 * 1024);
    byte[] read = feed(s, m, 8192);
    assertTrue(s.inFile());
    assertEquals(s.literalSize(), read.length);
    assertArrayEquals(crlf(m), Arrays.copyOfRange(read, 20, read.length));
    assertEquals(" 1-Jan-2000 00:00:00 +0000", AppendDate.of(s.headerText(), Instant.EPOCH));
    s.close();
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "the spool file is gone");
    }
  }
}
