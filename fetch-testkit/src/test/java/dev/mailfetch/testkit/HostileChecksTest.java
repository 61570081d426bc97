package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each check of {@link HostileChecks} catches a client that breaks it, and passes one that does
 * not.
 */
@Timeout(30)
class HostileChecksTest {
  private static final Duration DEADLINE = Duration.ofSeconds(5);

  private static FakePop3Server server() {
    return FakePop3Server.builder()
        .account(
            "alice",
            "s3cret",
            FakeMailbox.create()
                .add("u1", "Subject: a\r\n\r\na\r\n".getBytes(StandardCharsets.US_ASCII))
                .add("u2", "Subject: b\r\n\r\nb\r\n".getBytes(StandardCharsets.US_ASCII)))
        .start();
  }

  private static void client(FakePop3Server s, String script) throws IOException {
    try (Socket sock = new Socket(s.host(), s.port())) {
      sock.setSoTimeout(5000);
      sock.getOutputStream().write(script.getBytes(StandardCharsets.US_ASCII));
      sock.getInputStream().readAllBytes();
    }
  }

  @Test
  void aWellBehavedClient_passes() throws IOException {
    try (FakePop3Server s = server()) {
      client(s, "USER alice\r\nPASS s3cret\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n");
      assertEquals(List.of(), HostileChecks.violations(s, List.of("s3cret"), true, DEADLINE));
    }
  }

  @Test
  void aSecretInPlainText_isCaught_unlessAllowed() throws IOException {
    try (FakePop3Server s = server()) {
      client(s, "USER alice\r\nPASS s3cret\r\nQUIT\r\n");
      assertEquals(
          List.of("session 1: a secret crossed a plain-text channel"),
          HostileChecks.violations(s, List.of("s3cret"), false, DEADLINE));
      assertEquals(List.of(), HostileChecks.violations(s, List.of("s3cret"), true, DEADLINE));
    }
  }

  @Test
  void aDeleForAMessageNeverSent_isCaught() throws IOException {
    try (FakePop3Server s = server()) {
      client(s, "USER alice\r\nPASS s3cret\r\nRETR 1\r\nDELE 1\r\nDELE 2\r\nQUIT\r\n");
      assertEquals(
          List.of("session 1: \"DELE 2\" for a message the server never finished sending"),
          HostileChecks.violations(s, List.of(), true, DEADLINE));
    }
  }

  @Test
  void aNumberNoListingAllows_isCaught() throws IOException {
    try (FakePop3Server s = server()) {
      client(s, "USER alice\r\nPASS s3cret\r\nRETR 0\r\nRETR 4294967296\r\nLIST 3\r\nQUIT\r\n");
      List<String> found = HostileChecks.violations(s, List.of(), true, DEADLINE);
      assertEquals(3, found.size(), found::toString);
      assertTrue(found.get(0).contains("\"RETR 0\" uses a message number RFC 1939 does not allow"));
    }
  }

  @Test
  void aSessionLongerThanTwiceTheDeadline_isCaught() throws Exception {
    try (FakePop3Server s = server()) {
      try (Socket sock = new Socket(s.host(), s.port())) {
        sock.setKeepAlive(true);
        Thread.sleep(450); // a client that holds the session well past its own deadline
      }
      List<String> found = HostileChecks.violations(s, List.of(), true, Duration.ofMillis(200));
      assertEquals(1, found.size(), found::toString);
      assertTrue(found.get(0).contains("more than twice the deadline PT0.2S"), found.get(0));
    }
  }
}
