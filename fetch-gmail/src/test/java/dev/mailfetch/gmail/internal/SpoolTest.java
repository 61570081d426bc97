package dev.mailfetch.gmail.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A message waits for its upload in memory when small, in a file when large, byte for byte. */
class SpoolTest {
  @TempDir Path dir;

  private static byte[] written(Spool s, byte[] m, int slice) throws IOException {
    for (int off = 0; off < m.length; off += slice) {
      s.write(ByteBuffer.wrap(m, off, Math.min(slice, m.length - off)));
    }
    s.finish();
    try (InputStream in = s.open(0)) {
      return in.readAllBytes();
    }
  }

  @Test
  void aSmallMessage_staysInMemory_andALargeOne_goesToAFile_thatIsDeletedOnClose()
      throws IOException {
    byte[] small = new byte[1000];
    new Random(1).nextBytes(small);
    Spool s = new Spool(dir, 4096);
    assertArrayEquals(small, written(s, small, 7));
    assertFalse(s.inFile());
    s.close();

    byte[] large = new byte[100_000];
    new Random(2).nextBytes(large);
    Spool l = new Spool(dir, 4096);
    assertArrayEquals(large, written(l, large, 3000));
    assertTrue(l.inFile());
    assertEquals(100_000, l.size());
    try (InputStream in = l.open(99_000)) {
      assertArrayEquals(
          Arrays.copyOfRange(large, 99_000, 100_000), in.readAllBytes(), "read from an offset");
    }
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
    l.close();
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "the spool file is deleted");
    }
  }

  @Test
  void theMessageId_isReadFromTheHeader_foldedOrNot_whateverTheSlices() throws IOException {
    String m =
        "Subject: x\r\nMESSAGE-id:\r\n  <abc.123@example.org> (comment)\r\nFrom: a@b\r\n\r\nMessage-ID: <body@x>\r\n";
    for (int slice : new int[] {1, 5, 1000}) {
      Spool s = new Spool(dir, 1 << 20);
      written(s, m.getBytes(StandardCharsets.US_ASCII), slice);
      assertEquals("<abc.123@example.org>", s.messageId(), "slices of " + slice);
      s.close();
    }
  }

  @Test
  void aMessageWithoutMessageId_hasNone_evenWhenItsBodyNamesOne() throws IOException {
    Spool s = new Spool(dir, 1 << 20);
    written(s, "Subject: x\n\nMessage-ID: <body@x>\n".getBytes(StandardCharsets.US_ASCII), 3);
    assertNull(s.messageId());
    s.close();
    Spool e = new Spool(dir, 1 << 20);
    written(e, new byte[0], 1);
    assertNull(e.messageId());
    e.close();
  }
}
