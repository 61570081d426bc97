package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import dev.mailfetch.testkit.smtp.FakeSmtpServer;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailfetch fetch} from the testkit's POP3 server into a mail server (GreenMail's SMTP and
 * IMAP in the JVM), as a user runs it, and {@code mailfetch doctor --to} against the same servers
 * and against a closed port.
 */
@Timeout(120)
class SinkDeliveryTest {
  private static final String PASSWORD = "pop-pässword";
  private static final String SINK_PASSWORD = "imap-s3cret";
  private static TestCertificates certs;
  @TempDir Path tmp;
  private GreenMail greenMail;

  @BeforeAll
  static void certificates() {
    certs = TestCertificates.generate();
  }

  @BeforeEach
  void startGreenMail() {
    greenMail =
        new GreenMail(
            new ServerSetup[] {ServerSetup.SMTP.dynamicPort(), ServerSetup.IMAP.dynamicPort()});
    greenMail.start();
    greenMail.setUser("alice@example.org", "alice", SINK_PASSWORD);
  }

  @AfterEach
  void stopGreenMail() {
    greenMail.stop();
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("MAIL_PW", PASSWORD);
    env.put("SINK_PW", SINK_PASSWORD);
    env.put("HOME", tmp.resolve("home").toString());
    return env;
  }

  private FetchCommandTest.Run mailfetch(String... args) {
    return FetchCommandTest.mailfetch(env(), args);
  }

  private FakePop3Server pop3(MailCorpus corpus) {
    return FakePop3Server.builder()
        .account("bob", PASSWORD, corpus.toMailbox())
        .tls(TlsMode.IMPLICIT, certs)
        .start();
  }

