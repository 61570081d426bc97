package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.Quirk;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar, run as a user runs it: a separate process, its stdout, stderr and exit code. Runs
 * after {@code package} (a surefire execution in the integration-test phase).
 */
@Timeout(180)
class MailfetchJarTest {
  private static final String PASSWORD = "jar test pässword";
  private static TestCertificates certs;
  @TempDir Path tmp;

  @BeforeAll
  static void setUp() {
    certs = TestCertificates.generate();
  }

  record Run(int exit, String out, String err) {}

  static Run jar(Map<String, String> env, Path dir, String... args) throws Exception {
    Path jar = Path.of(System.getProperty("mailfetch.jar", "target/mailfetch.jar"));
    assertTrue(Files.exists(jar), "the jar is built before these tests: " + jar);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    assertTrue(p.waitFor(150, TimeUnit.SECONDS), "mailfetch " + String.join(" ", args) + " ended");
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void theDemo_startToFinish() throws Exception {
    Run r = jar(Map.of(), tmp, "demo", "--messages", "300");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("300 listed: 0 stored (0 B), 300 already there"), r.out());
    assertTrue(Files.isDirectory(tmp.resolve("demo-mail/Maildir/new")));
  }

  @Test
  void fetchIntoEachSink_jsonParsed_andNoSecretInTheTrace() throws Exception {
    Path ca = certs.writeCaPem(tmp);
    for (String sink : new String[] {"maildir:Mail", "mbox:inbox.mbox", "eml:eml"}) {
      MailCorpus corpus = MailCorpus.generate(71, 20);
      try (FakePop3Server s =
          FakePop3Server.builder()
              .account("alice", PASSWORD, corpus.toMailbox())
              .tls(TlsMode.IMPLICIT, certs)
              .start()) {
        Run r =
            jar(
                Map.of("PW", PASSWORD),
                tmp,
                "fetch",
                "pop3s://alice@localhost:" + s.port(),
                "--password-env",
                "PW",
                "--ca-file",
                ca.toString(),
                "--to",
                sink,
                "--dedup",
                "none",
                "--json",
                "--trace");
        assertEquals(0, r.exit(), sink + ": " + r.err());
        String json = r.out().strip();
        assertTrue(
            json.startsWith("{\"status\":\"ok\"")
                && json.contains("\"listed\":20")
                && json.contains("\"fetched\":20"),
            sink + ": " + json);
        assertTrue(
            r.err().contains("C: AUTH PLAIN <redacted>") || r.err().contains("C: PASS <redacted>"),
            "the trace shows the conversation: " + r.err());
        assertFalse((r.out() + r.err()).contains(PASSWORD), sink + ": no secret in any output");
      }
    }
  }

