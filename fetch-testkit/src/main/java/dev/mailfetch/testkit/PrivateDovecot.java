package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Dovecot of our own on loopback (Debian {@code dovecot-core} + {@code dovecot-pop3d}): its own
 * folder, config, users, certificate and Maildir, on free ports, stopped by its own PID. Where
 * Dovecot is not installed, is not a 2.3 release (2.4 changed the configuration language this class
 * writes), or the test does not run as root (Dovecot serves mail as a system user that only root
 * can set up), the test is skipped and the report says why ({@link #whyUnavailable()}).
 *
 * <pre>{@code
 * PrivateDovecot dovecot = PrivateDovecot.start(corpus, certs);      // a Maildir from a corpus
 * PrivateDovecot other = PrivateDovecot.start(maildir -> fill(maildir), certs); // or your own
 * try { ... port(), tlsPort(), doveadm("mailbox", "list") ... } finally { dovecot.stop(); }
 * }</pre>
 */
public final class PrivateDovecot {
  /** The user it serves. */
  public static final String USER = "alice";

  /** That user's password. */
  public static final String PASSWORD = "dovecot test password";

  private static final String SYSTEM_USER = "mailfetch-test";

  private final Path folder;
  private final Path maildir;
  private final int plainPort;
  private final int tlsPort;
  private final Path pidFile;

  /** Fills the user's Maildir before Dovecot starts. */
  @FunctionalInterface
  public interface MaildirFiller {
    void fill(Path maildir) throws IOException;
  }

  private PrivateDovecot(Path folder, Path maildir, int plainPort, int tlsPort) {
    this.folder = folder;
    this.maildir = maildir;
    this.plainPort = plainPort;
    this.tlsPort = tlsPort;
    this.pidFile = folder.resolve("base/master.pid");
  }

  /** Starts one serving {@code corpus} to {@link #USER}, with certificates from {@code certs}. */
  public static PrivateDovecot start(MailCorpus corpus, TestCertificates certs) throws Exception {
    return start(corpus::writeMaildir, certs);
  }

  /** Starts one serving the Maildir {@code filler} writes, with certificates from {@code certs}. */
  public static PrivateDovecot start(MaildirFiller filler, TestCertificates certs)
      throws Exception {
    return start(filler, certs, (String) null);
  }

  /**
   * As {@link #start(MaildirFiller, TestCertificates)}, and also taking OAuth access tokens (SASL
   * XOAUTH2 and OAUTHBEARER) through Dovecot's oauth2 passdb, configured by {@code oauth2Config}:
   * the lines of its {@code dovecot-oauth2.conf.ext} ({@code tokeninfo_url}, {@code
   * introspection_url}, {@code username_attribute}, …; Dovecot 2.3's PasswordDatabase.oauth2).
   */
  public static PrivateDovecot startWithOAuth2(
      MaildirFiller filler, TestCertificates certs, String oauth2Config) throws Exception {
    return start(filler, certs, Objects.requireNonNull(oauth2Config, "oauth2Config"));
  }

  private static PrivateDovecot start(
      MaildirFiller filler, TestCertificates certs, String oauth2Config) throws Exception {
    whyUnavailable().ifPresent(why -> abort(why));
    run(
        List.of(
            "sh",
            "-c",
            "id -u "
                + SYSTEM_USER
                + " >/dev/null 2>&1 || useradd --system --no-create-home"
                + " --shell /usr/sbin/nologin "
                + SYSTEM_USER));
    int uid = Integer.parseInt(run(List.of("id", "-u", SYSTEM_USER)).strip());
    int gid = Integer.parseInt(run(List.of("id", "-g", SYSTEM_USER)).strip());
    Path folder = Files.createTempDirectory("mailfetch-dovecot-");
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path maildir = folder.resolve("mail").resolve(USER).resolve("Maildir");
    filler.fill(maildir);
    Files.createDirectories(folder.resolve("tls"));
    certs.writeServerPem(
        TestCertificates.Profile.VALID,
        folder.resolve("tls/cert.pem"),
        folder.resolve("tls/key.pem"));
    Files.writeString(
        folder.resolve("users.passwd"),
        USER
            + ":{PLAIN}"
            + PASSWORD
            + ":"
            + uid
            + ":"
            + gid
            + "::"
            + folder.resolve("mail").resolve(USER)
            + "::\n");
    String f = folder.toString();
    // A port found free can be taken by another process before Dovecot binds it (other tests start
    // servers all the time): then Dovecot refuses to start, and another pair of ports is tried.
    for (int attempt = 1; ; attempt++) {
      int plain = freePort();
      int tls = freePort();
      writeConfig(folder, plain, tls, uid, oauth2Config != null);
      if (oauth2Config != null) {
        Files.writeString(folder.resolve("dovecot-oauth2.conf.ext"), oauth2Config);
      }
      if (attempt == 1) {
        run(List.of("chown", "-R", uid + ":" + gid, folder.resolve("mail").toString()));
      }
      run(List.of("doveconf", "-c", f + "/dovecot.conf", "-n"));
      // Dovecot daemonises, and its daemon would hold a pipe open for ever: its output goes to a
      // file.
      Process master =
          new ProcessBuilder("dovecot", "-c", f + "/dovecot.conf")
              .redirectErrorStream(true)
              .redirectOutput(folder.resolve("start.log").toFile())
              .start();
      if (!master.waitFor(30, TimeUnit.SECONDS)) {
        master.destroyForcibly();
        throw new IOException(
            "dovecot did not start in 30 s: " + Files.readString(folder.resolve("start.log")));
      }
      if (master.exitValue() != 0) {
        String log = Files.readString(folder.resolve("start.log"));
        if (attempt < 3 && log.contains("Address already in use")) {
          continue;
        }
        throw new IOException("dovecot did not start: " + log);
      }
      PrivateDovecot d = new PrivateDovecot(folder, maildir, plain, tls);
      d.awaitListening();
      return d;
    }
  }

  /**
   * Why no private Dovecot can run here, in words for a skipped test's report; empty where one can:
   * Dovecot 2.3 installed ({@code /usr/sbin/dovecot}) and the JVM running as root.
   */
  public static Optional<String> whyUnavailable() {
    if (!Files.isExecutable(Path.of("/usr/sbin/dovecot"))) {
      return Optional.of(
          "Dovecot is not installed here (Debian packages dovecot-core and dovecot-pop3d;"
              + " .ci/run installs them)");
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of(
          "the Dovecot interop tests need root, to run Dovecot as its own mail user"
              + " (CI runs as root)");
    }
    String version;
    try {
      version = run(List.of("/usr/sbin/dovecot", "--version")).strip();
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
    return Optional.empty();
  }

  private static void writeConfig(Path folder, int plain, int tls, int uid, boolean oauth2)
      throws IOException {
    String f = folder.toString();
    String conf =
        String.join(
            "\n",
            "instance_name = mailfetch-test-" + plain,
            "base_dir = " + f + "/base",
            "state_dir = " + f + "/state",
            "protocols = pop3",
            "listen = 127.0.0.1",
            "log_path = " + f + "/dovecot.log",
            "default_internal_user = dovecot",
            "default_login_user = dovenull",
            "first_valid_uid = " + uid,
            "last_valid_uid = " + uid,
            "ssl = yes",
            "ssl_cert = <" + f + "/tls/cert.pem",
            "ssl_key = <" + f + "/tls/key.pem",
            "ssl_dh = </usr/share/dovecot/dh.pem",
            "disable_plaintext_auth = no",
            "auth_mechanisms = plain login cram-md5" + (oauth2 ? " xoauth2 oauthbearer" : ""),
            oauth2
                ? "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = "
                    + f
                    + "/dovecot-oauth2.conf.ext\n}"
                : "",
            "passdb {",
            "  driver = passwd-file",
            "  args = scheme=PLAIN username_format=%u " + f + "/users.passwd",
            "}",
            "userdb {",
            "  driver = passwd-file",
            "  args = username_format=%u " + f + "/users.passwd",
            "}",
            "mail_location = maildir:" + f + "/mail/%u/Maildir",
            "service pop3-login {",
            "  inet_listener pop3 {",
            "    address = 127.0.0.1",
            "    port = " + plain,
            "  }",
            "  inet_listener pop3s {",
            "    address = 127.0.0.1",
            "    port = " + tls,
            "    ssl = yes",
            "  }",
            "}",
            "service pop3 {",
            "  process_limit = 64",
            "}",
            "service anvil {",
            "  unix_listener anvil-auth-penalty {",
            "    mode = 0",
            "  }",
            "}",
            "");
    Files.writeString(folder.resolve("dovecot.conf"), conf);
  }

  private void awaitListening() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", plainPort);
          Socket t = new Socket("127.0.0.1", tlsPort)) {
        s.setSoTimeout(5000);
        if (s.getInputStream().read() == '+' && t.isConnected()) {
          return;
        }
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException(
        "Dovecot did not start listening; see "
            + folder.resolve("dovecot.log")
            + ": "
            + (Files.exists(folder.resolve("dovecot.log"))
                ? Files.readString(folder.resolve("dovecot.log"))
                : "no log"));
  }

  /** The plain POP3 port (STLS offered). */
  public int port() {
    return plainPort;
  }

  /** The implicit-TLS POP3 port. */
  public int tlsPort() {
    return tlsPort;
  }

  /** The user's Maildir. */
  public Path maildir() {
    return maildir;
  }

  /**
   * Runs {@code doveadm} against this instance for {@link #USER} (for example {@code "mailbox",
   * "list"}) and returns its output: how Dovecot itself reads the mail.
   */
  public String doveadm(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("doveadm", "-c", folder.resolve("dovecot.conf").toString()));
    command.add(args[0]);
    if (args.length > 1 && args[0].equals("mailbox")) {
      command.add(args[1]);
      command.add("-u");
      command.add(USER);
      command.addAll(List.of(args).subList(2, args.length));
    } else {
      command.add("-u");
      command.add(USER);
      command.addAll(List.of(args).subList(1, args.length));
    }
    return run(command);
  }

  /**
   * Replaces the user's mail with what {@code filler} writes (and Dovecot's own index files with
   * nothing, so it reads the Maildir afresh): a new mailbox without a new server.
   */
  public void refill(MaildirFiller filler) throws Exception {
    try (Stream<Path> walk = Files.walk(maildir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(maildir)) {
          Files.delete(p);
        }
      }
    }
    filler.fill(maildir);
    run(List.of("chown", "-R", SYSTEM_USER + ":", folder.resolve("mail").toString()));
  }

  /** The Maildir files still there, in name order. */
  // Closing the concatenation closes both listings (Stream.concat's contract).
  @SuppressWarnings("StreamResourceLeak")
  public List<Path> files() throws IOException {
    try (Stream<Path> s =
        Stream.concat(Files.list(maildir.resolve("new")), Files.list(maildir.resolve("cur")))) {
      return s.sorted().toList();
    }
  }

  /** Stops it (by its own PID, never by name) and removes its folder. */
  public void stop() throws Exception {
    if (Files.exists(pidFile)) {
      String pid = Files.readString(pidFile).strip();
      run(List.of("kill", pid));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (Files.exists(Path.of("/proc", pid)) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    }
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Runs a short command that does not fork a daemon, and returns its output. */
  private static String run(List<String> command) throws IOException, InterruptedException {
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