  /** fetch's arguments for the POP3 server {@code s}, then {@code more}. */
  private String[] fetch(FakePop3Server s, String... more) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "fetch",
                "pop3s://bob@localhost:" + s.port(),
                "--password-env",
                "MAIL_PW",
                "--ca-file",
                certs.writeCaPem(tmp).toString(),
                "--state",
                tmp.resolve("state").toString(),
                "--dedup",
                "none"));
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  private static void noSecretIn(FetchCommandTest.Run r) {
    for (String secret : new String[] {PASSWORD, SINK_PASSWORD}) {
      assertFalse((r.out() + r.err()).contains(secret), "no secret in any output");
    }
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void aFetchIntoSmtp_handsEveryMessageToTheRecipient_thenNothing_inTextAndJson() throws Exception {
    MailCorpus corpus = MailCorpus.generate(1901, 12);
    int smtpPort = greenMail.getSmtp().getPort();
    String to = "smtp://127.0.0.1:" + smtpPort;
    try (FakePop3Server s = pop3(corpus)) {
      String[] args =
          fetch(
              s,
              "--to",
              to,
              "--sink-tls",
              "none",
              "--recipient",
              "carol@example.org",
              "--sender",
              "fetch@example.org");
      FetchCommandTest.Run first = mailfetch(args);
      assertEquals(0, first.exit(), first.out() + first.err());
      assertTrue(first.out().contains("12 listed: 12 stored"), first.out());
      assertTrue(first.out().contains("the SMTP server at 127.0.0.1:" + smtpPort), first.out());
      MimeMessage[] got = greenMail.getReceivedMessages();
      assertEquals(12, got.length);
      List<String> ids = new ArrayList<>();
      for (MimeMessage m : got) {
        ids.add(m.getMessageID());
      }
      assertEquals(12, greenMail.getReceivedMessagesForDomain("example.org").length);
      for (MailCorpus.Message m : corpus.messages()) {
        if (m.messageId() != null) {
          assertTrue(ids.contains(m.messageId()), "delivered: " + m.messageId());
        }
      }
      assertTrue(
          files(tmp.resolve("state")).stream()
              .anyMatch(f -> f.getFileName().toString().equals("smtp-127.0.0.1%3A" + smtpPort)),
          "the journal in the account's state: " + files(tmp.resolve("state")));

      String[] again = new String[args.length + 1];
      System.arraycopy(args, 0, again, 0, args.length);
      again[args.length] = "--json";
      FetchCommandTest.Run second = mailfetch(again);
      assertEquals(0, second.exit(), second.out() + second.err());
      Map<String, String> j = FetchCommandTest.json(second.out());
      assertEquals("ok", j.get("status"));
      assertEquals("12", j.get("listed"));
      assertEquals("0", j.get("fetched"));
      assertEquals("12", j.get("already_seen"));
      assertEquals(12, greenMail.getReceivedMessages().length, "nothing sent twice");
      noSecretIn(first);
      noSecretIn(second);
    }
  }

  @Test
  void theDoctorOfAnSmtpSink_saysEachStepPassed_andAClosedPortIsTyped() throws Exception {
    FetchCommandTest.Run ok =
        mailfetch(
            "doctor",
            "--to",
            "smtp://127.0.0.1:" + greenMail.getSmtp().getPort(),
            "--sink-tls",
            "none",
            "--recipient",
            "carol@example.org",
            "--sender",
            "fetch@example.org"); // GreenMail takes no null sender
    assertEquals(0, ok.exit(), ok.out() + ok.err());
    assertTrue(ok.out().contains("✓ the server takes mail for carol@example.org"), ok.out());
    assertTrue(ok.out().contains("✓ "), ok.out());
    assertTrue(ok.out().contains("Mail can be delivered into the SMTP server"), ok.out());

    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String[] args = {
      "doctor", "--to", "smtp://127.0.0.1:" + closed, "--sink-tls", "none", "--recipient", "c@d.org"
    };
    FetchCommandTest.Run refused = mailfetch(args);
    // a destination that cannot be reached is the sink's failure: the mail stays on the POP3 server
    int exit = FetchError.SINK_FAILED.exitCode();
    assertEquals(exit, refused.exit(), refused.out() + refused.err());
    assertTrue(refused.out().contains("✗ SINK_FAILED: "), refused.out());
    assertTrue(refused.out().contains("cannot be reached"), refused.out());
    assertTrue(refused.out().contains("    means:  "), refused.out());
    assertTrue(refused.out().contains("    do:     "), refused.out());
    assertTrue(refused.out().contains("Mail cannot be delivered into"), refused.out());
    String[] json = new String[args.length + 1];
    System.arraycopy(args, 0, json, 0, args.length);
    json[args.length] = "--json";
    FetchCommandTest.Run j = mailfetch(json);
    assertEquals(exit, j.exit());
    Map<String, String> fields = FetchCommandTest.json(j.out());
    assertEquals("false", fields.get("healthy"));
    assertEquals("SINK_FAILED", fields.get("first_problem"));
    assertEquals("SINK_FAILED", fields.get("error.code"));
  }

  @Test
  void theDoctorOfASink_showsTheStepsThatPassed_beforeTheFailure_inTextAndJson() throws Exception {
    try (FakeSmtpServer fake =
        FakeSmtpServer.smtp("PIPELINING")
            .on("RCPT TO:<nobody@", "550 5.1.1 no such user")
            .start()) {
      String[] args = {
        "doctor",
        "--to",
        "smtp://127.0.0.1:" + fake.port(),
        "--sink-tls",
        "none",
        "--recipient",
        "nobody@example.org"
      };
      FetchCommandTest.Run text = mailfetch(args);
      assertEquals(FetchError.SINK_REJECTED.exitCode(), text.exit(), text.out() + text.err());
      String out = text.out();
      int connected = out.indexOf("✓ connected to SMTP server 127.0.0.1:" + fake.port());
      int failed = out.indexOf("✗ SINK_REJECTED: ");
      assertTrue(connected >= 0 && failed > connected, out);
      assertTrue(out.contains("✓ the server takes mail from <>"), out);
      assertTrue(out.contains("a --recipient"), "the remedy names the sink's option: " + out);
      String[] json = Stream.concat(Stream.of(args), Stream.of("--json")).toArray(String[]::new);
      FetchCommandTest.Run j = mailfetch(json);
      assertEquals(FetchError.SINK_REJECTED.exitCode(), j.exit());
      assertTrue(
          j.out()
              .contains(
                  "\"passed\":[\"connected to SMTP server 127.0.0.1:"
                      + fake.port()
                      + "\",\"the server offers PIPELINING\",\"the server takes mail from <>\"]"),
          j.out());
      assertEquals("SINK_REJECTED", FetchCommandTest.json(j.out()).get("first_problem"));
    }
  }

  @Test
  void anLmtpRecipient_mayBeALocalUserAlone() throws Exception {
    try (FakeSmtpServer fake = FakeSmtpServer.lmtp("PIPELINING").start()) {
      FetchCommandTest.Run ok =
          mailfetch("doctor", "--to", "lmtp://127.0.0.1:" + fake.port(), "--recipient", "alice");
      assertEquals(0, ok.exit(), ok.out() + ok.err());
      assertTrue(ok.out().contains("✓ the server takes mail for alice"), ok.out());
      assertTrue(fake.commands().contains("RCPT TO:<alice>"), fake.commands().toString());
    }
  }

  @Test
  void aFetchIntoImap_appendsEveryMessageIntoTheFolder_andTheDoctorLogsIn() throws Exception {
    MailCorpus corpus = MailCorpus.generate(1902, 8);
    int imapPort = greenMail.getImap().getPort();
    String to = "imap://alice@127.0.0.1:" + imapPort + "/INBOX";
    String[] sink = {
      "--to",
      to,
      "--sink-tls",
      "none",
      "--sink-allow-plaintext-auth",
      "--sink-password-env",
      "SINK_PW"
    };
    try (FakePop3Server s = pop3(corpus)) {
      String[] args = fetch(s, sink);
      FetchCommandTest.Run first = mailfetch(args);
      // GreenMail stores raw UTF-8 header bytes as Latin-1 (ImapSourceContractTest): the sink
      // reads such headers back and says so, a warning (exit 3), every message delivered.
      assertEquals(3, first.exit(), first.out() + first.err());
      assertTrue((first.out() + first.err()).contains("SINK_ALTERED"), first.out() + first.err());
      assertTrue(first.out().contains("8 listed: 8 stored"), first.out());
      assertTrue(
          first.out().contains("the IMAP folder INBOX of alice at 127.0.0.1:" + imapPort),
          first.out());
      MimeMessage[] got = greenMail.getReceivedMessages();
      assertEquals(8, got.length);
      List<String> ids = new ArrayList<>();
      for (MimeMessage m : got) {
        ids.add(m.getMessageID());
      }
      for (MailCorpus.Message m : corpus.messages()) {
        if (m.messageId() != null) {
          assertTrue(ids.contains(m.messageId()), "appended: " + m.messageId());
        }
      }
      String[] again = new String[args.length + 1];
      System.arraycopy(args, 0, again, 0, args.length);
      again[args.length] = "--json";
      FetchCommandTest.Run second = mailfetch(again);
      assertEquals(0, second.exit(), second.out() + second.err());
      Map<String, String> j = FetchCommandTest.json(second.out());
      assertEquals("0", j.get("fetched"));
      assertEquals("8", j.get("already_seen"));
      assertEquals(8, greenMail.getReceivedMessages().length, "nothing appended twice");
      noSecretIn(first);
      noSecretIn(second);
    }
    String[] doctor = new String[sink.length + 1];
    doctor[0] = "doctor";
    System.arraycopy(sink, 0, doctor, 1, sink.length);
    FetchCommandTest.Run ok = mailfetch(doctor);
    assertEquals(0, ok.exit(), ok.out() + ok.err());
    assertTrue(ok.out().contains("✓ "), ok.out());
    assertTrue(ok.out().contains("Mail can be delivered into the IMAP folder INBOX"), ok.out());
    noSecretIn(ok);
    Map<String, String> wrong = env();
    wrong.put("SINK_PW", "not-the-password");
    FetchCommandTest.Run refused = FetchCommandTest.mailfetch(wrong, doctor);
    assertEquals(FetchError.AUTH_FAILED.exitCode(), refused.exit(), refused.out() + refused.err());
    assertTrue(refused.out().contains("✗ AUTH_FAILED: "), refused.out());
    assertTrue(refused.out().contains("    do:     "), refused.out());
  }

  /** The messages in {@code email}'s INBOX on GreenMail. */
  private int inbox(String email) throws Exception {
    GreenMailUser u = greenMail.getUserManager().getUserByEmail(email);
    return u == null
        ? 0
        : greenMail.getManagers().getImapHostManager().getInbox(u).getMessageCount();
  }

  @Test
  void aPollOfAConfigFile_deliversIntoImapAndSmtp_fromTheAccountsLines() throws Exception {
    MailCorpus five = MailCorpus.generate(1903, 5);
    MailCorpus four = MailCorpus.generate(1904, 4);
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("bob", PASSWORD, five.toMailbox())
            .account("dave", PASSWORD, four.toMailbox())
            .tls(TlsMode.IMPLICIT, certs)
            .start()) {
      String pop = "pop3s://%s@localhost:" + s.port();
      String ca = certs.writeCaPem(tmp).toString();
      Path config = tmp.resolve("accounts.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "into-imap.url = " + String.format(pop, "bob"),
              "into-imap.password-env = MAIL_PW",
              "into-imap.ca-file = " + ca,
              "into-imap.to = imap://alice@127.0.0.1:" + greenMail.getImap().getPort() + "/INBOX",
              "into-imap.sink-tls = none",
              "into-imap.sink-allow-plaintext-auth = true",
              "into-imap.sink-password-env = SINK_PW",
              "into-imap.dedup = none",
              "relay.url = " + String.format(pop, "dave"),
              "relay.password-env = MAIL_PW",
              "relay.ca-file = " + ca,
              "relay.to = smtp://127.0.0.1:" + greenMail.getSmtp().getPort(),
              "relay.sink-tls = none",
              "relay.recipient.1 = carol@example.net",
              "relay.recipient.2 = erin@example.net",
              "relay.sender = fetch@example.org",
              "relay.dedup = none",
              ""));
      FetchCommandTest.Run r = mailfetch("poll", "--config", config.toString(), "--once");
      // GreenMail re-encodes raw UTF-8 header bytes (above): a warning of into-imap's, exit 3.
      assertEquals(3, r.exit(), r.out() + r.err());
      String said = r.out() + r.err(); // a run with a warning is said on stderr
      assertTrue(said.contains("into-imap: 5 new messages") && said.contains("SINK_ALTERED"), said);
      assertEquals(5, inbox("alice@example.org"));
      assertEquals(4, inbox("carol@example.net"));
      assertEquals(4, inbox("erin@example.net"));
      assertTrue(Files.isDirectory(tmp.resolve("home/.mailfetch/imap")), "the default state");
      assertTrue(Files.isDirectory(tmp.resolve("home/.mailfetch/smtp")), "the default state");
      FetchCommandTest.Run again = mailfetch("poll", "--config", config.toString(), "--once");
      assertEquals(0, again.exit(), again.out() + again.err());
      assertEquals(5, inbox("alice@example.org"), "nothing twice");
      assertEquals(4, inbox("carol@example.net"), "nothing twice");
      noSecretIn(r);
      FetchCommandTest.Run doctor =
          mailfetch("doctor", "--config", config.toString(), "--account", "relay");
      assertEquals(0, doctor.exit(), doctor.out() + doctor.err());
      assertTrue(
          doctor.out().contains("✓ the server takes mail for erin@example.net"), doctor.out());
    }
  }
}
