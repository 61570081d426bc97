package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.imap.ImapDiagnosis.Stage;
import dev.mailfetch.imap.ImapDiagnosis.Status;
import dev.mailfetch.testkit.FakeDnsServer;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.RequiresDovecot;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import dev.mailfetch.testkit.imap.FakeImapServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ImapDoctor walks the stages of a fetch from IMAP against real servers (GreenMail in the JVM, a
 * private Dovecot on loopback) and the testkit's fakes (FakeImapServer's certificates,
 * FakeDnsServer for RFC 6186 SRV records): each finding, its stage, and the exit code a fetch would
 * end with.
 */
@Timeout(60)
class ImapDoctorTest {
  private static final TestCertificates CERTS = TestCertificates.generate();

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class AgainstGreenMail {
    private GreenMail greenMail;

    @BeforeAll
    void start() throws Exception {
      greenMail = new GreenMail(ServerSetupTest.IMAP.dynamicPort());
      greenMail.start();
      GreenMailUser alice = greenMail.setUser("alice@localhost", "alice", "greenmail-pw");
      for (int i = 0; i < 3; i++) {
        alice.deliver(GreenMailUtil.newMimeMessage("Subject: s" + i + "\r\n\r\nbody\r\n"));
      }
    }

    @AfterAll
    void stop() {
      greenMail.stop();
    }

    private ImapDoctor.Builder doctor(String password) {
      return ImapDoctor.builder()
          .host("127.0.0.1")
          .port(greenMail.getImap().getPort())
          .security(ImapSecurity.NONE)
          .allowPlaintextAuthentication(true)
          .user("alice")
          .password(() -> password)
          .timeout(Duration.ofSeconds(5));
    }

    @Test
    void aWorkingAccount_logsIn_countsTheFolder_andWarnsOnlyOfNoEncryption() throws Exception {
      ImapDiagnosis d = doctor("greenmail-pw").build().examine();
      assertTrue(d.healthy(), d.report());
      assertEquals(0, d.exitCode());
      assertTrue(d.found(ImapSymptom.LOGGED_IN), d.report());
      assertTrue(d.found(ImapSymptom.NOT_ENCRYPTED), d.report());
      assertTrue(d.step(Stage.DNS).summary().endsWith("is an address; no DNS needed"));
      String folders = d.step(Stage.FOLDERS).summary();
      assertTrue(
          folders.matches(".*INBOX: [1-9][0-9]* messages, .*UIDVALIDITY [0-9]+, UIDNEXT [0-9]+"),
          folders);
      assertTrue(d.report(ImapDiagnosis.Reader.COMMAND_LINE).contains("imaps://"), d.report());
    }

    @Test
    void aWrongPassword_isLoginRefused_withTheFetchsExitCode() {
      ImapDiagnosis d = doctor("n0t-the-Pa55word").build().examine();
      assertTrue(d.found(ImapSymptom.LOGIN_REFUSED), d.report());
      assertEquals(FetchError.AUTH_FAILED.exitCode(), d.exitCode());
      assertEquals(Status.SKIPPED, d.step(Stage.FOLDERS).status());
      assertFalse(d.report().contains("n0t-the-Pa55word"), "the password is never shown");
    }

    @Test
    void aFolderThatDoesNotExist_isNamed_withTheFoldersTheServerLists() {
      ImapDiagnosis d =
          doctor("greenmail-pw")
              .folders(ImapFolders.named("INBOX", "Lists/java"))
              .build()
              .examine();
      assertTrue(d.found(ImapSymptom.FOLDER_MISSING), d.report());
      String seen =
          d.findings().stream()
              .filter(f -> f.symptom() == ImapSymptom.FOLDER_MISSING)
              .findFirst()
              .orElseThrow()
              .evidence();
      assertTrue(seen.contains("Lists/java") && seen.contains("INBOX"), seen);
      assertEquals(FetchError.CONFIGURATION.exitCode(), d.exitCode());
    }

    @Test
    void withoutAPassword_theLoginIsNotTried_andTheExtensionsAreThoseBeforeIt() {
      ImapDiagnosis d =
          ImapDoctor.builder()
              .host("127.0.0.1")
              .port(greenMail.getImap().getPort())
              .security(ImapSecurity.NONE)
              .build()
              .examine();
      assertTrue(d.found(ImapSymptom.LOGIN_NOT_TRIED), d.report());
      assertEquals(Status.SKIPPED, d.step(Stage.AUTHENTICATION).status());
      assertTrue(d.step(Stage.COMPLIANCE).summary().contains("before the login"), d.report());
      assertEquals(0, d.exitCode());
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @RequiresDovecot(PrivateDovecot.Service.IMAP)
  class AgainstDovecot {
    private PrivateDovecot dovecot;
    private Path pem;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
      assumeTrue(
          PrivateDovecot.whyUnavailable(PrivateDovecot.Service.IMAP).isEmpty(),
          () -> PrivateDovecot.whyUnavailable(PrivateDovecot.Service.IMAP).orElse(""));
      dovecot = PrivateDovecot.start(EnumSet.of(PrivateDovecot.Service.IMAP), m -> {}, CERTS);
      pem = CERTS.writeCaPem(dir);
    }

    @AfterAll
    void stop() throws Exception {
      if (dovecot != null) {
        dovecot.stop();
      }
    }

    private ImapDoctor.Builder doctor() {
      return ImapDoctor.builder()
          .host("localhost")
          .user(PrivateDovecot.USER)
          .password(() -> PrivateDovecot.PASSWORD)
          .timeout(Duration.ofSeconds(5));
    }

    @Test
    void implicitTls_isHealthy_describesTheCertificate_andTheExtensionsDovecotOffers() {
      ImapDiagnosis d = doctor().port(dovecot.imapsPort()).trustPem(pem).build().examine();
      assertTrue(d.healthy(), d.report());
      assertTrue(d.found(ImapSymptom.TLS_ESTABLISHED), d.report());
      assertTrue(d.step(Stage.TLS).summary().contains("certificate for localhost"), d.report());
      String ext = d.step(Stage.COMPLIANCE).summary();
      assertTrue(ext.startsWith("offered: UIDPLUS, MOVE, IDLE, CONDSTORE"), ext);
      assertTrue(d.step(Stage.FOLDERS).summary().contains("INBOX: 0 messages"), d.report());
    }

    @Test
    void starttls_isSaidSo() {
      ImapDiagnosis d =
          doctor()
              .port(dovecot.imapPort())
              .security(ImapSecurity.STARTTLS)
              .trustPem(pem)
              .build()
              .examine();
      assertTrue(d.healthy(), d.report());
      assertTrue(d.step(Stage.TLS).summary().contains("after STARTTLS"), d.report());
    }

    @Test
    void aCertificateOfAnUnknownAuthority_isUntrusted_andNoPasswordIsSent() {
      ImapDiagnosis d = doctor().port(dovecot.imapsPort()).build().examine();
      assertTrue(d.found(ImapSymptom.CERTIFICATE_UNTRUSTED), d.report());
      assertEquals(FetchError.CERTIFICATE_INVALID.exitCode(), d.exitCode());
      assertEquals(Status.SKIPPED, d.step(Stage.AUTHENTICATION).status());
    }

    @Test
    void aDoctorOfASource_examinesItsServer_trust_login_andFolders() {
      ImapSource source =
          ImapSource.builder()
              .host("localhost")
              .port(dovecot.imapPort())
              .security(ImapSecurity.STARTTLS)
              .trustPem(pem)
              .user(PrivateDovecot.USER)
              .password(() -> PrivateDovecot.PASSWORD)
              .folders(ImapFolders.named("INBOX", "Lists/java"))
              .build();
      ImapDiagnosis d =
          ImapDoctor.builder().source(source).timeout(Duration.ofSeconds(5)).build().examine();
      assertEquals("localhost:" + dovecot.imapPort(), d.server());
      assertTrue(d.step(Stage.TLS).summary().contains("after STARTTLS"), d.report());
      assertTrue(d.step(Stage.TLS).summary().contains("certificate for localhost"), d.report());
      assertTrue(d.found(ImapSymptom.LOGGED_IN), d.report());
      assertTrue(d.found(ImapSymptom.FOLDER_MISSING), "the source's folders: " + d.report());
      assertEquals(FetchError.CONFIGURATION.exitCode(), d.exitCode());
    }

    @Test
    void theDomainsSrvRecords_findTheServer() throws Exception {
      try (FakeDnsServer dns = FakeDnsServer.start()) {
        dns.srv("_imaps._tcp.example.test", 0, 1, dovecot.imapsPort(), "localhost")
            .address("localhost", "127.0.0.1");
        ImapDiagnosis d =
            ImapDoctor.builder()
                .host("example.test")
                .discoverServer(true)
                .dnsServer(dns.socketAddress())
                .user(PrivateDovecot.USER)
                .password(() -> PrivateDovecot.PASSWORD)
                .trustPem(pem)
                .timeout(Duration.ofSeconds(5))
                .build()
                .examine();
        assertTrue(d.healthy(), d.report());
        assertTrue(d.found(ImapSymptom.SRV_PUBLISHED), d.report());
        assertEquals("localhost:" + dovecot.imapsPort(), d.server());
        assertTrue(d.step(Stage.DNS).summary().contains("by SRV _imaps._tcp.example.test"));
      }
    }
  }

  @Test
  void aDomainWithoutRecords_hasNoImapServer_andANameThatDoesNotExist_isNoSuchHost()
      throws Exception {
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      ImapDiagnosis none =
          ImapDoctor.builder()
              .host("nothing.test")
              .discoverServer(true)
              .dnsServer(dns.socketAddress())
              .timeout(Duration.ofSeconds(3))
              .build()
              .examine();
      assertTrue(none.found(ImapSymptom.SRV_NONE), none.report());
      assertEquals(FetchError.CONFIGURATION.exitCode(), none.exitCode());
      ImapDiagnosis missing =
          ImapDoctor.builder()
              .host("imap.nosuch.test")
              .dnsServer(dns.socketAddress())
              .timeout(Duration.ofSeconds(3))
              .build()
              .examine();
      assertTrue(missing.found(ImapSymptom.NO_SUCH_HOST), missing.report());
      assertEquals(Status.SKIPPED, missing.step(Stage.TCP).status());
    }
  }

