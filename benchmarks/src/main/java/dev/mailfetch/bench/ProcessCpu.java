package dev.mailfetch.bench;

import dev.mailfetch.testkit.PrivatePostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time and memory of processes, from Linux's {@code /proc}: a process's own user and system
 * time, and a PostgreSQL cluster's (the postmaster, the children it has reaped, and those alive).
 */
final class ProcessCpu {
  /** {@code /proc}'s clock ticks: USER_HZ, 100 on Linux whatever the kernel's own rate. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private ProcessCpu() {}

  /** User plus system CPU of {@code pid} so far; 0 if it cannot be read. */
  static long ownNanos(long pid) {
    long[] f = stat(pid);
    return f == null ? 0 : (f[11] + f[12]) * NANOS_PER_TICK;
  }

  /**
   * CPU of {@code pg}'s cluster: its postmaster's own, its reaped children's (the connections that
   * ended) and its live children's.
   */
  static long postgresNanos(PrivatePostgres pg) throws IOException {
    long master = postmaster(pg.port());
    if (master <= 0) {
      return 0;
    }
    long[] m = stat(master);
    long total = m == null ? 0 : (m[11] + m[12] + m[13] + m[14]) * NANOS_PER_TICK;
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : procs) {
        long[] f = stat(Long.parseLong(p.getFileName().toString()));
        if (f != null && f[1] == master) {
          total += (f[11] + f[12]) * NANOS_PER_TICK;
        }
      }
    }
    return total;
  }

  /** VmRSS of {@code pid} as the kernel writes it ("412345 kB"), or "?". */
  static String residentMemory(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", pid + "", "status"))) {
        if (line.startsWith("VmRSS:")) {
          return line.substring(6).strip();
        }
      }
    } catch (IOException e) {
      // ended
    }
    return "?";
  }

  /** The postmaster listening on {@code port}: a postgres process whose arguments say -p port. */
  private static long postmaster(int port) throws IOException {
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : procs) {
        try {
          List<String> args =
              List.of(
                  new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                      .split("\0"));
          int i = args.indexOf("-p");
          if (!args.isEmpty()
              && args.get(0).endsWith("/postgres")
              && i >= 0
              && i + 1 < args.size()
              && args.get(i + 1).equals(String.valueOf(port))) {
            return Long.parseLong(p.getFileName().toString());
          }
        } catch (IOException gone) {
          // ended meanwhile
        }
      }
    }
    return -1;
  }

  /**
   * The fields of {@code /proc/PID/stat} after the command name, from field 3 (state) on: index 1
   * is the parent, 11 and 12 user and system time, 13 and 14 the reaped children's; null if
   * unreadable.
   */
  private static long[] stat(long pid) {
    try {
      String s = Files.readString(Path.of("/proc", pid + "", "stat"), StandardCharsets.US_ASCII);
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      long[] out = new long[15];
      for (int i = 1; i < out.length; i++) {
        out[i] = Long.parseLong(f[i]);
      }
      return out;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
