package dev.mailfetch.sink;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.KernelFileSystems;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a place can hold a sink, said before anything is written there, and an opening that
 * failed said in words that fit the place: a sink on {@code /proc} is not on a disk, an mbox that
 * is a directory is the wrong kind of thing, a read-only file system is read-only. The failure is
 * {@link FetchError#SINK_FAILED} with a remedy about choosing or fixing the place (the command's
 * {@code --to}, the library's sink), since nothing was fetched yet: the code's general remedy
 * speaks of a message that could not be stored.
 */
final class OpeningPlace {
  private static final String CHOOSE =
      "Nothing was fetched. Choose a place on a disk with --to: maildir:DIR (a"
          + " directory, created if missing), mbox:FILE (one file) or eml:DIR.";
  private static final String CHOOSE_LIBRARY =
      "Nothing was fetched. Open the sink on a place on a disk: a"
          + " MaildirSink or an EmlDirectorySink on a directory (created if missing), an MboxSink on a file.";

  private OpeningPlace() {}

  /**
   * Refuses a place that cannot hold the sink: not on a disk, or not the kind of thing it needs.
   *
   * @param what the sink and its place in words ("the mbox /home/a/inbox")
   * @param place the place
   * @param directory whether the sink needs a directory (else one file)
   */
  static void check(String what, Path place, boolean directory) throws FetchException {
    Optional<String> kernels = KernelFileSystems.holding(place);
    if (kernels.isPresent()) {
      throw refused(
          what + " is on " + kernels.get() + ", not on a disk: mail cannot be kept there");
    }
    if (!Files.exists(place)) {
      return;
    }
    if (directory && !Files.isDirectory(place)) {
      throw refused(
          what
              + (Files.isRegularFile(place)
                  ? " is a file, not a directory"
                  : " is not a directory but a device or other special file"));
    }
    if (!directory && Files.isDirectory(place)) {
      throw refused(what + " is a directory, and an mbox is one file");
    }
    if (!directory && !Files.isRegularFile(place)) {
      throw refused(
          what
              + " is not a file on a disk but a device or other special file: mail written there would"
              + " be lost");
    }
  }

  /**
   * An opening that failed: the words of {@code e} (which name the place and the system's reason,
   * {@link SinkFiles#failure}), typed, with a remedy for the reason.
   */
  static FetchException failed(IOException e) {
    if (e instanceof FetchException) {
      return (FetchException) e;
    }
    String reason = reasonOf(e).toLowerCase(Locale.ROOT);
    Remedy remedy;
    if (reason.contains("read-only file system")) {
      remedy =
          Remedy.of(
              "Make the file system writable (a disk error can turn it read-only: the system log says), or"
                  + " choose another place with --to. Nothing was fetched.",
              "Make the file system writable (a disk error can"
                  + " turn it read-only: the system log says), or open the sink elsewhere. Nothing was fetched.");
    } else if (reason.contains("permission denied") || reason.contains("operation not permitted")) {
      remedy =
          Remedy.of(
              "Give the user mailfetch runs as permission to write to the place the message names, or"
                  + " choose another place with --to. Nothing was fetched.",
              "Give the process permission to write to the"
                  + " place the message names, or open the sink elsewhere. Nothing was fetched.");
    } else if (reason.contains("no space left") || reason.contains("quota exceeded")) {
      remedy =
          Remedy.of(
              "Free some space on that disk, or choose another place with --to. Nothing was fetched.",
              "Free some space on that disk, or open the sink elsewhere. Nothing was fetched.");
    } else {
      remedy =
          Remedy.of(
              "Check the place the message names, or choose another with --to. Nothing was fetched.",
              "Check the place the message names, or open the sink elsewhere. Nothing was fetched.");
    }
    return new FetchException(
        FetchError.SINK_FAILED,
        e.getMessage() == null ? "cannot open the sink" : e.getMessage(),
        null,
        e,
        remedy);
  }

  private static FetchException refused(String detail) {
    return new FetchException(
        FetchError.SINK_FAILED, detail, null, null, Remedy.of(CHOOSE, CHOOSE_LIBRARY));
  }

  /**
   * The system's reason anywhere in {@code e} and its causes: an AccessDeniedException has none in
   * words.
   */
  private static String reasonOf(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      all.append(t instanceof AccessDeniedException ? " permission denied " : "")
          .append(' ')
          .append(t.getMessage());
    }
    return all.toString();
  }
}
