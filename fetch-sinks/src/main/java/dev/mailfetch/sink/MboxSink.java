package dev.mailfetch.sink;

import static dev.mailfetch.sink.SinkFiles.deleteQuietly;
import static dev.mailfetch.sink.SinkFiles.failure;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An mbox file in the mboxrd form (what mutt, Thunderbird and Dovecot read): messages one after the
 * other, each after a {@code From } line, with every content line that starts with {@code From }
 * after any number of '>' quoted by one more '>' so that it cannot be taken for the next message.
 * Line ends are LF by default, as Unix mail tools expect.
 *
 * <p><b>How a message arrives.</b> Its bytes are quoted into a spool file next to the mbox while
 * they stream in (so that {@link Delivery#abort} leaves nothing in the mbox); at {@link
 * Delivery#complete} the whole message is appended under the mbox's locks (the {@code fcntl} lock
 * and a {@code <mbox>.lock} dot-lock, the two that mail programs honour). {@link #sync()} flushes
 * the mbox to the disk: the barrier.
 *
 * <p><b>Idempotent.</b> The {@code From } line names the message's delivery key and length: {@code
 * From mailfetch+<key>.<length>@localhost <date>}; mail programs keep that line and show nothing of
 * it. At open the mbox is read once for those lines, so a key already held (in a message still
 * there) is not appended again, and a message cut short by a crash during its append, which can
 * only be the last, is cut off. The rest of the mbox (mail other programs put there) is left as it
 * is.
 *
 * <p>No labels: an mbox is one folder. Failures name the file and the system's reason. Safe for
 * concurrent use.
 */
public final class MboxSink implements MessageSink {
  private static final Logger log = LoggerFactory.getLogger(MboxSink.class);
  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final byte[] OURS = "From mailfetch+".getBytes(StandardCharsets.US_ASCII);

  /** A dot-lock older than this is a crashed program's (procmail and mutt use similar ages). */
  private static final Duration STALE_DOTLOCK = Duration.ofMinutes(5);

  private static final Duration LOCK_WAIT = Duration.ofSeconds(30);

  private final Path file;
  private final Path dotlock;
  private final LineEnding lineEnding;
  private final FileChannel mbox;
  private final Object fileKey;
  private final KeySet held = new KeySet();
  private final Object lock = new Object();
  private boolean dirty;

  private MboxSink(Path file, LineEnding lineEnding) throws IOException {
    this.file = file;
    this.dotlock = file.resolveSibling(file.getFileName() + ".lock");
    this.lineEnding = lineEnding;
    OpeningPlace.check("the mbox " + file, file, false);
    try {
      if (!Files.isDirectory(file.getParent())) {
        Files.createDirectories(file.getParent());
      }
      mbox =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      throw OpeningPlace.failed(failure("cannot open the mbox " + file, e));
    }
    try {
      withLocks(this::scan);
    } catch (IOException e) {
      mbox.close();
      throw OpeningPlace.failed(e);
    } catch (RuntimeException e) {
      mbox.close();
      throw e;
    }
  }

  /** The mbox {@code file} (created if missing, with its directory), LF line ends. */
  public static MboxSink open(Path file) throws IOException {
    return open(file, LineEnding.LF);
  }

  /** The mbox {@code file} (created if missing) with the given line ends. */
  public static MboxSink open(Path file, LineEnding lineEnding) throws IOException {
    return new MboxSink(
        Objects.requireNonNull(file, "file").toAbsolutePath().normalize(),
        Objects.requireNonNull(lineEnding, "lineEnding"));
  }

  @Override
  public LineEnding lineEnding() {
    return lineEnding;
  }

  @Override
  public Delivery begin(Envelope envelope) throws IOException {
    Objects.requireNonNull(envelope, "envelope");
    Path spool =
        file.resolveSibling(
            "."
                + file.getFileName()
                + ".mailfetch-"
                + ProcessHandle.current().pid()
                + "-"
                + SEQUENCE.incrementAndGet()
                + ".spool");
    FileChannel c;
    try {
      c =
          FileChannel.open(
              spool,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE,
              StandardOpenOption.DELETE_ON_CLOSE);
    } catch (IOException e) {
      throw failure("cannot create " + spool, e);
    }
    return new MboxDelivery(spool, c);
  }

  @Override
  public boolean contains(DeliveryKey key) {
    return held.contains(key);
  }

  @Override
  public void sync() throws IOException {
    synchronized (lock) {
      if (!dirty) {
        return;
      }
      checkStillThere();
      try {
        mbox.force(false);
      } catch (IOException e) {
        throw failure("cannot write the mbox " + file + " to disk", e);
      }
      dirty = false;
    }
  }

  @Override
  public void close() throws IOException {
    mbox.close();
  }

  @Override
  public String toString() {
    return "MboxSink[" + file + ", " + lineEnding + "]";
  }

  /**
   * The message held under {@code key}, unquoted, exactly as it was handed over; empty if the mbox
   * does not hold it. Reads the mbox from the start.
   */
  public Optional<byte[]> read(DeliveryKey key) throws IOException {
    synchronized (lock) {
      byte[] all = Files.readAllBytes(file);
      byte[] marker = ("From mailfetch+" + key + ".").getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i >= 0 && i < all.length; i = nextLine(all, i)) {
        if (!startsWith(all, i, marker)) {
          continue;
        }
        int eol = indexOf(all, (byte) '\n', i);
        Header h = Header.parse(all, i, eol);
        if (h == null || eol + 1 + h.length > all.length) {
          return Optional.empty();
        }
        byte[] quoted = Arrays.copyOfRange(all, eol + 1, eol + 1 + (int) h.length);
        byte[] content = unquote(quoted);
        return Optional.of(h.addedNewline ? Arrays.copyOf(content, content.length - 1) : content);
      }
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------- the From line

  /**
   * {@code From mailfetch+<key>.<length>[n]@localhost <date>}: n when a final newline was added.
   */
  private static final class Header {
    DeliveryKey key;
    long length;
    boolean addedNewline;

    static Header parse(byte[] b, int from, int eol) {
      String line = new String(b, from, eol - from, StandardCharsets.US_ASCII);
      int at = line.indexOf('@');
      if (!line.startsWith("From mailfetch+") || at < 0 || at < 15 + 64 + 2) {
        return null;
      }
      try {
        Header h = new Header();
        h.key = DeliveryKey.parse(line.substring(15, 79));
        String len = line.substring(80, at);
        h.addedNewline = len.endsWith("n");
        h.length = Long.parseLong(h.addedNewline ? len.substring(0, len.length() - 1) : len);
        return line.charAt(79) == '.' && h.length >= 0 ? h : null;
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        return null;
      }
    }
  }

  private static byte[] fromLine(DeliveryKey key, long length, boolean addedNewline, Instant when) {
    ZonedDateTime t = when.atZone(ZoneOffset.UTC);
    String date =
        String.format(
            Locale.ROOT,
            "%s %s %2d %02d:%02d:%02d %d",
            t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT),
            t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ROOT),
            t.getDayOfMonth(),
            t.getHour(),
            t.getMinute(),
            t.getSecond(),
            t.getYear());
    return ("From mailfetch+"
            + key
            + "."
            + length
            + (addedNewline ? "n" : "")
            + "@localhost "
            + date
            + "\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  // ---------------------------------------------------------------- opening

  /**
   * Reads the keys of our messages. One of ours that the next {@code From } line comes too early
   * for is short (a crash cut its append, and another program appended after): it is not counted as
   * held, so it is delivered again. The last message of the file, if ours and short, is cut off.
   * Messages that grew (a mail reader added a Status header) are held.
   */
  private void scan() throws IOException {
    long size = mbox.size();
    Header pending = null; // our last From line, not yet known to be whole
    long pendingStart = -1;
    long pendingBody = -1;
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    byte[] from = "From ".getBytes(StandardCharsets.US_ASCII);
    byte[] head = new byte[200];
    int headLen = 0;
    boolean collecting = true;
    long lineStart = 0;
    for (long base = 0; base < size; ) {
      buf.clear();
      int n = mbox.read(buf, base);
      if (n <= 0) {
        break;
      }
      byte[] a = buf.array();
      for (int i = 0; i < n; i++) {
        byte c = a[i];
        if (collecting) {
          if (c != '\n' && headLen < head.length) {
            head[headLen++] = c;
          } else {
            collecting = false;
            if (headLen >= 5
                && startsWith(head, 0, from)
                && (pending == null || lineStart >= pendingBody)) {
              if (pending != null) {
                if (lineStart >= pendingBody + pending.length + 1) {
                  held.add(pending.key);
                } else {
                  log.warn(
                      "{}: a message appended by mailfetch at byte {} is short (a crash cut it, then"
                          + " another program appended); it will be delivered again",
                      file,
                      pendingStart);
                }
                pending = null;
              }
              Header h =
                  c == '\n' && startsWith(head, 0, OURS) ? Header.parse(head, 0, headLen) : null;
              if (h != null) {
                pending = h;
                pendingStart = lineStart;
                pendingBody = base + i + 1;
              }
            }
          }
        }
        if (c == '\n') {
          collecting = true;
          headLen = 0;
          lineStart = base + i + 1;
        }
      }
      base += n;
    }
    if (pending != null) {
      if (pendingBody + pending.length + 1 <= size) {
        held.add(pending.key);
      } else {
        log.warn(
            "{}: the last message, cut short by a crash while it was appended, is removed; it will be"
                + " delivered again",
            file);
        mbox.truncate(pendingStart);
        mbox.force(true);
      }
    }
  }

  // ---------------------------------------------------------------- locking

  private interface Locked {
    void run() throws IOException;
  }

  private void withLocks(Locked action) throws IOException {
    synchronized (lock) {
      checkStillThere();
      takeDotlock();
      FileLock l = null;
      try {
        l = mbox.lock();
        action.run();
      } catch (IOException e) {
        throw failure("cannot write the mbox " + file, e);
      } finally {
        if (l != null) {
          try {
            l.release();
          } catch (IOException e) {
            log.warn("releasing the lock on {}: {}", file, e.toString());
          }
        }
        deleteQuietly(dotlock);
      }
    }
  }

  private void takeDotlock() throws IOException {
    long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
    while (true) {
      try {
        Files.write(
            dotlock,
            Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
        return;
      } catch (FileAlreadyExistsException e) {
        try {
          if (Files.getLastModifiedTime(dotlock)
              .toInstant()
              .isBefore(Instant.now().minus(STALE_DOTLOCK))) {
            log.warn("{} is older than {}: a crashed program's, removed", dotlock, STALE_DOTLOCK);
            deleteQuietly(dotlock);
            continue;
          }
        } catch (NoSuchFileException gone) {
          continue;
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "cannot lock the mbox "
                  + file
                  + ": "
                  + dotlock
                  + " has been there for "
                  + LOCK_WAIT.toSeconds()
                  + " s (another program is writing to it)");
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for " + dotlock, ie);
        }
      } catch (IOException e) {
        throw failure("cannot lock the mbox " + file + " (creating " + dotlock + ")", e);
      }
    }
  }

  /** Appending to a file that was moved or deleted would lose every message silently. */
  private void checkStillThere() throws IOException {
    Object now;
    try {
      now = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      throw new IOException(
          "the mbox " + file + " was moved or deleted while mailfetch was using it", e);
    }
    if (fileKey != null && !fileKey.equals(now)) {
      throw new IOException(
          "the mbox " + file + " was replaced by another file while mailfetch was using it");
    }
  }

  // ---------------------------------------------------------------- quoting

  private static byte[] unquote(byte[] quoted) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(quoted.length);
    int i = 0;
    while (i < quoted.length) {
      int eol = indexOf(quoted, (byte) '\n', i);
      int end = eol < 0 ? quoted.length : eol + 1;
      int j = i;
      while (j < end && quoted[j] == '>') {
        j++;
      }
      boolean quotedFrom =
          j > i && startsWith(quoted, j, "From ".getBytes(StandardCharsets.US_ASCII));
      out.write(quoted, quotedFrom ? i + 1 : i, end - (quotedFrom ? i + 1 : i));
      i = end;
    }
    return out.toByteArray();
  }

  private static int nextLine(byte[] a, int from) {
    int eol = indexOf(a, (byte) '\n', from);
    return eol < 0 ? -1 : eol + 1;
  }

  private static int indexOf(byte[] a, byte b, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static boolean startsWith(byte[] a, int at, byte[] prefix) {
    if (at < 0 || at + prefix.length > a.length) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      if (a[at + k] != prefix[k]) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- one message

  /**
   * Quotes as the bytes stream in: at a line start, '>' bytes are counted and "From " matched
   * without holding more than those five bytes; a line that turns out to be {@code >*From } gets
   * one more '>' before them.
   */
  private final class MboxDelivery implements Delivery {
    private static final String FROM = "From ";
    private final Path spool;
    private final FileChannel channel;
    private final ByteBuffer out = ByteBuffer.allocate(64 * 1024);
    private boolean lineStart = true;
    private long gts; // '>' held at the start of the current line
    private int matched; // bytes of "From " held after them
    private long bytes; // bytes received
    private long written; // bytes in the spool
    private byte last = '\n';
    private boolean done;

    MboxDelivery(Path spool, FileChannel channel) {
      this.spool = spool;
      this.channel = channel;
    }

    @Override
    public void write(ByteBuffer in) throws IOException {
      if (done) {
        throw new IllegalStateException("this delivery has ended");
      }
      try {
        while (in.hasRemaining()) {
          byte c = in.get();
          bytes++;
          last = c;
          if (lineStart) {
            if (matched == 0 && c == '>') {
              gts++;
              continue;
            }
            if (c == FROM.charAt(matched)) {
              if (++matched == FROM.length()) {
                put((byte) '>'); // the quote
                release();
                lineStart = false;
              }
              continue;
            }
            release();
            lineStart = false;
          }
          put(c);
          if (c == '\n') {
            lineStart = true;
          }
        }
      } catch (IOException e) {
        throw failure("cannot write " + spool, e);
      }
    }

    /** Writes the held '>' and the matched part of "From ". */
    private void release() throws IOException {
      for (; gts > 0; gts--) {
        put((byte) '>');
      }
      for (int k = 0; k < matched; k++) {
        put((byte) FROM.charAt(k));
      }
      matched = 0;
    }

    private void put(byte c) throws IOException {
      if (!out.hasRemaining()) {
        flush();
      }
      out.put(c);
      written++;
    }

    private void flush() throws IOException {
      out.flip();
      while (out.hasRemaining()) {
        channel.write(out);
      }
      out.clear();
    }

    @Override
    public DeliveryReceipt complete(DeliveryKey key) throws IOException {
      if (done) {
        throw new IllegalStateException("this delivery has ended");
      }
      if (held.contains(key)) {
        abort();
        return new DeliveryReceipt(key, bytes, true);
      }
      boolean addedNewline = last != '\n' || bytes == 0;
      try {
        if (lineStart) {
          release();
        }
        if (addedNewline) {
          put(
              (byte)
                  '\n'); // an mbox message ends with a line end; the From line records it was added
        }
        flush();
      } catch (IOException e) {
        abort();
        throw failure("cannot write " + spool, e);
      }
      long length = written;
      byte[] from = fromLine(key, length, addedNewline, Instant.now());
      try {
        withLocks(
            () -> {
              if (held.contains(key)) {
                return;
              }
              long end = mbox.size();
              byte[] gap = separatorBefore(end);
              long at = end;
              at += mbox.write(ByteBuffer.wrap(gap), at);
              at += writeFully(ByteBuffer.wrap(from), at);
              long copied = 0;
              while (copied < length) {
                copied += channel.transferTo(copied, length - copied, mbox.position(at + copied));
              }
              writeFully(ByteBuffer.wrap(new byte[] {'\n'}), at + length);
              held.add(key);
              dirty = true;
            });
      } catch (IOException e) {
        abort();
        throw e;
      }
      done = true;
      close();
      return new DeliveryReceipt(key, bytes, false);
    }

    /** The blank line (and line end) that must come before a From line appended at {@code end}. */
    private byte[] separatorBefore(long end) throws IOException {
      if (end == 0) {
        return new byte[0];
      }
      ByteBuffer tail = ByteBuffer.allocate((int) Math.min(2, end));
      mbox.read(tail, end - tail.capacity());
      byte[] t = tail.array();
      boolean endsLf = t[t.length - 1] == '\n';
      boolean endsBlank = t.length == 2 && t[0] == '\n' && endsLf;
      return endsBlank ? new byte[0] : endsLf ? new byte[] {'\n'} : new byte[] {'\n', '\n'};
    }

    private int writeFully(ByteBuffer b, long at) throws IOException {
      int n = 0;
      while (b.hasRemaining()) {
        n += mbox.write(b, at + n);
      }
      return n;
    }

    @Override
    public void abort() {
      done = true;
      close();
    }

    private void close() {
      try {
        channel.close(); // DELETE_ON_CLOSE
      } catch (IOException e) {
        log.debug("closing {}: {}", spool, e.toString());
      }
      deleteQuietly(spool);
    }
  }
}
