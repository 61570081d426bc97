package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.DovecotHost.greets;
import static dev.mailfetch.testkit.DovecotHost.run;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Courier IMAP of our own on loopback (Debian bookworm's {@code courier-imap} 5.0.13, unpacked by
 * {@code .ci/run}, and {@code courier-base} with its authentication daemon): its own folder, user
 * database, certificate and Maildir, on free ports, stopped by its own PIDs.
 *
 * <p>Courier's programs find their configuration and the authentication daemon's socket at paths
 * compiled in ({@code /etc/courier}, {@code /run/courier}). So that nothing of the machine's is
 * read or changed, the instance runs in a private mount namespace ({@code unshare -m}) where its
 * own folder's {@code etc} and {@code run} are mounted over those two: its own {@code authdaemond}
 * with the {@code authuserdb} module and a one-user {@code userdb}, its own {@code couriertcpd} on
 * a plain port (STARTTLS offered) and on an implicit-TLS port ({@code couriertls}), with Debian's
 * {@code /etc/courier/imapd} and {@code imapd-ssl} settings as shipped except the certificate.
 *
 * <pre>{@code
 * PrivateCourier courier = PrivateCourier.start(corpus::writeMaildir, certs);
 * try { ... imapPort(), imapsPort(), messages("INBOX"), createFolder("INBOX.Fetched") ...
 * } finally { courier.stop(); }
 * }</pre>
 *
 * <p>Where it cannot run (not installed, not root, no mount namespace) the test is skipped and the
 * report says why ({@link #whyUnavailable()}). Courier keeps a message in its Maildir file with LF
 * line ends and serves it with CRLF; its folders are {@code INBOX.}name, kept in {@code .}name.
 */
public final class PrivateCourier {
  /** The user it serves. */
  public static final String USER = "alice";

  /** That user's password. */
  public static final String PASSWORD = "courier test password";

  private static final String SYSTEM_USER = "mailfetch-test";
  private static final String IMAPLOGIN = "/usr/lib/courier/courier/imaplogin";
  private static final String IMAPD = "/usr/bin/imapd";

  private final Path folder;
  private final Path maildir;
  private final int imapPort;
  private final int imapsPort;
  private final Process tcpd;

  private PrivateCourier(Path folder, Path maildir, int imapPort, int imapsPort, Process tcpd) {
    this.folder = folder;
    this.maildir = maildir;
    this.imapPort = imapPort;
    this.imapsPort = imapsPort;
    this.tcpd = tcpd;
  }

  /**
   * Why no private Courier can run here, in words for a skipped test's report; empty where one can.
   */
  public static Optional<String> whyUnavailable() {
    for (String p : List.of(IMAPD, IMAPLOGIN)) {
      if (UnpackedServers.executable(p).isEmpty()) {
        return Optional.of(
            "Courier IMAP is not installed here ("
                + p
                + " under "
                + UnpackedServers.root()
                + "; .ci/run unpacks Debian's courier-imap there, which conflicts with"
                + " dovecot-imapd)");
      }
    }
    for (String p :
        List.of("/usr/sbin/couriertcpd", "/usr/sbin/authdaemond", "/usr/bin/couriertls")) {
      if (!Files.isExecutable(Path.of(p))) {
        return Optional.of(
            "Courier's " + p + " is not installed here (Debian package courier-base; .ci/run)");
      }
    }
    Optional<String> root = UnpackedServers.whyNotRoot("Courier IMAP");
    return root.isPresent() ? root : UnpackedServers.whyNoMountNamespace();
  }

  /**
   * Starts one serving the Maildir {@code filler} writes ({@code m -> {}} for an empty one) to
   * {@link #USER}, with the {@code VALID} certificate of {@code certs}.
   */
  public static PrivateCourier start(PrivateDovecot.MaildirFiller filler, TestCertificates certs)
      throws Exception {
    whyUnavailable().ifPresent(why -> abort(why));
    int[] mailUser = DovecotHost.mailUser(SYSTEM_USER);
    Path folder = Files.createTempDirectory("mailfetch-courier-");
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path home = folder.resolve("mail").resolve(USER);
    Path maildir = home.resolve("Maildir");
    filler.fill(maildir);
    for (String d : List.of("tmp", "new", "cur")) {
      Files.createDirectories(maildir.resolve(d));
    }
    run(List.of("chown", "-R", mailUser[0] + ":" + mailUser[1], home.getParent().toString()));
    Files.createDirectories(folder.resolve("etc"));
    Files.createDirectories(folder.resolve("run/authdaemon"));
    Files.createDirectories(folder.resolve("tls"));
    certs.writeServerPem(
        TestCertificates.Profile.VALID,
        folder.resolve("tls/cert.pem"),
        folder.resolve("tls/key.pem"));
    // couriertls takes key and chain in one file, and its GnuTLS cannot read a PKCS #8 EC key
    // without the public key in it ("ASN1 parser: Element was not found", then "No supported
    // cipher suites"): the key goes in as OpenSSL writes it (SEC 1, with its public key).
    Path pem = folder.resolve("tls/imapd.pem");
    Path sec1 = folder.resolve("tls/key-sec1.pem");
    run(
        List.of(
            "openssl",
            "ec",
            "-in",
            folder.resolve("tls/key.pem").toString(),
            "-out",
            sec1.toString()));
    Files.writeString(
        pem, Files.readString(sec1) + Files.readString(folder.resolve("tls/cert.pem")));
    // imapd hands STARTTLS to a couriertls that runs as Courier's own user (the implicit-TLS one
    // runs as root here): the file is that user's, else nobody's but root's could read it.
    run(List.of("chown", "courier:", pem.toString()));
    Files.setPosixFilePermissions(pem, PosixFilePermissions.fromString("rw-------"));
    Files.writeString(
        folder.resolve("etc/authdaemonrc"),
        "authmodulelist=\"authuserdb\"\n"
            + "authmodulelistorig=\"authuserdb\"\n"
            + "daemons=2\n"
            + "authdaemonvar=/run/courier/authdaemon\n"
            + "DEBUG_LOGIN=0\nDEFAULTOPTIONS=\"\"\nLOGGEROPTS=\"\"\n");
    String hash =
        run(List.of(
                "sh",
                "-c",
                "printf '%s\\n%s\\n' '" + PASSWORD + "' '" + PASSWORD + "' | userdbpw -md5"))
            .strip();
    Path userdb = folder.resolve("etc/userdb");
    Files.writeString(
        userdb,
        USER
            + "\tuid="
            + mailUser[0]
            + "|gid="
            + mailUser[1]
            + "|home="
            + home
            + "|mail="
            + maildir
            + "|systempw="
            + hash
            + "\n");
    Files.setPosixFilePermissions(userdb, PosixFilePermissions.fromString("rw-------"));
    return ServerStart.onFreePorts(
        2,
        ports -> {
          Files.writeString(folder.resolve("run.sh"), script(folder, ports[0], ports[1]));
          Process p =
              new ProcessBuilder(
                      "unshare", "-m", "--propagation", "private", "sh", folder + "/run.sh")
                  .redirectErrorStream(true)
                  .redirectOutput(folder.resolve("start.log").toFile())
                  .start();
          return new PrivateCourier(folder, maildir, ports[0], ports[1], p);
        },
        PrivateCourier::awaitListening,
        PrivateCourier::kill);
  }

  /** The shell lines run inside the private mount namespace. */
  private static String script(Path folder, int plain, int tls) {
    String f = folder.toString();
    String config = settings("etc/courier/imapd") + " " + settings("etc/courier/imapd-ssl");
    String imaplogin = UnpackedServers.executable(IMAPLOGIN).orElseThrow().toString();
    String imapd = UnpackedServers.executable(IMAPD).orElseThrow().toString();
    String tcpd =
        "/usr/sbin/couriertcpd -address=127.0.0.1 -nodnslookup -noidentlookup"
            + " -maxprocs=40 -maxperip=40 ";
    return "set -e\n"
        // Debian's settings as shipped, read before /etc/courier is replaced by ours
        + "set -a\nfor f in "
        + config
        + "; do . \"$f\"; done\n"
        + "IMAP_STARTTLS=YES\nTLS_CERTFILE="
        + f
        + "/tls/imapd.pem\nTLS_CACHEFILE=\nTLS_DHPARAMS=\nIMAPACCESSFILE=\n"
        + "IMAP_SHAREDINDEXFILE="
        + f
        + "/etc/shared-index\nset +a\n"
        + "mount --bind "
        + f
        + "/etc /etc/courier\n"
        + "mount --bind "
        + f
        + "/run /run/courier\n"
        + "makeuserdb\n"
        + "/usr/sbin/authdaemond start\n"
        + tcpd
        + tls
        + " /usr/bin/couriertls -server -tcpd "
        + imaplogin
        + " "
        + imapd
        + " Maildir &\n"
        + "echo $! > "
        + f
        + "/imaps.pid\n"
        + "exec "
        + tcpd
        + plain
        + " "
        + imaplogin
        + " "
        + imapd
        + " Maildir\n";
  }

  private static String settings(String path) {
    Path unpacked = UnpackedServers.root().resolve(path);
    return (Files.exists(unpacked) ? unpacked : Path.of("/", path)).toString();
  }

  private void awaitListening() throws IOException, InterruptedException {
    if (!ServerStart.listening(
        () -> greets(imapPort, '*') && greets(imapsPort, -1), tcpd::isAlive, 50)) {
      throw new IOException(
          "Courier did not start listening: " + Files.readString(folder.resolve("start.log")));
    }
  }

  /** The plain IMAP port (STARTTLS offered). */
  public int imapPort() {
    return imapPort;
  }

  /** The implicit-TLS IMAP port. */
  public int imapsPort() {
    return imapsPort;
  }

  /** The user's Maildir (INBOX). */
  public Path maildir() {
    return maildir;
  }

  /** Replaces the user's mail with what {@code filler} writes (Courier's own files included). */
  public void refill(PrivateDovecot.MaildirFiller filler) throws Exception {
    deleteTree(maildir);
    filler.fill(maildir);
    for (String d : List.of("tmp", "new", "cur")) {
      Files.createDirectories(maildir.resolve(d));
    }
    run(List.of("chown", "-R", SYSTEM_USER + ":", maildir.toString()));
  }

  /** Creates the folder {@code mailbox} ({@code INBOX.}name) as Courier's own tool does. */
  public void createFolder(String mailbox) throws IOException, InterruptedException {
    Path dir = directory(mailbox);
    run(List.of("maildirmake.courier", dir.toString()));
    run(List.of("chown", "-R", SYSTEM_USER + ":", dir.toString()));
  }

  private Path directory(String mailbox) {
    if (mailbox.equalsIgnoreCase("INBOX")) {
      return maildir;
    }
    if (!mailbox.regionMatches(true, 0, "INBOX.", 0, 6)) {
      throw new IllegalArgumentException(
          "Courier's folders are INBOX.name (its namespace), not " + mailbox);
    }
    return maildir.resolve("." + mailbox.substring(6));
  }

  /**
   * The message files of {@code mailbox} ({@code "INBOX"} or {@code "INBOX.name"}) in {@code new/}
   * and {@code cur/}, in name order; empty where the folder does not exist.
   */
  // Closing the concatenation closes both listings (Stream.concat's contract).
  @SuppressWarnings("StreamResourceLeak")
  public List<Path> files(String mailbox) throws IOException {
    Path dir = directory(mailbox);
    if (!Files.isDirectory(dir.resolve("cur")) || !Files.isDirectory(dir.resolve("new"))) {
      return List.of();
    }
    try (Stream<Path> s =
        Stream.concat(Files.list(dir.resolve("new")), Files.list(dir.resolve("cur")))) {
      return s.sorted().toList();
    }
  }

  /** What Courier stored in {@code mailbox}, each message as its file's bytes (LF line ends). */
  public List<byte[]> messages(String mailbox) throws IOException {
    List<byte[]> out = new ArrayList<>();
    for (Path p : files(mailbox)) {
      out.add(Files.readAllBytes(p));
    }
    return out;
  }

  /** Stops it (its processes by their own PIDs, never by name) and removes its folder. */
  public void stop() throws Exception {
    kill();
    deleteTree(folder);
  }

  private void kill() throws IOException, InterruptedException {
    for (Path pidFile :
        List.of(folder.resolve("run/authdaemon/pid"), folder.resolve("imaps.pid"))) {
      if (Files.exists(pidFile)) {
        String pid = Files.readString(pidFile).strip();
        if (Files.exists(Path.of("/proc", pid))) {
          new ProcessBuilder("kill", pid).start().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
    tcpd.destroy();
    if (!tcpd.waitFor(10, TimeUnit.SECONDS)) {
      tcpd.destroyForcibly();
    }
  }

  private static void deleteTree(Path top) throws IOException {
    if (!Files.exists(top)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(top)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
