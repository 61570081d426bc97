package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.DovecotHost.freePorts;
import static dev.mailfetch.testkit.DovecotHost.greets;
import static dev.mailfetch.testkit.DovecotHost.run;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Dovecot of our own on loopback (Debian {@code dovecot-core} + {@code dovecot-pop3d}, and {@code
 * dovecot-imapd} and {@code dovecot-lmtpd} where a test asks for IMAP or LMTP): its own folder,
 * config, users, certificate and Maildir, on free ports, stopped by its own PID. Where Dovecot is
 * not installed, is not a 2.3 release (2.4 changed the configuration language this class writes),
 * or the test does not run as root (Dovecot serves mail as a system user that only root can set
 * up), the test is skipped and the report says why ({@link #whyUnavailable()}).
 *
 * <pre>{@code
 * PrivateDovecot dovecot = PrivateDovecot.start(corpus, certs);      // a Maildir from a corpus
 * PrivateDovecot other = PrivateDovecot.start(maildir -> fill(maildir), certs); // or your own
 * try { ... port(), tlsPort(), doveadm("mailbox", "list") ... } finally { dovecot.stop(); }
 *
 * PrivateDovecot server = PrivateDovecot.start(EnumSet.of(Service.IMAP, Service.LMTP), m -> {}, certs);
 * ... imapPort(), imapsPort(), lmtpPort(), lmtpSocket() ... messages("INBOX"), messages("Archive")
 * }</pre>
 *
 * <p>What Dovecot stored is read back from its own Maildir ({@link #files(String)}, {@link
 * #messages(String)}): with LF line ends ({@link #storedForm(byte[])} turns a CRLF message into
 * that form), and a message delivered over LMTP begins with the {@code Return-Path} line Dovecot
 * adds ({@link #withoutReturnPath(byte[])}). LMTP deliveries go to the user's INBOX; the recipient
 * may be {@code alice} or {@code alice@} any domain.
 */
public final class PrivateDovecot {
  /** The user it serves. */
  public static final String USER = "alice";

  /** That user's password. */
  public static final String PASSWORD = "dovecot test password";

  private static final String SYSTEM_USER = "mailfetch-test";

  /** A protocol it can serve besides POP3 (which it always serves). */
  public enum Service {
    /** POP3 on a plain port (STLS offered) and an implicit-TLS port; always served. */
    POP3("pop3", "dovecot-pop3d"),
    /** IMAP on a plain port (STARTTLS offered) and an implicit-TLS port. */
    IMAP("imap", "dovecot-imapd"),
    /** LMTP on a loopback port and on a Unix domain socket in the instance's folder. */
    LMTP("lmtp", "dovecot-lmtpd");

    final String binary;
    final String debianPackage;

    Service(String binary, String debianPackage) {
      this.binary = binary;
      this.debianPackage = debianPackage;
    }
  }

  /**
   * How Dovecot saves a message it is given. Every test keeps {@link #DURABLE}, Dovecot's own
   * defaults (the crash tests depend on them); {@link #NO_FSYNC} is for benchmarks that measure the
   * client rather than the disk.
   */
  public enum Saving {
    /** Dovecot's defaults ({@code mail_fsync = optimized}): each delivery on disk before its OK. */
    DURABLE,
    /**
     * {@code mail_fsync = never} and {@code maildir_very_dirty_syncs = yes}: no fsync per delivery
     * and no rescan of the Maildir before each save, so a delivery costs Dovecot's CPU, not a disk
     * shared with other work. Benchmarks only: a crash of the machine could lose what was "saved".
     */
    NO_FSYNC
  }

  private final Path folder;
  private final Path maildir;
  private final Set<Service> services;
  private final DovecotConfig.Ports ports;
  private final Path pidFile;

  /** Fills the user's Maildir before Dovecot starts. */
  @FunctionalInterface
  public interface MaildirFiller {
    void fill(Path maildir) throws IOException;
  }

  private PrivateDovecot(
      Path folder, Path maildir, Set<Service> services, DovecotConfig.Ports ports) {
    this.folder = folder;
    this.maildir = maildir;
    this.services = services;
    this.ports = ports;
    this.pidFile = folder.resolve("base/master.pid");
  }

  /** Starts one serving {@code corpus} to {@link #USER}, with certificates from {@code certs}. */
  public static PrivateDovecot start(MailCorpus corpus, TestCertificates certs) throws Exception {
    return start(corpus::writeMaildir, certs);
  }

  /** Starts one serving the Maildir {@code filler} writes, with certificates from {@code certs}. */
  public static PrivateDovecot start(MaildirFiller filler, TestCertificates certs)
      throws Exception {
    return start(EnumSet.of(Service.POP3), filler, certs, null, Saving.DURABLE);
  }

  /**
   * Starts one serving {@code services} (POP3 always) and the Maildir {@code filler} writes ({@code
   * m -> {}} for an empty one), with certificates from {@code certs}; the test is skipped where a
   * service's server is not installed ({@link #whyUnavailable(Service...)}).
   */
  public static PrivateDovecot start(
      Set<Service> services, MaildirFiller filler, TestCertificates certs) throws Exception {
    return start(services, filler, certs, null, Saving.DURABLE);
  }

  /**
   * As {@link #start(Set, MaildirFiller, TestCertificates)}, saving as {@code saving} says: {@link
   * Saving#NO_FSYNC} for a benchmark of the client (docs/benchmarks.md, "Into IMAP and LMTP").
   */
  public static PrivateDovecot start(
      Set<Service> services, MaildirFiller filler, TestCertificates certs, Saving saving)
      throws Exception {
    return start(services, filler, certs, null, Objects.requireNonNull(saving, "saving"));
  }

  /**
   * As {@link #start(MaildirFiller, TestCertificates)}, and also taking OAuth access tokens (SASL
   * XOAUTH2 and OAUTHBEARER) through Dovecot's oauth2 passdb, configured by {@code oauth2Config}:
   * the lines of its {@code dovecot-oauth2.conf.ext} ({@code tokeninfo_url}, {@code
   * introspection_url}, {@code username_attribute}, …; Dovecot 2.3's PasswordDatabase.oauth2).
   */
  public static PrivateDovecot startWithOAuth2(
      MaildirFiller filler, TestCertificates certs, String oauth2Config) throws Exception {
    return start(
        EnumSet.of(Service.POP3),
        filler,
        certs,
        Objects.requireNonNull(oauth2Config, "oauth2Config"),
        Saving.DURABLE);
  }

  private static PrivateDovecot start(
      Set<Service> requested,
      MaildirFiller filler,
      TestCertificates certs,
      String oauth2Config,
      Saving saving)
      throws Exception {
    Set<Service> services = EnumSet.of(Service.POP3);
    services.addAll(requested);
    whyUnavailable(services.toArray(Service[]::new)).ifPresent(why -> abort(why));
    int[] mailUser = DovecotHost.mailUser(SYSTEM_USER);
    int uid = mailUser[0];
    int gid = mailUser[1];
    Path folder = Files.createTempDirectory("mailfetch-dovecot-");
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path maildir = folder.resolve("mail").resolve(USER).resolve("Maildir");
    filler.fill(maildir);
    Files.createDirectories(maildir);
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
      int[] free = freePorts(5);
      DovecotConfig.Ports ports =
          new DovecotConfig.Ports(
              free[0],
              free[1],
              services.contains(Service.IMAP) ? free[2] : 0,
              services.contains(Service.IMAP) ? free[3] : 0,
              services.contains(Service.LMTP) ? free[4] : 0,
              folder.resolve("lmtp"));
      DovecotConfig.write(folder, services, ports, uid, oauth2Config != null, saving);
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
          new ProcessBuilder(DovecotHost.dovecot(), "-c", f + "/dovecot.conf")
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
      PrivateDovecot d =
          new PrivateDovecot(folder, maildir, Collections.unmodifiableSet(services), ports);
      d.awaitListening();
      return d;
    }
  }

  /**
   * Why no private Dovecot can run here, in words for a skipped test's report; empty where one can:
   * Dovecot 2.3 installed ({@code /usr/sbin/dovecot}) and the JVM running as root.
   */
  public static Optional<String> whyUnavailable() {
    return whyUnavailable(Service.POP3);
  }

  /**
   * As {@link #whyUnavailable()}, and also where the server of one of {@code services} is not
   * installed ({@code /usr/lib/dovecot/imap} from {@code dovecot-imapd}, {@code
   * /usr/lib/dovecot/lmtp} from {@code dovecot-lmtpd}).
   */
  public static Optional<String> whyUnavailable(Service... services) {
    return DovecotHost.whyUnavailable(services);
  }

  private void awaitListening() throws Exception {
    // the master daemonised and its parent has ended: only the ports tell whether it runs
    if (ServerStart.listening(this::listening, () -> true, 100)) {
      return;
    }
    throw new IllegalStateException(
        "Dovecot did not start listening; see "
            + folder.resolve("dovecot.log")
            + ": "
            + (Files.exists(folder.resolve("dovecot.log"))
                ? Files.readString(folder.resolve("dovecot.log"))
                : "no log"));
  }

  private boolean listening() {
    boolean pop3 = greets(ports.pop3(), '+') && greets(ports.pop3s(), -1);
    boolean imap =
        !services.contains(Service.IMAP)
            || (greets(ports.imap(), '*') && greets(ports.imaps(), -1));
    boolean lmtp =
        !services.contains(Service.LMTP)
            || (greets(ports.lmtp(), '2') && Files.exists(ports.lmtpSocket()));
    return pop3 && imap && lmtp;
  }

  /** The plain POP3 port (STLS offered). */
  public int port() {
    return ports.pop3();
  }

  /** The implicit-TLS POP3 port. */
  public int tlsPort() {
    return ports.pop3s();
  }

  /** The plain IMAP port (STARTTLS offered). */
  public int imapPort() {
    return served(Service.IMAP, ports.imap());
  }

  /** The implicit-TLS IMAP port. */
  public int imapsPort() {
    return served(Service.IMAP, ports.imaps());
  }

  /** The LMTP port on 127.0.0.1 (no TLS; STARTTLS offered). */
  public int lmtpPort() {
    return served(Service.LMTP, ports.lmtp());
  }

  /** The LMTP Unix domain socket, in the instance's folder. */
  public Path lmtpSocket() {
    served(Service.LMTP, 0);
    return ports.lmtpSocket();
  }

  private int served(Service service, int port) {
    if (!services.contains(service)) {
      throw new IllegalStateException(
          "this PrivateDovecot does not serve " + service + "; start it with Service." + service);
    }
    return port;
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

  /**
   * The message files of {@code mailbox} ({@code "INBOX"}, or a folder by its IMAP name with
   * Dovecot's delimiter {@code "."}), in name order: where Dovecot itself says the mailbox lives
   * ({@code doveadm mailbox path}); empty where the folder does not exist.
   */
  // Closing the concatenation closes both listings (Stream.concat's contract).
  @SuppressWarnings("StreamResourceLeak")
  public List<Path> files(String mailbox) throws IOException, InterruptedException {
    Path dir = Path.of(doveadm("mailbox", "path", mailbox).strip());
    if (!Files.isDirectory(dir.resolve("cur")) || !Files.isDirectory(dir.resolve("new"))) {
      return List.of();
    }
    try (Stream<Path> s =
        Stream.concat(Files.list(dir.resolve("new")), Files.list(dir.resolve("cur")))) {
      return s.sorted().toList();
    }
  }

  /**
   * The messages Dovecot stored in {@code mailbox} ({@link #files(String)}), each as its file's
   * bytes: LF line ends, and over LMTP a {@code Return-Path} line first.
   */
  public List<byte[]> messages(String mailbox) throws IOException, InterruptedException {
    List<byte[]> out = new ArrayList<>();
    for (Path p : files(mailbox)) {
      out.add(Files.readAllBytes(p));
    }
    return out;
  }

  /** {@code message} as Dovecot stores it: each CRLF turned into LF ({@link MailCorpus#toLf}). */
  public static byte[] storedForm(byte[] message) {
    return MailCorpus.toLf(message);
  }

  /**
   * {@code stored} without its first line where that is a {@code Return-Path:} header: the one
   * Dovecot's LMTP server puts before every message it delivers (the message's own stays).
   */
  public static byte[] withoutReturnPath(byte[] stored) {
    byte[] prefix = "Return-Path:".getBytes(StandardCharsets.US_ASCII);
    if (stored.length < prefix.length
        || !Arrays.equals(stored, 0, prefix.length, prefix, 0, prefix.length)) {
      return stored;
    }
    int eol = prefix.length;
    while (eol < stored.length && stored[eol] != '\n') {
      eol++;
    }
    return Arrays.copyOfRange(stored, Math.min(eol + 1, stored.length), stored.length);
  }

  /**
   * Waits until no client is connected to it ({@code doveadm who}, which asks Dovecot's anvil):
   * after a client was killed, the server side of its session may still be finishing a command (an
   * EXPUNGE), and what the server holds is read only after that.
   */
  public void awaitSessionsEnded(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (doveadmWho().lines().skip(1).anyMatch(l -> !l.isBlank())) { // a header line first
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Dovecot still has sessions after " + timeout + ": " + doveadmWho());
      }
      Thread.sleep(20);
    }
  }

  private String doveadmWho() throws IOException, InterruptedException {
    return run(List.of("doveadm", "-c", folder.resolve("dovecot.conf").toString(), "who", "-1"));
  }

  /**
   * Makes Dovecot renumber {@code mailbox} (INBOX, or a folder by its IMAP name), as a server does
   * whose index was lost or rebuilt: its {@code dovecot-uidlist} and index files are removed, so
   * Dovecot gives every message a new UID under a new UIDVALIDITY when the mailbox is next opened
   * (the messages themselves stay as they are, under new file names in another order, so that the
   * new UIDs do not follow the old ones: UID 1 is another message). Call it while no client has the
   * mailbox open ({@link #awaitSessionsEnded}). Returns the new UIDVALIDITY, which differs from the
   * old one (Dovecot takes the time of day for it: a renumbering within the same second waits a
   * second).
   */
  // Closing the concatenation closes both listings (Stream.concat's contract).
  @SuppressWarnings("StreamResourceLeak")
  public long renumber(String mailbox) throws IOException, InterruptedException {
    long before = uidValidity(mailbox);
    Path dir = Path.of(doveadm("mailbox", "path", mailbox).strip());
    Path indexRoot = maildir;
    List<Path> messages = files(mailbox);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(before));
    for (int i = 0; i < messages.size(); i++) {
      Path p = messages.get(i);
      String name = p.getFileName().toString();
      int colon = name.indexOf(':');
      String renamed =
          String.format(Locale.ROOT, "%d.M%06dP1.renumbered", 1_800_000_000L + order.get(i), i)
              + (colon < 0 ? "" : name.substring(colon));
      Files.move(p, p.resolveSibling(renamed));
    }
    for (int attempt = 0; ; attempt++) {
      try (Stream<Path> s = Stream.concat(Files.list(dir), Files.list(indexRoot))) {
        for (Path p : s.distinct().toList()) {
          String name = p.getFileName().toString();
          boolean list = name.startsWith("dovecot.list.index");
          boolean own =
              p.getParent().equals(dir)
                  && (name.equals("dovecot-uidlist") || name.startsWith("dovecot.index"));
          if (list || own) {
            Files.deleteIfExists(p);
          }
        }
      }
      long after = uidValidity(mailbox);
      if (after != before) {
        return after;
      }
      if (attempt == 3) {
        throw new IllegalStateException("UIDVALIDITY of " + mailbox + " stayed " + before);
      }
      Thread.sleep(1100);
    }
  }

  /** The UIDVALIDITY of {@code mailbox} as Dovecot reports it ({@code doveadm mailbox status}). */
  public long uidValidity(String mailbox) throws IOException, InterruptedException {
    String out = doveadm("mailbox", "status", "uidvalidity", mailbox).strip();
    return Long.parseLong(out.substring(out.indexOf('=') + 1).strip());
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
}
