package dev.mailfetch.sink;

import static dev.mailfetch.sink.SinkFiles.deleteQuietly;
import static dev.mailfetch.sink.SinkFiles.failure;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
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

  private final Path file;
  private final DotLock dotlock;
  private final LineEnding lineEnding;
  private final FileChannel mbox;
  private final Object fileKey;
  private final KeySet held = new KeySet();
  private final Object lock = new Object();
  private boolean dirty;

  private MboxSink(Path file, LineEnding lineEnding) throws IOException {
    this.file = file;
    this.dotlock = new DotLock(file);
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
      withLocks(() -> MboxScan.scan(mbox, file, held));
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
      return MboxScan.find(Files.readAllBytes(file), key);
    }
  }

  // ---------------------------------------------------------------- locking

  private interface Locked {
    void run() throws IOException;
  }

  private void withLocks(Locked action) throws IOException {
    synchronized (lock) {
      checkStillThere();
      dotlock.take();
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
        dotlock.release();
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

  // ---------------------------------------------------------------- one message

  /**
   * Quotes the message into a spool file as its bytes stream in ({@link MboxrdQuoting}), and
   * appends the spool to the mbox under its locks at complete, after its From line.
   */
  private final class MboxDelivery implements Delivery {
    private final Path spool;
    private final FileChannel channel;
    private final ByteBuffer out = ByteBuffer.allocate(64 * 1024);
    private final MboxrdQuoting quoting = new MboxrdQuoting();
    private final MboxrdQuoting.Out spooled = this::put; // one per delivery, not per write
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
      if (in.hasRemaining()) {
        bytes += in.remaining();
        last = in.get(in.limit() - 1);
      }
      try {
        quoting.quote(in, spooled);
      } catch (IOException e) {
        throw failure("cannot write " + spool, e);
      }
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
        quoting.end(spooled);
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
      byte[] from = new MboxFromLine(key, length, addedNewline).bytes(Instant.now());
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
