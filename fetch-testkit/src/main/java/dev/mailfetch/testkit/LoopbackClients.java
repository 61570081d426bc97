package dev.mailfetch.testkit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which process holds a TCP connection on loopback, found from Linux's {@code /proc}: for a test in
 * which several child processes talk to one server and the server must say which of them sent
 * something ({@link FakePop3Server.Builder#identifyClients}). Not a public interface of any system:
 * where {@code /proc} is missing or unreadable, it finds nothing.
 */
public final class LoopbackClients {
  private static final String ESTABLISHED = "01";

  private LoopbackClients() {}

  /**
   * The process among {@code candidates} (process ids) that owns the open connection whose local
   * end is {@code clientPort} on loopback, if one does.
   */
  public static Optional<Long> processOf(int clientPort, Collection<Long> candidates) {
    // On a loaded machine one look may miss the socket while a descriptor table changes.
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<Long> pid = lookUp(clientPort, candidates);
      if (pid.isPresent()) {
        return pid;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return Optional.empty();
  }

  private static Optional<Long> lookUp(int clientPort, Collection<Long> candidates) {
    Optional<String> inode = socketInode(clientPort);
    if (inode.isEmpty()) {
      return Optional.empty();
    }
    String link = "socket:[" + inode.get() + "]";
    for (long pid : candidates) {
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", pid + "", "fd"))) {
        for (Path fd : fds) {
          try {
            if (Files.readSymbolicLink(fd).toString().equals(link)) {
              return Optional.of(pid);
            }
          } catch (IOException closedMeanwhile) {
            // the descriptor went away while we looked: not the one
          }
        }
      } catch (IOException gone) {
        // the process ended, or is not ours to read
      }
    }
    return Optional.empty();
  }

  /** The inode of the established socket whose local port is {@code port}, from IPv4 or IPv6. */
  static Optional<String> socketInode(int port) {
    String hexPort = String.format(Locale.ROOT, ":%04X", port);
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of(table));
      } catch (IOException e) {
        continue;
      }
      for (String line : lines) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals(ESTABLISHED)) {
          return Optional.of(f[9]);
        }
      }
    }
    return Optional.empty();
  }
}
