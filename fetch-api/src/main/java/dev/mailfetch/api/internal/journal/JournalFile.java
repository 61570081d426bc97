package dev.mailfetch.api.internal.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link IntentJournal}'s file and its lock: lines appended (and forced where a record must be
 * durable before its message is sent or its answer reported), a torn tail cut away, and the whole
 * replaced by a smaller copy written and forced first, so that no failure leaves a journal half old
 * and half new. It knows nothing of what the lines say; not thread-safe on its own.
 */
final class JournalFile implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(JournalFile.class);

  private final Path file;
  private final String name;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private FileChannel out;

  private JournalFile(Path file, String name, FileChannel lockChannel, FileLock lock) {
    this.file = file;
    this.name = name;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Creates the file's directory where needed and takes {@code lockFile}'s lock: two sinks on one
   * journal could each believe a message unsent and send it twice.
   */
  static JournalFile lock(Path file, Path lockFile, IntentJournal.Shape shape) throws IOException {
    Path abs = file.toAbsolutePath();
    try {
      Files.createDirectories(abs.getParent());
    } catch (IOException e) {
      throw IntentJournal.failed(
          "cannot create the directory of the " + shape.name() + " " + abs, e);
    }
    FileChannel lc;
    try {
      lc = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw IntentJournal.failed("cannot open " + lockFile, e);
    }
    FileLock lock;
    try {
      lock = lc.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      lc.close();
      throw IntentJournal.failed("cannot lock " + lockFile, e);
    }
    if (lock == null) {
      lc.close();
      throw shape.heldElsewhere().get();
    }
    return new JournalFile(abs, shape.name(), lc, lock);
  }

  Path path() {
    return file;
  }

  boolean exists() {
    return Files.exists(file);
  }

  byte[] readAll() throws IOException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw IntentJournal.failed("cannot read the " + name + " " + file, e);
    }
  }

  /** Cuts the file after its first {@code keep} bytes: a tail a crash left unfinished. */
  void cutAfter(long keep) throws IOException {
    log.info("the {} {} ends with a record a crash cut short; it is dropped", name, file);
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.truncate(keep);
      c.force(true);
    } catch (IOException e) {
      throw IntentJournal.failed(
          "cannot cut the unfinished last record from the " + name + " " + file, e);
    }
  }

  /** Appends one line, forced to disk where {@code force}. */
  void append(String line, boolean force) throws IOException {
    try {
      ensureOut();
      ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        out.write(b);
      }
      if (force) {
        out.force(false);
      }
    } catch (IOException e) {
      throw IntentJournal.failed("cannot write the " + name + " " + file, e);
    }
  }

  /** Forces what was appended. */
  void force() throws IOException {
    try {
      ensureOut();
      out.force(false);
    } catch (IOException e) {
      throw IntentJournal.failed("cannot write the " + name + " " + file, e);
    }
  }

  /**
   * Replaces the file with {@code text}: a new file written and forced, renamed over the old one.
   * Up to the rename a failure leaves the old file, and the channel appending to it, as they were.
   * After it the old channel is let go; call {@link #openForAppend} next.
   */
  void replaceWith(String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".new");
    try {
      try (FileChannel c =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
          c.write(b);
        }
        c.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException | RuntimeException ignored) {
        // a directory in its way, say: the next rewrite meets the same and says so
      }
      throw IntentJournal.failed("cannot rewrite the " + name + " " + file, e);
    }
    forceDirectory();
    FileChannel old = out;
    out = null;
    if (old != null) {
      try {
        old.close(); // the file it appended to was replaced
      } catch (IOException e) {
        log.debug("closing the replaced {}: {}", name, e.toString());
      }
    }
  }

  private void forceDirectory() {
    try (FileChannel d = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory for reading; the rename is as durable as they
      // allow.
    }
  }

  void openForAppend() throws IOException {
    try {
      out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw IntentJournal.failed("cannot open the " + name + " " + file, e);
    }
  }

  /** Reopens the file for appending where a rewrite renamed a new one over it but could not. */
  private void ensureOut() throws IOException {
    if (out == null) {
      openForAppend();
    }
  }

  /** Forces and closes the file, and releases the lock. */
  @Override
  public void close() throws IOException {
    try {
      if (out != null) {
        out.force(false);
        out.close();
        out = null;
      }
    } finally {
      try {
        if (lock.isValid()) {
          lock.release();
        }
      } finally {
        lockChannel.close();
      }
    }
  }
}
