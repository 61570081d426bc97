package dev.mailfetch.sink;

import static dev.mailfetch.sink.SinkFiles.deleteQuietly;
import static dev.mailfetch.sink.SinkFiles.failure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dot-lock of an mbox, {@code <mbox>.lock}: a file created only if absent (holding the pid),
 * the lock that procmail, mutt and the MTAs' local delivery honour on any file system, beside the
 * {@code fcntl} lock. A dot-lock older than {@link #STALE} is a crashed program's and is removed; a
 * fresh one is waited for, up to a limit.
 */
final class DotLock {
  // The public class's category: a user's log settings for the mbox still apply.
  private static final Logger log = LoggerFactory.getLogger(MboxSink.class);

  /** A dot-lock older than this is a crashed program's (procmail and mutt use similar ages). */
  static final Duration STALE = Duration.ofMinutes(5);

  /** How long a fresh dot-lock of another program is waited for. */
  static final Duration WAIT = Duration.ofSeconds(30);

  private final Path mbox;
  private final Path path;
  private final Duration wait;

  DotLock(Path mbox) {
    this(mbox, WAIT);
  }

  /** {@code wait}: how long to wait for another program's dot-lock (tests wait less). */
  DotLock(Path mbox, Duration wait) {
    this.mbox = mbox;
    this.path = mbox.resolveSibling(mbox.getFileName() + ".lock");
    this.wait = wait;
  }

  Path path() {
    return path;
  }

  /** Creates the dot-lock, waiting for another's; fails naming it after the wait. */
  void take() throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try {
        Files.write(
            path,
            Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
        return;
      } catch (FileAlreadyExistsException e) {
        try {
          if (Files.getLastModifiedTime(path).toInstant().isBefore(Instant.now().minus(STALE))) {
            log.warn("{} is older than {}: a crashed program's, removed", path, STALE);
            deleteQuietly(path);
            continue;
          }
        } catch (NoSuchFileException gone) {
          continue;
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "cannot lock the mbox "
                  + mbox
                  + ": "
                  + path
                  + " has been there for "
                  + wait.toSeconds()
                  + " s (another program is writing to it)");
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for " + path, ie);
        }
      } catch (IOException e) {
        throw failure("cannot lock the mbox " + mbox + " (creating " + path + ")", e);
      }
    }
  }

  void release() {
    deleteQuietly(path);
  }
}
