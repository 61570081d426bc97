package dev.mailfetch.api.internal.spool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message waits for its sending in memory when small, in a file when large, byte for byte, with
 * the counts and the header its sink needs (moved from fetch-gmail's SpoolTest and fetch-imap's
 * AppendSpoolTest).
 */
class MessageSpoolTest {
  @TempDir Path dir;

  private static byte[] written(MessageSpool s, byte[] m, int slice) throws IOException {
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
    try (InputStream in = s.open(0)) {
      return in.readAllBytes();
    }
  }

  private static byte[] message(int bodyBytes) {
    byte[] head =
        "Message-ID: <a@b>\nDate: 1 Jan 2000 00:00:00 +0000\n\n"
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

  private static byte[] readCrlf(MessageSpool s) throws IOException {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try (InputStream in = s.openCrlf()) {
      in.transferTo(o);
    }
    return o.toByteArray();
  }

  @Test
  void aSmallMessage_staysInMemory_andALargeOne_goesToAFile_thatIsDeletedOnClose()
      throws IOException {
    byte[] small = new byte[1000];
    new Random(1).nextBytes(small);
    MessageSpool s = new MessageSpool(dir, 4096);
    assertArrayEquals(small, written(s, small, 7));
    assertFalse(s.inFile());
    s.close();

    byte[] large = new byte[100_000];
    new Random(2).nextBytes(large);
    MessageSpool l = new MessageSpool(dir, 4096);
    assertArrayEquals(large, written(l, large, 3000));
    assertTrue(l.inFile());
    assertEquals(100_000, l.size());
    try (InputStream in = l.open(99_000)) {
      assertArrayEquals(
          Arrays.copyOfRange(large, 99_000, 100_000), in.readAllBytes(), "read from an offset");
    }
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    l.copyTo(copy);
    assertArrayEquals(large, copy.toByteArray(), "copied whole");
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
    l.close();
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "the spool file is deleted");
    }
  }

  @Test
  void theCrlfView_skipsInTheCrlfForm_soASkipThenAReadGivesTheRestAsSent() throws IOException {
    byte[] m = message(5000);
    byte[] sent = crlf(m);
    try (MessageSpool s = new MessageSpool(dir, 64 * 1024)) {
      written(s, m, 1000);
      for (int at : new int[] {0, 1, 17, sent.length / 2, sent.length - 1, sent.length}) {
        try (InputStream in = s.openCrlf()) {
          assertEquals(at, in.skip(at), "skipped " + at);
          assertArrayEquals(
              Arrays.copyOfRange(sent, at, sent.length), in.readAllBytes(), "after " + at);
        }
      }
      try (InputStream in = s.openCrlf()) {
        assertEquals(sent.length, in.skip(sent.length + 10L), "a skip stops at the end");
        assertEquals(0, in.skip(-1), "a negative skip skips nothing");
      }
    }
  }

  @Test
  void theCrlfView_sendsEachLfAsCrlf_andItsSizeIsTheSizeSent_inMemoryOrInAFile()
      throws IOException {
    for (int bodyBytes : new int[] {1000, 300_000}) {
      byte[] m = message(bodyBytes);
      try (MessageSpool s = new MessageSpool(dir, 64 * 1024)) {
        assertArrayEquals(m, written(s, m, 8192));
        assertEquals(bodyBytes > 64 * 1024, s.inFile());
        byte[] read = readCrlf(s);
        assertEquals(crlf(m).length, s.crlfSize());
        assertEquals(s.crlfSize(), read.length, "the size announced is the size sent");
        assertArrayEquals(crlf(m), read, "each LF sent as CRLF");
        assertEquals("<a@b>", s.messageId());
        assertTrue(s.headerText().contains("Date: 1 Jan 2000 00:00:00 +0000\n"), s.headerText());
        assertTrue(s.eightBit(), "random bytes have the high bit set");
      }
    }
    try (MessageSpool ascii = new MessageSpool(null, 10)) { // the system's temporary directory
      written(ascii, "Subject: x\n\nplain text\n".getBytes(StandardCharsets.US_ASCII), 4);
      assertFalse(ascii.eightBit());
      assertTrue(ascii.inFile());
      assertEquals("Subject: x\n\n", ascii.headerText(), "the header block ends at the blank line");
    }
  }

  @Test
  void theMessageId_isReadFromTheHeader_foldedOrNot_whateverTheSlices() throws IOException {
    String m =
        "Subject: x\r\nMESSAGE-id:\r\n  <abc.123@example.org> (comment)\r\nFrom: a@b\r\n\r\nMessage-ID: <body@x>\r\n";
    for (int slice : new int[] {1, 5, 1000}) {
      MessageSpool s = new MessageSpool(dir, 1 << 20);
      written(s, m.getBytes(StandardCharsets.US_ASCII), slice);
      assertEquals("<abc.123@example.org>", s.messageId(), "slices of " + slice);
      s.close();
    }
  }

  @Test
  void aMessageWithoutMessageId_hasNone_evenWhenItsBodyNamesOne() throws IOException {
    MessageSpool s = new MessageSpool(dir, 1 << 20);
    written(s, "Subject: x\n\nMessage-ID: <body@x>\n".getBytes(StandardCharsets.US_ASCII), 3);
    assertNull(s.messageId());
    s.close();
    MessageSpool e = new MessageSpool(dir, 1 << 20);
    written(e, new byte[0], 1);
    assertNull(e.messageId());
    e.close();
  }

  @Test
  void leftoversOfACrash_areRemoved_onceOldEnough_andNothingElse() throws IOException {
    MessageSpool crashed = new MessageSpool(dir, 0);
    written(crashed, message(10), 100); // never closed: as a SIGKILL leaves it
    Path other = Files.writeString(dir.resolve("not-a-spool.eml"), "x");
    MessageSpool.removeLeftovers(dir, Duration.ofHours(36));
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "too young: another sink may be writing it");
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
      }
    }
    MessageSpool.removeLeftovers(dir, Duration.ofHours(36));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(other), files.toList());
    }
  }
}
