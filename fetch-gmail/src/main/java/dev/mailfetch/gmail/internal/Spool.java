package dev.mailfetch.gmail.internal;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * One message on its way to Gmail: its bytes in memory up to a limit, else in a file of the spool
 * directory, so a large message never sits in the heap. Also keeps the header block (up to 64 KiB)
 * to read the message's {@code Message-ID}. Written by one thread, then read any number of times.
 */
public final class Spool implements Closeable {
  static final int HEADER_CAP = 64 * 1024;

  private final Path dir;
  private final int memoryLimit;
  private byte[] memory = new byte[256];
  private int memoryUsed;
  private Path file;
  private FileChannel channel;
  private long size;
  private final byte[] header = new byte[HEADER_CAP];
  private int headerUsed;
  private boolean headerDone;
  private boolean deleted;
  private final MessageDigest sha256 = newSha256();
  private String digest;

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * A spool that keeps up to {@code memoryLimit} bytes in memory, larger messages in a file in
   * {@code dir}.
   */
  public Spool(Path dir, int memoryLimit) {
    this.dir = dir;
    this.memoryLimit = memoryLimit;
  }

  /** Appends the buffer's remaining bytes (copied: the buffer is lent). */
  public void write(ByteBuffer bytes) throws IOException {
    int n = bytes.remaining();
    if (!headerDone) {
      captureHeader(bytes.duplicate());
    }
    sha256.update(bytes.duplicate());
    if (channel == null && memoryUsed + (long) n <= memoryLimit) {
      if (memoryUsed + n > memory.length) {
        memory =
            Arrays.copyOf(
                memory,
                (int) Math.min(memoryLimit, Math.max(memoryUsed + (long) n, memory.length * 2L)));
      }
      bytes.get(memory, memoryUsed, n);
      memoryUsed += n;
    } else {
      if (channel == null) {
        spill();
      }
      try {
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      } catch (IOException e) {
        throw Journal.failed("cannot write the spool file " + file, e);
      }
    }
    size += n;
  }

  private void spill() throws IOException {
    try {
      Files.createDirectories(dir);
      file = Files.createTempFile(dir, "message-", ".eml");
      channel = FileChannel.open(file, StandardOpenOption.WRITE);
      ByteBuffer m = ByteBuffer.wrap(memory, 0, memoryUsed);
      while (m.hasRemaining()) {
        channel.write(m);
      }
    } catch (IOException e) {
      throw Journal.failed("cannot write a spool file in " + dir, e);
    }
    memory = null;
    memoryUsed = 0;
  }

  private void captureHeader(ByteBuffer b) {
    while (b.hasRemaining() && headerUsed < HEADER_CAP) {
      byte x = b.get();
      header[headerUsed++] = x;
      if (x == '\n' && endsHeader()) {
        headerDone = true;
        return;
      }
    }
    if (headerUsed >= HEADER_CAP) {
      headerDone = true;
    }
  }

  private boolean endsHeader() {
    int n = headerUsed;
    return (n >= 2 && header[n - 2] == '\n')
        || (n >= 3 && header[n - 2] == '\r' && header[n - 3] == '\n')
        || n == 1
        || (n == 2 && header[0] == '\r');
  }

  /**
   * The SHA-256 of the message's bytes, in lower-case hex; known once {@link #finish} was called.
   */
  public String sha256() {
    return digest;
  }

  /** Ends writing; the spool is then read with {@link #open}. */
  public void finish() throws IOException {
    if (digest == null) {
      digest = HexFormat.of().formatHex(sha256.digest());
    }
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        throw Journal.failed("cannot write the spool file " + file, e);
      } finally {
        channel = null;
      }
    }
  }

  /** The message's size in bytes. */
  public long size() {
    return size;
  }

  /** Whether the bytes are in a file (for tests: a large message never sits in memory). */
  public boolean inFile() {
    return file != null;
  }

  /**
   * The bytes from {@code offset} to the end, read afresh (each upload attempt reads its own
   * stream).
   */
  public InputStream open(long offset) throws IOException {
    if (deleted) {
      throw new IOException("the spool of this message was discarded");
    }
    if (file == null) {
      return new ByteArrayInputStream(
          memory, (int) Math.min(offset, memoryUsed), (int) Math.max(0, memoryUsed - offset));
    }
    FileChannel c = FileChannel.open(file, StandardOpenOption.READ);
    c.position(offset);
    return Channels.newInputStream(c);
  }

  /**
   * The message's {@code Message-ID} (with its angle brackets), read from its header block, or null
   * when it has none (or none in its first 64 KiB of header).
   */
  public String messageId() {
    return messageId(header, headerUsed);
  }

  static String messageId(byte[] h, int n) {
    String text = new String(h, 0, n, StandardCharsets.ISO_8859_1);
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) {
        break; // the end of the header block
      }
      int colon = line.indexOf(':');
      if (colon <= 0
          || !line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("message-id")) {
        continue;
      }
      StringBuilder v = new StringBuilder(line.substring(colon + 1));
      while (i + 1 < lines.length
          && !lines[i + 1].isEmpty()
          && (lines[i + 1].charAt(0) == ' ' || lines[i + 1].charAt(0) == '\t')) {
        v.append(lines[++i]);
      }
      String value = v.toString().trim();
      int lt = value.indexOf('<');
      int gt = lt < 0 ? -1 : value.indexOf('>', lt);
      if (lt >= 0 && gt > lt + 1) {
        String id = value.substring(lt, gt + 1);
        return id.chars().allMatch(c -> c > ' ' && c < 0x7f) ? id : null;
      }
      if (!value.isEmpty()
          && value.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '<' && c != '>')) {
        return "<" + value + ">";
      }
      return null;
    }
    return null;
  }

  /** Discards the bytes (deletes the file). Never throws. */
  @Override
  public void close() {
    deleted = true;
    memory = null;
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      // Closing a file we only wrote; the delete below is what matters.
    }
    channel = null;
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LoggerFactory.getLogger(Spool.class)
            .warn("cannot delete the spool file {}: {}", file, e.getMessage());
      }
    }
  }
}
