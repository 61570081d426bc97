package dev.mailfetch.api.internal.spool;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * One message on its way to a destination that needs the whole of it before the first byte goes out
 * (its size for an IMAP literal, SMTP's SIZE and BDAT, Gmail's upload; whether it has 8-bit bytes;
 * its Return-Path or Date) or that answers later: the bytes in memory up to a bound, in a temporary
 * file beyond it, so a large message never sits in the heap. Counts what a wire needs while the
 * bytes pass (size, line feeds, 8-bit bytes) and keeps the header block (up to {@link #HEADER_CAP})
 * to read fields from. Written by one thread, then read any number of times (each attempt reads
 * afresh).
 */
public final class MessageSpool implements Closeable {
  /** The most header bytes kept to read fields from. */
  public static final int HEADER_CAP = 64 * 1024;

  private static final String PREFIX = "mailfetch-spool-";

  private final Path dir;
  private final int memoryLimit;
  private byte[] memory = new byte[512];
  private int memoryUsed;
  private Path file;
  private FileChannel channel;
  private long size;
  private long lineFeeds;
  private boolean eightBit;
  private byte[] header = new byte[1024];
  private int headerUsed;
  private boolean headerDone;
  private boolean discarded;

  /**
   * A spool holding up to {@code memoryLimit} bytes in memory, larger messages in a file in {@code
   * dir} (null: the system's temporary directory).
   */
  public MessageSpool(Path dir, int memoryLimit) {
    this.dir = dir;
    this.memoryLimit = memoryLimit;
  }

  /** Appends the buffer's remaining bytes, copied once: the buffer is only lent. */
  public void write(ByteBuffer bytes) throws IOException {
    int n = bytes.remaining();
    for (int i = bytes.position(); i < bytes.limit(); i++) {
      byte b = bytes.get(i);
      if (b == '\n') {
        lineFeeds++;
      } else if (b < 0) {
        eightBit = true;
      }
    }
    if (!headerDone) {
      keepHeader(bytes.duplicate());
    }
    if (channel == null && memoryUsed + (long) n <= memoryLimit) {
      if (memoryUsed + n > memory.length) {
        long grown = Math.max(memoryUsed + (long) n, memory.length * 2L);
        memory = Arrays.copyOf(memory, (int) Math.min(memoryLimit, grown));
      }
      bytes.get(memory, memoryUsed, n);
      memoryUsed += n;
    } else {
      if (channel == null) {
        toFile();
      }
      try {
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      } catch (IOException e) {
        throw failed("cannot write the spool file " + file, e);
      }
    }
    size += n;
  }

  private void toFile() throws IOException {
    try {
      if (dir == null) {
        file = Files.createTempFile(PREFIX, ".eml");
      } else {
        Files.createDirectories(dir);
        file = Files.createTempFile(dir, PREFIX, ".eml");
      }
      channel = FileChannel.open(file, StandardOpenOption.WRITE);
      ByteBuffer m = ByteBuffer.wrap(memory, 0, memoryUsed);
      while (m.hasRemaining()) {
        channel.write(m);
      }
    } catch (IOException e) {
      throw failed(
          "cannot write a spool file in " + (dir == null ? "the temporary directory" : dir), e);
    }
    memory = null;
    memoryUsed = 0;
  }

  private void keepHeader(ByteBuffer b) {
    while (b.hasRemaining() && headerUsed < HEADER_CAP) {
      if (headerUsed == header.length) {
        header = Arrays.copyOf(header, Math.min(HEADER_CAP, header.length * 2));
      }
      byte x = b.get();
      header[headerUsed++] = x;
      if (x == '\n' && headerEnded()) {
        headerDone = true;
        return;
      }
    }
    headerDone = headerUsed >= HEADER_CAP;
  }

  /** An empty line (LF or CRLF) just ended, or the message began with one. */
  private boolean headerEnded() {
    int n = headerUsed;
    return n == 1
        || (n == 2 && header[0] == '\r')
        || header[n - 2] == '\n'
        || (n >= 3 && header[n - 2] == '\r' && header[n - 3] == '\n');
  }

  /** Ends writing: the file, if any, is closed and read from now on. */
  public void finish() throws IOException {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        throw failed("cannot write the spool file " + file, e);
      } finally {
        channel = null;
      }
    }
  }

  /** The message's size in bytes, as written. */
  public long size() {
    return size;
  }

  /** The size of {@link #openCrlf}: each LF becomes CRLF. */
  public long crlfSize() {
    return size + lineFeeds;
  }

  /** Whether some byte has its high bit set (SMTP's 8BITMIME). */
  public boolean eightBit() {
    return eightBit;
  }

  /** Whether the bytes went to a file (a large message never sits in memory). */
  public boolean inFile() {
    return file != null;
  }

  /** The header block's text (ISO-8859-1: one char a byte), as far as it was kept. */
  public String headerText() {
    return new String(header, 0, headerUsed, StandardCharsets.ISO_8859_1);
  }

  /**
   * The message's {@code Message-ID} (with its angle brackets), read from its header block, or null
   * when it has none (or none in its first {@link #HEADER_CAP} bytes of header).
   */
  public String messageId() {
    String[] lines = headerText().split("\r?\n", -1);
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

  /** The bytes from {@code offset} to the end, as written, read afresh. */
  public InputStream open(long offset) throws IOException {
    if (discarded) {
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
   * The message read afresh with each LF sent as CRLF ({@link #crlfSize} bytes): the sinks take
   * messages with LF line ends (so a server that stores LF gives back exactly what it was handed),
   * and IMAP and SMTP carry lines ended by CRLF.
   */
  public InputStream openCrlf() throws IOException {
    return new CrlfStream(open(0));
  }

  /** Writes the message, as written, to {@code out}. */
  public void copyTo(OutputStream out) throws IOException {
    if (discarded) {
      throw new IOException("the spool of this message was discarded");
    }
    if (file == null) {
      out.write(memory, 0, memoryUsed);
      return;
    }
    try (InputStream in = open(0)) {
      in.transferTo(out);
    }
  }

  /** Discards the bytes and deletes the file. Never throws; safe to call more than once. */
  @Override
  public void close() {
    discarded = true;
    memory = null;
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      // Only written to; deleting it below is what matters.
    }
    channel = null;
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LoggerFactory.getLogger(MessageSpool.class)
            .warn("cannot delete the spool file {}: {}", file, e.getMessage());
      }
    }
  }

  /**
   * Deletes the spool files a crash left in {@code dir} that are older than {@code age} (zero: all
   * of them, where the directory is the sink's own). Never throws: a file that stays is only space.
   */
  public static void removeLeftovers(Path dir, Duration age) {
    if (dir == null || !Files.isDirectory(dir)) {
      return;
    }
    Instant before = Instant.now().minus(age);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*.eml")) {
      for (Path f : files) {
        if (age.isZero() || Files.getLastModifiedTime(f).toInstant().isBefore(before)) {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException | RuntimeException e) {
      LoggerFactory.getLogger(MessageSpool.class)
          .warn("cannot remove left-over spool files in {}: {}", dir, e.toString());
    }
  }

  private static FetchException failed(String what, IOException e) {
    String reason = e.getMessage() == null ? "input/output error" : e.getMessage();
    return new FetchException(FetchError.SINK_FAILED, what + ": " + reason, null, e);
  }

  /** LF made CRLF on the way out; every other byte as it is. */
  private static final class CrlfStream extends FilterInputStream {
    private boolean lfOwed;
    private final byte[] raw = new byte[64 * 1024];

    CrlfStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      if (lfOwed) {
        lfOwed = false;
        return '\n';
      }
      int b = in.read();
      if (b == '\n') {
        lfOwed = true;
        return '\r';
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n = 0;
      if (lfOwed) {
        buf[off + n++] = '\n';
        lfOwed = false;
      }
      // Read at most half of what is left, so each LF read has room for its CR.
      int want = Math.max(1, (len - n) / 2);
      int got = n < len ? in.read(raw, 0, Math.min(want, raw.length)) : 0;
      if (got < 0) {
        return n == 0 ? -1 : n;
      }
      for (int i = 0; i < got; i++) {
        if (raw[i] == '\n') {
          buf[off + n++] = '\r';
          if (n < len) {
            buf[off + n++] = '\n';
          } else {
            lfOwed = true;
          }
        } else {
          buf[off + n++] = raw[i];
        }
      }
      return n;
    }

    /** Skips {@code n} bytes of the CRLF form, as {@code read} gives them (never the raw ones). */
    @Override
    public long skip(long n) throws IOException {
      byte[] scratch = new byte[(int) Math.min(8192, Math.max(0, n))];
      long left = n;
      while (left > 0) {
        int got = read(scratch, 0, (int) Math.min(scratch.length, left));
        if (got < 0) {
          break;
        }
        left -= got;
      }
      return Math.max(0, n) - Math.max(0, left);
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
