package dev.mailfetch.bench;

import dev.mailfetch.testkit.PrivateDovecot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The commands of the whole-process benchmark ({@link WholeProcessRounds}), each fetching alice's
 * POP3 mailbox on {@code 127.0.0.1:port} (plain text, the test password of a private Dovecot) into
 * the Maildir {@code dest/Maildir}, keeping the mail on the server and remembering what it fetched
 * in {@code dest} (its HOME): so that a second run in the same {@code dest} is the nothing-new
 * case. Given a CA file, the port is implicit TLS (Dovecot's pop3s) and the rows that can check a
 * certificate against it ({@code bare}, {@code library}, {@code jar}, {@code launcher}, {@code
 * mpop}) do. mpop, fetchmail and getmail6 are not installed by the project ({@code apt-get install
 * mpop fetchmail getmail6} for the benchmark only).
 */
final class Pop3Fetchers {
  private Pop3Fetchers() {}

  /** The command of {@code row} and any environment it needs besides HOME and the password. */
  record Command(List<String> argv, Map<String, String> env) {}

  static Path maildir(Path dest) {
    return dest.resolve("Maildir");
  }

  /**
   * {@code row}'s command; {@code ca} null for plain POP3, else the CA file of the server's
   * certificate, {@code port} then being implicit TLS.
   */
  static Command command(String row, int port, Path dest, boolean listOnly, Path ca)
      throws IOException {
    Path maildir = maildir(dest);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    if (ca != null && (row.equals("fetchmail") || row.equals("getmail"))) {
      throw new IllegalArgumentException(row + " is measured over plain POP3 only");
    }
    return switch (row) {
      case "bare" -> // the pipelined client as its own JVM, the JDK's defaults
          new Command(
              List.of(
                  java,
                  "-cp",
                  benchmarksJar(),
                  Contenders.class.getName(),
                  "127.0.0.1",
                  Integer.toString(port),
                  listOnly ? "--list" : maildir.toString()),
              ca == null ? Map.of() : Map.of(Contenders.CA_FILE_ENV, ca.toString()));
      case "library" -> // README's fetchNewMail as its own JVM, the JDK's defaults, as bare
          new Command(
              List.of(
                  java,
                  "-cp",
                  benchmarksJar(),
                  LibraryFetch.class.getName(),
                  "127.0.0.1",
                  Integer.toString(port),
                  maildir.toString()),
              ca == null ? Map.of() : Map.of(Contenders.CA_FILE_ENV, ca.toString()));
      case "jar" -> {
        List<String> argv = new ArrayList<>(List.of(java, "-jar", cliJar().toString()));
        argv.addAll(fetchArguments(port, dest, ca));
        yield new Command(argv, Map.of());
      }
      case "launcher" -> {
        // the checkout's script, with this JDK first on the PATH; JAVA_OPTS passes through from
        // the shell of benchmarks/run.sh
        List<String> argv = new ArrayList<>(List.of(launcher().toString()));
        argv.addAll(fetchArguments(port, dest, ca));
        String jdk = System.getProperty("java.home");
        yield new Command(
            argv,
            Map.of(
                "JAVA_HOME",
                jdk,
                "PATH",
                jdk + "/bin:" + System.getenv().getOrDefault("PATH", "")));
      }
      case "mpop" -> mpop(port, dest, maildir, ca);
      case "fetchmail" -> fetchmail(port, dest, maildir);
      case "getmail" -> getmail(port, dest, maildir);
      default -> throw new IllegalArgumentException("no row " + row);
    };
  }

  /**
   * mailfetch's command, keep mode (its default), the password from the environment, its state in
   * {@code dest/state}, {@code --dedup none}: every new message delivered, known by its UID only,
   * as mpop, fetchmail and getmail do (the command's default, message-id+digest, also discards
   * later copies of a message, which the corpus holds a few of: then the Maildir holds fewer than
   * the server, and the rows would not do the same work). {@code -Ddedup=POLICY} gives another.
   */
  static String dedup() {
    return System.getProperty("dedup", "none");
  }

  /**
   * mailfetch's command line after the program: plain POP3, or pop3s checked against {@code ca}.
   */
  static List<String> fetchArguments(int port, Path dest, Path ca) {
    List<String> a = new ArrayList<>(List.of("fetch"));
    String account = PrivateDovecot.USER + "@127.0.0.1:" + port;
    if (ca == null) {
      a.addAll(List.of("pop3://" + account, "--tls", "none", "--allow-plaintext-auth"));
    } else {
      a.addAll(List.of("pop3s://" + account, "--ca-file", ca.toString()));
    }
    a.addAll(
        List.of(
            "--password-env",
            "BENCH_IMAP_PW",
            "--to",
            "maildir:" + maildir(dest),
            "--state",
            dest.resolve("state").toString(),
            "--quiet",
            "--dedup",
            dedup()));
    return a;
  }

  static Path cliJar() {
    return Path.of(System.getProperty("cli", "fetch-cli/target/mailfetch.jar")).toAbsolutePath();
  }

  static Path launcher() {
    return Path.of(System.getProperty("launcher", "mailfetch")).toAbsolutePath();
  }

  private static String benchmarksJar() {
    return Path.of(System.getProperty("java.class.path").split(":")[0]).toAbsolutePath().toString();
  }

  /**
   * mpop: keep on, only_new on (its UIDL file in dest), its own Maildir delivery; TLS from the
   * start (not STARTTLS) checked against {@code ca} when given.
   */
  private static Command mpop(int port, Path dest, Path maildir, Path ca) throws IOException {
    createMaildir(maildir);
    Path rc =
        secret(
            dest.resolve("mpoprc"),
            "account bench",
            "host 127.0.0.1",
            "port " + port,
            ca == null ? "tls off" : "tls on\ntls_starttls off\ntls_trust_file " + ca,
            "auth user",
            "user " + PrivateDovecot.USER,
            "password " + PrivateDovecot.PASSWORD,
            "keep on",
            "only_new on",
            "uidls_file " + dest.resolve("mpop_uidls"),
            "delivery maildir " + maildir);
    return new Command(List.of("/usr/bin/mpop", "-q", "-C", rc.toString(), "bench"), Map.of());
  }

  /**
   * fetchmail: keep, UIDL with its id file in dest, no STARTTLS, and as its MDA a four-line sh
   * script that writes the message the Maildir way (a unique file in tmp/, renamed into new/):
   * fetchmail has no Maildir delivery of its own and neither procmail nor maildrop is installed
   * here; a process per message is what any MDA costs it. fetchmail exits 1 when there was no mail,
   * which is the nothing-new case's success.
   */
  private static Command fetchmail(int port, Path dest, Path maildir) throws IOException {
    createMaildir(maildir);
    Path mda = dest.resolve("maildir-mda.sh");
    Files.writeString(
        mda,
        String.join(
            "\n",
            "#!/bin/sh",
            "# one message on stdin into the Maildir: a unique file in tmp/, then renamed into new/",
            "f=$(mktemp -p " + ExternalFetchers.quote(maildir + "/tmp") + " fetchmail.XXXXXXXXXX)",
            "cat > \"$f\" && mv \"$f\" " + ExternalFetchers.quote(maildir + "/new/"),
            ""));
    Path rc =
        secret(
            dest.resolve("fetchmailrc"),
            "set idfile \"" + dest.resolve(".fetchids") + "\"",
            "poll 127.0.0.1 protocol pop3 service " + port + " uidl auth password",
            "  user \"" + PrivateDovecot.USER + "\" password \"" + PrivateDovecot.PASSWORD + "\"",
            "  is root here keep sslproto ''",
            "  mda \"/bin/sh " + mda + "\"");
    return new Command(
        List.of(
            "/bin/sh",
            "-c",
            "fetchmail \"$@\"; s=$?; [ $s = 1 ] && exit 0; exit $s",
            "fetchmail",
            "-f",
            rc.toString(),
            "--pidfile",
            dest.resolve("fetchmail.pid").toString(),
            "--nosyslog",
            "-s"),
        Map.of());
  }

  /** getmail6: SimplePOP3Retriever, read_all off (its oldmail file in dest), Maildir delivery. */
  private static Command getmail(int port, Path dest, Path maildir) throws IOException {
    ExternalFetchers.openToNobody(dest, maildir);
    Path rc =
        secret(
            dest.resolve("getmailrc"),
            "[retriever]",
            "type = SimplePOP3Retriever",
            "server = 127.0.0.1",
            "port = " + port,
            "username = " + PrivateDovecot.USER,
            "password = " + PrivateDovecot.PASSWORD,
            "",
            "[destination]",
            "type = Maildir",
            "path = " + maildir + "/",
            "user = nobody",
            "",
            "[options]",
            "read_all = false",
            "delete = false",
            "verbose = 0");
    return new Command(ExternalFetchers.getmail(rc, dest), Map.of());
  }

  static void createMaildir(Path maildir) throws IOException {
    for (String d : List.of("tmp", "new", "cur")) {
      Files.createDirectories(maildir.resolve(d));
    }
  }

  /** A configuration file holding the test password, readable by its owner only (mpop checks). */
  private static Path secret(Path file, String... lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