  @Test
  void exitCodes_forEachFamily() throws Exception {
    Path ca = certs.writeCaPem(tmp);
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(72, 3).toMailbox())
            .tls(TlsMode.IMPLICIT, certs)
            .start()) {
      String url = "pop3s://alice@localhost:" + s.port();
      assertEquals(
          FetchError.AUTH_FAILED.exitCode(),
          jar(
                  Map.of("PW", "wrong"),
                  tmp,
                  "fetch",
                  url,
                  "--password-env",
                  "PW",
                  "--ca-file",
                  ca.toString())
              .exit());
      assertEquals(
          FetchError.CERTIFICATE_INVALID.exitCode(),
          jar(Map.of("PW", PASSWORD), tmp, "fetch", url, "--password-env", "PW").exit());
      Run bad = jar(Map.of(), tmp, "fetch", url);
      assertEquals(2, bad.exit());
      assertTrue(bad.err().contains("--password-env"), bad.err());
      assertFalse(bad.err().contains("\tat "), "no stack trace");
    }
    int closed;
    try (ServerSocket free = new ServerSocket(0)) {
      closed = free.getLocalPort(); // nothing listens once it is closed
    }
    Run refused =
        jar(
            Map.of("PW", PASSWORD),
            tmp,
            "fetch",
            "pop3s://alice@localhost:" + closed,
            "--password-env",
            "PW");
    assertTrue(
        refused.exit() != 0 && refused.exit() != 1 && refused.exit() != 2,
        "a connection failure has its own code: " + refused.exit() + " " + refused.err());
  }

  /**
   * A failure is said once, in the command's two lines; the library's own WARN line saying it again
   * appears only with --verbose (the library logs through slf4j-simple here).
   */
  @Test
  void aFailure_isSaidOnce_withNoLibraryLogLineRepeatingIt_unlessVerbose() throws Exception {
    Path ca = certs.writeCaPem(tmp);
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(74, 3).toMailbox())
            .tls(TlsMode.IMPLICIT, certs)
            .quirk(Quirk.Q35_QUIT_ERR)
            .start()) {
      String url = "pop3s://alice@localhost:" + s.port();
      for (String[] mode : new String[][] {{}, {"--quiet"}}) {
        List<String> args =
            new ArrayList<>(
                List.of("fetch", url, "--password-env", "PW", "--ca-file", ca.toString()));
        args.addAll(List.of(mode));
        Run wrong = jar(Map.of("PW", "wrong"), tmp, args.toArray(new String[0]));
        assertEquals(FetchError.AUTH_FAILED.exitCode(), wrong.exit(), wrong.err());
        FetchReportTest.assertOnceInTwoLines(wrong.err(), FetchError.AUTH_FAILED);
        Run unconfirmed = jar(Map.of("PW", PASSWORD), tmp, append(args, "--delete"));
        assertEquals(3, unconfirmed.exit(), unconfirmed.out() + unconfirmed.err());
        FetchReportTest.assertOnceInTwoLines(unconfirmed.err(), FetchError.DELETION_UNCONFIRMED);
      }
      Run json =
          jar(
              Map.of("PW", "wrong"),
              tmp,
              "fetch",
              url,
              "--password-env",
              "PW",
              "--ca-file",
              ca.toString(),
              "--json");
      assertEquals("", json.err(), "under --json the object on stdout is the whole report");
      assertTrue(json.out().contains("\"code\":\"AUTH_FAILED\""), json.out());
      Run verbose =
          jar(
              Map.of("PW", "wrong"),
              tmp,
              "fetch",
              url,
              "--password-env",
              "PW",
              "--ca-file",
              ca.toString(),
              "--verbose");
      assertTrue(
          verbose.err().contains("INFO") && verbose.err().contains("WARN"),
          "--verbose shows the log: " + verbose.err());

      Path config = tmp.resolve("poll.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "alice.url = " + url,
              "alice.password-env = PW",
              "alice.ca-file = " + ca,
              "alice.to = maildir:" + tmp.resolve("Polled"),
              ""),
          StandardCharsets.UTF_8);
      Run poll =
          jar(
              Map.of("PW", "wrong"),
              tmp,
              "poll",
              "--config",
              config.toString(),
              "--once",
              "--quiet");
      assertEquals(FetchError.AUTH_FAILED.exitCode(), poll.exit(), poll.err());
      FetchReportTest.assertOnceInTwoLines(poll.err(), FetchError.AUTH_FAILED);
    }
  }

  /**
   * A state file whose last write a crash cut short is repaired when it is opened, which the
   * library logs as a warning: shown once with the text report, and under --json not at all (the
   * repair changes nothing a script must act on; stderr holds only a log asked for).
   */
  @Test
  void underJson_aRepairedStateFile_leavesStderrEmpty_andTheTextSaysItOnce() throws Exception {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(83, 2).toMailbox())
            .start()) {
      String[] args = {
        "fetch",
        "pop3://alice@localhost:" + s.port(),
        "--password-env",
        "PW",
        "--tls",
        "none",
        "--allow-plaintext-auth",
        "--to",
        "maildir:Repaired"
      };
      Run first = jar(Map.of("PW", PASSWORD), tmp, append(List.of(args), "--quiet"));
      assertEquals(0, first.exit(), first.err());
      Path journal;
      try (var dirs = Files.list(tmp.resolve("Repaired/mailfetch-state"))) {
        journal = dirs.filter(Files::isDirectory).findFirst().orElseThrow().resolve("uids.journal");
      }
      Files.write(
          journal, "torn end".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
      Run json = jar(Map.of("PW", PASSWORD), tmp, append(List.of(args), "--json"));
      assertEquals(0, json.exit(), json.out() + json.err());
      assertTrue(json.out().startsWith("{\"status\":\"ok\""), json.out());
      assertEquals("", json.err(), "under --json stderr holds only a log asked for");
      Files.write(
          journal, "torn end".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
      Run text = jar(Map.of("PW", PASSWORD), tmp, append(List.of(args), "--quiet"));
      assertEquals(0, text.exit(), text.err());
      assertEquals(1, text.err().lines().count(), text.err());
      assertTrue(text.err().contains("dropped 8 bytes of an unfinished write"), text.err());
    }
  }

  private static String[] append(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }

  @Test
  void fetchFromDovecot_intoEachSink() throws Exception {
    PrivateDovecot dovecot = PrivateDovecot.start(MailCorpus.generate(73, 25), certs);
    try {
      Path ca = certs.writeCaPem(tmp);
      for (String sink :
          new String[] {"maildir:FromDovecot", "mbox:from-dovecot.mbox", "eml:from-dovecot-eml"}) {
        Run r =
            jar(
                Map.of("PW", PrivateDovecot.PASSWORD),
                tmp,
                "fetch",
                "pop3s://" + PrivateDovecot.USER + "@localhost:" + dovecot.tlsPort(),
                "--password-env",
                "PW",
                "--ca-file",
                ca.toString(),
                "--to",
                sink,
                "--dedup",
                "none",
                "--json");
        assertEquals(0, r.exit(), sink + ": " + r.out() + r.err());
        assertTrue(
            r.out().contains("\"listed\":25") && r.out().contains("\"fetched\":25"),
            sink + ": " + r.out());
      }
      assertEquals(25, count(tmp.resolve("FromDovecot/new")));
      assertEquals(
          25, count(tmp.resolve("from-dovecot-eml")) - 1, "25 .eml files and the state directory");
      assertTrue(
          Files.readString(tmp.resolve("from-dovecot.mbox"), StandardCharsets.ISO_8859_1)
                      .split("\nFrom mailfetch\\+|^From mailfetch\\+", -1)
                      .length
                  - 1
              == 25,
          "25 messages in the mbox");
    } finally {
      dovecot.stop();
    }
  }

  private static long count(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.count();
    }
  }

  /**
   * {@code mailfetch poll} until SIGTERM: mail that arrives while it polls is fetched once, and the
   * stop lets running checks end and closes everything before the process exits.
   */
  @Test
  void poll_fetchesMailAsItArrives_andStopsCleanlyOnSigterm() throws Exception {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(81, 3).toMailbox())
            .start()) {
      Path config = tmp.resolve("accounts.properties");
      Path maildir = tmp.resolve("Mail");
      Files.writeString(
          config,
          String.join(
              "\n",
              "alice.url = pop3://alice@localhost:" + s.port(),
              "alice.password-env = MAIL_PW",
              "alice.tls = none",
              "alice.allow-plaintext-auth = true",
              "alice.to = maildir:" + maildir,
              ""),
          StandardCharsets.UTF_8);
      Path jar = Path.of(System.getProperty("mailfetch.jar", "target/mailfetch.jar"));
      Path out = tmp.resolve("poll-out.txt");
      ProcessBuilder pb =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-jar",
                  jar.toAbsolutePath().toString(),
                  "poll",
                  "--config",
                  config.toString(),
                  "--min-interval",
                  "1s",
                  "--max-interval",
                  "2s",
                  "--verbose")
              .directory(tmp.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile());
      pb.environment().put("MAIL_PW", PASSWORD);
      Process p = pb.start();
      try {
        waitForFiles(maildir.resolve("new"), 3, p, out);
        MailCorpus later = MailCorpus.generate(82, 4);
        for (MailCorpus.Message m : later.messages()) {
          s.mailbox("alice").add(m.content());
        }
        waitForFiles(maildir.resolve("new"), 7, p, out);
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ended after SIGTERM");
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(printed.contains("stopped: every check ended"), printed);
        assertTrue(
            p.exitValue() == 0 || p.exitValue() == 143, "exit " + p.exitValue() + ": " + printed);
        assertEquals(7, entries(maildir.resolve("new")), "every message once");
        assertFalse(printed.contains(PASSWORD), "no secret");
      } finally {
        p.destroyForcibly();
      }
    }
  }

  private static long entries(Path dir) throws IOException {
    try (var listing = Files.list(dir)) {
      return listing.count();
    }
  }

  private static void waitForFiles(Path dir, int n, Process p, Path out) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.isDirectory(dir) || entries(dir) < n) {
      if (System.nanoTime() > until || !p.isAlive()) {
        throw new AssertionError(
            "no "
                + n
                + " messages in "
                + dir
                + ": "
                + Files.readString(out, StandardCharsets.UTF_8));
      }
      Thread.sleep(100);
    }
  }
}
