package dev.mailfetch.api;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * Whether a sink's failure is its place's rather than the message's: a full disk, a read-only file
 * system, no permission, a directory that vanished, a disk that reports errors, a remote store that
 * cannot be reached. Such a failure would strike every message after it alike, so the engine stops
 * the run at the first one (docs/engine.md, "When the sink's place fails") rather than download the
 * rest of the mailbox to fail each message. A failure not recognised here (the destination rejects
 * this message, a file too large for it) is the message's own: it fails alone and the run goes on.
 *
 * <p>The kind is read from the exception and its causes: the JDK's file exceptions by type, and the
 * operating system's words for the error ({@code strerror}: "No space left on device", "Read-only
 * file system"…), which the JDK puts in an {@link java.io.IOException}'s message or a {@link
 * FileSystemException}'s reason. Those words are English unless the system's language is set
 * otherwise; a failure in other words is then taken as the message's own, as before.
 */
enum SinkPlace {
  FULL(
      "the disk is full",
      Remedy.of(
          "Free some space on the disk that holds the mail (or raise the quota), then run again: nothing was"
              + " lost, and the messages not fetched are still on the server."),
      "No space left on device",
      "Disk quota exceeded"),
  READ_ONLY(
      "the file system is read-only",
      Remedy.of(
          "Make the file system writable again (a disk error can turn it read-only: the system log says), or"
              + " choose another place with --to, then run again: nothing was lost, and the messages not fetched are"
              + " still on the server.",
          "Make the file system writable again (a disk error can turn it read-only: the system log says), or give"
              + " the fetcher a sink elsewhere, then run again: nothing was lost, and the messages not fetched are"
              + " still on the server."),
      "Read-only file system"),
  NO_PERMISSION(
      "mailfetch may not write there",
      Remedy.of(
          "Give the user mailfetch runs as permission to write to the place the message names, or choose"
              + " another place with --to, then run again: nothing was lost, and the messages not fetched are still"
              + " on the server.",
          "Give the process permission to write to the place the message names, or give the fetcher a sink"
              + " elsewhere, then run again: nothing was lost, and the messages not fetched are still on the"
              + " server."),
      "Permission denied",
      "Operation not permitted"),
  GONE(
      "the place was moved, deleted or unmounted",
      Remedy.of(
          "Restore the place the message names (or mount its disk again), or choose another place with --to,"
              + " then run again: nothing was lost, and the messages not fetched are still on the server.",
          "Restore the place the message names (or mount its disk again), or give the fetcher a sink elsewhere,"
              + " then run again: nothing was lost, and the messages not fetched are still on the server."),
      "No such file or directory",
      "Stale file handle",
      "Transport endpoint is not connected",
      "Not a directory"),
  DEVICE(
      "the disk reports an error",
      Remedy.of(
          "Check the disk that holds the mail (the system log says more), then run again: nothing was lost, and"
              + " the messages not fetched are still on the server."),
      "Input/output error"),
  UNREACHABLE(
      "the place where mail is stored cannot be reached or does not answer",
      Remedy.of(
          "Check that the place where mail is stored is reachable, then run again: nothing was lost, and the"
              + " messages not fetched are still on the server."));

  private final String words;
  private final Remedy remedy;
  private final String[] systemWords;

  SinkPlace(String words, Remedy remedy, String... systemWords) {
    this.words = words;
    this.remedy = remedy;
    this.systemWords = systemWords;
  }

  /**
   * What is wrong with the place, if the failure is the place's; null if it may be the message's
   * own.
   */
  static SinkPlace of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AccessDeniedException) {
        return NO_PERMISSION;
      }
      if (t instanceof NoSuchFileException || t instanceof NotDirectoryException) {
        return GONE;
      }
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || t instanceof SocketTimeoutException
          || isHttpTimeout(t)) {
        return UNREACHABLE;
      }
      String text =
          t instanceof FileSystemException && ((FileSystemException) t).getReason() != null
              ? ((FileSystemException) t).getReason()
              : t.getMessage();
      if (text != null) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (SinkPlace p : values()) {
          for (String w : p.systemWords) {
            if (lower.contains(w.toLowerCase(Locale.ROOT))) {
              return p;
            }
          }
        }
      }
    }
    return null;
  }

  /**
   * The JDK's HTTP client's timeouts ({@code java.net.http.HttpTimeoutException} and its subclass
   * for connecting), known by name: this module does not read {@code java.net.http}. A remote store
   * that gave no answer within its time after its own retries answers no message after it either.
   */
  private static boolean isHttpTimeout(Throwable t) {
    for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().equals("java.net.http.HttpTimeoutException")) {
        return true;
      }
    }
    return false;
  }

  /**
   * What a sink's failure means for the run. A {@link FetchError#SINK_FAILED} failure of the place
   * stops it, in the words of its place; one not recognised as the place's is returned as it is
   * (the message's own). So is a {@link FetchError#SINK_REJECTED} one: the destination refused this
   * message. Any other code the sink gives (an expired or refused grant, a quota used up) is its
   * destination's: it would strike every message alike, so it stops the run too.
   */
  static FetchException stopping(FetchException sinkFailure) {
    switch (sinkFailure.error()) {
      case SINK_FAILED:
        SinkPlace place = of(sinkFailure);
        return place == null ? sinkFailure : place.stopRun(sinkFailure);
      case SINK_REJECTED:
        return sinkFailure;
      default:
        return sinkFailure.withConsequence(
            "the destination would refuse every message alike, so the run stopped"
                + " at this first failure: the messages not fetched stay on the server for the next run, and none of"
                + " this counts against them",
            null);
    }
  }

  /**
   * The error that stops the run: the sink's failure (its code, its words), what is wrong with the
   * place, and what became of the rest; the remedy fits the place.
   */
  FetchException stopRun(FetchException sinkFailure) {
    return sinkFailure.withConsequence(
        words
            + ", so the run stopped at this first failure rather than download"
            + " the rest to fail each message: the messages not fetched stay on the server for the next run, and none"
            + " of this counts against them",
        remedy);
  }
}