  @Test
  void dnsTrouble_isToldApart_noAddress_noAnswer_anInvalidAddress_andAServiceNotOffered()
      throws Exception {
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      dns.exists("imap.example.test").srv("_imaps._tcp.example.test", 0, 0, 0, ".");
      ImapDiagnosis noAddress = quick(dns).host("imap.example.test").build().examine();
      assertTrue(noAddress.found(ImapSymptom.NO_ADDRESS), noAddress.report());
      ImapDiagnosis notOffered =
          quick(dns).host("127.0.0.1").port(1).srvDomain("example.test").build().examine();
      assertTrue(notOffered.found(ImapSymptom.SRV_NOT_OFFERED), notOffered.report());
      ImapDiagnosis invalid = quick(dns).host("999.1.1.1").build().examine();
      assertTrue(invalid.found(ImapSymptom.ADDRESS_INVALID), invalid.report());
      assertEquals(FetchError.CONFIGURATION.exitCode(), invalid.exitCode());
      dns.silent(true);
      ImapDiagnosis silent = quick(dns).host("imap.example.test").build().examine();
      assertTrue(silent.found(ImapSymptom.DNS_NO_ANSWER), silent.report());
    }
  }

  private static ImapDoctor.Builder quick(FakeDnsServer dns) {
    return ImapDoctor.builder().dnsServer(dns.socketAddress()).timeout(Duration.ofSeconds(1));
  }

  @Test
  void aPop3Port_doesNotSpeakImap() throws Exception {
    try (FakePop3Server pop3 = FakePop3Server.builder().start()) {
      ImapDiagnosis d =
          ImapDoctor.builder()
              .host("127.0.0.1")
              .port(pop3.port())
              .security(ImapSecurity.NONE)
              .timeout(Duration.ofSeconds(3))
              .build()
              .examine();
      assertTrue(d.found(ImapSymptom.NOT_IMAP), d.report());
      assertEquals(FetchError.PROTOCOL.exitCode(), d.exitCode());
    }
  }

  @Test
  void aSettingsPortThatDiffersFromTheSrvRecord_isWarned() throws Exception {
    try (FakeDnsServer dns = FakeDnsServer.start();
        FakeImapServer server =
            FakeImapServer.builder().account("alice", "pw").tls(TlsMode.IMPLICIT, CERTS).start()) {
      dns.srv("_imaps._tcp.example.test", 0, 1, 993, "imap.example.test")
          .address("localhost", "127.0.0.1");
      ImapDiagnosis d =
          ImapDoctor.builder()
              .host("localhost")
              .port(server.port())
              .srvDomain("example.test")
              .dnsServer(dns.socketAddress())
              .sslContext(CERTS.clientContext())
              .timeout(Duration.ofSeconds(3))
              .build()
              .examine();
      assertTrue(d.found(ImapSymptom.SRV_DIFFERS), d.report());
      assertEquals(Status.WARNING, d.step(Stage.DNS).status());
    }
  }

  @Test
  void aClosedPort_isConnectionRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ImapDiagnosis d =
        ImapDoctor.builder()
            .host("127.0.0.1")
            .port(port)
            .timeout(Duration.ofSeconds(3))
            .build()
            .examine();
    assertTrue(d.found(ImapSymptom.CONNECTION_REFUSED), d.report());
    assertEquals(FetchError.CONNECTION_REFUSED.exitCode(), d.exitCode());
  }

  @Test
  void certificateTrouble_isSaidInPlainWords() throws Exception {
    Path dir = Files.createTempDirectory("i20-cli-doctor");
    Path ca = CERTS.writeCaPem(dir);
    check(TestCertificates.Profile.EXPIRED, ca, ImapSymptom.CERTIFICATE_EXPIRED);
    check(TestCertificates.Profile.WRONG_HOST, ca, ImapSymptom.CERTIFICATE_WRONG_HOST);
    check(TestCertificates.Profile.SELF_SIGNED, ca, ImapSymptom.CERTIFICATE_SELF_SIGNED);
    check(TestCertificates.Profile.NOT_YET_VALID, ca, ImapSymptom.CERTIFICATE_NOT_YET_VALID);
  }

  private static void check(TestCertificates.Profile profile, Path ca, ImapSymptom expected)
      throws Exception {
    try (FakeImapServer server =
        FakeImapServer.builder()
            .account("alice", "pw")
            .tls(TlsMode.IMPLICIT, CERTS, profile)
            .start()) {
      ImapDiagnosis d =
          ImapDoctor.builder()
              .host("localhost")
              .port(server.port())
              .trustPem(ca)
              .user("alice")
              .password(() -> "pw")
              .timeout(Duration.ofSeconds(3))
              .build()
              .examine();
      assertTrue(d.found(expected), profile + ":\n" + d.report());
      assertEquals(FetchError.CERTIFICATE_INVALID.exitCode(), d.exitCode());
      assertTrue(server.sessions().stream().noneMatch(s -> s.toString().contains("LOGIN")));
    }
  }

  @Test
  void plainTextOnTheTlsPort_andNoStarttls_areTheEncryptionStagesFindings() throws Exception {
    try (FakeImapServer server = FakeImapServer.builder().account("alice", "pw").start()) {
      ImapDiagnosis tlsToPlain =
          ImapDoctor.builder()
              .host("localhost")
              .port(server.port())
              .timeout(Duration.ofSeconds(3))
              .build()
              .examine();
      assertTrue(tlsToPlain.found(ImapSymptom.TLS_TO_PLAIN_PORT), tlsToPlain.report());
      ImapDiagnosis noStarttls =
          ImapDoctor.builder()
              .host("localhost")
              .port(server.port())
              .security(ImapSecurity.STARTTLS)
              .timeout(Duration.ofSeconds(3))
              .build()
              .examine();
      assertTrue(noStarttls.found(ImapSymptom.STARTTLS_NOT_OFFERED), noStarttls.report());
      assertEquals(FetchError.TLS_REQUIRED_NOT_OFFERED.exitCode(), noStarttls.exitCode());
    }
  }

  @Test
  void aServerWithoutTheExtensions_isToldWhatThatMeans() throws Exception {
    try (FakeImapServer server =
        FakeImapServer.builder().account("alice", "pw").capabilities("AUTH=PLAIN").start()) {
      ImapDiagnosis d =
          ImapDoctor.builder()
              .host("127.0.0.1")
              .port(server.port())
              .security(ImapSecurity.NONE)
              .login(false)
              .timeout(Duration.ofSeconds(3))
              .build()
              .examine();
      for (ImapSymptom s :
          new ImapSymptom[] {
            ImapSymptom.NO_UIDPLUS,
            ImapSymptom.NO_MOVE,
            ImapSymptom.NO_IDLE,
            ImapSymptom.NO_CONDSTORE,
            ImapSymptom.NO_SPECIAL_USE
          }) {
        assertTrue(d.found(s), s + "\n" + d.report());
      }
      assertEquals(Status.WARNING, d.step(Stage.COMPLIANCE).status());
      assertTrue(d.found(ImapSymptom.NO_IMAP_REVISION), d.report());
      assertTrue(d.healthy(), "missing extensions do not stop a fetch");
    }
  }
}
