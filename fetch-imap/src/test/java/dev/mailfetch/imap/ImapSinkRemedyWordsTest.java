package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import dev.mailfetch.testkit.imap.FakeImapServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The remedies of the IMAP sink name what the person configured: the sink's options ({@code
 * --sink-tls}, {@code --sink-trust-pem}, {@code --sink-password-env}) on the command line and
 * {@code ImapAppendSink.builder()} calls in the library, never the source's options; and {@code
 * check(passed)} tells the steps that passed before the one that failed.
 */
@Timeout(30)
class ImapSinkRemedyWordsTest {
  private FakeImapServer imap;

  @AfterEach
  void stop() throws IOException {
    if (imap != null) {
      imap.close();
    }
  }

  private ImapAppendSink.Builder sink(FakeImapServer.Builder server) {
    imap = server.account("alice", "imap-pw").start();
    return ImapAppendSink.builder().host("localhost").port(imap.port()).user("alice");
  }

  /** The check's failure; {@code passed} gets the steps before it. */
  private static FetchException failure(ImapAppendSink.Builder b, List<String> passed)
      throws IOException {
    try (ImapAppendSink sink = b.build()) {
      return assertThrows(FetchException.class, () -> sink.check(passed::add));
    }
  }

  private static void namesNoSourceOption(Remedy r) {
    for (String source :
        List.of("--tls ", "--allow-plaintext-auth", "--ca-file", "--timeout", "--password-env")) {
      assertFalse(r.commandLine().contains(source), source + " in: " + r.commandLine());
    }
  }

  @Test
  void startTlsNotOffered_advisesSinkTlsNone_andTheBuilderCall() throws IOException {
    List<String> passed = new ArrayList<>();
    FetchException e =
        failure(
            sink(FakeImapServer.builder())
                .security(ImapSecurity.STARTTLS)
                .password(() -> "imap-pw"),
            passed);
    assertEquals(FetchError.TLS_REQUIRED_NOT_OFFERED, e.error());
    assertTrue(e.remedy().commandLine().contains("--sink-tls none"), e.remedy().commandLine());
    namesNoSourceOption(e.remedy());
    assertTrue(
        e.remedy()
            .library()
            .contains("ImapAppendSink.builder().security(ImapSecurity.IMPLICIT_TLS)"),
        e.remedy().library());
    assertEquals(List.of(), passed, "nothing passed: STARTTLS is part of connecting");
  }

  @Test
  void aWrongPassword_advisesTheSinksSecretOptions_afterTheConnectionPassed() throws IOException {
    List<String> passed = new ArrayList<>();
    FetchException e =
        failure(
            sink(FakeImapServer.builder())
                .security(ImapSecurity.NONE)
                .allowPlaintextAuthentication(true)
                .password(() -> "wrong"),
            passed);
    assertEquals(FetchError.AUTH_FAILED, e.error());
    assertTrue(e.remedy().commandLine().contains("--sink-password-env"), e.remedy().commandLine());
    namesNoSourceOption(e.remedy());
    assertTrue(
        e.remedy().library().contains("given to ImapAppendSink.builder()"), e.remedy().library());
    assertEquals(List.of("connected to localhost:" + imap.port() + " without TLS"), passed);
  }

  @Test
  void anUntrustedCertificate_advisesSinkTrustPem() throws IOException {
    TestCertificates certs = TestCertificates.generate();
    FetchException e =
        failure(
            sink(FakeImapServer.builder().tls(TlsMode.IMPLICIT, certs)).password(() -> "imap-pw"),
            new ArrayList<>());
    assertEquals(FetchError.CERTIFICATE_INVALID, e.error());
    assertTrue(
        e.remedy().commandLine().contains("--sink-trust-pem FILE"), e.remedy().commandLine());
    namesNoSourceOption(e.remedy());
    assertTrue(
        e.remedy().library().contains("ImapAppendSink.builder().trustPem(Path)"),
        e.remedy().library());
  }
}
