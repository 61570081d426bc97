package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.pop3.Symptom;
import dev.mailfetch.testkit.FakeDnsServer;
import dev.mailfetch.testkit.FakeMailbox.Message;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mailfetch doctor} as a user runs it: the report, the JSON, the exit codes, no secret. */
@Timeout(120)
class DoctorCommandTest {
  private static final String PASSWORD = "d0ctor pässword";
  private static TestCertificates certs;
  @TempDir Path tmp;

  @BeforeAll
  static void certificates() {
    certs = TestCertificates.generate();
  }

  private FakePop3Server server(TestCertificates.Profile profile) {
    return FakePop3Server.builder()
        .account("alice", PASSWORD, MailCorpus.generate(3, 6).toMailbox())
        .tls(TlsMode.IMPLICIT, certs, profile)
        .start();
  }

  @Test
  void aHealthyServer_exitsZero_withAReadableReport_andNoSecret() throws IOException {
    Path ca = certs.writeCaPem(tmp);
    try (FakePop3Server s = server(TestCertificates.Profile.VALID)) {
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(
              Map.of("MAIL_PW", PASSWORD),
              "doctor",
              "pop3s://alice@localhost:" + s.port(),
              "--password-env",
              "MAIL_PW",
              "--ca-file",
              ca.toString(),
              "--ports",
              "1");
      assertEquals(0, r.exit(), r.out() + r.err());
      assertTrue(r.out().contains("✓ login"), r.out());
      assertTrue(r.out().contains("6 messages"), r.out());
      assertTrue(r.out().contains("Healthy: mail can be fetched."), r.out());
      assertFalse((r.out() + r.err()).contains(PASSWORD));
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(6, s.mailbox("alice").size(), "nothing deleted");
    }
  }

  @Test
  void theMailboxSize_isSaidInTheUnitsFetchUses_neverBinaryLabelledKb() throws IOException {
    Path ca = certs.writeCaPem(tmp);
    try (FakePop3Server s = server(TestCertificates.Profile.VALID)) {
      long octets = 0;
      for (Message m : s.mailbox("alice").messages()) {
        octets += m.size();
      }
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(
              Map.of("MAIL_PW", PASSWORD),
              "doctor",
              "pop3s://alice@localhost:" + s.port(),
              "--password-env",
              "MAIL_PW",
              "--ca-file",
              ca.toString(),
              "--ports",
              "1");
      assertEquals(0, r.exit(), r.out() + r.err());
      assertTrue(
          r.out().contains("6 messages, " + Units.size(octets) + ";"),
          Units.size(octets) + " in " + r.out());
      assertFalse(r.out().contains(" KB") || r.out().contains("KiB"), r.out());
    }
  }

