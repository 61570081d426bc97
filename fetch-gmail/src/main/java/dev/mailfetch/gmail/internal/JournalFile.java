package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
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
 * The journal's file and its directory's lock: lines appended (and forced where a record must be
 * durable before its import is sent), a torn tail cut away, and the whole replaced by a smaller
 * copy written and forced first, so that no failure leaves a journal half old and half new. It
 * knows nothing of what the lines say (that is {@link Journal}'s); not thread-safe on its own.
 */
final class JournalFile implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(JournalFile.class);

  private final Path dir;
  private final Path file;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private FileChannel out;

  private JournalFile(Path dir, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.file = dir.resolve(Journal.FILE);
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Creates {@code dir} where needed and takes its lock: two sinks on one journal could each
   * believe a message unsent and import it twice.
   */
  static JournalFile lock(Path dir) throws IOException {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw Journal.failed("cannot create the Gmail journal directory " + dir, e);
    }
    Path lockFile = dir.resolve("lock");
    FileChannel lc;
    FileLock lock;
    try {
      lc = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw Journal.failed("cannot open " + lockFile, e);
    }
    try {
      lock = lc.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      lock = null;
      lc.close();
      throw Journal.failed("cannot lock " + lockFile, e);
    }
    if (lock == null) {
      lc.close();
      throw new FetchException(
          FetchError.CONFIGURATION,
          "another Gmail sink uses the journal directory "
              + dir
              + " right now; two at once could import a message twice",
          null,
          null,
          Remedy.of(
              "Let the other mailfetch delivering to this Gmail address finish first (or stop it): one run at a time"
                  + " per Gmail address and state directory.",
              "Close the other sink of "
                  + dir
                  + " first, or give each sink a directory of its own"
                  + " (GmailImportSink.Builder.journalDirectory)."));
    }
    return new JournalFile(dir, lc, lock);
  }

  Path path() {
    return file;
  }

  Path dir() {
    return dir;
  }

  boolean exists() {
    return Files.exists(file);
  }

  byte[] readAll() throws IOException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw Journal.failed("cannot read the Gmail journal " + file, e);
    }
  }

  /** Cuts the file after its first {@code keep} bytes: a tail a crash left unfinished. */
  void cutAfter(long keep) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.truncate(keep);
      c.force(true);
    } catch (IOException e) {
      throw Journal.failed(
          "cannot cut the unfinished last record from the Gmail journal " + file, e);
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
      throw Journal.failed("cannot write the Gmail journal " + file, e);
    }
  }

  /** Forces what was appended. */
  void force() throws IOException {
    try {
      ensureOut();
      out.force(false);
    } catch (IOException e) {
      throw Journal.failed("cannot write the Gmail journal " + file, e);
    }
  }

  /**
   * Replaces the file with {@code text}: a new file written and forced, renamed over the old one.
   * Up to the rename a failure leaves the old file, and the channel appending to it, as they were.
   * After it the old channel is let go; call {@link #openForAppend} next.
   */
  void replaceWith(String text) throws IOException {
    Path tmp = dir.resolve(Journal.FILE + ".new");
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
      throw Journal.failed("cannot rewrite the Gmail journal " + file, e);
    }
    forceDirectory();
    FileChannel old = out;
    out = null;
    if (old != null) {
      try {
        old.close(); // the file it appended to was replaced
      } catch (IOException e) {
        log.debug("closing the replaced Gmail journal: {}", e.toString());
      }
    }
  }

  private void forceDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
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
      throw Journal.failed("cannot open the Gmail journal " + file, e);
    }
  }

  /**
   * Reopens the file for appending where a rewrite renamed a new one over it but could not open it.
   */
  private void ensureOut() throws IOException {
    if (out == null) {
      openForAppend();
    }
  }

  /** Forces and closes the file, and releases the directory's lock. */
  @Override
  public void close() throws IOException {
    try {
      if (out != null) {
        out.force(false);
        out.close();
      }
    } finally {
      try {
        if (lock != null && lock.isValid()) {
          lock.release();
        }
      } finally {
        lockChannel.close();
      }
    }
  }
}
