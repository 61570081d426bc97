package dev.mailfetch.sink;

import static dev.mailfetch.sink.SinkFiles.failure;
import static dev.mailfetch.sink.SinkFiles.fsyncDirectory;

import dev.mailfetch.api.DeliveryKey;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Maildir's directory tree on disk: the root and its Maildir++ folders ({@code .Work/}), each
 * with {@code tmp/}, {@code new/} and {@code cur/}; which keys their files hold, and where a key's
 * file is (in {@code new/} or {@code cur/} of any folder: a mail reader moves files there and
 * renames them, keeping the part before ':'). What is held and when it is published is {@link
 * MaildirSink}'s.
 */
final class Maildir {
  // The public class's category: a user's log settings for the Maildir still apply.
  private static final Logger log = LoggerFactory.getLogger(MaildirSink.class);

  /**
   * Files in tmp/ older than this are left-overs of a crash (the Maildir convention's 36 hours).
   */
  private static final Duration STALE_TMP = Duration.ofHours(36);

  private final Path root;

  Maildir(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  /** The folder of {@code label} (not created). */
  Path folder(String label) {
    return root.resolve(MaildirNames.folderName(label));
  }

  /** A new name in the root's tmp/, where messages are written. */
  Path newTmpFile() {
    return root.resolve("tmp").resolve(MaildirNames.tmp(Instant.now()));
  }

  /**
   * Creates {@code folder} with tmp/, new/ and cur/ where missing, and flushes what it created;
   * {@code subfolder}: a Maildir++ folder, marked by its {@code maildirfolder} file.
   */
  static void create(Path folder, boolean subfolder) throws IOException {
    try {
      boolean created = false;
      if (!Files.isDirectory(folder)) {
        Files.createDirectories(folder);
        created = true;
      }
      for (String sub : new String[] {"tmp", "new", "cur"}) {
        Path d = folder.resolve(sub);
        if (!Files.isDirectory(d)) {
          Files.createDirectory(d);
          created = true;
        }
      }
      if (subfolder && !Files.exists(folder.resolve("maildirfolder"))) {
        Files.createFile(
            folder.resolve("maildirfolder")); // Maildir++: this is a folder, not a Maildir
        created = true;
      }
      if (created) {
        fsyncDirectory(folder);
        fsyncDirectory(folder.getParent());
      }
    } catch (IOException e) {
      throw failure("cannot create the Maildir " + folder, e);
    }
  }

  /** Adds every key held in new/ and cur/ of the Maildir and its folders. */
  void scan(KeySet held) throws IOException {
    List<Path> folders = new ArrayList<>();
    folders.add(root);
    try (DirectoryStream<Path> subs =
        Files.newDirectoryStream(
            root,
            p ->
                p.getFileName().toString().startsWith(".")
                    && Files.isDirectory(p.resolve("cur")))) {
      subs.forEach(folders::add);
    } catch (IOException e) {
      throw failure("cannot read the Maildir " + root, e);
    }
    for (Path folder : folders) {
      for (String sub : new String[] {"new", "cur"}) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder.resolve(sub))) {
          for (Path f : files) {
            DeliveryKey key = MaildirNames.keyOf(f.getFileName().toString());
            if (key != null) {
              held.add(key);
            }
          }
        } catch (NoSuchFileException e) {
          // a folder without new/ or cur/ is not ours to repair
        } catch (IOException e) {
          throw failure("cannot read " + folder.resolve(sub), e);
        }
      }
    }
  }

  /** Removes files a run of ours left in tmp/ long ago (a crash before their sync). */
  void clearStaleTmp() {
    Instant stale = Instant.now().minus(STALE_TMP);
    try (DirectoryStream<Path> tmp = Files.newDirectoryStream(root.resolve("tmp"), "*.mailfetch")) {
      for (Path f : tmp) {
        if (Files.getLastModifiedTime(f).toInstant().isBefore(stale)) {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException e) {
      log.warn("could not clear old files in {}: {}", root.resolve("tmp"), e.toString());
    }
  }

  /** A file holding {@code key} in any folder, or null. */
  Path find(DeliveryKey key) throws IOException {
    Path inbox = find(root, key);
    if (inbox != null) {
      return inbox;
    }
    try (DirectoryStream<Path> subs =
        Files.newDirectoryStream(root, p -> p.getFileName().toString().startsWith("."))) {
      for (Path folder : subs) {
        Path f = find(folder, key);
        if (f != null) {
          return f;
        }
      }
    }
    return null;
  }

  /** A file holding {@code key} in new/ or cur/ of {@code folder}, or null. */
  static Path find(Path folder, DeliveryKey key) throws IOException {
    for (String sub : new String[] {"new", "cur"}) {
      Path dir = folder.resolve(sub);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, key + "*")) {
        for (Path f : files) {
          if (key.equals(MaildirNames.keyOf(f.getFileName().toString()))) {
            return f;
          }
        }
      }
    }
    return null;
  }

  /**
   * Files {@code existing} also as {@code target}: a hard link where the file system allows (one
   * file in several folders), a flushed copy where it does not; a target already there is a
   * re-delivery, left as it is.
   */
  static void linkOrCopy(Path existing, Path target) throws IOException {
    try {
      Files.createLink(target, existing);
    } catch (FileAlreadyExistsException e) {
      // there already: a re-delivery
    } catch (UnsupportedOperationException | FileSystemException e) {
      if (e instanceof FileSystemException && Files.exists(target)) {
        return;
      }
      Files.copy(existing, target);
      SinkFiles.flushFile(target);
    }
  }
}
