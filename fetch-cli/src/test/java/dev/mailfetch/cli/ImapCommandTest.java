package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.cli.FetchCommandTest.Run;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.RequiresDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailfetch fetch imaps://…} and {@code mailfetch doctor imaps://…} as a user runs them,
 * against a private Dovecot's IMAP on loopback: mail into a Maildir, byte for byte what Dovecot
 * holds, a second run that fetches nothing, the text and JSON reports; the typed errors of a bad
 * URL, a missing folder and an IMAP option on a POP3 URL; the doctor's stages in text and JSON.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RequiresDovecot(PrivateDovecot.Service.IMAP)
class ImapCommandTest {
  private static final int MESSAGES = 12;
  private static final byte[] LIST_MESSAGE =
      "From: list@example.org\nSubject: on the list\nMessage-ID: <l1@example.org>\n\nhello\n"
          .getBytes(StandardCharsets.US_ASCII);
  private final TestCertificates certs = TestCertificates.generate();
  private PrivateDovecot dovecot;
  private Path ca;
  @TempDir Path tmp;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    assumeTrue(
        PrivateDovecot.whyUnavailable(PrivateDovecot.Service.IMAP).isEmpty(),
        () -> PrivateDovecot.whyUnavailable(PrivateDovecot.Service.IMAP).orElse(""));
    MailCorpus corpus = MailCorpus.generate(2020, MESSAGES);
    dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP),
            maildir -> {
              corpus.writeMaildir(maildir);
              Path lists = maildir.resolve(".Lists.java"); // the folder Lists.java (Maildir++)
              for (String d : List.of("cur", "new", "tmp")) {
                Files.createDirectories(lists.resolve(d));
              }
              Files.write(lists.resolve("new/1.list.localhost"), LIST_MESSAGE);
            },
            certs);
    ca = certs.writeCaPem(dir);
  }

  @AfterAll
  void stop() throws Exception {
    if (dovecot != null) {
      dovecot.stop();
    }
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("IMAP_PW", PrivateDovecot.PASSWORD);
    return env;
  }

  private String url() {
    return "imaps://" + PrivateDovecot.USER + "@localhost:" + dovecot.imapsPort();
  }

  private Run mailfetch(String... args) {
    return FetchCommandTest.mailfetch(env(), args);
  }

  @Test
  void fetch_imaps_intoAMaildir_holdsWhatDovecotHolds_byteForByte_andASecondRunFetchesNothing()
      throws Exception {
    Path maildir = tmp.resolve("Mail");
    Run first =
        mailfetch(
            "fetch",
            url() + "/INBOX",
            "--password-env",
            "IMAP_PW",
            "--ca-file",
            ca.toString(),
            "--to",
            "maildir:" + maildir,
            "--dedup",
            "none", // the corpus holds copies of one message, as real mailboxes do
            "--json");
    assertEquals(0, first.exit(), first.out() + first.err());
    Map<String, String> report = FetchCommandTest.json(first.out());
    assertEquals(String.valueOf(MESSAGES), report.get("fetched"), first.out());
    List<String> stored = contents(dovecot.files("INBOX"));
    List<String> fetched = contents(files(maildir.resolve("new")));
    assertEquals(MESSAGES, fetched.size());
    // IMAP cannot carry a NUL (RFC 9051 §4.3): Dovecot serves each stored NUL as the byte 0x80,
    // the one change between its storage and what any IMAP client receives.
    List<String> a = sorted(stored.stream().map(m -> m.replace('\0', '\u0080')).toList());
    List<String> b = sorted(fetched);
    assertEquals(a, b, "the Maildir holds Dovecot's messages exactly");

    Run second =
        mailfetch(
            "fetch",
            url(),
            "--password-env",
            "IMAP_PW",
            "--ca-file",
            ca.toString(),
            "--to",
            "maildir:" + maildir);
    assertEquals(0, second.exit(), second.out() + second.err());
    assertTrue(
        second.out().contains("0 stored") || second.out().contains("unchanged since"),
        second.out());
    assertEquals(MESSAGES, files(maildir.resolve("new")).size());
    assertEquals(MESSAGES, dovecot.files("INBOX").size(), "kept on the server (the default)");
    assertTrue(
        Files.isDirectory(maildir.resolve("mailfetch-state")), "the state lives with the Maildir");
  }

  @Test
  void folders_areFetchedAsNamed_andAMissingOneIsAConfigurationError() throws Exception {
    Path maildir = tmp.resolve("Folders");
    Run both =
        mailfetch(
            "fetch",
            url(),
            "--password-env",
            "IMAP_PW",
            "--ca-file",
            ca.toString(),
            "--folder",
            "INBOX",
            "--folder",
            "Lists.java",
            "--dedup",
            "none",
            "--to",
            "maildir:" + maildir,
            "--json");
    assertEquals(0, both.exit(), both.out() + both.err());
    assertEquals(
        String.valueOf(MESSAGES + 1), FetchCommandTest.json(both.out()).get("fetched"), both.out());
    Path other = tmp.resolve("Missing");
    Run missing =
        mailfetch(
            "fetch",
            url() + "/Nope",
            "--password-env",
            "IMAP_PW",
            "--ca-file",
            ca.toString(),
            "--to",
            "maildir:" + other);
    assertEquals(
        FetchError.CONFIGURATION.exitCode(), missing.exit(), missing.out() + missing.err());
    assertTrue(missing.err().contains("Nope"), missing.err());
    assertFalse(missing.err().contains("\tat "), missing.err());
  }

  @Test
  void aConfigFile_fetchesAnImapAccount_andPollOnceChecksIt() throws Exception {
    Path maildir = tmp.resolve("FromConfig");
    Path file = tmp.resolve("accounts.properties");
    Files.writeString(
        file,
        "work.url = "
            + url()
            + "\nwork.password-env = IMAP_PW\nwork.ca-file = "
            + ca
            + "\nwork.to = maildir:"
            + maildir
            + "\nwork.folder.1 = INBOX\nwork.on-server = keep\nwork.dedup = none\n"
            + "home.url = pop3s://alice@localhost:1\nhome.password-env = IMAP_PW\n"
            + "home.to = maildir:"
            + tmp.resolve("Other")
            + "\n",
        StandardCharsets.UTF_8);
    Run fetch = mailfetch("fetch", "--config", file.toString(), "--json");
    assertEquals(
        FetchError.CONNECTION_REFUSED.exitCode(), fetch.exit(), "home fails: " + fetch.out());
    assertTrue(fetch.out().contains("\"fetched\":" + MESSAGES), fetch.out());
    assertEquals(MESSAGES, files(maildir.resolve("new")).size());
    Files.writeString(
        file, Files.readString(file).replaceAll("(?m)^home\\..*\n", ""), StandardCharsets.UTF_8);
    Run poll = mailfetch("poll", "--config", file.toString(), "--once", "--json");
    assertEquals(0, poll.exit(), poll.out() + poll.err());
    assertEquals(MESSAGES, files(maildir.resolve("new")).size(), "nothing twice");
  }

  @Test
  void aBadUrl_andImapOptionsOnPop3_areBadArguments_thatCreateNothing() throws Exception {
    Path maildir = tmp.resolve("Nothing");
    String[][] cases = {
      {"names a message", url() + "/INBOX;UID=4"},
      {"query or fragment", url() + "?x=1"},
      {"holds a password", "imaps://alice:pw@localhost"},
      {"must start with pop3s://", "smtp://alice@localhost"},
    };
    for (String[] c : cases) {
      Run r = mailfetch("fetch", c[1], "--password-env", "IMAP_PW", "--to", "maildir:" + maildir);
      assertEquals(2, r.exit(), c[0] + ": " + r.err());
      assertTrue(r.err().contains(c[0]), c[0] + " in: " + r.err());
      assertFalse(r.err().contains("\tat "), r.err());
    }
    Run pop3 =
        mailfetch(
            "fetch",
            "pop3s://alice@localhost",
            "--password-env",
            "IMAP_PW",
            "--folder",
            "INBOX",
            "--to",
            "maildir:" + maildir);
    assertEquals(2, pop3.exit(), pop3.err());
    assertTrue(pop3.err().contains("--folder is for IMAP accounts"), pop3.err());
    Run contradiction =
        mailfetch(
            "fetch",
            url(),
            "--password-env",
            "IMAP_PW",
            "--on-server",
            "keep",
            "--delete",
            "--to",
            "maildir:" + maildir);
    assertEquals(2, contradiction.exit(), contradiction.err());
    assertTrue(contradiction.err().contains("contradict"), contradiction.err());
    Run badChoice =
        mailfetch(
            "fetch",
            url(),
            "--password-env",
            "IMAP_PW",
            "--on-server",
            "shred",
            "--to",
            "maildir:" + maildir);
    assertEquals(2, badChoice.exit(), badChoice.err());
    assertTrue(badChoice.err().contains("keep, seen, trash, move=FOLDER or expunge"));
    assertFalse(Files.exists(maildir), "a bad argument creates nothing");
  }

  @Test
  void doctor_imaps_walksEveryStage_inTextAndJson() throws Exception {
    Run text = mailfetch("doctor", url(), "--password-env", "IMAP_PW", "--ca-file", ca.toString());
    assertEquals(0, text.exit(), text.out() + text.err());
    for (String stage :
        new String[] {
          "name resolution",
          "connection",
          "encryption",
          "greeting and capabilities",
          "login",
          "folders",
          "IMAP extensions"
        }) {
      assertTrue(text.out().contains("✓ " + stage), stage + " in:\n" + text.out());
    }
    assertTrue(text.out().contains("INBOX: " + MESSAGES + " messages"), text.out());
    assertFalse(text.out().contains(PrivateDovecot.PASSWORD));

    Run json =
        mailfetch(
            "doctor", url(), "--password-env", "IMAP_PW", "--ca-file", ca.toString(), "--json");
    assertEquals(0, json.exit(), json.err());
    Map<String, String> fields = FetchCommandTest.json(json.out());
    assertEquals("imap", fields.get("protocol"));
    assertEquals("true", fields.get("healthy"));
    for (String stage :
        new String[] {
          "DNS", "TCP", "TLS", "CAPABILITIES", "AUTHENTICATION", "FOLDERS", "COMPLIANCE"
        }) {
      assertTrue(json.out().contains("\"stage\":\"" + stage + "\""), stage + " in " + json.out());
    }
  }

  @Test
  void doctor_aMissingFolder_isItsTypedError_inTextAndJson() throws Exception {
    Run text =
        mailfetch(
            "doctor",
            url(),
            "--password-env",
            "IMAP_PW",
            "--ca-file",
            ca.toString(),
            "--folder",
            "Lists/python");
    assertEquals(FetchError.CONFIGURATION.exitCode(), text.exit(), text.out() + text.err());
    assertTrue(
        text.out().contains("A folder to fetch from does not exist [CONFIGURATION]"), text.out());
    assertTrue(text.out().contains("--folder NAME"), "the remedy names the option: " + text.out());
    Run json =
        mailfetch(
            "doctor",
            url() + "/Lists%2Fpython",
            "--password-env",
            "IMAP_PW",
            "--ca-file",
            ca.toString(),
            "--json");
    assertEquals(FetchError.CONFIGURATION.exitCode(), json.exit(), json.err());
    assertEquals("FOLDER_MISSING", FetchCommandTest.json(json.out()).get("first_problem"));
  }

  @Test
  void doctor_withoutTheCaFile_saysTheCertificateIsNotTrusted_andNeverLogsIn() {
    Run r = mailfetch("doctor", url(), "--password-env", "IMAP_PW");
    assertEquals(FetchError.CERTIFICATE_INVALID.exitCode(), r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("The certificate is not trusted"), r.out());
    assertTrue(r.out().contains("--ca-file FILE"), r.out());
    assertTrue(r.out().contains("- login"), r.out());
  }

  @Test
  void doctor_withoutASecret_examinesTheServer_butNeverLogsIn() {
    Run r = mailfetch("doctor", url(), "--ca-file", ca.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("✓ encryption"), r.out());
    assertTrue(r.out().contains("- login"), "the login is not tried: " + r.out());
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  private static List<String> contents(List<Path> files) throws IOException {
    List<String> out = new ArrayList<>();
    for (Path f : files) {
      out.add(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
    }
    return out;
  }

  private static List<String> sorted(List<String> l) {
    return l.stream().sorted().toList();
  }
}
