package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad arguments, on the command line and in a config file: each is exit 2 with one line saying what
 * is wrong (in the words of the options, never a Java name) and a pointer to --help.
 */
@Timeout(120)
class ArgumentsTest {
  private static final String PASSWORD = "arguments pw";

  /** A Java identifier in camel case (trustPem, maxChecks): not the words of the command line. */
  private static final Pattern JAVA_NAME = Pattern.compile("\\b[a-z]+[A-Z][A-Za-z]*\\b");

  @TempDir Path tmp;

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PW", PASSWORD);
    return env;
  }

  private static FetchCommandTest.Run mailfetch(String... args) {
    return FetchCommandTest.mailfetch(env(), args);
  }

  /**
   * Exit 2, one line naming the problem (containing {@code expected}), one line pointing at --help.
   */
  static void assertBadArgument(FetchCommandTest.Run r, String expected, String... args) {
    String what = String.join(" ", args) + " -> " + r.err();
    assertEquals(2, r.exit(), what);
    List<String> lines = r.err().lines().toList();
    assertEquals(2, lines.size(), "the error and a pointer to --help, no usage: " + what);
    assertTrue(lines.get(0).startsWith("mailfetch: "), what);
    assertTrue(lines.get(0).contains(expected), "\"" + expected + "\" in: " + what);
    assertTrue(lines.get(1).contains("--help"), what);
    for (String banned : new String[] {"Exception", "java.", "picocli", "Usage:", "\tat "}) {
      assertFalse(r.err().contains(banned), banned + " in: " + what);
    }
    assertFalse(JAVA_NAME.matcher(lines.get(0)).find(), "a Java name in: " + what);
  }

  @Test
  void aLabelRuleWithAnInvalidRegularExpression_saysSoAndWhere_exit2() {
    String[] withLabel = {
      "fetch", "pop3s://alice@localhost:1", "--password-env", "PW", "--label-rule", "Subject~[=X"
    };
    FetchCommandTest.Run r = mailfetch(withLabel);
    assertBadArgument(r, "the regular expression \"[\" is not valid", withLabel);
    assertTrue(
        r.err().contains("unclosed character class") && r.err().contains("character 1"), r.err());
    String[] star = {
      "fetch", "pop3s://alice@localhost:1", "--password-env", "PW", "--label-rule", "Subject~ab**=X"
    };
    FetchCommandTest.Run r2 = mailfetch(star);
    assertBadArgument(r2, "the regular expression \"ab**\" is not valid", star);
    assertTrue(r2.err().contains("character 4"), r2.err());
    // without its =LABEL: what is missing, and that its regular expression is invalid too
    String[] noLabel = {
      "fetch", "pop3s://alice@localhost:1", "--password-env", "PW", "--label-rule", "Subject~["
    };
    FetchCommandTest.Run r3 = mailfetch(noLabel);
    assertBadArgument(r3, "HEADER~REGEX=LABEL", noLabel);
    assertTrue(
        r3.err().contains("=LABEL")
            && r3.err().contains("the regular expression \"[\" is not valid"),
        r3.err());
  }

  private static FakePop3Server oneMessage() {
    return FakePop3Server.builder()
        .account("alice", "pw", MailCorpus.generate(3, 1).toMailbox())
        .start();
  }

  /** {@code fetch} from {@code s} into the Maildir {@code mail}, with {@code --state state}. */
  private static FetchCommandTest.Run fetchWithState(FakePop3Server s, Path mail, Path state) {
    return FetchCommandTest.mailfetch(
        Map.of("PW", "pw"),
        "fetch",
        "pop3://alice@localhost:" + s.port(),
        "--password-env",
        "PW",
        "--tls",
        "none",
        "--allow-plaintext-auth",
        "--to",
        "maildir:" + mail,
        "--state",
        state.toString());
  }

  @Test
  void aStateDirectoryThatCannotBeCreated_namesStateAndThePath_andWhatToDo() throws IOException {
    Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
    Path state = file.resolve("x");
    try (FakePop3Server s = oneMessage()) {
      FetchCommandTest.Run r = fetchWithState(s, file.resolveSibling("Mail"), state);
      assertEquals(71, r.exit(), r.err());
      List<String> lines = r.err().lines().toList();
      assertEquals(2, lines.size(), r.err());
      assertTrue(
          lines.get(0).startsWith("mailfetch: STATE_FAILED: ")
              && lines.get(0).contains(state.toString())
              && lines.get(0).contains("not a directory"),
          r.err());
      assertTrue(lines.get(1).contains("--state DIR"), "the advice names --state: " + r.err());
      assertFalse(r.err().contains("Exception"), r.err());
    }
  }

  /**
   * A state directory on a file system the kernel makes up is refused as a sink there is, in the
   * same words, before anything is created: on /proc creating fails with "no such file", on /dev
   * (devtmpfs) it would succeed and the record of fetched mail would go at the next boot.
   */
  @Test
  void aStateDirectoryOnProc_isNotOnADisk_saidAsForASink() {
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "/proc exists on Linux only");
    Path state = Path.of("/proc/self/mailfetch-state");
    try (FakePop3Server s = oneMessage()) {
      FetchCommandTest.Run r = fetchWithState(s, tmp.resolve("Mail"), state);
      assertEquals(71, r.exit(), r.err());
      List<String> lines = r.err().lines().toList();
      assertEquals(
          "mailfetch: STATE_FAILED: the state directory "
              + state
              + " is on a proc file system (the kernel's view of itself), not on a disk: the record"
              + " of fetched mail cannot be kept there",
          lines.get(0));
      assertTrue(lines.get(1).contains("--state DIR"), "the advice names --state: " + r.err());
      assertEquals(0, s.sessions().size(), "refused before anything connected");
    }
  }

  @Test
  void aSecretJavaCouldNotDecode_isABadArgumentNamingTheLocale_notAWrongPassword() {
    // What System.getenv gives for "pässword" when LANG is unset (cron, systemd, a container):
    // the environment is decoded as ASCII and each byte of the ä becomes U+FFFD.
    Map<String, String> env = env();
    env.put("PW", "p\uFFFD\uFFFDssword");
    FetchCommandTest.Run r =
        FetchCommandTest.mailfetch(
            env, "fetch", "pop3s://alice@localhost:1", "--password-env", "PW");
    assertBadArgument(
        r,
        "--password-env PW: the variable holds characters Java could not read",
        "--password-env");
    assertTrue(
        r.err().contains("LANG=C.UTF-8") && r.err().contains("--password-file FILE"), r.err());
  }

  @Test
  void everyOptionWithABadValue_isExit2_withOneLineNamingIt_andAPointerToHelp() throws IOException {
    Path notACertificate = Files.writeString(tmp.resolve("not-a-cert.pem"), "hello\n");
    Path emptyFile = Files.writeString(tmp.resolve("empty"), "");
    String u = "pop3s://alice@localhost";
    String[][] cases = {
      // the URL
      {"port 99999", "fetch", "pop3s://alice@localhost:99999", "--password-env", "PW"},
      {"port 0", "fetch", "pop3s://alice@localhost:0", "--password-env", "PW"},
      {"port abc", "fetch", "pop3s://alice@localhost:abc", "--password-env", "PW"},
      {"port 65536", "fetch", "pop3://alice@localhost:65536", "--password-env", "PW"},
      {"CR", "fetch", "pop3s://alice%0D%0AQUIT@localhost", "--password-env", "PW"},
      {"NUL", "fetch", "pop3s://alice%00@localhost", "--password-env", "PW"},
      {"needs a user", "fetch", "pop3s://localhost", "--password-env", "PW"},
      {"needs a user", "fetch", "pop3s://@localhost", "--password-env", "PW"},
      {"needs a host", "fetch", "pop3s://alice@", "--password-env", "PW"},
      {"path", "fetch", "pop3s://alice@localhost/INBOX", "--password-env", "PW"},
      {"not a URL", "fetch", "pop3s://alice@local host", "--password-env", "PW"},
      // reaching and logging in
      {
        "--ca-file " + notACertificate,
        "fetch",
        u,
        "--password-env",
        "PW",
        "--ca-file",
        notACertificate.toString()
      },
      {"--ca-file " + tmp, "fetch", u, "--password-env", "PW", "--ca-file", tmp.toString()},
      {
        "--ca-file " + tmp.resolve("nope"),
        "fetch",
        u,
        "--password-env",
        "PW",
        "--ca-file",
        tmp.resolve("nope").toString()
      },
      {"--password-file " + emptyFile, "fetch", u, "--password-file", emptyFile.toString()},
      {"--password-file " + tmp, "fetch", u, "--password-file", tmp.toString()},
      {
        "--oauth-token-file " + tmp.resolve("nope"),
        "fetch",
        u,
        "--oauth-token-file",
        tmp.resolve("nope").toString()
      },
      {"--auth plian", "fetch", u, "--password-env", "PW", "--auth", "plian"},
      {"--auth XOAUTH2", "fetch", u, "--password-env", "PW", "--auth", "xoauth2"},
      {"--auth PLAIN", "fetch", u, "--oauth-token-env", "PW", "--auth", "plain"},
      {
        "--auth APOP",
        "fetch",
        "pop3://alice@localhost",
        "--password-env",
        "PW",
        "--tls",
        "none",
        "--allow-plaintext-auth",
        "--auth",
        "apop"
      },
      {"--tls tls13", "fetch", u, "--password-env", "PW", "--tls", "tls13"},
      {"--timeout x", "fetch", u, "--password-env", "PW", "--timeout", "x"},
      {"--timeout 0", "fetch", u, "--password-env", "PW", "--timeout", "0"},
      {"--timeout 99999999", "fetch", u, "--password-env", "PW", "--timeout", "99999999"},
      {"--timeout 9999999999", "fetch", u, "--password-env", "PW", "--timeout", "9999999999"},
      {"--quirk Q04", "fetch", u, "--password-env", "PW", "--quirk", "Q04"},
      // what to keep and where
      {"--max-messages 0", "fetch", u, "--password-env", "PW", "--max-messages", "0"},
      {"--max-messages many", "fetch", u, "--password-env", "PW", "--max-messages", "many"},
      {"--max-message-size 0", "fetch", u, "--password-env", "PW", "--max-message-size", "0"},
      {
        "--max-message-size 99999999999G",
        "fetch",
        u,
        "--password-env",
        "PW",
        "--max-message-size",
        "99999999999G"
      },
      {"--keep-days 0", "fetch", u, "--password-env", "PW", "--keep-days", "0"},
      {"--keep-days soon", "fetch", u, "--password-env", "PW", "--keep-days", "soon"},
      {"--keep", "fetch", u, "--password-env", "PW", "--keep", "--delete"},
      {"--password-env", "fetch", u, "--password-env", "PW", "--password-file", "x"},
      {"--label", "fetch", u, "--password-env", "PW", "--label", ""},
      {"--to", "fetch", u, "--password-env", "PW", "--to", "maildir:"},
      {"--to", "fetch", u, "--password-env", "PW", "--to", "Mail"},
      {"--dedup sha1", "fetch", u, "--password-env", "PW", "--dedup", "sha1"},
      {
        "--config " + tmp.resolve("nope.properties"),
        "fetch",
        "--config",
        tmp.resolve("nope.properties").toString()
      },
      {"not both", "fetch", u, "--config", emptyFile.toString()},
      {
        "--to applies to one account",
        "fetch",
        "--config",
        emptyFile.toString(),
        "--to",
        "maildir:x"
      },
      {
        "--password-env applies to one account",
        "fetch",
        "--config",
        emptyFile.toString(),
        "--password-env",
        "PW"
      },
      {"--password-env", "fetch", u, "--password-env"},
      {"extra", "fetch", u, "extra", "--password-env", "PW"},
      // poll
      {"--max-checks 0", "poll", "--config", emptyFile.toString(), "--max-checks", "0"},
      {
        "--max-checks-per-host 0",
        "poll",
        "--config",
        emptyFile.toString(),
        "--max-checks-per-host",
        "0"
      },
      {
        "--min-interval",
        "poll",
        "--config",
        emptyFile.toString(),
        "--min-interval",
        "10m",
        "--max-interval",
        "5m"
      },
      {"--min-interval 0s", "poll", "--config", emptyFile.toString(), "--min-interval", "0s"},
      {"soon", "poll", "--config", emptyFile.toString(), "--min-interval", "soon"},
      {"--config", "poll"},
      // doctor and demo share the URL and the server options, and have their own
      {"port 99999", "doctor", "pop3s://alice@localhost:99999"},
      {"--ca-file " + notACertificate, "doctor", u, "--ca-file", notACertificate.toString()},
      {"--timeout 0", "doctor", u, "--timeout", "0"},
      {"--samples x", "doctor", u, "--samples", "x"},
      {"--messages 0", "demo", "--messages", "0"},
      {"--messages lots", "demo", "--messages", "lots"},
      {"--dir " + emptyFile.resolve("x"), "demo", "--dir", emptyFile.resolve("x").toString()},
      // the command itself
      {"fecth", "fecth", u},
      {"did you mean fetch", "help", "fecth"},
      {"-x", "fetch", "-x"},
      {"--help takes no value", "fetch", "--help=yes"},
      {"--timeout \"\"", "fetch", u, "--password-env", "PW", "--timeout="},
    };
    for (String[] c : cases) {
      String[] args = Arrays.copyOfRange(c, 1, c.length);
      assertBadArgument(mailfetch(args), c[0], args);
    }
  }

  @Test
  void aMistypedOption_isTheOnlyThingCalledUnknown_withTheOptionMeant() {
    String url = "pop3s://alice@localhost";
    for (String[] args :
        new String[][] {
          {"fetch", "--pasword-env", "PW", url},
          {"fetch", url, "--pasword-env", "PW"},
          {"fetch", "--pasword-env=PW", url},
        }) {
      FetchCommandTest.Run r = mailfetch(args);
      assertBadArgument(r, "--pasword-env", args);
      assertTrue(r.err().contains("did you mean --password-env"), r.err());
      assertFalse(r.err().contains(url), "the URL is not an unknown option: " + r.err());
      assertFalse(r.err().contains("'PW'"), "nor is the flag's value: " + r.err());
    }
    FetchCommandTest.Run command = mailfetch("fecth", url);
    assertTrue(command.err().contains("did you mean fetch"), command.err());
  }

  @Test
  void theUrlsPort_isCheckedAsAPort_andZeroIsNotTheDefault() {
    FetchCommandTest.Run abc =
        mailfetch("fetch", "pop3s://alice@localhost:abc", "--password-env", "PW");
    assertFalse(abc.err().contains("needs a user and a host"), abc.err());
    FetchCommandTest.Run zero =
        mailfetch(
            "fetch",
            "pop3s://alice@localhost:0",
            "--password-env",
            "PW",
            "--to",
            "maildir:" + tmp.resolve("M"));
    assertFalse(
        zero.err().contains("995") && !zero.err().contains("leave"),
        "port 0 is not silently 995: " + zero.err());
    assertFalse(Files.exists(tmp.resolve("M")), "nothing created for a bad argument");
  }

  @Test
  void loginMethods_areAcceptedInAnyCase_andCramMd5WithItsDash() throws IOException {
    TestCertificates certs = TestCertificates.generate();
    Path ca = certs.writeCaPem(tmp);
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(81, 3).toMailbox())
            .tls(TlsMode.IMPLICIT, certs)
            .start()) {
      FetchCommandTest.Run r =
          mailfetch(
              "fetch",
              "pop3s://alice@localhost:" + s.port(),
              "--password-env",
              "PW",
              "--ca-file",
              ca.toString(),
              "--to",
              "maildir:" + tmp.resolve("Mail"),
              "--auth",
              "plain,User,cram-md5");
      assertEquals(0, r.exit(), r.out() + r.err());
      assertTrue(r.out().contains("3 listed: 3 stored"), r.out());
    }
  }

  /**
   * {@code mailfetch doctor} alone says in words what is missing and what to type, not picocli's
   * "missing URL|ADDRESS"; also under --json, as the JSON object.
   */
  @Test
  void doctorWithoutAnAccount_saysWhatIsMissing_andWhatToType() {
    FetchCommandTest.Run r = mailfetch("doctor");
    assertBadArgument(r, "which account should the doctor examine?", "doctor");
    assertTrue(
        r.err().contains("mailfetch doctor pop3s://alice@mail.example.org")
            && r.err().contains("mailfetch doctor alice@example.org"),
        r.err());
    assertFalse(r.err().contains("URL|ADDRESS") || r.err().contains("missing "), r.err());
    FetchCommandTest.Run j = mailfetch("doctor", "--json");
    assertEquals(2, j.exit(), j.err());
    Map<String, Object> e = Json.map(Json.object(j.out()).get("error"));
    assertEquals("ARGUMENTS", e.get("code"));
    assertTrue(
        String.valueOf(e.get("detail")).startsWith("which account should the doctor examine?"),
        j.out());
  }

  @Test
  void versionIsPrinted_byEveryCommand() {
    for (String command : new String[] {"fetch", "poll", "doctor", "demo", "fake-server"}) {
      for (String flag : new String[] {"--version", "-V"}) {
        FetchCommandTest.Run r = mailfetch(command, flag);
        assertEquals(0, r.exit(), command + " " + flag + ": " + r.err());
        assertTrue(r.out().startsWith("mailfetch "), command + " " + flag + ": " + r.out());
        assertEquals("", r.err(), command + " " + flag);
      }
    }
  }

  @Test
  void fakeServer_anUnknownOptionIsUnknown_andAFlagNeedsNoValue() {
    FetchCommandTest.Run bogus = mailfetch("fake-server", "--bogus");
    assertEquals(2, bogus.exit(), bogus.err());
    assertTrue(
        bogus.err().contains("--bogus") && bogus.err().contains("unknown option"), bogus.err());
    assertFalse(bogus.err().contains("needs a value"), bogus.err());
    assertTrue(
        bogus.err().lines().count() <= 2, "the error and a pointer to --help: " + bogus.err());
    FetchCommandTest.Run typo = mailfetch("fake-server", "--generat", "5");
    assertTrue(typo.err().contains("did you mean --generate"), typo.err());
    FetchCommandTest.Run port = mailfetch("fake-server", "--port", "99999");
    assertEquals(2, port.exit(), port.err());
    assertTrue(port.err().contains("--port 99999"), port.err());
    FetchCommandTest.Run missing = mailfetch("fake-server", "--port");
    assertEquals(2, missing.exit(), missing.err());
    assertTrue(missing.err().contains("--port needs a value"), missing.err());
  }

  @Test
  void fakeServer_pointsAtWhatCanBeTyped() {
    FetchCommandTest.Run bogus = mailfetch("fake-server", "--bogus");
    assertBadArgument(bogus, "--bogus", "fake-server", "--bogus");
    assertTrue(bogus.err().contains("Try 'mailfetch fake-server --help'"), bogus.err());
  }

  @Test
  void noCommand_isABadArgument_inTwoLines_notTheWholeUsage() {
    FetchCommandTest.Run r = mailfetch();
    assertBadArgument(r, "which command?", "(nothing)");
    assertTrue(
        r.err().contains("fetch")
            && r.err().contains("poll")
            && r.err().contains("Try 'mailfetch --help'"),
        r.err());
    assertEquals("", r.out());
  }

  @Test
  void aPasswordFileWhoseFirstLineIsBlank_isNotCalledEmpty() throws IOException {
    Path blank = Files.writeString(tmp.resolve("pw"), "\nthe secret on the second line\n");
    FetchCommandTest.Run r =
        mailfetch("fetch", "pop3s://alice@localhost", "--password-file", blank.toString());
    assertBadArgument(
        r, "--password-file " + blank + ": its first line is empty", "--password-file");
    assertFalse(r.err().contains("the file is empty"), r.err());
  }

  @Test
  void aBadArgumentUnderJson_isTheJsonObjectAlone_stderrEmpty() {
    for (String[] args :
        new String[][] {
          {"fetch", "pop3s://alice@localhost:99999", "--password-env", "PW", "--json"},
          {"fetch", "--json", "--bogus"},
          {"doctor", "--json"}
        }) {
      FetchCommandTest.Run r = mailfetch(args);
      assertEquals(2, r.exit(), String.join(" ", args));
      String json = r.out().strip();
      assertTrue(
          json.startsWith(
              "{\"status\":\"error\",\"error\":{\"code\":\"ARGUMENTS\",\"exit_code\":2,"),
          json);
      assertEquals("", r.err(), "the JSON says it all: " + String.join(" ", args));
    }
    assertTrue(
        mailfetch("fetch", "pop3s://alice@localhost:99999", "--password-env", "PW", "--json")
            .out()
            .contains("port 99999"));
  }

  // ---------------------------------------------------------------- config files

  private Path config(String... lines) throws IOException {
    return Files.writeString(tmp.resolve("accounts.properties"), String.join("\n", lines) + "\n");
  }

  private static long count(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void aMistypedKeyInAConfigFile_getsDidYouMean_andTheOtherAccountsRun() throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(82, 2).toMailbox())
            .account("bob", PASSWORD, MailCorpus.generate(83, 3).toMailbox())
            .start()) {
      String base = "pop3://%s@localhost:" + s.port();
      Path file =
          config(
              "alice.url = " + String.format(base, "alice"),
              "alice.pasword-env = PW",
              "alice.tls = none",
              "alice.allow-plaintext-auth = true",
              "alice.to = maildir:" + tmp.resolve("alice"),
              "bob.uri = " + String.format(base, "bob"),
              "carol.url = " + String.format(base, "bob"),
              "carol.password-env = PW",
              "carol.tls = none",
              "carol.allow-plaintext-auth = true",
              "carol.to = maildir:" + tmp.resolve("carol"),
              "carol.label.1 = Carol",
              "carol.to.2 = maildir:x");
      FetchCommandTest.Run r = mailfetch("fetch", "--config", file.toString());
      assertEquals(2, r.exit(), r.out() + r.err());
      assertTrue(
          r.err().contains("alice.pasword-env")
              && r.err().contains("did you mean alice.password-env"),
          r.err());
      assertTrue(r.err().contains("bob.uri") && r.err().contains("did you mean bob.url"), r.err());
      assertTrue(r.err().contains("carol.to.2") && r.err().contains("only once"), r.err());
      assertFalse(JAVA_NAME.matcher(r.err()).find(), r.err());

      Path fine =
          config(
              "carol.url = " + String.format(base, "bob"),
              "carol.password-env = PW",
              "carol.tls = none",
              "carol.allow-plaintext-auth = true",
              "carol.to = maildir:" + tmp.resolve("carol"),
              "dave.url = " + String.format(base, "alice"),
              "dave.password-env = PW",
              "dave.tls = none",
              "dave.allow-plaintext-auth = true",
              "dave.to = maildir:" + tmp.resolve("dave"),
              "dave.max-messages = none");
      FetchCommandTest.Run other = mailfetch("fetch", "--config", fine.toString());
      assertEquals(2, other.exit(), other.out() + other.err());
      assertTrue(
          other.err().contains("account dave") && other.err().contains("dave.max-messages = none"),
          other.err());
      assertEquals(3, count(tmp.resolve("carol/new")), "the other account ran: " + other.out());
    }
  }

  /**
   * An account the file gets wrong is that account's bad argument: it says that this account was
   * not fetched (polled), not that "nothing was done" while the others ran; and what is wrong is
   * said in the file's words (its lines), never as an option the command refuses on its command
   * line. The command's own bad arguments still say that nothing was done.
   */
  @Test
  void aRefusedConfigAccount_saysThisAccountWasNotFetched_inTheFilesWords_whileTheOthersRun()
      throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(88, 2).toMailbox())
            .start()) {
      Path file =
          config(
              "good.url = pop3://alice@localhost:" + s.port(),
              "good.password-env = PW",
              "good.tls = none",
              "good.allow-plaintext-auth = true",
              "good.to = maildir:" + tmp.resolve("good"),
              "plain.url = pop3://bob@localhost:" + s.port(),
              "plain.password-env = PW",
              "plain.tls = none",
              "slow.url = pop3://carol@localhost:" + s.port(),
              "slow.password-env = PW",
              "slow.timeout = abc",
              "typo.url = pop3://dave@localhost:" + s.port(),
              "typo.pasword-env = PW");
      for (String command : new String[] {"fetch", "poll"}) {
        String[] args =
            command.equals("fetch")
                ? new String[] {"fetch", "--config", file.toString()}
                : new String[] {"poll", "--config", file.toString(), "--once"};
        String notDone =
            command.equals("fetch") ? "This account was not fetched" : "This account is not polled";
        FetchCommandTest.Run r = mailfetch(args);
        assertEquals(2, r.exit(), command + ": " + r.out() + r.err());
        assertEquals(
            2,
            count(tmp.resolve("good/new")),
            command + ": the good account ran: " + r.out() + r.err());
        assertFalse(
            r.err().contains("nothing was done"), command + ": the other accounts ran: " + r.err());
        for (String account : new String[] {"plain", "slow", "typo"}) {
          List<String> said =
              r.err()
                  .lines()
                  .dropWhile(l -> !l.startsWith("mailfetch: account " + account + " "))
                  .limit(2)
                  .toList();
          assertEquals(2, said.size(), command + " " + account + ": " + r.err());
          assertTrue(
              said.get(1).startsWith("  " + notDone) && said.get(1).contains(file.toString()),
              command + " " + account + ": " + said);
        }
        assertTrue(
            r.err().contains("plain.tls = none")
                && r.err().contains("add plain.allow-plaintext-auth = true"),
            command + ": the file's lines, not options the command refuses: " + r.err());
        assertFalse(
            r.err().contains("--allow-plaintext-auth") || r.err().contains("--tls"),
            command + ": " + r.err());
        assertTrue(
            r.err().contains("slow.timeout = abc: not a whole number"), command + ": " + r.err());

        List<String> json = new ArrayList<>(List.of(args));
        json.add("--json");
        FetchCommandTest.Run j = mailfetch(json.toArray(new String[0]));
        assertEquals(2, j.exit(), j.out() + j.err());
        for (Object o : Json.list(Json.object(j.out()).get("accounts"))) {
          Map<String, Object> a = Json.map(o);
          if (a.get("account").equals("good")) {
            continue;
          }
          Map<String, Object> e = Json.map(a.get("error"));
          assertEquals("ARGUMENTS", e.get("code"), j.out());
          assertEquals("ARGUMENTS: " + e.get("detail"), e.get("message"), j.out());
          assertTrue(String.valueOf(e.get("meaning")).startsWith(notDone), j.out());
        }
      }
      FetchCommandTest.Run whole =
          mailfetch("fetch", "--config", tmp.resolve("missing.properties").toString(), "--json");
      assertEquals(
          "The command's arguments are not valid, so nothing was done.",
          Json.map(Json.object(whole.out()).get("error")).get("meaning"),
          "the command as a whole: " + whole.out());
    }
  }

  @Test
  void aConfigThatCannotBeRead_isABadArgument() throws IOException {
    Path broken = Files.writeString(tmp.resolve("broken.properties"), "a.url = \\u00zz\n");
    assertBadArgument(
        mailfetch("fetch", "--config", broken.toString()),
        "--config " + broken,
        "fetch",
        "--config");
    Path noDot = config("url = pop3s://alice@localhost");
    assertBadArgument(
        mailfetch("poll", "--config", noDot.toString(), "--once"), "\"url\"", "poll", "--config");
  }

  @Test
  void theSameMailboxTwiceInAConfig_isThatAccountsBadArgument_andPollGoesOnWithTheOthers()
      throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(84, 4).toMailbox())
            .account("bob", PASSWORD, MailCorpus.generate(85, 2).toMailbox())
            .start()) {
      String base = "pop3://%s@%s";
      List<String> lines = new ArrayList<>();
      String[][] accounts = {
        {"a1", "alice", "localhost:" + s.port()},
        {"a2", "alice", "LocalHost.:" + s.port()},
        {"b", "bob", "localhost:" + s.port()},
        {"c", "carol", "localhost:99999"}
      };
      for (String[] a : accounts) {
        lines.addAll(
            List.of(
                a[0] + ".url = " + String.format(base, a[1], a[2]),
                a[0] + ".password-env = PW",
                a[0] + ".tls = none",
                a[0] + ".allow-plaintext-auth = true",
                a[0] + ".to = maildir:" + tmp.resolve(a[0])));
      }
      Path file = config(lines.toArray(new String[0]));
      for (String command : new String[] {"poll", "fetch"}) {
        FetchCommandTest.Run r =
            command.equals("poll")
                ? mailfetch("poll", "--config", file.toString(), "--once")
                : mailfetch("fetch", "--config", file.toString());
        assertEquals(2, r.exit(), command + ": " + r.out() + r.err());
        assertTrue(
            r.err().contains("account a2") && r.err().contains("same mailbox as account a1"),
            command + ": " + r.err());
        assertTrue(
            r.err().contains("account c") && r.err().contains("port 99999"),
            command + ": " + r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals(4, count(tmp.resolve("a1/new")), command);
        assertEquals(2, count(tmp.resolve("b/new")), command + ": the others go on");
        assertFalse(
            Files.exists(tmp.resolve("a2")), command + ": the refused account opened nothing");
      }
    }
  }

  @Test
  void twoAccountsIntoOnePlace_shareItsDedupStore_whenPolled() throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(86, 4).toMailbox())
            .account("bob", PASSWORD, MailCorpus.generate(87, 2).toMailbox())
            .start()) {
      String base = "pop3://%s@localhost:" + s.port();
      List<String> lines = new ArrayList<>();
      for (String user : new String[] {"alice", "bob"}) {
        lines.addAll(
            List.of(
                user + ".url = " + String.format(base, user),
                user + ".password-env = PW",
                user + ".tls = none",
                user + ".allow-plaintext-auth = true",
                user + ".to = maildir:" + tmp.resolve("Mail")));
      }
      FetchCommandTest.Run r =
          mailfetch("poll", "--config", config(lines.toArray(new String[0])).toString(), "--once");
      assertEquals(0, r.exit(), r.out() + r.err());
      assertEquals(6, count(tmp.resolve("Mail/new")), r.out() + r.err());
    }
  }
}
