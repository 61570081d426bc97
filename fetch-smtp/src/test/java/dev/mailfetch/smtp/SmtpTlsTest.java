package dev.mailfetch.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.smtp.FakeSmtpServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** STARTTLS as the SMTP sink requires it: certificate and host name checked, injection ignored. */
@Timeout(30)
class SmtpTlsTest {
  static TestCertificates certs;
  @TempDir Path tmp;

  @BeforeAll
  static void certificates() {
    certs = TestCertificates.generate();
  }

  private SmtpSink sink(FakeSmtpServer fake) throws IOException {
    return SmtpSink.builder()
        .host("localhost")
        .port(fake.port())
        .trustPem(certs.writeCaPem(tmp))
        .user("bob")
        .password(() -> "secret")
        .recipients("bob@example.org")
        .build();
  }

  private static void deliver(SmtpSink sink) throws IOException {
    Delivery d = sink.begin(new Envelope("a", "u", 0, Set.of(), false));
    d.write(ByteBuffer.wrap("Subject: tls\n\nb\n".getBytes(StandardCharsets.US_ASCII)));
    d.complete(DeliveryKey.of("a", "u"));
  }

  @Test
  void startTls_ignoresWhatWasSentBeforeTheHandshake_andDeliversOverTls() throws IOException {
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp("STARTTLS", "AUTH PLAIN")
                .startTls(
                    certs.serverContext(TestCertificates.Profile.VALID),
                    "250-injected\r\n250 AUTH PLAIN\r\n")
                .start();
        SmtpSink sink = sink(fake)) {
      List<String> steps = sink.check();
      assertTrue(
          steps.stream().anyMatch(s -> s.startsWith("started TLS (TLSv1.")), steps.toString());
      deliver(sink);
      assertEquals(1, fake.messages().size());
      assertEquals(
          List.of("EHLO localhost", "STARTTLS", "EHLO localhost"),
          fake.commands().subList(0, 3),
          "after STARTTLS the client greets again and reads the server's answer, not the injection");
    }
  }

  @Test
  void aCertificateForAnotherHost_isCertificateInvalid_beforeAnyCredential() throws IOException {
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp("STARTTLS", "AUTH PLAIN")
                .startTls(certs.serverContext(TestCertificates.Profile.WRONG_HOST), "")
                .start();
        SmtpSink sink = sink(fake)) {
      FetchException e = assertThrows(FetchException.class, () -> deliver(sink));
      assertEquals(FetchError.CERTIFICATE_INVALID, e.error());
      assertFalse(fake.commands().stream().anyMatch(c -> c.startsWith("AUTH")));
      assertFalse(fake.commands().stream().anyMatch(c -> c.startsWith("MAIL")));
    }
  }
}
