package dev.mailfetch.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builders check each setting when it is given, refuse it twice, and the whole at build. */
class SinkBuilderTest {
  @TempDir Path tmp;

  @Test
  void aSettingGivenTwice_isRefused_showingTheFirst() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> SmtpSink.builder().host("a.example").host("b.example"));
    assertEquals("host was already set to a.example", e.getMessage());
    assertEquals(
        "password was already set",
        assertThrows(
                IllegalStateException.class,
                () -> LmtpSink.builder().password(() -> "x").password(() -> "y"))
            .getMessage());
    assertThrows(
        IllegalStateException.class,
        () ->
            SmtpLimits.builder()
                .replyTimeout(Duration.ofSeconds(1))
                .replyTimeout(Duration.ofSeconds(2)));
  }

  @Test
  void badValues_areRefusedWhenGiven() {
    assertThrows(IllegalArgumentException.class, () -> SmtpSink.builder().port(0));
    assertThrows(IllegalArgumentException.class, () -> SmtpSink.builder().recipients());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> SmtpSink.builder().recipients("no-at-sign"));
    assertTrue(e.getMessage().contains("no-at-sign"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> SmtpSink.builder().sender("a b@example.org"));
    assertThrows(IllegalArgumentException.class, () -> SmtpSink.builder().host("a\r\nRSET"));
    assertThrows(IllegalArgumentException.class, () -> SmtpLimits.builder().maxReplyLine(10));
  }

  @Test
  void aBareLocalPart_isARecipientOfLmtp_butNotOfSmtp() {
    LmtpSink.builder().recipients("alice"); // Dovecot's LMTP delivers to its user alice
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SmtpSink.builder().recipients("alice"));
    assertTrue(e.getMessage().contains("local-part@domain"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LmtpSink.builder().recipients("al ice"));
    assertThrows(IllegalArgumentException.class, () -> LmtpSink.builder().recipients("al>ice"));
  }

  @Test
  void aPemFileWithoutCertificates_isRefusedNamingIt() throws Exception {
    Path pem = Files.writeString(tmp.resolve("empty.pem"), "not a certificate\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SmtpSink.builder().trustPem(pem));
    assertTrue(e.getMessage().contains("empty.pem"), e.getMessage());
  }

  @Test
  void contradictions_areRefusedAtBuild() {
    assertThrows(
        IllegalStateException.class,
        () -> SmtpSink.builder().host("h.example").build(),
        "recipients are required");
    assertThrows(
        IllegalStateException.class,
        () -> LmtpSink.builder().socket(Path.of("/run/lmtp")).host("h.example"));
    assertThrows(
        IllegalStateException.class,
        () ->
            LmtpSink.builder()
                .socket(Path.of("/run/lmtp"))
                .security(SmtpSecurity.STARTTLS)
                .recipients("a@example.org")
                .build());
    IllegalStateException plain =
        assertThrows(
            IllegalStateException.class,
            () ->
                SmtpSink.builder()
                    .host("h.example")
                    .security(SmtpSecurity.NONE)
                    .user("u")
                    .password(() -> "p")
                    .recipients("a@example.org")
                    .build());
    assertTrue(plain.getMessage().contains("allowPlaintextAuthentication(true)"));
    assertThrows(
        IllegalStateException.class,
        () -> SmtpSink.builder().host("h.example").user("u").recipients("a@example.org").build());
  }

  @Test
  void aUnixSocketSink_takesCredentialsWithoutTls() {
    LmtpSink sink =
        LmtpSink.builder()
            .socket(Path.of("/run/lmtp"))
            .user("u")
            .password(() -> "p")
            .recipients("a@example.org")
            .build();
    assertTrue(sink.toString().contains("the socket /run/lmtp"), sink.toString());
  }
}
