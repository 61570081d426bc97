package dev.mailfetch.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link SmtpSink}'s login, check and trace against GreenMail's SMTP server. */
class SmtpSinkGreenMailTest {
  private GreenMail greenMail;

  @BeforeEach
  void start() {
    greenMail = new GreenMail(ServerSetup.SMTP.dynamicPort());
    greenMail.start();
    greenMail.setUser("bob@example.org", "bob", "right password");
  }

  @AfterEach
  void stop() {
    greenMail.stop();
  }

  private SmtpSink.Builder sink(String password) {
    return SmtpSink.builder()
        .host("127.0.0.1")
        .port(greenMail.getSmtp().getPort())
        .security(SmtpSecurity.NONE)
        .allowPlaintextAuthentication(true)
        .user("bob")
        .password(() -> password)
        .sender("fetch@example.org")
        .recipients("bob@example.org");
  }

  @Test
  void check_namesEachStepThatPassed() throws Exception {
    try (SmtpSink sink = sink("right password").build()) {
      List<String> steps = sink.check();
      assertTrue(steps.get(0).startsWith("connected to SMTP server 127.0.0.1:"), steps.toString());
      assertTrue(steps.contains("logged in as bob with AUTH PLAIN"), steps.toString());
      assertTrue(steps.contains("the server takes mail for bob@example.org"), steps.toString());
      assertEquals(0, greenMail.getReceivedMessages().length, "check sends no message");
    }
  }

  @Test
  void aRefusedLogin_isAuthFailed_andNoMessageIsSent() throws Exception {
    try (SmtpSink sink = sink("wrong password").build()) {
      Delivery d = sink.begin(new Envelope("a", "u", 0, Set.of(), false));
      d.write(ByteBuffer.wrap("Subject: x\n\nb\n".getBytes(StandardCharsets.US_ASCII)));
      FetchException e =
          assertThrows(FetchException.class, () -> d.complete(DeliveryKey.of("a", "u")));
      assertEquals(FetchError.AUTH_FAILED, e.error());
      assertFalse(e.getMessage().contains("wrong password"));
      assertEquals(0, greenMail.getReceivedMessages().length);
    }
  }

  @Test
  void theTrace_showsTheSession_butNeverTheCredentials() throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (SmtpSink sink = sink("right password").build()) {
      sink.check();
    } finally {
      System.setErr(err);
    }
    String trace = captured.toString(StandardCharsets.UTF_8);
    assertTrue(trace.contains("C: AUTH PLAIN <redacted>"), trace);
    assertTrue(trace.contains("S: 235"), trace);
    assertFalse(trace.contains("right password"), trace);
    String plain =
        Base64.getEncoder()
            .encodeToString("\0bob\0right password".getBytes(StandardCharsets.UTF_8));
    assertFalse(trace.contains(plain), trace);
  }
}
