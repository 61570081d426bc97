package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tiny tmpfs mounted for one test, so a sink meets a really full disk or a really read-only
 * directory (as root, permissions alone would not stop it). Mounting needs root; where it is not
 * possible the test is skipped, and the skip says why.
 */
final class SmallFileSystem implements AutoCloseable {
  private final Path path;

  private SmallFileSystem(Path path) {
    this.path = path;
  }

  /** Mounts a tmpfs of {@code bytes} at {@code dir} (created if needed). */
  static SmallFileSystem mount(Path dir, long bytes) throws IOException {
    Files.createDirectories(dir);
    String why =
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString()));
    if (why != null) {
      abort("cannot mount a small tmpfs for this test (it needs root, as CI has): " + why);
    }
    return new SmallFileSystem(dir.toRealPath());
  }

  /** Where it is mounted. */
  Path path() {
    return path;
  }

  /** Makes it read-only, keeping what is on it. */
  void remountReadOnly() throws IOException {
    String why = run(List.of("mount", "-o", "remount,ro", path.toString()));
    if (why != null) {
      throw new IOException("could not remount " + path + " read-only: " + why);
    }
  }

  @Override
  public void close() throws IOException {
    String why = run(List.of("umount", "-l", path.toString()));
    if (why != null) {
      throw new IOException("could not unmount " + path + ": " + why);
    }
  }

  /** Runs a command; null on success, else what went wrong. */
  private static String run(List<String> command) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return command.get(0) + " is not available: " + e.getMessage();
    }
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return String.join(" ", command) + " did not finish in 10 s";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command.get(0), e);
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    return p.exitValue() == 0
        ? null
        : String.join(" ", command) + ": exit " + p.exitValue() + " " + output;
  }
}