  @Test
  void aNameThatDoesNotResolve_exitsWithHostNotFound_whichAPollRetries() throws IOException {
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(
              Map.of("MAIL_PW", PASSWORD),
              "doctor",
              "pop3s://alice@pop.nosuch.test",
              "--password-env",
              "MAIL_PW",
              "--dns",
              "127.0.0.1:" + dns.socketAddress().getPort(),
              "--ports",
              "1",
              "--json");
      assertEquals(FetchError.HOST_NOT_FOUND.exitCode(), r.exit(), r.out() + r.err());
      assertTrue(
          r.out().contains("\"symptom\":\"NO_SUCH_HOST\"")
              && r.out().contains("\"error\":\"HOST_NOT_FOUND\""),
          r.out());
    }
  }

  @Test
  void anExpiredCertificate_exitsWithCertificateInvalid_inJsonToo() throws IOException {
    Path ca = certs.writeCaPem(tmp);
    try (FakePop3Server s = server(TestCertificates.Profile.EXPIRED)) {
      String url = "pop3s://alice@localhost:" + s.port();
      FetchCommandTest.Run text =
          FetchCommandTest.mailfetch(
              Map.of("MAIL_PW", PASSWORD),
              "doctor",
              url,
              "--password-env",
              "MAIL_PW",
              "--ca-file",
              ca.toString(),
              "--ports",
              "1");
      assertEquals(FetchError.CERTIFICATE_INVALID.exitCode(), text.exit(), text.out() + text.err());
      assertTrue(
          text.out().contains("✗ The certificate has expired [CERTIFICATE_INVALID]"), text.out());
      assertTrue(
          text.out().contains("do:     Tell the provider to renew the certificate"), text.out());
      assertFalse(text.out().contains("at dev.mailfetch"), "no stack trace");
      FetchCommandTest.Run json =
          FetchCommandTest.mailfetch(
              Map.of("MAIL_PW", PASSWORD),
              "doctor",
              url,
              "--password-env",
              "MAIL_PW",
              "--ca-file",
              ca.toString(),
              "--ports",
              "1",
              "--json");
      assertEquals(text.exit(), json.exit());
      List<String> symptoms = new ArrayList<>();
      String healthy = null;
      int steps = 0;
      try (JsonParser p = new JsonFactory().createParser(json.out().strip())) {
        for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
          if (t == JsonToken.FIELD_NAME && p.currentName().equals("symptom")) {
            p.nextToken();
            symptoms.add(p.getText());
          } else if (t == JsonToken.FIELD_NAME && p.currentName().equals("healthy")) {
            p.nextToken();
            healthy = p.getText();
          } else if (t == JsonToken.FIELD_NAME && p.currentName().equals("stage")) {
            steps++;
          }
        }
      }
      assertEquals("false", healthy);
      assertEquals(7, steps);
      assertTrue(symptoms.contains("CERTIFICATE_EXPIRED"), json.out());
    }
  }

  @Test
  void aSelfSignedServer_isAdvisedTheCommandsOwnOption_neverABuilderCall() throws IOException {
    Path ca = certs.writeCaPem(tmp);
    try (FakePop3Server s = server(TestCertificates.Profile.SELF_SIGNED)) {
      String url = "pop3s://alice@localhost:" + s.port();
      FetchCommandTest.Run text =
          FetchCommandTest.mailfetch(
              Map.of("MAIL_PW", PASSWORD),
              "doctor",
              url,
              "--password-env",
              "MAIL_PW",
              "--ca-file",
              ca.toString(),
              "--ports",
              "1");
      assertEquals(FetchError.CERTIFICATE_INVALID.exitCode(), text.exit(), text.out() + text.err());
      assertTrue(
          text.out()
              .contains(
                  "do:     If this is your own or a private server, trust its certificate with"
                      + " --ca-file FILE"),
          text.out());
      assertFalse(text.out().contains("trustPem") || text.out().contains("--trust "), text.out());
      FetchCommandTest.Run json =
          FetchCommandTest.mailfetch(
              Map.of("MAIL_PW", PASSWORD),
              "doctor",
              url,
              "--password-env",
              "MAIL_PW",
              "--ca-file",
              ca.toString(),
              "--ports",
              "1",
              "--json");
      assertTrue(
          json.out()
              .contains(
                  "\"remedy\":\"If this is your own or a private server, trust its certificate"
                      + " with --ca-file FILE"),
          json.out());
    }
  }

  /**
   * Every option the doctor's advice names (it once advised --trust, which does not exist) is one
   * mailfetch has.
   */
  @Test
  void everyOptionTheDoctorAdvises_isAnOptionOfMailfetch() {
    CommandLine mailfetch = Main.withAllCommands();
    Set<String> options = new TreeSet<>();
    for (CommandLine sub : mailfetch.getSubcommands().values()) {
      options.addAll(sub.getCommandSpec().optionsMap().keySet());
    }
    Matcher named = Pattern.compile("(?<![\\w-])--[a-z][a-z-]*").matcher("");
    for (Symptom symptom : Symptom.values()) {
      named.reset(symptom.remedy().commandLine());
      while (named.find()) {
        assertTrue(
            options.contains(named.group()),
            symptom
                + " advises "
                + named.group()
                + ", which mailfetch"
                + " does not have: "
                + symptom.remedy().commandLine());
      }
    }
  }

  @Test
  void withoutAPassword_itStopsBeforeTheLogin_andSaysSo() throws IOException {
    Path ca = certs.writeCaPem(tmp);
    try (FakePop3Server s = server(TestCertificates.Profile.VALID)) {
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(
              Map.of(),
              "doctor",
              "pop3s://alice@localhost:" + s.port(),
              "--ca-file",
              ca.toString(),
              "--ports",
              "1");
      assertEquals(0, r.exit(), r.out() + r.err());
      assertTrue(r.out().contains("- login                     not tried"), r.out());
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      s.sessions()
          .forEach(
              session ->
                  assertTrue(
                      session.commandLines().stream()
                          .noneMatch(
                              l ->
                                  l.startsWith("USER")
                                      || l.startsWith("AUTH")
                                      || l.startsWith("PASS")),
                      "no login tried"));
    }
  }

  @Test
  void anAddressOnly_findsTheServerBySrv() throws IOException {
    Path ca = certs.writeCaPem(tmp);
    try (FakePop3Server s = server(TestCertificates.Profile.VALID);
        FakeDnsServer dns = FakeDnsServer.start()) {
      dns.address("localhost", "127.0.0.1")
          .srv("_pop3s._tcp.example.test", 0, 1, s.port(), "localhost");
      FetchCommandTest.Run r =
          FetchCommandTest.mailfetch(
              Map.of("MAIL_PW", PASSWORD),
              "doctor",
              "alice@example.test",
              "--password-env",
              "MAIL_PW",
              "--ca-file",
              ca.toString(),
              "--ports",
              "1",
              "--dns",
              "127.0.0.1:" + dns.socketAddress().getPort());
      // The account is alice@example.test, which the server does not know: the login fails, after
      // the server was found by its SRV record.
      assertTrue(
          r.out()
              .contains(
                  "found localhost:"
                      + s.port()
                      + " (implicit TLS) by SRV _pop3s._tcp.example.test"),
          r.out());
      assertEquals(FetchError.AUTH_FAILED.exitCode(), r.exit(), r.out());
    }
  }

  @Test
  void outOfRangeSamplesOrPorts_areBadArguments_notUnexpectedFailures() {
    FetchCommandTest.Run samples =
        FetchCommandTest.mailfetch(
            Map.of(), "doctor", "pop3s://alice@localhost:1", "--samples", "500");
    assertEquals(2, samples.exit(), samples.err());
    assertTrue(samples.err().contains("--samples must be from 0 to 100"), samples.err());
    FetchCommandTest.Run ports =
        FetchCommandTest.mailfetch(
            Map.of(), "doctor", "pop3s://alice@localhost:1", "--ports", "70000");
    assertEquals(2, ports.exit(), ports.err());
    assertTrue(ports.err().contains("a port is from 1 to 65535"), ports.err());
  }

  @Test
  void badArguments_exitTwo_inWords() {
    FetchCommandTest.Run r = FetchCommandTest.mailfetch(Map.of(), "doctor", "not an address");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("neither a URL"), r.err());
    FetchCommandTest.Run secret =
        FetchCommandTest.mailfetch(Map.of(), "doctor", "alice:hunter2@example.org");
    assertEquals(2, secret.exit());
    assertTrue(secret.err().contains("\"alice:***@example.org\" is neither a URL"), secret.err());
    assertFalse(secret.out().contains("hunter2") || secret.err().contains("hunter2"), secret.err());
    FetchCommandTest.Run slash =
        FetchCommandTest.mailfetch(Map.of(), "doctor", "pop3s:/alice@example.org");
    assertEquals(2, slash.exit());
    assertTrue(
        slash.err().contains("did you mean pop3s://alice@example.org?"), "not a user pop3s:/alice");
  }
}
