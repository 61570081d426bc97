package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code mailfetch fetch} as a user runs it, against the testkit server over TLS. */
@Timeout(120)
class FetchCommandTest {
  private static final String PASSWORD = "s3cret pässword";
  private static TestCertificates certs;
  @TempDir Path tmp;

  @BeforeAll
  static void certificates() {
    certs = TestCertificates.generate();
  }

  record Run(int exit, String out, String err) {}

  static Run mailfetch(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), env, args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("MAIL_PW", PASSWORD);
    return env;
  }

  private FakePop3Server server(MailCorpus corpus) {
    return FakePop3Server.builder()
        .account("alice", PASSWORD, corpus.toMailbox())
        .tls(TlsMode.IMPLICIT, certs)
        .start();
  }

  private static long count(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  /** The JSON object's top-level fields, as text. */
  static Map<String, String> json(String text) throws IOException {
    Map<String, String> out = new HashMap<>();
    try (JsonParser p = new JsonFactory().createParser(text.strip())) {
      p.nextToken();
      String field = null;
      int depth = 0;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.FIELD_NAME && depth == 0) {
          field = p.currentName();
        } else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          if (depth == 0 && field != null) {
            out.put(field, t == JsonToken.START_OBJECT ? "{" : "[");
          }
          depth++;
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        } else if (t == JsonToken.FIELD_NAME
            && depth == 1
            && ("code".equals(p.currentName()) || "remedy".equals(p.currentName()))) {
          String name = p.currentName();
          p.nextToken();
          out.put("error." + name, p.getText());
        } else if (depth == 0 && field != null && t.isScalarValue()) {
          out.put(field, p.getText());
        }
      }
    }
    return out;
  }

  @Test
  void aFetchOverVerifiedTls_storesEverything_thenNothing_withoutTheSecretInAnyOutput()
      throws IOException {
    MailCorpus corpus = MailCorpus.generate(61, 40);
    Path ca = certs.writeCaPem(tmp);
    try (FakePop3Server s = server(corpus)) {
      String url = "pop3s://alice@localhost:" + s.port();
      String maildir = tmp.resolve("Mail").toString();
      Run first =
          mailfetch(
              env(),
              "fetch",
              url,
              "--password-env",
              "MAIL_PW",
              "--ca-file",
              ca.toString(),
              "--to",
              "maildir:" + maildir,
              "--dedup",
              "none");
      assertEquals(0, first.exit(), first.out() + first.err());
      assertTrue(first.out().contains("40 listed: 40 stored"), first.out());
      assertEquals(40, count(Path.of(maildir, "new")));
      assertTrue(
          Files.isDirectory(Path.of(maildir, "mailfetch-state")), "state inside the sink's place");
      Run second =
          mailfetch(
              env(),
              "fetch",
              url,
              "--password-env",
              "MAIL_PW",
              "--ca-file",
              ca.toString(),
              "--to",
              "maildir:" + maildir,
              "--json");
      assertEquals(0, second.exit(), second.out() + second.err());
      Map<String, String> j = json(second.out());
      assertEquals("ok", j.get("status"));
      assertEquals("40", j.get("listed"));
      assertEquals("0", j.get("fetched"));
      assertEquals("40", j.get("already_seen"));
      for (Run r : List.of(first, second)) {
        assertFalse((r.out() + r.err()).contains(PASSWORD), "no secret in any output");
      }
    }
  }

  @Test
  void deleteMode_mbox_andEml_eachStoreAndTheServerIsEmptied() throws IOException {
    Path ca = certs.writeCaPem(tmp);
    for (String to :
        new String[] {"mbox:" + tmp.resolve("inbox.mbox"), "eml:" + tmp.resolve("eml")}) {
      MailCorpus corpus = MailCorpus.generate(62, 15);
      try (FakePop3Server s = server(corpus)) {
        Run r =
            mailfetch(
                env(),
                "fetch",
                "pop3s://alice@localhost:" + s.port(),
                "--password-env",
                "MAIL_PW",
                "--ca-file",
                ca.toString(),
                "--to",
                to,
                "--delete",
                "--quiet",
                "--dedup",
                "none");
        assertEquals(0, r.exit(), to + ": " + r.out() + r.err());
        assertEquals("", r.out(), "--quiet prints nothing when all is well");
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals(0, s.mailbox("alice").size(), to + ": deleted once stored");
      }
    }
    assertEquals(15, count(tmp.resolve("eml")) - 1, "15 .eml files and the state directory");
    assertTrue(Files.size(tmp.resolve("inbox.mbox")) > 0);
  }

  /**
   * {@code --timeout} bounds the TLS handshake too: a pop3s:// port that never speaks stops in
   * seconds, not 30.
   */
  @Test
  void theTimeoutOption_boundsTheTlsHandshake() throws IOException {
    Path ca = certs.writeCaPem(tmp);
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread accept =
          new Thread(
              () -> {
                try (Socket c = silent.accept()) {
                  c.getInputStream().readAllBytes(); // reads the client's hello and never answers
                } catch (IOException e) {
                  // the client left
                }
              });
      accept.setDaemon(true);
      accept.start();
      long t0 = System.nanoTime();
      Run r =
          mailfetch(
              env(),
              "fetch",
              "pop3s://alice@localhost:" + silent.getLocalPort(),
              "--password-env",
              "MAIL_PW",
              "--ca-file",
              ca.toString(),
              "--to",
              "maildir:" + tmp.resolve("Mail"),
              "--timeout",
              "2");
      long took = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(FetchError.CONNECTION_TIMED_OUT.exitCode(), r.exit(), r.out() + r.err());
      assertTrue(took < 15_000, "bounded by --timeout 2, not the 30 s default: " + took + " ms");
      assertTrue(r.err().contains("2 s"), r.err());
      assertFalse(r.err().contains("no option"), r.err());
    }
  }

  @Test
  void aWrongPassword_isAuthFailed_withItsExitCode_inJsonToo() throws IOException {
    Path ca = certs.writeCaPem(tmp);
    try (FakePop3Server s = server(MailCorpus.generate(63, 3))) {
      Map<String, String> env = Map.of("MAIL_PW", "not it");
      Run r =
          mailfetch(
              env,
              "fetch",
              "pop3s://alice@localhost:" + s.port(),
              "--password-env",
              "MAIL_PW",
              "--ca-file",
              ca.toString(),
              "--to",
              "maildir:" + tmp.resolve("M"),
              "--json");
      assertEquals(FetchError.AUTH_FAILED.exitCode(), r.exit(), r.out() + r.err());
      Map<String, String> j = json(r.out());
      assertEquals("error", j.get("status"));
      assertEquals("AUTH_FAILED", j.get("error.code"));
      assertTrue(
          j.get("error.remedy")
              .endsWith("The password was read from the environment variable MAIL_PW."),
          j.get("error.remedy"));
      assertFalse(r.out().contains("not it"), "no secret in the JSON");
    }
  }

  @Test
  void anUntrustedServer_isCertificateInvalid_andThereIsNoWayToSwitchTheCheckOff() {
    try (FakePop3Server s = server(MailCorpus.generate(64, 2))) {
      Run r =
          mailfetch(
              env(),
              "fetch",
              "pop3s://alice@localhost:" + s.port(),
              "--password-env",
              "MAIL_PW",
              "--to",
              "maildir:" + tmp.resolve("M"));
      assertEquals(FetchError.CERTIFICATE_INVALID.exitCode(), r.exit(), r.out() + r.err());
      assertTrue(r.err().contains("CERTIFICATE_INVALID"), r.err());
    }
    Run help = mailfetch(env(), "fetch", "--help");
    assertFalse(help.out().toLowerCase(Locale.ROOT).contains("insecure"), help.out());
  }

  @Test
  void aSinkThatCannotBeOpened_isSinkFailed_andASecondFetchOfTheAccount_isLocked()
      throws IOException {
    Path ca = certs.writeCaPem(tmp);
    try (FakePop3Server s = server(MailCorpus.generate(65, 3))) {
      String url = "pop3s://alice@localhost:" + s.port();
      Path notADirectory =
          Files.writeString(tmp.resolve("Mail"), "a file where the Maildir should be");
      Run r =
          mailfetch(
              env(),
              "fetch",
              url,
              "--password-env",
              "MAIL_PW",
              "--ca-file",
              ca.toString(),
              "--to",
              "maildir:" + notADirectory,
              "--state",
              tmp.resolve("state").toString());
      assertEquals(FetchError.SINK_FAILED.exitCode(), r.exit(), r.err());
      assertTrue(
          r.err().contains("SINK_FAILED") && r.err().contains(notADirectory.toString()), r.err());

      Path state = tmp.resolve("state2");
      try (var running =
          JournalUidStore.open(JournalUidStore.directoryFor(state, "alice@localhost"))) {
        Run locked =
            mailfetch(
                env(),
                "fetch",
                url,
                "--password-env",
                "MAIL_PW",
                "--ca-file",
                ca.toString(),
                "--to",
                "maildir:" + tmp.resolve("Mail2"),
                "--state",
                state.toString());
        assertEquals(FetchError.LOCKED.exitCode(), locked.exit(), locked.err());
        assertTrue(locked.err().contains("LOCKED"), locked.err());
        assertTrue(running.firstRun().isEmpty(), "the first fetch's state is untouched");
      }
      assertEquals(3, s.mailbox("alice").size(), "nothing lost either way");
    }
  }

  @Test
  void aConfigFile_fetchesEveryAccount_eachWithItsOwnState_andOneFailureStopsNoOther()
      throws IOException {
    Path ca = certs.writeCaPem(tmp);
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(66, 7).toMailbox())
            .account("bob", "bobs pw", MailCorpus.generate(67, 5).toMailbox())
            .account("carol", "carols pw", MailCorpus.generate(68, 3).toMailbox())
            .tls(TlsMode.IMPLICIT, certs)
            .start()) {
      String base = "pop3s://%s@localhost:" + s.port();
      Path config = tmp.resolve("accounts.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "# three accounts; bob's password variable holds the wrong one",
              "alice.url = " + String.format(base, "alice"),
              "alice.password-env = MAIL_PW",
              "alice.ca-file = " + ca,
              "alice.to = maildir:" + tmp.resolve("alice"),
              "alice.label.1 = Alice",
              "alice.label.2 = Home",
              "alice.dedup = none",
              "bob.url = " + String.format(base, "bob"),
              "bob.password-env = WRONG",
              "bob.ca-file = " + ca,
              "bob.to = maildir:" + tmp.resolve("bob"),
              "carol.url = " + String.format(base, "carol"),
              "carol.password-env = CAROL_PW",
              "carol.ca-file = " + ca,
              "carol.to = mbox:" + tmp.resolve("carol.mbox"),
              "carol.delete = true",
              ""));
      Map<String, String> env = new HashMap<>(env());
      env.put("WRONG", "not bobs");
      env.put("CAROL_PW", "carols pw");
      Run r = mailfetch(env, "fetch", "--config", config.toString(), "--json");
      assertEquals(FetchError.AUTH_FAILED.exitCode(), r.exit(), r.out() + r.err());
      String json = r.out().strip();
      assertTrue(
          json.startsWith(
              "{\"status\":\"error\",\"accounts\":[{\"account\":\"alice\",\"status\":\"ok\""),
          json);
      assertTrue(
          json.contains(
              "{\"account\":\"bob\",\"status\":\"error\",\"error\":{\"code\":\"AUTH_FAILED\""),
          json);
      assertTrue(json.contains("{\"account\":\"carol\",\"status\":\"ok\""), json);
      assertEquals(7, count(tmp.resolve("alice/new")));
      assertEquals(7, count(tmp.resolve("alice/.Alice/new")), "repeatable options by number");
      assertTrue(
          Files.isDirectory(tmp.resolve("alice/mailfetch-state"))
              && Files.size(tmp.resolve("carol.mbox")) > 0,
          "each with its own state and sink");
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(
          0, s.mailbox("carol").size(), "carol's run went on after bob's failure, and deleted");
      assertEquals(5, s.mailbox("bob").size());
    }
  }

  @Test
  void badArguments_areExit2_withOneParagraphNamingTheOption_andNoStackTrace() throws IOException {
    String[][] cases = {
      {"holds a password", "fetch", "pop3s://alice:pw@host", "--password-env", "MAIL_PW"},
      {"no secret given", "fetch", "pop3s://alice@host"},
      {"--tls none", "fetch", "pop3://alice@host", "--password-env", "MAIL_PW", "--tls", "none"},
      {"--quirk Q99", "fetch", "pop3s://alice@host", "--password-env", "MAIL_PW", "--quirk", "Q99"},
      {"--to", "fetch", "pop3s://alice@host", "--password-env", "MAIL_PW", "--to", "imap:x"},
      {"--password-env NOPE", "fetch", "pop3s://alice@host", "--password-env", "NOPE"},
      {
        "--dedup sha1",
        "fetch",
        "pop3s://alice@host",
        "--password-env",
        "MAIL_PW",
        "--dedup",
        "sha1"
      },
      {
        "HEADER~REGEX=LABEL",
        "fetch",
        "pop3s://alice@host",
        "--password-env",
        "MAIL_PW",
        "--label-rule",
        "oops"
      },
      {
        "--max-message-size",
        "fetch",
        "pop3s://alice@host",
        "--password-env",
        "MAIL_PW",
        "--max-message-size",
        "big"
      },
      {"must start with pop3s://", "fetch", "smtp://alice@host", "--password-env", "MAIL_PW"},
    };
    for (String[] c : cases) {
      List<String> args = new ArrayList<>(Arrays.asList(c).subList(1, c.length));
      if (!args.contains("--to")) { // a place of the test's own, never ./Mail in the module
        args.addAll(List.of("--to", "maildir:" + tmp.resolve("Mail")));
      }
      Run r = mailfetch(env(), args.toArray(String[]::new));
      assertEquals(2, r.exit(), c[0] + ": " + r.err());
      assertTrue(r.err().contains(c[0]), c[0] + " named in: " + r.err());
      assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }
    assertEquals(0, count(tmp), "a bad argument creates nothing");
  }

  /**
   * Every option is checked before anything is opened: a policy name that does not exist is refused
   * before the Maildir, the account's state and its lease, or the dedup store are touched, so the
   * refusal is the same while another run holds the account (not LOCKED), and leaves nothing.
   */
  @Test
  void aBadDedupName_isExit2_beforeTheSinkOrTheStateIsOpened() throws IOException {
    String url = "pop3s://alice@localhost";
    Path mail = tmp.resolve("Mail");
    Path state = tmp.resolve("state");
    Path account =
        AccountName.state(state, "alice", "localhost", AccountUrl.parse(url).port()).directory();
    Files.createDirectories(account);
    JournalUidStore held = JournalUidStore.open(account); // another run's lease
    try {
      Run r =
          mailfetch(
              env(),
              "fetch",
              url,
              "--password-env",
              "MAIL_PW",
              "--to",
              "maildir:" + mail,
              "--state",
              state.toString(),
              "--dedup",
              "sha1");
      assertEquals(2, r.exit(), r.err());
      assertTrue(r.err().contains("--dedup sha1 is not a policy"), r.err());
    } finally {
      held.close();
    }
    assertFalse(Files.exists(mail), "no Maildir for a bad --dedup");
    try (Stream<Path> s = Files.list(state)) {
      assertEquals(List.of(account), s.toList(), "no dedup store or lock for a bad --dedup");
    }
  }
}
