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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TLS handshake has its deadline, which the command's {@code --timeout} sets: a server that
 * says nothing once TLS should begin (case N-09) is a server that does not answer, {@code
 * CONNECTION_TIMED_OUT}, said so; only one that ends the handshake at once is taken for one that
 * offers no TLS version this client accepts.
 */
@Timeout(60)
class HandshakeDeadlineTest {
  private static Pop3Source.Builder client(int port, Duration handshake) {
    return Pop3Source.builder()
        .host("localhost")
        .port(port)
        .security(Security.STARTTLS)
        .user("alice")
        .password(() -> "pw")
        .sslContext(Pop3SourceTest.CERTS.clientContext())
        .limits(
            Pop3Limits.builder()
                .readTimeout(Duration.ofSeconds(5))
                .commandTimeout(Duration.ofSeconds(5))
                .handshakeTimeout(handshake)
                .build());
  }

  @Test
  void
      N09_STLS_THEN_SILENCE_isATimeout_saidAsSilence_andTheCommandsTimeoutIsTheWayToGiveMoreTime() {
    try (FakePop3Server s =
        HostileCase.N09_STLS_THEN_SILENCE
            .applyTo(
                FakePop3Server.builder().account("alice", "pw", FakeMailbox.create()),
                Pop3SourceTest.CERTS)
            .start()) {
      long t0 = System.nanoTime();
      FetchException e =
          assertThrows(
              FetchException.class, () -> client(s.port(), Duration.ofSeconds(2)).build().open());
      long took = Duration.ofNanos(System.nanoTime() - t0).toMillis();
      assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error(), e.getMessage());
      assertTrue(took < 10_000, "bounded by the handshake's deadline: " + took + " ms");
      String detail = e.detail().toLowerCase(Locale.ROOT);
      assertTrue(
          detail.contains("did not answer")
              && detail.contains("tls handshake")
              && detail.contains("2 s"),
          detail);
      assertFalse(detail.contains("older"), detail);
      String advice = e.remedy().commandLine();
      assertTrue(advice.contains("--timeout SECONDS"), advice);
      assertFalse(advice.contains("no option"), "--timeout sets it: " + advice);
      assertTrue(e.remedy().library().contains("handshakeTimeout"), e.remedy().library());
    }
  }

  /**
   * Silent, then closed before the deadline: still a server that did not answer, not an old TLS.
   */
  @Test
  void aServerSilentThroughTheHandshake_thenClosing_isATimeout_notAnOldTlsVersion()
      throws Exception {
    try (StlsThen server = new StlsThen(Duration.ofSeconds(3))) {
      FetchException e =
          assertThrows(
              FetchException.class,
              () -> client(server.port(), Duration.ofSeconds(20)).build().open());
      assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error(), e.getMessage());
      String detail = e.detail().toLowerCase(Locale.ROOT);
      assertTrue(detail.contains("did not answer") && detail.contains("closed"), detail);
      assertFalse(detail.contains("older"), detail);
    }
  }

  /**
   * Closed at once after the client's first handshake message: most likely no TLS version in
   * common.
   */
  @Test
  void aServerClosingAtOnceInTheHandshake_isStillSaidAsNoTlsVersionInCommon() throws Exception {
    try (StlsThen server = new StlsThen(Duration.ZERO)) {
      FetchException e =
          assertThrows(
              FetchException.class,
              () -> client(server.port(), Duration.ofSeconds(20)).build().open());
      assertEquals(FetchError.TLS_FAILED, e.error(), e.getMessage());
      assertTrue(e.detail().contains("TLS 1.2"), e.detail());
    }
  }

  /** A POP3 server that agrees to STLS, then reads what comes for {@code silence} and closes. */
  private static final class StlsThen implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    private final Thread thread;

    StlsThen(Duration silence) throws IOException {
      thread =
          new Thread(
              () -> {
                try (Socket c = listener.accept()) {
                  OutputStream out = c.getOutputStream();
                  InputStream in = c.getInputStream();
                  BufferedReader lines =
                      new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII), 1);
                  out.write("+OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
                  for (String line; (line = lines.readLine()) != null; ) {
                    if (line.equalsIgnoreCase("CAPA")) {
                      out.write("+OK\r\nSTLS\r\nUSER\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
                    } else if (line.equalsIgnoreCase("STLS")) {
                      out.write("+OK begin TLS\r\n".getBytes(StandardCharsets.US_ASCII));
                      break;
                    } else {
                      out.write("-ERR no\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                  }
                  long end = System.nanoTime() + silence.toNanos();
                  in.read(); // the client's first handshake message
                  while (System.nanoTime() < end) {
                    c.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
                    try {
                      if (in.read(new byte[4096]) < 0) {
                        return;
                      }
                    } catch (SocketTimeoutException done) {
                      break;
                    }
                  }
                } catch (IOException e) {
                  // the client left: nothing more to do
                }
              },
              "stls-then");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      listener.close();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
