package dev.mailfetch.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.smtp.FakeSmtpServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The remedies of the SMTP and LMTP sinks name what the person configured: the sink's options
 * ({@code --recipient}, {@code --sink-tls}, {@code --sink-trust-pem}, {@code --sink-password-env})
 * on the command line, the sink's builder calls in the library; never the source's options. And
 * {@code check(passed)} tells the steps that passed before the one that failed.
 */
@Timeout(30)
class SinkRemedyWordsTest {

  /** No option of the source (POP3) may appear in a sink's advice. */
  private static void namesNoSourceOption(Remedy r) {
    for (String source :
        List.of(
            "--tls ",
            "--allow-plaintext-auth",
            "--ca-file",
            "--timeout",
            "--password-env",
            "a recipient in --to")) {
      assertFalse(r.commandLine().contains(source), source + " in: " + r.commandLine());
    }
  }

  @Test
  void aRecipientRefusedForGood_advisesRecipient_andCheckShowsTheStepsBeforeIt() throws Exception {
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp("PIPELINING")
                .on("RCPT TO:<nobody@", "550 5.1.1 no such user")
                .start();
        SmtpSink sink =
            SmtpSink.builder()
                .host("localhost")
                .port(fake.port())
                .security(SmtpSecurity.NONE)
                .recipients("nobody@example.org")
                .build()) {
      List<String> passed = new ArrayList<>();
      FetchException e = assertThrows(FetchException.class, () -> sink.check(passed::add));
      assertEquals(FetchError.SINK_REJECTED, e.error());
      Remedy r = e.remedy();
      assertTrue(r.commandLine().contains("--recipient"), r.commandLine());
      namesNoSourceOption(r);
      assertTrue(r.library().contains("SmtpSink.builder().recipients(...)"), r.library());
      assertEquals(
          List.of(
              "connected to SMTP server localhost:" + fake.port(),
              "the server offers PIPELINING",
              "the server takes mail from <>"),
          passed,
          "the steps before the refusal are told");
    }
  }

  @Test
  void startTlsNotOffered_advisesSinkTlsNone_andTheBuilderCall() throws Exception {
    try (FakeSmtpServer fake = FakeSmtpServer.smtp("PIPELINING").start();
        SmtpSink sink =
            SmtpSink.builder()
                .host("localhost")
                .port(fake.port())
                .recipients("bob@example.org")
                .build()) {
      List<String> passed = new ArrayList<>();
      FetchException e = assertThrows(FetchException.class, () -> sink.check(passed::add));
      assertEquals(FetchError.TLS_REQUIRED_NOT_OFFERED, e.error());
      Remedy r = e.remedy();
      assertTrue(r.commandLine().contains("--sink-tls none"), r.commandLine());
      namesNoSourceOption(r);
      assertTrue(
          r.library().contains("SmtpSink.builder().security(SmtpSecurity.IMPLICIT_TLS)"),
          r.library());
      assertEquals(List.of("connected to SMTP server localhost:" + fake.port()), passed);
    }
  }

  @Test
  void anUntrustedCertificate_advisesSinkTrustPem() throws Exception {
    TestCertificates certs = TestCertificates.generate();
    try (FakeSmtpServer fake =
            FakeSmtpServer.lmtp()
                .implicitTls(certs.serverContext(TestCertificates.Profile.VALID))
                .start();
        LmtpSink sink =
            LmtpSink.builder()
                .host("localhost")
                .port(fake.port())
                .security(SmtpSecurity.IMPLICIT_TLS)
                .recipients("bob@example.org")
                .build()) {
      FetchException e = assertThrows(FetchException.class, sink::check);
      assertEquals(FetchError.CERTIFICATE_INVALID, e.error());
      Remedy r = e.remedy();
      assertTrue(r.commandLine().contains("--sink-trust-pem FILE"), r.commandLine());
      namesNoSourceOption(r);
      assertTrue(r.library().contains("LmtpSink.builder().trustPem(Path)"), r.library());
    }
  }

  @Test
  void aRefusedLogin_advisesTheSinksSecretOptions() throws Exception {
    try (FakeSmtpServer fake =
            FakeSmtpServer.lmtp("AUTH PLAIN").on("AUTH", "535 5.7.8 bad credentials").start();
        LmtpSink sink =
            LmtpSink.builder()
                .host("localhost")
                .port(fake.port())
                .user("bob")
                .password(() -> "wrong")
                .allowPlaintextAuthentication(true)
                .recipients("bob")
                .build()) {
      List<String> passed = new ArrayList<>();
      FetchException e = assertThrows(FetchException.class, () -> sink.check(passed::add));
      assertEquals(FetchError.AUTH_FAILED, e.error());
      Remedy r = e.remedy();
      assertTrue(r.commandLine().contains("--sink-password-env"), r.commandLine());
      namesNoSourceOption(r);
      assertTrue(r.library().contains("LmtpSink.builder()"), r.library());
      assertEquals(2, passed.size(), "connected, and what it offers: " + passed);
    }
  }
}
