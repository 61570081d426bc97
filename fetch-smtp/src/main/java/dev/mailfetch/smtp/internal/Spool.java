package dev.mailfetch.smtp.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * One message between {@code Delivery.write} and its sending: in memory up to a bound, in a
 * temporary file beyond (the server is talked to only once the whole message is known: its size for
 * SIZE and BDAT, whether it has 8-bit bytes for 8BITMIME, its Return-Path for the envelope). Counts
 * what those need while the bytes pass.
 */
final class Spool {
  private static final int HEAD_KEPT = 16 * 1024;

  private final int inMemory;
  private final ByteArrayOutputStream memory = new ByteArrayOutputStream();
  private final byte[] head = new byte[HEAD_KEPT];
  private int headLength;
  private Path file;
  private FileChannel channel;
  private long size;
  private long lineFeeds;
  private boolean eightBit;

  Spool(int inMemory) {
    this.inMemory = inMemory;
  }

  void write(ByteBuffer bytes) throws IOException {
    int n = bytes.remaining();
    int p = bytes.position();
    for (int i = 0; i < n; i++) {
      byte b = bytes.get(p + i);
      if (b == '\n') {
        lineFeeds++;
      } else if (b < 0) {
        eightBit = true;
      }
      if (headLength < HEAD_KEPT) {
        head[headLength++] = b;
      }
    }
    if (channel == null && size + n > inMemory) {
      file = Files.createTempFile("mailfetch-smtp-", ".eml");
      channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
      ByteBuffer m = ByteBuffer.wrap(memory.toByteArray());
      while (m.hasRemaining()) {
        channel.write(m);
      }
      memory.reset();
    }
    if (channel != null) {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    } else {
      byte[] copy = new byte[n];
      bytes.get(copy);
      memory.write(copy, 0, n);
    }
    size += n;
  }

  long size() {
    return size;
  }

  /** The size on the wire without dot-stuffing: each LF becomes CRLF. */
  long crlfSize() {
    return size + lineFeeds;
  }

  boolean eightBit() {
    return eightBit;
  }

  /** The address of the first {@code Return-Path} header, empty for {@code <>}, null if none. */
  String returnPath() {
    String text = new String(Arrays.copyOf(head, headLength), StandardCharsets.ISO_8859_1);
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty() || line.equals("\r")) {
        return null; // the end of the header section
      }
      if (line.regionMatches(true, 0, "Return-Path:", 0, 12)) {
        String v = line.substring(12).trim();
        int lt = v.indexOf('<');
        int gt = v.lastIndexOf('>');
        if (lt >= 0 && gt > lt) {
          v = v.substring(lt + 1, gt);
        }
        v = new String(v.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8).trim();
        if (v.isEmpty()) {
          return "";
        }
        try {
          return Addresses.check("Return-Path", v);
        } catch (IllegalArgumentException e) {
          return null; // a header that is no address: the null sender, as for none
        }
      }
    }
    return null;
  }

  /** Writes the message to {@code out}, from memory or from the file. */
  void copyTo(OutputStream out) throws IOException {
    if (channel == null) {
      memory.writeTo(out);
      return;
    }
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    long pos = 0;
    while (pos < size) {
      buf.clear();
      int n = channel.read(buf, pos);
      if (n < 0) {
        throw new IOException("the spool file " + file + " ended early");
      }
      out.write(buf.array(), 0, n);
      pos += n;
    }
  }

  /** Removes the temporary file, if any. Never throws. */
  void discard() {
    memory.reset();
    if (channel != null) {
      try {
        channel.close();
        Files.deleteIfExists(file);
      } catch (IOException e) {
        file.toFile().deleteOnExit();
      }
      channel = null;
    }
  }
}
