package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.DovecotHost.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the IMAP servers that cannot be installed next to Dovecot are: Debian's {@code
 * courier-imap} and {@code cyrus-imapd} conflict with {@code dovecot-imapd} (each provides {@code
 * imap-server}), so {@code .ci/run} unpacks their packages ({@code dpkg-deb -x}, no maintainer
 * script, no system service) into {@code /opt/mailfetch-test-servers}, or where the environment
 * variable {@code MAILFETCH_TEST_SERVERS} says. A server installed the usual way (on a machine
 * without Dovecot's IMAP) is found under {@code /} too.
 */
final class UnpackedServers {
  static final String ROOT_VARIABLE = "MAILFETCH_TEST_SERVERS";
  static final Path DEFAULT_ROOT = Path.of("/opt/mailfetch-test-servers");

  private UnpackedServers() {}

  /** The unpacked packages' root folder. */
  static Path root() {
    String set = System.getenv(ROOT_VARIABLE);
    return set == null || set.isBlank() ? DEFAULT_ROOT : Path.of(set);
  }

  /**
   * {@code path} (absolute, as the package installs it) under the unpacked root, else where the
   * package installs it; empty where neither is executable.
   */
  static Optional<Path> executable(String path) {
    Path unpacked = root().resolve(path.substring(1));
    if (Files.isExecutable(unpacked)) {
      return Optional.of(unpacked);
    }
    Path installed = Path.of(path);
    return Files.isExecutable(installed) ? Optional.of(installed) : Optional.empty();
  }

  /** The unpacked libraries' folder, for {@code LD_LIBRARY_PATH} (harmless where absent). */
  static String libraryPath() {
    return root().resolve("usr/lib/x86_64-linux-gnu").toString();
  }

  /** Why a private server cannot run as root here, or empty. */
  static Optional<String> whyNotRoot(String server) {
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of(
          "the "
              + server
              + " interop tests need root, to run the server as its own mail user"
              + " (CI runs as root)");
    }
    return Optional.empty();
  }

  /** Whether this process may make a private mount namespace ({@code unshare -m}). */
  static Optional<String> whyNoMountNamespace() {
    try {
      run(List.of("unshare", "-m", "--propagation", "private", "true"));
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(
          "unshare -m (a private mount namespace) is refused here: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while trying unshare -m");
    }
  }

  /** What {@code .ci/run} says about the packages it unpacked ({@code VERSIONS}), or "". */
  static String versions() {
    try {
      Path f = root().resolve("VERSIONS");
      return Files.exists(f) ? Files.readString(f).strip() : "";
    } catch (IOException e) {
      return "";
    }
  }
}
