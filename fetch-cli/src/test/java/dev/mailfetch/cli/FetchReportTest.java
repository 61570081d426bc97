package dev.mailfetch.cli;

import static dev.mailfetch.cli.FetchCommandTest.mailfetch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.cli.FetchCommandTest.Run;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.Quirk;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code mailfetch fetch} reports, in text and in JSON: every outcome a person must know
 * (unconfirmed deletions, messages held back, failures at every stage), each said once, in the
 * command's own words.
 */
@Timeout(120)
class FetchReportTest {
  private static final String PASSWORD = "report pässword";
  private static TestCertificates certs;
  @TempDir Path tmp;
  private Path ca;

  @BeforeAll
  static void certificates() {
    certs = TestCertificates.generate();
  }

  @BeforeEach
  void trust() throws IOException {
    ca = certs.writeCaPem(tmp);
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("MAIL_PW", PASSWORD);
    return env;
  }

  private FakePop3Server.Builder server(FakeMailbox mailbox) {
    return FakePop3Server.builder()
        .account("alice", PASSWORD, mailbox)
        .tls(TlsMode.IMPLICIT, certs);
  }

  /** fetch of alice at this server into tmp/Mail, with these further options. */
  private Run fetch(FakePop3Server s, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "fetch",
                "pop3s://alice@localhost:" + s.port(),
                "--password-env",
                "MAIL_PW",
                "--ca-file",
                ca.toString(),
                "--to",
                "maildir:" + tmp.resolve("Mail")));
    args.addAll(Arrays.asList(more));
    return mailfetch(env(), args.toArray(new String[0]));
  }

  private static FakeMailbox mailbox(int n) {
    FakeMailbox m = FakeMailbox.create();
    for (int i = 1; i <= n; i++) {
      m.add(
          "m" + i,
          ("Subject: " + i + "\r\nMessage-ID: <" + i + "@report.test>\r\n\r\nbody " + i + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
    }
    return m;
  }

  private static int occurrences(String text, String of) {
    int n = 0;
    for (int at = text.indexOf(of); at >= 0; at = text.indexOf(of, at + 1)) {
      n++;
    }
    return n;
  }

  private static List<String> lines(String text) {
    return text.isEmpty() ? List.of() : List.of(text.split("\\R"));
  }

  // ---------------------------------------------------------------- point 3: deletions not
  // confirmed

  @Test
  void Q35_QUIT_ERR_leavesDeletionsUnconfirmed_aWarningInTextAndJson_exit3() {
    try (FakePop3Server s = server(mailbox(3)).quirk(Quirk.Q35_QUIT_ERR).start()) {
      Run text = fetch(s, "--delete");
      assertEquals(3, text.exit(), text.out() + text.err());
      assertTrue(
          text.out().contains("3 stored") && text.out().contains("0 deleted (3 not confirmed)"),
          text.out());
      assertTrue(
          text.out().contains("server quirks noticed: Q35"),
          "noticed, not worked around: " + text.out());
      assertFalse(text.out().contains("worked around"), text.out());
      assertEquals(1, occurrences(text.err(), "DELETION_UNCONFIRMED"), text.err());
      assertTrue(
          text.err().contains("did not confirm") && text.err().contains("Nothing is lost"),
          text.err());
      assertEquals(
          2,
          lines(text.err()).size(),
          "what happened, then what it means and what to do: " + text.err());

      Run json =
          fetch(s, "--delete", "--json"); // still there, so deleted again, and again unconfirmed
      assertEquals(3, json.exit(), json.out() + json.err());
      Map<String, Object> j = Json.object(json.out());
      assertEquals("warning", j.get("status"));
      assertEquals(0L, j.get("deleted"));
      assertEquals(3L, j.get("deletions_unconfirmed"));
      List<Object> warnings = Json.list(j.get("warnings"));
      assertEquals(1, warnings.size(), json.out());
      Map<String, Object> w = Json.map(warnings.get(0));
      assertEquals("DELETION_UNCONFIRMED", w.get("code"));
      assertEquals(
          3L, w.get("exit_code"), "the exit code the warning gives the run: " + json.out());
      assertTrue(String.valueOf(w.get("detail")).contains("QUIT"), json.out());
      assertTrue(String.valueOf(w.get("remedy")).contains("Nothing is lost"), json.out());
      assertFalse(j.containsKey("error"), "a warning is not an error: " + json.out());
      assertEquals("", json.err(), "under --json the object is the whole report");

      Run quiet = fetch(s, "--delete", "--quiet");
      assertEquals(3, quiet.exit());
      assertEquals("", quiet.out());
      assertEquals(
          1,
          occurrences(quiet.err(), "DELETION_UNCONFIRMED"),
          "--quiet still says what needs a person");
    }
  }

  @Test
  void aRefusedDele_isAWarning_namingTheMessage_exit3() {
    try (FakePop3Server s =
        server(mailbox(2))
            .respond("DELE", "-ERR not now\r\n", FakePop3Server.After.CONTINUE)
            .start()) {
      Run r = fetch(s, "--delete", "--json");
      assertEquals(3, r.exit(), r.out() + r.err());
      Map<String, Object> j = Json.object(r.out());
      assertEquals("warning", j.get("status"));
      assertEquals(2L, j.get("fetched"));
      Map<String, Object> w = Json.map(Json.list(j.get("warnings")).get(0));
      assertEquals("DELETION_UNCONFIRMED", w.get("code"));
      assertTrue(String.valueOf(w.get("detail")).contains("refused to delete"), r.out());
      assertEquals(0L, j.get("deleted"));
      assertEquals(2L, j.get("deletions_refused"), "the refused deletions counted: " + r.out());
      assertEquals(0L, j.get("deletions_unconfirmed"));
      Run text = fetch(s, "--delete");
      assertEquals(3, text.exit());
      assertTrue(
          text.err().contains("refused to delete") && text.err().contains("(uid m1)"), text.err());
      assertTrue(
          text.out().contains(", 0 deleted (2 refused)"), "the summary says it too: " + text.out());
    }
  }

  // ---------------------------------------------------------------- point 4: messages held back

  @Test
  void aMessageOverTheSizeLimit_isNamed_withItsSize_theLimit_andTheOptionThatFetchesIt_exit3() {
    FakeMailbox m = mailbox(1);
    m.add(
        "big",
        ("Subject: big\r\n\r\n" + "x".repeat(29_000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    m.add("m3", "Subject: 3\r\n\r\nthree\r\n".getBytes(StandardCharsets.US_ASCII));
    try (FakePop3Server s = server(m).start()) {
      Run text = fetch(s, "--max-message-size", "10K");
      assertEquals(3, text.exit(), text.out() + text.err());
      assertTrue(
          text.out().contains("3 listed: 2 stored")
              && text.out().contains("1 skipped (1 over the size limit)"),
          text.out());
      assertTrue(
          text.err().contains("message 2 (uid big)")
              && text.err().contains("29 kB")
              && text.err().contains("size limit of 10 kB")
              && text.err().contains("--max-message-size 30K"),
          text.err());
      assertEquals(2, lines(text.err()).size(), text.err());

      Run json = fetch(s, "--max-message-size", "10K", "--json");
      assertEquals(3, json.exit());
      Map<String, Object> j = Json.object(json.out());
      assertEquals("warning", j.get("status"));
      assertEquals(10_000L, j.get("max_message_size"));
      List<Object> skipped = Json.list(j.get("skipped_messages"));
      assertEquals(1, skipped.size(), json.out());
      Map<String, Object> big = Json.map(skipped.get(0));
      assertEquals(2L, big.get("number"));
      assertEquals("big", big.get("uid"));
      assertEquals("message_size_limit", big.get("reason"));
      assertTrue((Long) big.get("size") > 29_000L, json.out());
      assertEquals(10_000L, big.get("limit"));
      assertTrue(String.valueOf(big.get("remedy")).contains("--max-message-size 30K"), json.out());
      assertTrue(
          String.valueOf(big.get("detail")).contains("29 kB, over the size limit of 10 kB"),
          json.out());
      assertFalse(
          big.containsKey("error"),
          "held back, not an error with an exit code of its own: " + json.out());
      assertFalse(json.out().contains("LIMIT_EXCEEDED") || json.out().contains("KiB"), json.out());
      assertEquals(1L, Json.map(j.get("skipped_by_reason")).get("message_size_limit"));

      Run raised = fetch(s, "--max-message-size", "30K");
      assertEquals(0, raised.exit(), raised.out() + raised.err());
      assertTrue(raised.out().contains("1 stored"), raised.out());
    }
  }

  @Test
  void theDefaultSizeLimit_fetchesA200MbMessageAsMpopAndFetchmailWould_andNamesTheLimitAboveIt() {
    // The server announces the sizes (quirk Q32: listings that lie); the engine plans by them.
    byte[] small = "Subject: announced big\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
    try (FakePop3Server s =
        server(FakeMailbox.create().add("huge", small))
            .respond("LIST", "+OK 1 message\r\n1 200000000\r\n.\r\n", FakePop3Server.After.CONTINUE)
            .start()) {
      Run r = fetch(s, "--json");
      Map<String, Object> j = Json.object(r.out());
      assertEquals(1L, j.get("fetched"), "200 MB is under the command's default limit: " + r.out());
      assertEquals(1_000_000_000L, j.get("max_message_size"));
    }
    try (FakePop3Server s =
        server(FakeMailbox.create().add("huger", small))
            .respond(
                "LIST", "+OK 1 message\r\n1 2500000000\r\n.\r\n", FakePop3Server.After.CONTINUE)
            .start()) {
      Run r = fetch(s);
      assertEquals(3, r.exit(), r.out() + r.err());
      assertTrue(
          r.err().contains("2.5 GB")
              && r.err().contains("size limit of 1 GB")
              && r.err().contains("--max-message-size 2500M"),
          r.err());
    }
  }

  @Test
  void aQuarantinedMessage_isNamedEveryRun_withItsLastError_andHowToRetry_thenRetriedOnRequest()
      throws IOException {
    FakeMailbox m = mailbox(2);
    int port;
    try (FakePop3Server broken =
        server(m)
            .respond("RETR", "-ERR cannot read it now\r\n", FakePop3Server.After.CONTINUE)
            .start()) {
      port = broken.port();
      for (int run = 1; run <= 5; run++) {
        Run r = fetch(broken);
        assertNotEquals(0, r.exit(), "run " + run + " failed: " + r.err());
      }
      for (int run = 6; run <= 7; run++) {
        Run text = fetch(broken);
        assertNotEquals(0, text.exit(), "a quarantined message is not a harmless skip");
        assertNotEquals(3, text.exit(), "it is an error, not a warning");
        assertTrue(text.out().contains("2 skipped (2 quarantined)"), text.out());
        for (String uid : new String[] {"m1", "m2"}) {
          assertTrue(
              text.err().contains("(uid " + uid + ") is quarantined"),
              "named, run " + run + ": " + text.err());
        }
        assertTrue(
            text.err().contains("failed in 5 runs")
                && text.err().contains("its last error: PROTOCOL")
                && text.err().contains("--retry-quarantined"),
            text.err());
      }
      Run json = fetch(broken, "--json");
      Map<String, Object> j = Json.object(json.out());
      assertEquals("error", j.get("status"));
      assertEquals((long) json.exit(), Json.map(j.get("error")).get("exit_code"));
      List<Object> skipped = Json.list(j.get("skipped_messages"));
      assertEquals(2, skipped.size(), json.out());
      Map<String, Object> q = Json.map(skipped.get(0));
      assertEquals("quarantined", q.get("reason"));
      assertEquals("m1", q.get("uid"));
      Map<String, Object> last = Json.map(q.get("error"));
      assertTrue(String.valueOf(last.get("detail")).contains("quarantined"), json.out());
      assertTrue(String.valueOf(last.get("remedy")).contains("--retry-quarantined"), json.out());
      assertEquals(2L, Json.map(j.get("skipped_by_reason")).get("quarantined"));
    }
    try (FakePop3Server fixed =
        PollCommandTest.onPort(server(m), port)) { // the same server (host and port), repaired
      Run still = fetch(fixed);
      assertTrue(
          still.err().contains("quarantined"), "fixed server, not asked to retry: still held");
      // An account of a config file: the advice names --retry-quarantined, which fetch --config
      // takes.
      Path config = tmp.resolve("accounts.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "a.url = pop3s://alice@localhost:" + port,
              "a.password-env = MAIL_PW",
              "a.ca-file = " + ca,
              "a.to = maildir:" + tmp.resolve("Mail"),
              ""));
      Run cfg = mailfetch(env(), "fetch", "--config", config.toString(), "--quiet");
      assertTrue(
          cfg.err().contains("is quarantined")
              && cfg.err().contains("run once with --retry-quarantined"),
          cfg.err());
      Run retried = mailfetch(env(), "fetch", "--config", config.toString(), "--retry-quarantined");
      assertEquals(0, retried.exit(), retried.out() + retried.err());
      assertTrue(retried.out().contains("2 listed: 2 stored"), retried.out());
      assertEquals("", retried.err());
      Run url = fetch(fixed, "--retry-quarantined");
      assertEquals(0, url.exit(), url.out() + url.err());
      assertTrue(url.out().contains("2 listed: 0 stored (0 B), 2 already there"), url.out());
    }
  }

  @Test
  void tooManyMessages_namesMaxListing_andMaxListingLetsItThrough() {
    try (FakePop3Server s = server(mailbox(3)).start()) {
      Run r = fetch(s, "--max-listing", "2", "--json");
      assertEquals(FetchError.TOO_MANY_MESSAGES.exitCode(), r.exit(), r.out() + r.err());
      Map<String, Object> e = Json.map(Json.object(r.out()).get("error"));
      assertEquals("TOO_MANY_MESSAGES", e.get("code"));
      assertTrue(String.valueOf(e.get("remedy")).contains("--max-listing"), r.out());
      Run more = fetch(s, "--max-listing", "3");
      assertEquals(0, more.exit(), more.out() + more.err());
    }
  }

  // ---------------------------------------------------------------- point 6: JSON at every stage

  @Test
  void underJson_aFailureWhileOpeningTheAccount_isTheJsonObjectWithItsCode() throws IOException {
    try (FakePop3Server s = server(mailbox(2)).start()) {
      String url = "pop3s://alice@localhost:" + s.port();
      // A sink that cannot be opened.
      Path notADirectory =
          Files.writeString(tmp.resolve("file"), "a file where the Maildir should be");
      Run sink =
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
              tmp.resolve("s1").toString(),
              "--json");
      assertStageFailure(sink, FetchError.SINK_FAILED);
      String sinkRemedy = Json.map(Json.object(sink.out()).get("error")).get("remedy").toString();
      assertFalse(
          sinkRemedy.contains("still on the server"), "no message was fetched: " + sinkRemedy);
      assertTrue(
          sinkRemedy.contains("Nothing was fetched") && sinkRemedy.contains("--to"), sinkRemedy);

      // A damaged state file.
      Path state = tmp.resolve("s2");
      Path journalDir = JournalUidStore.directoryFor(state, "alice@localhost");
      Files.createDirectories(journalDir);
      Files.writeString(journalDir.resolve("uids.journal"), "uid1 delivered\nuid2 delivered\n");
      Run damaged =
          mailfetch(
              env(),
              "fetch",
              url,
              "--password-env",
              "MAIL_PW",
              "--ca-file",
              ca.toString(),
              "--to",
              "maildir:" + tmp.resolve("M2"),
              "--state",
              state.toString(),
              "--json");
      assertStageFailure(damaged, FetchError.STATE_DAMAGED);
      String remedy = Json.map(Json.object(damaged.out()).get("error")).get("remedy").toString();
      assertTrue(
          remedy.contains("move it aside") && remedy.contains("uids.journal"), damaged.out());

      // A held lease.
      Path state3 = tmp.resolve("s3");
      try (JournalUidStore running =
          JournalUidStore.open(JournalUidStore.directoryFor(state3, "alice@localhost"))) {
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
                "maildir:" + tmp.resolve("M3"),
                "--state",
                state3.toString(),
                "--json");
        assertStageFailure(locked, FetchError.LOCKED);
        String lockedRemedy =
            Json.map(Json.object(locked.out()).get("error")).get("remedy").toString();
        // The holder is in this JVM (the command runs in the test's process), so the words are
        // those
        // for another account of the same command; from another process they name that mailfetch.
        assertTrue(
            lockedRemedy.contains("state directory of its own")
                && !lockedRemedy.contains("programs that read" + " this mailbox"),
            "another mailfetch holds it, not a mail program: " + lockedRemedy);
        assertTrue(running.firstRun().isEmpty(), "the holder's state is untouched");
      }
    }
  }

  private static void assertStageFailure(Run r, FetchError expected) {
    assertEquals(expected.exitCode(), r.exit(), r.out() + r.err());
    Map<String, Object> j = Json.object(r.out());
    assertEquals("error", j.get("status"));
    Map<String, Object> e = Json.map(j.get("error"));
    assertEquals(expected.name(), e.get("code"));
    assertEquals((long) expected.exitCode(), e.get("exit_code"));
    assertEquals(expected.summary(), e.get("meaning"));
    assertFalse(
        String.valueOf(e.get("detail")).startsWith(expected.name()), "the detail without the code");
    assertTrue(
        String.valueOf(e.get("message")).startsWith(expected.name() + ": "),
        "message kept for scripts");
    assertFalse(String.valueOf(e.get("remedy")).isBlank());
    assertEquals("", r.err(), "under --json the object is the whole report");
  }

  @Test
  void underJson_badArguments_areTheJsonObjectWithCodeArguments_exit2() {
    String[][] cases = {
      {"fetch", "pop3s://alice@host", "--json"}, // no secret given: found while running
      {"fetch", "pop3s://alice@host", "--password-env", "MAIL_PW", "--json", "--max-messages", "0"},
      {"fetch", "--json", "--no-such-option"}, // found while parsing
      {"fetch", "--config", tmp.resolve("missing.properties").toString(), "--json"},
    };
    for (String[] c : cases) {
      Run r = mailfetch(env(), c);
      assertEquals(2, r.exit(), String.join(" ", c) + ": " + r.out() + r.err());
      Map<String, Object> e = Json.map(Json.object(r.out()).get("error"));
      assertEquals("ARGUMENTS", e.get("code"), r.out());
      assertEquals(2L, e.get("exit_code"));
      assertFalse(String.valueOf(e.get("message")).isBlank());
      assertEquals(
          "ARGUMENTS: " + e.get("detail"),
          e.get("message"),
          "message is CODE: detail, as docs/cli.md says");
      assertTrue(String.valueOf(e.get("remedy")).contains("--help"), r.out());
      assertEquals(
          "", r.err(), "under --json stderr holds only the logs asked for: " + String.join(" ", c));
    }
  }

  @Test
  void theCommandsOwnCodes_sayTheirMessageAsCodeColonDetail_likeEveryOther() {
    Problem arguments = Problem.arguments("--timeout 0: must be from 1 to 86400", "fetch");
    Problem unexpected = Problem.unexpected(new IllegalStateException("broken"));
    Problem known =
        Problem.warning(Problem.ACCOUNT_KNOWN_ELSEWHERE, "a is b", "It means.", "Do this.");
    for (Problem p : List.of(arguments, unexpected, known)) {
      assertEquals(p.code() + ": " + p.detail(), p.message(), p.code());
    }
    assertEquals(
        "--timeout 0: must be from 1 to 86400",
        arguments.headline(),
        "the text says it without the code");
  }

  @Test
  void underJson_theLibraryLogIsOff_unlessVerboseOrTrace_soStderrStaysEmpty() {
    for (List<String> args :
        List.of(
            List.of("fetch", "--json"),
            List.of("fetch", "--config", "f", "--json"),
            List.of("poll", "--config", "f", "--once", "--json"),
            List.of("doctor", "pop3s://a@b", "--json"))) {
      assertEquals(
          "off",
          Main.configureLogs(args).get("org.slf4j.simpleLogger.defaultLogLevel"),
          args.toString());
    }
    assertEquals(
        "info",
        Main.configureLogs(List.of("fetch", "--json", "--verbose"))
            .get("org.slf4j.simpleLogger.defaultLogLevel"),
        "--verbose asks for the log");
    Map<String, String> trace = Main.configureLogs(List.of("fetch", "--json", "--trace"));
    assertEquals(
        "info", trace.get("org.slf4j.simpleLogger.defaultLogLevel"), "--trace asks for the log");
    assertEquals("trace", trace.get("org.slf4j.simpleLogger.log.dev.mailfetch.pop3.trace"));
  }

  @Test
  void underJson_aConfigAccountThatCannotOpen_hasItsCode_meaningAndRemedy_andTheOthersRun()
      throws IOException {
    // b is another mailbox of the same server: a file names each mailbox once
    try (FakePop3Server s = server(mailbox(2)).account("bob", PASSWORD, mailbox(1)).start()) {
      Path state = tmp.resolve("held");
      Path config = tmp.resolve("accounts.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "a.url = pop3s://alice@localhost:" + s.port(),
              "a.password-env = MAIL_PW",
              "a.ca-file = " + ca,
              "a.to = maildir:" + tmp.resolve("A"),
              "a.state = " + state,
              "b.url = pop3s://bob@localhost:" + s.port(),
              "b.password-env = MAIL_PW",
              "b.ca-file = " + ca,
              "b.to = maildir:" + tmp.resolve("B"),
              ""));
      try (JournalUidStore running =
          JournalUidStore.open(JournalUidStore.directoryFor(state, "alice@localhost"))) {
        Run r = mailfetch(env(), "fetch", "--config", config.toString(), "--json");
        assertEquals(FetchError.LOCKED.exitCode(), r.exit(), r.out() + r.err());
        Map<String, Object> j = Json.object(r.out());
        assertEquals("error", j.get("status"));
        List<Object> accounts = Json.list(j.get("accounts"));
        Map<String, Object> a = Json.map(accounts.get(0));
        assertEquals("a", a.get("account"));
        Map<String, Object> e = Json.map(a.get("error"));
        assertEquals("LOCKED", e.get("code"));
        assertEquals(FetchError.LOCKED.summary(), e.get("meaning"));
        assertFalse(String.valueOf(e.get("remedy")).isBlank());
        assertEquals("ok", Json.map(accounts.get(1)).get("status"));
        assertEquals("", r.err());
        assertTrue(running.firstRun().isEmpty(), "the holder's state is untouched");
      }
    }
  }

  @Test
  void anUnexpectedFailure_isUnexpected_exit1_inJsonToo_withoutAJavaClassName() {
    // An environment that cannot be read stands for any failure the command does not expect.
    Map<String, String> broken =
        new HashMap<>() {
          private static final long serialVersionUID = 1L;

          @Override
          public String get(Object key) {
            throw new IllegalStateException("the environment cannot be read");
          }
        };
    Run text = mailfetch(broken, "fetch", "pop3s://alice@localhost:1", "--password-env", "MAIL_PW");
    assertEquals(1, text.exit(), text.out() + text.err());
    List<String> l = lines(text.err());
    assertEquals(2, l.size(), text.err());
    assertTrue(
        l.get(0).contains("the environment cannot be read") && l.get(1).contains("--verbose"),
        text.err());
    assertFalse(
        text.err().contains("IllegalStateException") || text.err().contains("java."), text.err());
    Run json =
        mailfetch(
            broken, "fetch", "pop3s://alice@localhost:1", "--password-env", "MAIL_PW", "--json");
    assertEquals(1, json.exit());
    Map<String, Object> e = Json.map(Json.object(json.out()).get("error"));
    assertEquals("UNEXPECTED", e.get("code"));
    assertEquals(1L, e.get("exit_code"));
    assertEquals("", json.err());
  }

  // ---------------------------------------------------------------- point 8: once, in two lines

  @Test
  void aFailure_isPrintedOnce_inTwoLines_withoutTheCodeTwice() throws IOException {
    try (FakePop3Server s = server(mailbox(2)).start()) {
      Map<String, String> wrong = Map.of("MAIL_PW", "not it");
      String url = "pop3s://alice@localhost:" + s.port();
      for (String[] mode : new String[][] {{}, {"--quiet"}}) {
        List<String> args =
            new ArrayList<>(
                List.of(
                    "fetch",
                    url,
                    "--password-env",
                    "MAIL_PW",
                    "--ca-file",
                    ca.toString(),
                    "--to",
                    "maildir:" + tmp.resolve("Mail")));
        args.addAll(List.of(mode));
        Run r = mailfetch(wrong, args.toArray(new String[0]));
        assertEquals(FetchError.AUTH_FAILED.exitCode(), r.exit());
        assertOnceInTwoLines(r.err(), FetchError.AUTH_FAILED);
      }
      // A failure before the run: a held lease, through the command's own report.
      Path state = tmp.resolve("held");
      try (JournalUidStore running =
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
                "maildir:" + tmp.resolve("Mail"),
                "--state",
                state.toString());
        assertOnceInTwoLines(locked.err(), FetchError.LOCKED);
        assertTrue(running.firstRun().isEmpty(), "the holder's state is untouched");
      }
      // An account of a config file.
      Path config = tmp.resolve("accounts.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "a.url = " + url,
              "a.password-env = MAIL_PW",
              "a.ca-file = " + ca,
              "a.to = maildir:" + tmp.resolve("A"),
              ""));
      Run cfg = mailfetch(wrong, "fetch", "--config", config.toString(), "--quiet");
      assertEquals(FetchError.AUTH_FAILED.exitCode(), cfg.exit());
      assertOnceInTwoLines(cfg.err(), FetchError.AUTH_FAILED);
      assertTrue(
          cfg.err().startsWith("mailfetch: account a: AUTH_FAILED: "),
          "the account named: " + cfg.err());
    }
  }

  static void assertOnceInTwoLines(String err, FetchError code) {
    assertEquals(1, occurrences(err, code.name()), "said once: " + err);
    assertFalse(err.contains(code.name() + ": " + code.name()), "the code not doubled: " + err);
    List<String> l = lines(err);
    assertEquals(
        2, l.size(), "one line for what happened, one for what it means and what to do: " + err);
    assertTrue(l.get(1).startsWith("  " + code.summary()), err);
  }

  @Test
  void aFailedMessage_isSaidOnce_notInTheProgressAndAgainInTheReport() {
    try (FakePop3Server s =
        server(mailbox(1))
            .respond("RETR", "-ERR cannot read it now\r\n", FakePop3Server.After.CONTINUE)
            .start()) {
      Run r = fetch(s);
      assertNotEquals(0, r.exit());
      String all = r.out() + r.err();
      assertEquals(1, occurrences(all, "cannot read it now"), all);
      assertTrue(r.err().contains("message 1 (uid m1) failed"), r.err());
    }
  }

  @Test
  void theLibraryLog_leavesWhatTheReportSaysToTheReport_unlessVerbose() {
    String level = "org.slf4j.simpleLogger.log.dev.mailfetch.api.Fetcher";
    for (String mode : new String[] {"--quiet", "--to"}) {
      Map<String, String> p = Main.configureLogs(List.of("fetch", mode));
      assertEquals("warn", p.get("org.slf4j.simpleLogger.defaultLogLevel"), mode);
      for (String logger : Main.REPORTED_BY_THE_COMMAND) {
        assertEquals("error", p.get("org.slf4j.simpleLogger.log." + logger), mode + " " + logger);
      }
    }
    Map<String, String> verbose = Main.configureLogs(List.of("fetch", "--verbose"));
    assertEquals("info", verbose.get("org.slf4j.simpleLogger.defaultLogLevel"));
    assertFalse(verbose.containsKey(level), "--verbose: the session's whole log");
    assertEquals(
        "trace",
        Main.configureLogs(List.of("fetch", "--trace"))
            .get("org.slf4j.simpleLogger.log.dev.mailfetch.pop3.trace"));
  }

  // ---------------------------------------------------------------- point 11: options, never
  // identifiers

  @Test
  void theAdvice_namesOptions_neverJavaIdentifiers() throws IOException {
    try (FakePop3Server s = server(mailbox(1)).start()) {
      String url = "pop3s://alice@localhost:" + s.port();
      Run text =
          mailfetch(
              env(),
              "fetch",
              url,
              "--password-env",
              "MAIL_PW",
              "--to",
              "maildir:" + tmp.resolve("M"));
      Run json =
          mailfetch(
              env(),
              "fetch",
              url,
              "--password-env",
              "MAIL_PW",
              "--to",
              "maildir:" + tmp.resolve("M"),
              "--json");
      Path config = tmp.resolve("accounts.properties");
      Files.writeString(
          config,
          "a.url = " + url + "\na.password-env = MAIL_PW\na.to = maildir:" + tmp.resolve("A"));
      Run cfg = mailfetch(env(), "fetch", "--config", config.toString());
      // The advice is the command's own (the detail is the library's words, and names what it saw).
      Map<String, Object> e = Json.map(Json.object(json.out()).get("error"));
      List<String> advice = new ArrayList<>(List.of(e.get("meaning") + " " + e.get("remedy")));
      for (Run r : List.of(text, cfg)) {
        assertEquals(FetchError.CERTIFICATE_INVALID.exitCode(), r.exit(), r.out() + r.err());
        advice.add(lines(r.err()).get(1));
      }
      for (String a : advice) {
        assertFalse(IDENTIFIER.matcher(a).find(), "no Java identifier: " + a);
      }
      assertTrue(
          advice.get(0).contains("--ca-file") && advice.get(1).contains("--ca-file"),
          advice.toString());
      // An account of a config file sets it in the file: fetch --config takes no --ca-file.
      assertTrue(
          advice.get(2).contains("a.ca-file = FILE in " + config)
              && !advice.get(2).contains("--ca-file"),
          advice.get(2));
    }
  }

  /** A method call, a constant of a Java enum, a builder: what a command's user cannot type. */
  static final Pattern IDENTIFIER =
      Pattern.compile(
          "trustPem|Security\\.|IMPLICIT_TLS|STARTTLS\\b|Builder|Retention\\.|FetchLimits|Tolerance\\.|\\w+\\(\\w*\\)");

  @Test
  void theIdentifierPattern_findsWhatItMust() {
    for (String s :
        new String[] {
          "trust its CA with trustPem",
          "use Security.STARTTLS",
          "FetchLimits.Builder",
          "retryQuarantined(true)"
        }) {
      Matcher m = IDENTIFIER.matcher(s);
      assertTrue(m.find(), s);
    }
    assertFalse(
        IDENTIFIER.matcher("trust its CA with --ca-file FILE (PEM); pop3s:// (port 995)").find());
  }

  // ---------------------------------------------------------------- the review's findings

  @Test
  void aRunLimitSkip_inAnOkRun_carriesNoErrorAndNoExitCode() {
    try (FakePop3Server s = server(mailbox(3)).start()) {
      Run r = fetch(s, "--max-messages", "1", "--json");
      assertEquals(0, r.exit(), r.out() + r.err());
      Map<String, Object> j = Json.object(r.out());
      assertEquals("ok", j.get("status"));
      List<Object> skipped = Json.list(j.get("skipped_messages"));
      assertEquals(2, skipped.size(), r.out());
      for (Object o : skipped) {
        Map<String, Object> m = Json.map(o);
        assertEquals("run_limit", m.get("reason"));
        assertFalse(
            m.containsKey("error"), "a message left for the next run is no error: " + r.out());
        assertTrue(String.valueOf(m.get("detail")).contains("left for the next run"), r.out());
        assertTrue(String.valueOf(m.get("remedy")).contains("--max-messages"), r.out());
      }
      assertFalse(r.out().contains("\"exit_code\""), "no exit code in an ok run: " + r.out());
    }
  }

  /** The codes of FetchError that {@code text} names, each with how often. */
  private static Map<String, Integer> codes(String text) {
    Map<String, Integer> n = new HashMap<>();
    for (FetchError e : FetchError.values()) {
      int k = occurrences(text, e.name() + ":");
      if (k > 0) {
        n.put(e.name(), k);
      }
    }
    return n;
  }

  @Test
  void aFailureThatStopsTheRunInsideAMessage_isSaidOnce_Q36_Q02_Q04() throws IOException {
    boolean merged =
        false; // Q36 may also break the session between two messages: then there is no message to
    // name
    for (Quirk q :
        List.of(Quirk.Q36_DROP_MID_RETR, Quirk.Q02_CR_TERMINATOR, Quirk.Q04_UNSTUFFED_LONE_DOT)) {
      FakeMailbox m =
          FakeMailbox.create(); // a line of one '.', which the server must stuff (Q04 does not)
      m.add(
          "m1",
          "Subject: dots\r\n\r\nbefore\r\n.\r\nafter\r\n".getBytes(StandardCharsets.US_ASCII));
      m.add("m2", "Subject: 2\r\n\r\ntwo\r\n".getBytes(StandardCharsets.US_ASCII));
      try (FakePop3Server s = server(m).quirk(q).start()) {
        Path config = tmp.resolve(q + ".properties");
        Files.writeString(
            config,
            String.join(
                "\n",
                "a.url = pop3s://alice@localhost:" + s.port(),
                "a.password-env = MAIL_PW",
                "a.ca-file = " + ca,
                "a.to = maildir:" + tmp.resolve(q + "-A"),
                "a.timeout = 5",
                ""));
        List<Run> runs =
            List.of(
                fetch(s, "--timeout", "5"),
                fetch(s, "--timeout", "5", "--quiet"),
                mailfetch(env(), "fetch", "--config", config.toString()),
                mailfetch(env(), "fetch", "--config", config.toString(), "--quiet"));
        for (Run r : runs) {
          assertNotEquals(0, r.exit(), q + ": " + r.out() + r.err());
          Map<String, Integer> said = codes(r.err());
          assertFalse(said.isEmpty(), q + ": the failure is said: " + r.err());
          said.forEach(
              (code, times) -> assertEquals(1, times, q + ": " + code + " said once: " + r.err()));
          List<String> l = lines(r.err());
          assertEquals(
              2, l.size(), q + ": what happened, then what it means and what to do: " + r.err());
          assertTrue(
              !l.get(0).contains("message 1") || l.get(0).contains("and the run stopped there"),
              q + ": the message's failure and the run's are one: " + r.err());
          merged |= l.get(0).contains("message 1 (uid m1) failed, and the run stopped there: ");
        }
      }
    }
    assertTrue(merged, "a failure inside a message that stopped the run is said as both, once");
  }

  /**
   * A message the run never tried, because it had stopped, is not counted as failed without saying
   * so: the text says "1 failed, 2 not tried (the run had stopped)", the JSON's {@code not_tried}
   * says how many of {@code failed} were never tried, and {@code failed_messages} lists the one
   * that was.
   */
  @Test
  void Q36_aMessageNeverTried_isCountedAsNotTried_notAsFailed_inTextAndJson() {
    try (FakePop3Server s = server(mailbox(3)).quirk(Quirk.Q36_DROP_MID_RETR).start()) {
      Run text = fetch(s, "--timeout", "5", "--state", tmp.resolve("text-state").toString());
      assertNotEquals(0, text.exit(), text.err());
      String summary =
          text.out().lines().filter(l -> l.contains(" listed: ")).findFirst().orElse("");
      assertTrue(summary.contains(", 1 failed, 2 not tried (the run had stopped), "), text.out());

      Run json =
          fetch(s, "--timeout", "5", "--json", "--state", tmp.resolve("json-state").toString());
      Map<String, Object> j = Json.object(json.out());
      assertEquals(3L, j.get("failed"), json.out());
      assertEquals(2L, j.get("not_tried"), json.out());
      assertEquals(1, Json.list(j.get("failed_messages")).size(), json.out());
    }
  }

  /**
   * The run in which a failure inside a message both quarantines that message and stops the run
   * says it once, in two lines, with one advice (the quarantine's: fix the cause, then
   * --retry-quarantined), never also "try again later"; the JSON's error is that message's error,
   * field for field. The next run names the quarantined message with what happened, not with the
   * code's general summary.
   */
  @Test
  void Q36_DROP_MID_RETR_theRunThatQuarantines_saysItOnce_withOneAdvice_inTextAndJson()
      throws IOException {
    try (FakePop3Server s = server(mailbox(2)).quirk(Quirk.Q36_DROP_MID_RETR).start()) {
      List<String> text = new ArrayList<>(List.of("--timeout", "5", "--quiet"));
      List<String> json =
          new ArrayList<>(
              List.of("--timeout", "5", "--json", "--state", tmp.resolve("json-state").toString()));
      // Q36 resets the connection inside message 1 every run (met reading it, or sending the next
      // RETR: counted against message 1 either way), so the fifth run quarantines it.
      Run fifth = null;
      Run fifthJson = null;
      for (int run = 1; run <= 5; run++) {
        fifth = fetch(s, text.toArray(new String[0]));
        assertNotEquals(0, fifth.exit(), "run " + run + ": " + fifth.err());
        assertEquals(
            run == 5,
            fifth.err().contains("runs and is quarantined"),
            "run " + run + ": " + fifth.err());
        fifthJson = fetch(s, json.toArray(new String[0]));
        assertEquals(
            run == 5,
            fifthJson.out().contains("runs and is quarantined"),
            "run " + run + ": " + fifthJson.out());
      }
      Map<String, Integer> said = codes(fifth.err());
      assertEquals(Map.of("CONNECTION_RESET", 1), said, "said once: " + fifth.err());
      List<String> l = lines(fifth.err());
      assertEquals(2, l.size(), "what happened, then what it means and what to do: " + fifth.err());
      assertTrue(
          l.get(0).contains("message 1 (uid m1) failed, and the run stopped there")
              && l.get(0).contains("quarantined"),
          fifth.err());
      assertTrue(l.get(1).contains("--retry-quarantined"), fifth.err());
      assertFalse(
          l.get(1).toLowerCase(Locale.ROOT).contains("try again later"),
          "one advice, not also the reset's: " + fifth.err());

      Map<String, Object> j = Json.object(fifthJson.out());
      assertEquals("error", j.get("status"), fifthJson.out());
      List<Object> failed = Json.list(j.get("failed_messages"));
      assertEquals(1, failed.size(), fifthJson.out());
      Map<String, Object> messageError = Json.map(Json.map(failed.get(0)).get("error"));
      assertEquals(
          messageError,
          Json.map(j.get("error")),
          "the run's error is the message's: " + fifthJson.out());
      assertTrue(
          String.valueOf(messageError.get("detail")).contains("quarantined")
              && String.valueOf(messageError.get("remedy")).contains("--retry-quarantined"),
          fifthJson.out());

      Run sixth = fetch(s, text.toArray(new String[0]));
      String quarantined =
          sixth
              .err()
              .lines()
              .dropWhile(x -> !x.contains("(uid m1) is quarantined"))
              .limit(2)
              .reduce("", (a, b) -> a + b + "\n");
      assertTrue(quarantined.contains("--retry-quarantined"), sixth.err());
      assertFalse(
          quarantined.contains(FetchError.CONNECTION_RESET.summary()),
          "what happened, not the code's general words: " + sixth.err());
    }
  }

  /**
   * Every warning is two lines, what happened and then what it means and what to do, also the
   * second warning of one code (Q53 serves messages 2 and 4 empty: two warnings).
   */
  @Test
  void Q53_SERVED_EMPTY_everyWarning_hasItsOwnSecondLine() {
    try (FakePop3Server s = server(mailbox(4)).quirk(Quirk.Q53_SERVED_EMPTY).start()) {
      Run r = fetch(s, "--quiet");
      List<String> l = lines(r.err());
      long warnings = l.stream().filter(x -> x.startsWith("mailfetch: warning: ")).count();
      assertEquals(2, warnings, "messages 2 and 4: " + r.err());
      assertEquals(2 * warnings, l.size(), "two lines each: " + r.err());
      for (int i = 0; i < l.size(); i += 2) {
        assertTrue(l.get(i).startsWith("mailfetch: warning: "), r.err());
        assertTrue(
            l.get(i + 1).startsWith("  ") && l.get(i + 1).length() > 20, "what to do: " + r.err());
      }
    }
  }

  @Test
  void quietAndVerbose_excludeEachOther() {
    for (String[] args :
        new String[][] {
          {
            "fetch",
            "pop3s://alice@localhost:1",
            "--password-env",
            "MAIL_PW",
            "--quiet",
            "--verbose"
          },
          {"fetch", "pop3s://alice@localhost:1", "--password-env", "MAIL_PW", "--quiet", "--trace"},
          {"poll", "--config", "x.properties", "--quiet", "--verbose"}
        }) {
      Run r = mailfetch(env(), args);
      ArgumentsTest.assertBadArgument(r, "exclude each other", args);
    }
  }

  @Test
  void theVerboseLog_namesNoJavaClass() {
    Map<String, String> p = Main.configureLogs(List.of("fetch", "--verbose"));
    assertEquals("false", p.get("org.slf4j.simpleLogger.showLogName"));
    assertEquals("false", p.get("org.slf4j.simpleLogger.showShortLogName"));
  }
}
