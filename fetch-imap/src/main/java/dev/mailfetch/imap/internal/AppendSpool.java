package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
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
import org.slf4j.LoggerFactory;

/**
 * One message waiting for its {@code APPEND}: an IMAP literal announces its size before its first
 * byte, so the bytes are held until the message ended. In memory up to a bound, in a temporary file
 * beyond it, so a large message never sits in the heap. The header block (up to {@link
 * #HEADER_CAP}) is kept apart to read the {@code Date:} and {@code Message-ID:} from. Once the key
 * is known a header line may be put in front ({@link #prefix}); {@link #open} then reads both.
 * Written by one thread, then read any number of times (each attempt of an APPEND reads afresh).
 */
public final class AppendSpool implements Closeable {
  /** The most header bytes kept to read fields from. */
  static final int HEADER_CAP = 64 * 1024;

  private static final String PREFIX = "mailfetch-append-";

  private final Path dir;
  private final int memoryLimit;
  private byte[] memory = new byte[512];
  private int memoryUsed;
  private Path file;
  private FileChannel channel;
  private long size;
  private long lineFeeds;
  private byte[] header = new byte[1024];
  private int headerUsed;
  private boolean headerDone;
  private byte[] prefix = new byte[0];
  private boolean discarded;

  /**
   * A spool holding up to {@code memoryLimit} bytes in memory, larger messages in a file in {@code
   * dir}.
   */
  public AppendSpool(Path dir, int memoryLimit) {
    this.dir = dir;
    this.memoryLimit = memoryLimit;
  }

  /** Appends the buffer's remaining bytes; they are copied, as the buffer is only lent. */
  public void write(ByteBuffer bytes) throws IOException {
    int n = bytes.remaining();
    for (int i = bytes.position(); i < bytes.limit(); i++) {
      if (bytes.get(i) == '\n') {
        lineFeeds++;
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
      Files.createDirectories(dir);
      file = Files.createTempFile(dir, PREFIX, ".eml");
      channel = FileChannel.open(file, StandardOpenOption.WRITE);
      ByteBuffer m = ByteBuffer.wrap(memory, 0, memoryUsed);
      while (m.hasRemaining()) {
        channel.write(m);
      }
    } catch (IOException e) {
      throw failed("cannot write a spool file in " + dir, e);
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

  /** Puts {@code line} (a whole header line, with its CRLF) before the message's bytes. */
  public void prefix(byte[] line) {
    this.prefix = line.clone();
  }

  /** The message's bytes as received, without the prefix. */
  public long messageSize() {
    return size;
  }

  /** The bytes {@link #open} reads: the prefix and the message, each LF made CRLF. */
  public long literalSize() {
    return prefix.length + size + lineFeeds;
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
   * The prefix and the message, read afresh, each LF of the message sent as CRLF: the sink takes
   * messages with LF line ends (so a server that stores LF, as Dovecot does, gives back exactly
   * what it was handed), and IMAP carries lines ended by CRLF.
   */
  public InputStream open() throws IOException {
    if (discarded) {
      throw new IOException("the spool of this message was discarded");
    }
    InputStream body =
        file == null
            ? new ByteArrayInputStream(memory, 0, memoryUsed)
            : Channels.newInputStream(FileChannel.open(file, StandardOpenOption.READ));
    return new SequenceInputStream(new ByteArrayInputStream(prefix), new CrlfStream(body));
  }

  /** Discards the bytes and deletes the file. Never throws. */
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
        LoggerFactory.getLogger(AppendSpool.class)
            .warn("cannot delete the spool file {}: {}", file, e.getMessage());
      }
    }
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

    @Override
    public long skip(long n) {
      throw new UnsupportedOperationException("read it whole");
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }

  /**
   * Deletes the spool files a crash left in {@code dir} (older than a day and a half, so a file of
   * another sink at work is never touched). Never throws: a file that stays is only space.
   */
  static void removeLeftovers(Path dir) {
    Instant before = Instant.now().minus(Duration.ofHours(36));
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*.eml")) {
      for (Path f : files) {
        if (Files.getLastModifiedTime(f).toInstant().isBefore(before)) {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException | RuntimeException e) {
      LoggerFactory.getLogger(AppendSpool.class)
          .debug("cannot look for left-over spool files in {}: {}", dir, e.toString());
    }
  }

  static FetchException failed(String what, IOException e) {
    String reason = e.getMessage() == null ? "input/output error" : e.getMessage();
    return new FetchException(FetchError.SINK_FAILED, what + ": " + reason, null, e);
  }
}
