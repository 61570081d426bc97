package dev.mailfetch.api;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * An I/O failure of a sink or a state store in words: the JDK's file exceptions carry only the path
 * for the commonest causes ("/home/a/Mail/tmp/17.P3", which reads as no reason at all), so the
 * reason is named here.
 */
final class IoWords {
  private IoWords() {}

  static String of(Throwable e) {
    if (e instanceof FileSystemException) {
      FileSystemException f = (FileSystemException) e;
      String file = f.getFile() == null ? "a file" : f.getFile();
      if (f.getReason() != null) {
        return file + ": " + f.getReason();
      }
      if (e instanceof NoSuchFileException) {
        return file + ": it does not exist (was its directory removed, moved or unmounted?)";
      }
      if (e instanceof AccessDeniedException) {
        return file + ": permission denied";
      }
      if (e instanceof FileAlreadyExistsException) {
        return file + ": it already exists";
      }
      if (e instanceof NotDirectoryException) {
        return file + ": not a directory";
      }
      return file + ": the file system refused";
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? "no reason given" : m;
  }
}
