package dev.mailfetch.cli;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.KernelFileSystems;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Creates an account's state directory before its store opens, so that one that cannot be created
 * is said with the option that chooses it. It stays STATE_FAILED (exit 71), as for any state that
 * cannot be kept, rather than a bad argument: the same happens to the default place (no --state
 * given) on a full or read-only disk, and a path that cannot be created today may be creatable
 * tomorrow; what the command adds is the place, why, and --state.
 */
final class StateDirectory {
  private StateDirectory() {}

  /**
   * Creates {@code account} (under {@code root}, the state directory); {@code given}: {@code root}
   * came from --state.
   *
   * @throws FetchException STATE_FAILED naming the directory, why, and --state
   */
  static void create(Path root, Path account, boolean given) throws FetchException {
    // Refused before anything is created: on /dev (devtmpfs) a directory can be made, and the
    // record of what was fetched would be gone at the next boot, every message then fetched again.
    Optional<String> kernels = KernelFileSystems.holding(account);
    if (kernels.isPresent()) {
      throw failed(
          "the state directory "
              + root
              + " is on "
              + kernels.get()
              + ", not on a disk: the record of fetched mail cannot be kept there",
          null,
          root,
          given);
    }
    try {
      Files.createDirectories(account);
    } catch (IOException e) {
      Path where = Files.isDirectory(root) ? account : root;
      throw failed(
          "cannot create the state directory " + where + " (" + why(e) + ")", e, root, given);
    }
  }

  private static FetchException failed(String detail, IOException e, Path root, boolean given) {
    return new FetchException(
        FetchError.STATE_FAILED,
        detail,
        null,
        e,
        Remedy.of(
            given
                ? "Give --state DIR a directory on a disk that exists or can be created, and that you can write."
                : "Choose where the state is kept with --state DIR (a directory you can write), or make "
                    + root
                    + " writable.",
            "Open the state store in a directory on a disk that can be created and written."));
  }

  /** Why, in words (an exception's message is often only the path). */
  static String why(IOException e) {
    if (e instanceof FileAlreadyExistsException) {
      return "a file, not a directory, is at " + e.getMessage();
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory: " + e.getMessage();
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied: " + e.getMessage();
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      String r = f.getReason();
      return r.substring(0, 1).toLowerCase(Locale.ROOT) + r.substring(1) + ": " + f.getFile();
    }
    return e.getMessage() != null ? e.getMessage() : "no reason given";
  }
}
