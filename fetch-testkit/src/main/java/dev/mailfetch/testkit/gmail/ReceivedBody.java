package dev.mailfetch.testkit.gmail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The bytes of one message as they arrive: in memory up to a threshold, then in a temporary file. A
 * resumable session can {@link #truncate} back to the end of its last whole chunk when a chunk is
 * cut off. The SHA-256 is computed once at {@link #finish()}. Not thread-safe: one request (or one
 * resumable session, under its lock) writes it.
 */
final class ReceivedBody {
  private final Path spillDirectory;
  private final long threshold;
  private byte[] memory = new byte[8192];
  private FileChannel file;
  private Path path;
  private long size;
  private String sha256;

  ReceivedBody(Path spillDirectory, long threshold) {
    this.spillDirectory = spillDirectory;
    this.threshold = threshold;
  }

  void write(byte[] b, int off, int len) throws IOException {
    if (len <= 0) {
      return;
    }
    if (file == null && size + len > threshold) {
      path = Files.createTempFile(spillDirectory, "message-", ".eml");
      file = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
      file.write(ByteBuffer.wrap(memory, 0, (int) size), 0);
      memory = null;
    }
    if (file != null) {
      ByteBuffer src = ByteBuffer.wrap(b, off, len);
      long at = size;
      while (src.hasRemaining()) {
        at += file.write(src, at);
      }
    } else {
      int need = (int) size + len;
      if (need > memory.length) {
        memory = Arrays.copyOf(memory, Math.max(need, memory.length * 2));
      }
      System.arraycopy(b, off, memory, (int) size, len);
    }
    size += len;
  }

  /** Drops everything after the first {@code n} bytes. */
  void truncate(long n) throws IOException {
    if (n >= size) {
      return;
    }
    if (file != null) {
      file.truncate(n);
    }
    size = n;
  }

  /** Ends the body: computes the digest. */
  ReceivedBody finish() throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    if (file == null) {
      digest.update(memory, 0, (int) size);
      memory = Arrays.copyOf(memory, (int) size);
    } else {
      file.close();
      try (InputStream in = Files.newInputStream(path)) {
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) > 0; ) {
          digest.update(buf, 0, n);
        }
      }
    }
    sha256 = HexFormat.of().formatHex(digest.digest());
    return this;
  }

  /** Drops the bytes (a cut upload, a rejected message). */
  void discard() {
    try {
      if (file != null) {
        file.close();
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // a temporary file of a failed upload: the server deletes its whole directory on close()
    }
    memory = null;
  }

  long size() {
    return size;
  }

  String sha256() {
    return sha256;
  }

  /**
   * The first bytes of the message (its header, for parsing and fault matching): at most {@code
   * max}.
   */
  byte[] head(int max) throws IOException {
    int n = (int) Math.min(max, size);
    if (file == null) {
      return Arrays.copyOf(memory, n);
    }
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining()) {
      if (file.isOpen()) {
        if (file.read(buf, buf.position()) < 0) {
          break;
        }
      } else {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
          while (buf.hasRemaining() && ch.read(buf, buf.position()) >= 0) {
            // fill
          }
        }
        break;
      }
    }
    return Arrays.copyOf(buf.array(), buf.position());
  }

  /** The bytes in memory (after finish), or null where they went to a file. */
  byte[] inMemory() {
    return file == null ? memory : null;
  }

  Path file() {
    return path;
  }
}
