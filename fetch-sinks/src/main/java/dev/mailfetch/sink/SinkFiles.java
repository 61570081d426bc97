package dev.mailfetch.sink;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the file sinks share: flushing files and directories, and errors that name the place and the
 * reason.
 */
final class SinkFiles {
  private static final Logger log = LoggerFactory.getLogger(SinkFiles.class);

  private SinkFiles() {}

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException e) {
      throw failure("cannot flush the directory " + dir + " to disk", e);
    }
  }

  /** Flushes a file's data to the disk ({@code fdatasync}); the caller names it in a failure. */
  static void flushFile(Path file) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.force(false);
    }
  }

  /** An IOException whose message names the place and the system's reason. */
  static IOException failure(String what, IOException e) {
    String reason;
    if (e instanceof NoSuchFileException) {
      reason = missing(((NoSuchFileException) e).getFile());
    } else if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      reason = ((FileSystemException) e).getReason();
    } else {
      reason = e.getMessage();
    }
    return new IOException(what + ": " + reason, e);
  }

  /**
   * A file that is not there, in words that guess no more than they know: its directory gone
   * (moved, deleted, unmounted), or the file itself, in a directory that is still there.
   */
  private static String missing(String file) {
    if (file == null) {
      return "a file it needs does not exist";
    }
    Path dir = Path.of(file).getParent();
    return dir != null && !Files.isDirectory(dir)
        ? "the directory " + dir + " does not exist (was it moved, deleted or" + " unmounted?)"
        : file + " does not exist (was it removed meanwhile?)";
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.warn("could not remove {}: {}", p, e.toString());
    }
  }
}
