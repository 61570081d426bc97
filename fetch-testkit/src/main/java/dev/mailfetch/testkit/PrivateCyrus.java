package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.DovecotHost.greets;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Cyrus IMAP of our own on loopback (Debian bookworm's {@code cyrus-imapd} 3.6, unpacked by
 * {@code .ci/run}): its own {@code imapd.conf} and {@code cyrus.conf}, configuration folder, spool,
 * SASL password file ({@code sasldb}, written by {@code saslpasswd2}), certificate, on free ports,
 * its {@code master} stopped by its own PID. Everything else is Cyrus's default: the user's INBOX
 * is made at the first login ({@code autocreate_quota: 0}), folders are siblings of INBOX with
 * {@code /} as delimiter (Cyrus 3's {@code altnamespace} and {@code unixhierarchysep}), and the
 * server's processes run as the test mail user ({@code cyrus_user}). One setting differs from
 * Debian's: {@code expunge_mode: immediate}, so that the spool holds exactly what the mailbox holds
 * (Cyrus 3 keeps expunged messages' files until {@code cyr_expire} by default).
 *
 * <pre>{@code
 * PrivateCyrus cyrus = PrivateCyrus.start(certs);
 * try { cyrus.append("INBOX", bytes); ... imapPort(), imapsPort(), messages("INBOX") ...
 * } finally { cyrus.stop(); }
 * }</pre>
 *
 * <p>Mail gets in by IMAP APPEND of known bytes ({@link #append}); what Cyrus stored is read back
 * from its spool files ({@code <uid>.}, CRLF line ends as received), found where Cyrus's own {@code
 * mbpath} says the mailbox lives ({@link #messages(String)}). Where it cannot run the test is
 * skipped and the report says why ({@link #whyUnavailable()}).
 */
public final class PrivateCyrus {
  /** The user it serves. */
  public static final String USER = "alice";

  /** That user's password. */
  public static final String PASSWORD = "cyrus test password";

  private static final String SYSTEM_USER = "mailfetch-test";
  private static final String BIN = "/usr/lib/cyrus/bin/";

  private final Path folder;
  private final int imapPort;
  private final int imapsPort;
  private final Process master;

  private PrivateCyrus(Path folder, int imapPort, int imapsPort, Process master) {
    this.folder = folder;
    this.imapPort = imapPort;
    this.imapsPort = imapsPort;
    this.master = master;
  }

  /**
   * Why no private Cyrus can run here, in words for a skipped test's report; empty where one can.
   */
  public static Optional<String> whyUnavailable() {
    for (String p :
        List.of(BIN + "master", BIN + "imapd", BIN + "mbpath", "/usr/sbin/saslpasswd2")) {
      if (UnpackedServers.executable(p).isEmpty()) {
        return Optional.of(
            "Cyrus IMAP is not installed here ("
                + p
                + " under "
                + UnpackedServers.root()
                + "; .ci/run unpacks Debian's cyrus-common, cyrus-imapd and sasl2-bin there:"
                + " cyrus-imapd conflicts with dovecot-imapd)");
      }
    }
    return UnpackedServers.whyNotRoot("Cyrus IMAP");
  }

  /**
   * Starts one serving an empty mailbox to {@link #USER}, with {@code certs}' VALID certificate.
   */
  public static PrivateCyrus start(TestCertificates certs) throws Exception {
    whyUnavailable().ifPresent(why -> abort(why));
    int[] mailUser = DovecotHost.mailUser(SYSTEM_USER);
    Path folder = Files.createTempDirectory("mailfetch-cyrus-");
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String d : List.of("conf", "spool", "sieve", "socket", "tls", "lock", "proc")) {
      Files.createDirectories(folder.resolve(d));
    }
    certs.writeServerPem(
        TestCertificates.Profile.VALID,
        folder.resolve("tls/cert.pem"),
        folder.resolve("tls/key.pem"));
    String f = folder.toString();
    Files.writeString(
        folder.resolve("imapd.conf"),
        "configdirectory: "
            + f
            + "/conf\npartition-default: "
            + f
            + "/spool\ndefaultpartition: default\nsievedir: "
            + f
            + "/sieve\ncyrus_user: "
            + SYSTEM_USER
            + "\nservername: localhost\n"
            + "sasl_pwcheck_method: auxprop\nsasl_auxprop_plugin: sasldb\nsasl_sasldb_path: "
            + f
            + "/sasldb2\nsasl_mech_list: PLAIN LOGIN\nallowplaintext: yes\nautocreate_quota: 0\n"
            + "expunge_mode: immediate\ntls_server_cert: "
            + f
            + "/tls/cert.pem\ntls_server_key: "
            + f
            + "/tls/key.pem\nlmtpsocket: "
            + f
            + "/socket/lmtp\nidlesocket: "
            + f
            + "/socket/idle\nnotifysocket: "
            + f
            + "/socket/notify\nmboxname_lockpath: "
            + f
            + "/lock\nproc_path: "
            + f
            + "/proc\nsyslog_prefix: mailfetch-cyrus\n");
    tool(
        "printf '%s' '"
            + PASSWORD
            + "' | "
            + UnpackedServers.executable("/usr/sbin/saslpasswd2").orElseThrow()
            + " -p -c -u localhost -f "
            + f
            + "/sasldb2 "
            + USER);
    DovecotHost.run(List.of("chown", "-R", mailUser[0] + ":" + mailUser[1], f));
    return ServerStart.onFreePorts(
        2, ports -> launch(folder, ports), PrivateCyrus::awaitListening, PrivateCyrus::kill);
  }

  /** Cyrus's master on {@code ports} (plain, implicit TLS), not yet known to listen. */
  private static PrivateCyrus launch(Path folder, int[] ports) throws IOException {
    String f = folder.toString();
    String imapd = cyrusTool("imapd") + " -C " + f + "/imapd.conf";
    Files.writeString(
        folder.resolve("cyrus.conf"),
        "START {\n  recover cmd=\""
            + cyrusTool("ctl_cyrusdb")
            + " -C "
            + f
            + "/imapd.conf -r\"\n}\nSERVICES {\n  imap cmd=\""
            + imapd
            + "\" listen=\"127.0.0.1:"
            + ports[0]
            + "\" prefork=0\n  imaps cmd=\""
            + imapd
            + " -s\" listen=\"127.0.0.1:"
            + ports[1]
            + "\" prefork=0\n}\nEVENTS {\n}\nDAEMON {\n}\n");
    ProcessBuilder pb =
        new ProcessBuilder(
                cyrusTool("master"),
                "-C",
                f + "/imapd.conf",
                "-M",
                f + "/cyrus.conf",
                "-p",
                f + "/master.pid",
                "-D")
            .redirectErrorStream(true)
            .redirectOutput(folder.resolve("master.log").toFile());
    pb.environment().put("LD_LIBRARY_PATH", UnpackedServers.libraryPath());
    return new PrivateCyrus(folder, ports[0], ports[1], pb.start());
  }

  private static String cyrusTool(String name) {
    return UnpackedServers.executable(BIN + name).orElseThrow().toString();
  }

  /** Runs a shell line of Cyrus's (or SASL's) tools with the unpacked libraries. */
  private static String tool(String line) throws IOException, InterruptedException {
    return DovecotHost.run(
        List.of("env", "LD_LIBRARY_PATH=" + UnpackedServers.libraryPath(), "sh", "-c", line));
  }

  private void awaitListening() throws IOException, InterruptedException {
    if (!ServerStart.listening(
        () -> greets(imapPort, '*') && greets(imapsPort, -1), master::isAlive, 50)) {
      throw new IOException(
          "Cyrus did not start listening (its words go to syslog): "
              + Files.readString(folder.resolve("master.log")));
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

  /** Where Cyrus put an appended message: its folder's UIDVALIDITY and its UID (RFC 4315). */
  public record Appended(long uidValidity, long uid) {}

  /**
   * Appends {@code message} (CRLF line ends, as IMAP carries it) to {@code mailbox} over plain IMAP
   * as {@link #USER}, and returns where Cyrus put it (its APPENDUID).
   */
  public Appended append(String mailbox, byte[] message) throws IOException {
    String answer =
        session("t APPEND \"" + mailbox + "\" {" + message.length + "+}\r\n", message, "\r\n");
    int at = answer.indexOf("[APPENDUID ");
    if (at < 0) {
      throw new IOException("Cyrus did not append: " + answer);
    }
    String[] words = answer.substring(at + 11, answer.indexOf(']', at)).split(" ");
    return new Appended(Long.parseLong(words[0]), Long.parseLong(words[1]));
  }

  /** Creates the folder {@code mailbox} over IMAP as {@link #USER}. */
  public void createFolder(String mailbox) throws IOException {
    String answer = session("t CREATE \"" + mailbox + "\"\r\n", new byte[0], "");
    if (!answer.startsWith("t OK")) {
      throw new IOException("Cyrus did not create " + mailbox + ": " + answer);
    }
  }

  /**
   * Expunges the message {@code uid} of {@code mailbox} in a session of its own, as another mail
   * client would ({@code \\Deleted}, then {@code UID EXPUNGE}).
   */
  public void expunge(String mailbox, long uid) throws IOException {
    String answer =
        session(
            "s SELECT \""
                + mailbox
                + "\"\r\nu UID STORE "
                + uid
                + " +FLAGS.SILENT (\\Deleted)\r\nt UID EXPUNGE "
                + uid
                + "\r\n",
            new byte[0],
            "");
    if (!answer.startsWith("t OK")) {
      throw new IOException("Cyrus did not expunge " + uid + ": " + answer);
    }
  }

  /**
   * Logs in, sends {@code commands} (tagged lines, the last tagged {@code t}), {@code literal} and
   * {@code end} (a LITERAL+ command in one piece), logs out; returns the answer tagged {@code t}.
   */
  private String session(String commands, byte[] literal, String end) throws IOException {
    try (Socket s = new Socket("127.0.0.1", imapPort)) {
      s.setSoTimeout(20_000);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = s.getOutputStream();
      in.readLine(); // greeting
      out.write(
          ("l LOGIN " + USER + " \"" + PASSWORD + "\"\r\n").getBytes(StandardCharsets.US_ASCII));
      String login = tagged(in, "l ");
      if (!login.startsWith("l OK")) {
        throw new IOException("Cyrus refused the login: " + login);
      }
      out.write(commands.getBytes(StandardCharsets.UTF_8));
      out.write(literal);
      out.write(end.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = tagged(in, "t ");
      out.write("z LOGOUT\r\n".getBytes(StandardCharsets.US_ASCII));
      tagged(in, "z ");
      return answer;
    }
  }

  private static String tagged(BufferedReader in, String tag) throws IOException {
    for (String line; (line = in.readLine()) != null; ) {
      if (line.startsWith(tag)) {
        return line;
      }
    }
    throw new IOException("Cyrus closed the connection before answering " + tag.strip());
  }

  /**
   * The folder where Cyrus keeps {@code mailbox} ({@code "INBOX"}, or a folder by its IMAP name),
   * as its own {@code mbpath} says; empty where the mailbox does not exist.
   */
  public Optional<Path> directory(String mailbox) throws IOException, InterruptedException {
    String internal =
        mailbox.equalsIgnoreCase("INBOX") ? "user/" + USER : "user/" + USER + "/" + mailbox;
    try {
      String out =
          tool(
              cyrusTool("mbpath")
                  + " -C "
                  + folder.resolve("imapd.conf")
                  + " '"
                  + internal.replace("'", "")
                  + "'");
      return Optional.of(Path.of(out.strip()));
    } catch (IOException noSuchMailbox) {
      return Optional.empty();
    }
  }

  /** The spool files of {@code mailbox} by UID ({@code <uid>.}), in UID order. */
  public Map<Long, Path> files(String mailbox) throws IOException, InterruptedException {
    Map<Long, Path> out = new TreeMap<>();
    Optional<Path> dir = directory(mailbox);
    if (dir.isEmpty() || !Files.isDirectory(dir.get())) {
      return out;
    }
    try (Stream<Path> s = Files.list(dir.get())) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        if (name.matches("[0-9]+\\.")) {
          out.put(Long.parseLong(name.substring(0, name.length() - 1)), p);
        }
      }
    }
    return out;
  }

  /** What Cyrus stored in {@code mailbox}, each message as its spool file's bytes, UID order. */
  public List<byte[]> messages(String mailbox) throws IOException, InterruptedException {
    List<byte[]> out = new ArrayList<>();
    for (Path p : files(mailbox).values()) {
      out.add(Files.readAllBytes(p));
    }
    return out;
  }

  /** Stops it (its master by its own PID, which ends its services) and removes its folder. */
  public void stop() throws Exception {
    kill();
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private void kill() throws InterruptedException {
    master.destroy();
    if (!master.waitFor(10, TimeUnit.SECONDS)) {
      master.destroyForcibly();
      master.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
