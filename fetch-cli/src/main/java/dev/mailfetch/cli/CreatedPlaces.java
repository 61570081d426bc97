package dev.mailfetch.cli;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a fetch is about to create (its sink's place, its state), so that a fetch that never got
 * to list the mailbox (the server could not be reached, the login failed) removes it again: a
 * mistyped host must not leave an empty {@code ./Mail} behind. Only what did not exist before is
 * removed, and only while it holds nothing but what a fetch makes before it stores anything:
 * directories, empty files, and the state's own files.
 */
final class CreatedPlaces {
  private final List<Path> roots;
  private final Path state;

  private CreatedPlaces(List<Path> roots, Path state) {
    this.roots = roots;
    this.state = state;
  }

  /** Notes which of {@code places} do not exist yet (each as the outermost missing directory). */
  static CreatedPlaces before(Path state, List<Path> places) {
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
      if (roots.stream().noneMatch(o -> !o.equals(r) && r.startsWith(o)) && !outermost.contains(r)) {
        outermost.add(r);
      }
    }
    return new CreatedPlaces(outermost, state.toAbsolutePath().normalize());
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
    if (e instanceof java.nio.file.NoSuchFileException n) {
      return "no such file or directory" + (n.getFile() != null ? ": " + n.getFile() : "");
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException f) {
      return f.getFile() + " is a file, not a directory";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : "an input/output error";
  }

  private boolean holdsNothing(Path root) throws IOException {
    boolean[] nothing = {true};
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        boolean ours = attrs.isRegularFile() && (attrs.size() == 0 || file.startsWith(state));
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
