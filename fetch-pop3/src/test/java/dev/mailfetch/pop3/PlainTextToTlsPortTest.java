package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.RecordedSession;
import dev.mailfetch.testkit.TlsMode;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code pop3://} URL (STARTTLS, or no encryption) aimed at a port that speaks TLS from the first
 * byte: the server waits for a handshake and never greets, and the fetch must say so as the doctor
 * does (PLAIN_TO_TLS_PORT, TLS_FAILED) with the setting to change, never as a connection cut off in
 * the middle of a message. The fetch finds it out by trying a handshake on a second connection,
 * which is closed right after it, before any byte of POP3 and whatever the certificate.
 */
@Timeout(60)
class PlainTextToTlsPortTest {
  private static void expectTlsPortAdvice(Security security) {
    try (FakePop3Server tls =
        FakePop3Server.builder()
            .account("alice", "pw", FakeMailbox.create())
            .tls(TlsMode.IMPLICIT, Pop3SourceTest.CERTS)
            .start()) {
      Pop3Source.Builder b =
          Pop3Source.builder()
              .host("localhost")
              .port(tls.port())
              .security(security)
              .user("alice")
              .password(() -> "pw")
              .sslContext(Pop3SourceTest.CERTS.clientContext())
              .limits(
                  Pop3Limits.builder()
                      .readTimeout(Duration.ofSeconds(3))
                      .commandTimeout(Duration.ofSeconds(3))
                      .build());
      if (security == Security.NONE) {
        b.allowPlaintextAuthentication(true);
      }
      FetchException e = assertThrows(FetchException.class, () -> b.build().open());
      assertEquals(FetchError.TLS_FAILED, e.error(), e.getMessage());
      assertTrue(
          e.detail().contains("port " + tls.port())
              && e.detail().contains("TLS from the first byte"),
          e.detail());
      assertTrue(
          e.remedy().commandLine().contains("pop3s://")
              && e.remedy().commandLine().contains("--tls implicit"),
          e.remedy().commandLine());
      assertTrue(e.remedy().library().contains("Security.IMPLICIT_TLS"), e.remedy().library());
      assertFalse(
          e.remedy().commandLine().toLowerCase(Locale.ROOT).contains("cut off"),
          e.remedy().commandLine());
      tls.awaitSessionsEnded(Duration.ofSeconds(10));
      for (RecordedSession s : tls.sessions()) {
        assertTrue(
            s.commandLines().isEmpty(), "no command reached the server: " + s.commandLines());
      }
    }
  }

  @Test
  void starttlsToAnImplicitTlsPort_isTlsFailed_namingPop3sAndTlsImplicit() {
    expectTlsPortAdvice(Security.STARTTLS);
  }

  @Test
  void plainTextToAnImplicitTlsPort_isTlsFailed_namingPop3sAndTlsImplicit() {
    expectTlsPortAdvice(Security.NONE);
  }
}
