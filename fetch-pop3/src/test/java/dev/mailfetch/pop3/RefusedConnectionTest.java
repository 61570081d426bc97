package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A port where nothing listens (a wrong port, a service that is down) is told apart from a
 * connection that broke: its own code and its own words, never the advice for a message cut off
 * mid-transfer. The port is a real loopback port, bound and closed again.
 */
@Timeout(30)
class RefusedConnectionTest {
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void aRefusedConnection_isConnectionRefused_namingThePort_notAConnectionReset()
      throws IOException {
    int port = closedPort();
    Pop3Source source =
        Pop3Source.builder()
            .host("127.0.0.1")
            .port(port)
            .user("alice")
            .password(() -> "pw")
            .limits(Pop3Limits.builder().connectTimeout(Duration.ofSeconds(5)).build())
            .build();
    FetchException e = assertThrows(FetchException.class, source::open);
    assertEquals(FetchError.CONNECTION_REFUSED, e.error(), e.getMessage());
    assertTrue(
        e.detail().contains("127.0.0.1:" + port) && e.detail().contains("refused"), e.detail());
    assertFalse(e.detail().toLowerCase(Locale.ROOT).contains("reset"), e.detail());
    assertTrue(
        e.remedy().commandLine().contains(Integer.toString(port)),
        "names the port tried: " + e.remedy());
    assertTrue(e.remedy().library().contains("port(int)"), e.remedy().library());
    assertFalse(
        e.remedy().commandLine().contains("message"),
        "not the advice for a message cut off: " + e.remedy());
  }

  @Test
  void theDoctor_reportsARefusedPort_withTheFetchsCode() throws IOException {
    int port = closedPort();
    Diagnosis d =
        Pop3Doctor.builder()
            .source(
                Pop3Source.builder()
                    .host("127.0.0.1")
                    .port(port)
                    .user("alice")
                    .password(() -> "pw")
                    .build())
            .otherPorts()
            .timeout(Duration.ofSeconds(3))
            .build()
            .examine();
    assertTrue(d.found(Symptom.CONNECTION_REFUSED), d.report());
    assertEquals(FetchError.CONNECTION_REFUSED.exitCode(), d.exitCode(), d.report());
  }
}
