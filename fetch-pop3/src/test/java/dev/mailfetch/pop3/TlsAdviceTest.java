package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.HostileCase;
import dev.mailfetch.testkit.Quirk;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the cause of a failed TLS setup is known, the words and the advice fit that cause: a STLS
 * refused for now is not a wrong port, an expired certificate is not another host name, a CA file
 * that holds another CA is not advised to give a CA file, and no Java text reaches a person.
 */
@Timeout(60)
class TlsAdviceTest {
  private static final TestCertificates CERTS = Pop3SourceTest.CERTS;

  private static FetchException open(
      HostileCase c, Security security, Consumer<Pop3Source.Builder> client) {
    return open(b -> c.applyTo(b, CERTS), security, client);
  }

  private static FetchException open(
      Consumer<FakePop3Server.Builder> server,
      Security security,
      Consumer<Pop3Source.Builder> client) {
    FakePop3Server.Builder b =
        FakePop3Server.builder().account("alice", "pw", FakeMailbox.create());
    server.accept(b);
    try (FakePop3Server s = b.start()) {
      Pop3Source.Builder sb =
          Pop3Source.builder()
              .host("localhost")
              .port(s.port())
              .security(security)
              .user("alice")
              .password(() -> "pw")
              .limits(
                  Pop3Limits.builder()
                      .readTimeout(Duration.ofSeconds(3))
                      .commandTimeout(Duration.ofSeconds(3))
                      .handshakeTimeout(Duration.ofSeconds(10))
                      .build());
      client.accept(sb);
      return assertThrows(FetchException.class, () -> sb.build().open());
    }
  }

  private static FetchException open(HostileCase c, Security security) {
    return open(c, security, b -> b.sslContext(CERTS.clientContext()));
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  /**
   * STLS agreed, then plain text: the provider's STARTTLS is broken, as the doctor says; not "use a
   * pop3:// URL".
   */
  @Test
  void N04_and_Q23_STLS_BROKEN_sayTheProvidersStarttlsIsBroken_notToUseWhatTheUserAlreadyUsed() {
    List<FetchException> all =
        List.of(
            open(HostileCase.N04_STLS_OK_WITHOUT_TLS, Security.STARTTLS),
            open(
                b -> b.quirk(Quirk.Q23_STLS_BROKEN),
                Security.STARTTLS,
                b -> b.sslContext(CERTS.clientContext())));
    for (FetchException e : all) {
      assertEquals(FetchError.TLS_FAILED, e.error(), e.getMessage());
      assertTrue(lower(e.detail()).contains("starttls is broken"), e.detail());
      String advice = e.remedy().commandLine();
      // Plain text after the +OK, or data already there with it (then possibly an injection, said
      // so too).
      assertTrue(
          lower(advice).contains("tell the provider")
              && lower(advice).contains("starttls")
              && advice.contains("pop3s://"),
          advice);
      assertFalse(
          advice.contains("use a pop3:// URL") || advice.contains("--tls starttls"), advice);
      assertFalse(
          e.remedy().library().contains("use security(Security.STARTTLS)"), e.remedy().library());
    }
  }

  @Test
  void N02_STLS_REFUSED_forNow_isAdvisedToTryLaterOrImplicitTls_notToCheckThePort() {
    FetchException e = open(HostileCase.N02_STLS_REFUSED, Security.STARTTLS);
    assertEquals(FetchError.TLS_FAILED, e.error(), e.getMessage());
    String advice = e.remedy().commandLine();
    assertTrue(lower(advice).contains("try again later") && advice.contains("pop3s://"), advice);
    assertFalse(advice.contains("TLS 1.0"), advice);
    assertTrue(e.remedy().library().contains("Security.IMPLICIT_TLS"), e.remedy().library());
  }

  @Test
  void N03_CAPA_AND_STLS_REFUSED_withACode_isAStlsRefused_notAStlsNotOffered() {
    FetchException e = open(HostileCase.N03_CAPA_AND_STLS_REFUSED, Security.STARTTLS);
    assertEquals(FetchError.TLS_FAILED, e.error(), e.getMessage());
    assertFalse(e.detail().contains("does not offer"), e.detail());
    assertTrue(
        lower(e.remedy().commandLine()).contains("try again later"), e.remedy().commandLine());
  }

  @Test
  void T06_OLD_TLS_ONLY_isSaidInWords_withoutTheJavaText() {
    FetchException e = open(HostileCase.T06_OLD_TLS_ONLY, Security.IMPLICIT_TLS);
    assertEquals(FetchError.TLS_FAILED, e.error(), e.getMessage());
    assertFalse(
        e.detail().contains("Remote host")
            || e.detail().contains("handshake_failure")
            || e.detail().contains("SSL"),
        e.detail());
    assertTrue(e.detail().contains("TLS 1.2"), e.detail());
    assertTrue(e.remedy().commandLine().contains("TLS 1.2"), e.remedy().commandLine());
  }

  @Test
  void T04_EXPIRED_isAdvisedToRenew_notToUseAnotherHostName() {
    FetchException e = open(HostileCase.T04_EXPIRED, Security.IMPLICIT_TLS);
    assertEquals(FetchError.CERTIFICATE_INVALID, e.error(), e.getMessage());
    assertTrue(e.detail().contains("expired"), e.detail());
    String advice = lower(e.remedy().commandLine());
    assertTrue(advice.contains("renew"), advice);
    assertFalse(advice.contains("host name") || advice.contains("--ca-file"), advice);
  }

  @Test
  void T03_WRONG_HOST_namesTheNamesTheCertificateHolds() {
    FetchException e = open(HostileCase.T03_WRONG_HOST, Security.IMPLICIT_TLS);
    assertEquals(FetchError.CERTIFICATE_INVALID, e.error(), e.getMessage());
    assertTrue(e.detail().contains("wrong-host.invalid"), e.detail());
    assertFalse(lower(e.remedy().commandLine()).contains("--ca-file"), e.remedy().commandLine());
  }

  @Test
  void aCaFileOfAnotherCa_isSaidSo_namingTheIssuer_notAdvisedToGiveACaFile(@TempDir Path dir)
      throws IOException {
    Path otherCa = TestCertificates.generate().writeCaPem(dir);
    FetchException e =
        open(b -> b.tls(TlsMode.IMPLICIT, CERTS), Security.IMPLICIT_TLS, b -> b.trustPem(otherCa));
    assertEquals(FetchError.CERTIFICATE_INVALID, e.error(), e.getMessage());
    assertTrue(e.detail().contains("issued by"), e.detail());
    String advice = e.remedy().commandLine();
    assertFalse(advice.contains("trust its CA with --ca-file FILE"), advice);
    assertTrue(advice.contains("--ca-file") && lower(advice).contains("issued"), advice);
  }
}
