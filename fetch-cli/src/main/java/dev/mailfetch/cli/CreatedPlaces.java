package dev.mailfetch.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a fetch is about to create (its sink's place, its state), so that a fetch that never got to
 * list the mailbox (the server could not be reached, the login failed) removes it again: a mistyped
 * host must not leave an empty {@code ./Mail} behind. Only what did not exist before is removed,
 * and only while it holds nothing but what a fetch makes before it stores anything: directories,
 * empty files, and this account's own state. Another account's state in the same place (a poll's
 * accounts sharing one Maildir) is something a person could miss, so a place holding it stays.
 */
final class CreatedPlaces {
  private final List<Path> roots;
  private final Path stateDir;
  private final Path journal;
  private final List<Path> shared;

  private CreatedPlaces(List<Path> roots, Path stateDir, Path journal, List<Path> shared) {
    this.roots = roots;
    this.stateDir = stateDir;
    this.journal = journal;
    this.shared = shared;
  }

  /**
   * Notes which of {@code places} do not exist yet (each as the outermost missing directory).
   *
   * @param stateDir the state directory, which can hold other accounts' state
   * @param journal this account's own state directory inside it
   * @param shared the files of the state directory every account there uses (the dedup store)
   */
  static CreatedPlaces before(Path stateDir, Path journal, List<Path> shared, List<Path> places) {
    List<Path> roots = new ArrayList<>();
    for (Path p : places) {
      Path a = p.toAbsolutePath().normalize();
      if (Files.exists(a, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      while (a.getParent() != null && !Files.exists(a.getParent(), LinkOption.NOFOLLOW_LINKS)) {
        a = a.getParent();
      }
      roots.add(a);
    }
    List<Path> outermost = new ArrayList<>();
    for (Path r : roots) {
      if (roots.stream().noneMatch(o -> !o.equals(r) && r.startsWith(o))
          && !outermost.contains(r)) {
        outermost.add(r);
      }
    }
    return new CreatedPlaces(
        outermost,
        stateDir.toAbsolutePath().normalize(),
        journal.toAbsolutePath().normalize(),
        shared.stream().map(p -> p.toAbsolutePath().normalize()).toList());
  }

  /** Removes what was created, where it still holds nothing a person could miss. */
  void remove() throws IOException {
    for (Path root : roots) {
      if (Files.exists(root, LinkOption.NOFOLLOW_LINKS) && holdsNothing(root)) {
        try (Stream<Path> all = Files.walk(root)) {
          for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }

  /** Why a file operation failed, in a person's words (no exception class). */
  static String why(IOException e) {
    if (e instanceof NoSuchFileException n) {
      return "no such file or directory" + (n.getFile() != null ? ": " + n.getFile() : "");
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileAlreadyExistsException f) {
      return f.getFile() + " is a file, not a directory";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : "an input/output error";
  }

  private boolean holdsNothing(Path root) throws IOException {
    boolean[] nothing = {true};
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            Path f = file.toAbsolutePath().normalize();
            boolean ours =
                attrs.isRegularFile()
                    && (f.startsWith(journal)
                        || shared.contains(f)
                        || (attrs.size() == 0 && !f.startsWith(stateDir)));
            if (!ours) {
              nothing[0] = false; // a message, a link, something of the user's
              return FileVisitResult.TERMINATE;
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return nothing[0];
  }
}
