package dev.mailfetch.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** SMTP over TLS from the first byte ({@link SmtpSecurity#IMPLICIT_TLS}, smtps://, RFC 8314). */
@Timeout(30)
class SmtpImplicitTlsTest {
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
        .security(SmtpSecurity.IMPLICIT_TLS)
        .trustPem(certs.writeCaPem(tmp))
        .user("bob")
        .password(() -> "secret")
        .recipients("bob@example.org")
        .build();
  }

  @Test
  void implicitTls_deliversOverTlsFromTheFirstByte_withoutStartTls() throws IOException {
    byte[] message = "Subject: smtps\n\nover TLS\n".getBytes(StandardCharsets.US_ASCII);
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp("AUTH PLAIN")
                .implicitTls(certs.serverContext(TestCertificates.Profile.VALID))
                .start();
        SmtpSink sink = sink(fake)) {
      List<String> steps = sink.check();
      assertTrue(
          steps
              .get(0)
              .startsWith("connected to SMTP server localhost:" + fake.port() + " over TLSv1."),
          steps.toString());
      Delivery d = sink.begin(new Envelope("a", "u", 0, Set.of(), false));
      d.write(ByteBuffer.wrap(message));
      d.complete(DeliveryKey.of("a", "u"));
      assertEquals(1, fake.messages().size());
      assertArrayEquals(
          "Subject: smtps\r\n\r\nover TLS\r\n".getBytes(StandardCharsets.US_ASCII),
          fake.messages().get(0),
          "the message as sent, line ends as SMTP carries them");
      assertEquals("EHLO localhost", fake.commands().get(0), "TLS first, then the greeting");
      assertTrue(fake.commands().stream().noneMatch(c -> c.equals("STARTTLS")));
    }
  }

  @Test
  void implicitTls_aCertificateForAnotherHost_isRefusedBeforeAnyCredential() throws IOException {
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp("AUTH PLAIN")
                .implicitTls(certs.serverContext(TestCertificates.Profile.WRONG_HOST))
                .start();
        SmtpSink sink = sink(fake)) {
      FetchException e = assertThrows(FetchException.class, sink::check);
      assertEquals(FetchError.CERTIFICATE_INVALID, e.error());
      assertTrue(e.detail().contains("another host name than localhost"), e.detail());
      assertTrue(fake.commands().isEmpty(), "nothing was sent: " + fake.commands());
    }
  }
}
