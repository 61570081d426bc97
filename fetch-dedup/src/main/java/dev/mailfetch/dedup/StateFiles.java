package dev.mailfetch.dedup;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What the state files share: a failure that says in words why a state file cannot be read or
 * written, and flushing a directory so that a file created or renamed there survives a power cut.
 */
final class StateFiles {
  private StateFiles() {}

  /** A state file that cannot be read or written, with the reason in words (not only the path). */
  static FetchException stateProblem(String what, IOException e) {
    String reason =
        e instanceof FileSystemException && ((FileSystemException) e).getReason() != null
            ? ((FileSystemException) e).getReason()
            : e.getMessage();
    if (e instanceof NoSuchFileException) {
      reason = "it does not exist";
    } else if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    }
    return new FetchException(FetchError.STATE_FAILED, what + ": " + reason, e);
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException e) {
      throw stateProblem("cannot flush the directory " + dir, e);
    }
  }
}
