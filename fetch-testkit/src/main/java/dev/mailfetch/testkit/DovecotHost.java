package dev.mailfetch.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a {@link PrivateDovecot} needs of this machine: Dovecot 2.3 and its servers installed, root,
 * the system user that owns the mail, free ports, and the commands it starts and checks itself
 * with.
 */
final class DovecotHost {
  private DovecotHost() {}

  /**
   * The {@code dovecot} binary: {@code /usr/sbin/dovecot}, or the system property {@code
   * mailfetch.dovecot} (a missing path shows how the Dovecot tests report themselves skipped).
   */
  static String dovecot() {
    return System.getProperty("mailfetch.dovecot", "/usr/sbin/dovecot");
  }

  static Optional<String> whyUnavailable(PrivateDovecot.Service... services) {
    if (!Files.isExecutable(Path.of(dovecot()))) {
      return Optional.of(
          "Dovecot is not installed here ("
              + dovecot()
              + " is missing; Debian packages dovecot-core and dovecot-pop3d; .ci/run installs"
              + " them)");
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of(
          "the Dovecot interop tests need root, to run Dovecot as its own mail user"
              + " (CI runs as root)");
    }
    String version;
    try {
      version = run(List.of(dovecot(), "--version")).strip();
    } catch (IOException e) {
      return Optional.of("dovecot --version failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while asking Dovecot its version");
    }
    if (!version.startsWith("2.3.")) {
      return Optional.of(
          "this is Dovecot "
              + version
              + "; PrivateDovecot writes the configuration of"
              + " Dovecot 2.3 (Debian 12), and 2.4 changed the configuration language");
    }
    for (PrivateDovecot.Service s : services) {
      if (!Files.isExecutable(Path.of("/usr/lib/dovecot", s.binary))) {
        return Optional.of(
            "Dovecot's "
                + s.name()
                + " server is not installed here (/usr/lib/dovecot/"
                + s.binary
                + ", Debian package "
                + s.debianPackage
                + "; .ci/run installs it)");
      }
    }
    return Optional.empty();
  }

  /** The uid and gid of {@code user}, a system user created here the first time. */
  static int[] mailUser(String user) throws IOException, InterruptedException {
    run(
        List.of(
            "sh",
            "-c",
            "id -u "
                + user
                + " >/dev/null 2>&1 || useradd --system --no-create-home"
                + " --shell /usr/sbin/nologin "
                + user));
    return new int[] {
      Integer.parseInt(run(List.of("id", "-u", user)).strip()),
      Integer.parseInt(run(List.of("id", "-g", user)).strip())
    };
  }

  /** Whether {@code port} accepts a connection and, unless {@code first} is -1, greets with it. */
  static boolean greets(int port, int first) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      return first == -1 || s.getInputStream().read() == first;
    } catch (IOException notYet) {
      return false;
    }
  }

  /**
   * {@code n} free ports, all different: each is held open until all are found, since ports asked
   * for one after another may repeat, and Dovecot refuses two listeners on one port.
   */
  static int[] freePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0);
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  /** Runs a short command that does not fork a daemon, and returns its output. */
  static String run(List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("mailfetch-cmd", ".out");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish in 30 s");
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException(
            String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
