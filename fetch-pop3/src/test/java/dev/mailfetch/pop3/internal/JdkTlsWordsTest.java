package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * The JDK's own words, from real handshakes on loopback: a JDK that words them otherwise fails
 * here.
 */
class JdkTlsWordsTest {
  /** A handshake with {@code server}, which must fail. */
  private static SSLException handshakeWith(ServerSocket server) throws Exception {
    Thread t =
        new Thread(
            () -> {
              try (Socket s = server.accept()) {
                if (s instanceof SSLSocket ssl) {
                  ssl.startHandshake();
                } else {
                  OutputStream out = s.getOutputStream();
                  out.write("+OK POP3 ready\r\n".getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  s.getInputStream().read(new byte[4096]);
                }
              } catch (IOException expected) {
                // the handshake fails on this side too
              }
            });
    t.start();
    try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        SSLSocket ssl =
            (SSLSocket)
                SSLContext.getDefault()
                    .getSocketFactory()
                    .createSocket(raw, "localhost", server.getLocalPort(), true)) {
      ssl.setSoTimeout(10_000);
      return assertThrows(SSLException.class, ssl::startHandshake);
    } finally {
      server.close();
      t.join(10_000);
    }
  }

  @Test
  void aServerWithoutACertificate_answersWithAnAlert_thatIsHeardAsOne() throws Exception {
    SSLServerSocket server =
        (SSLServerSocket)
            SSLContext.getDefault()
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
    SSLException e = handshakeWith(server);
    assertTrue(TlsFailure.alertReceived(e), e.getMessage());
    assertFalse(TlsFailure.notTls(e), e.getMessage());
  }

  @Test
  void aPlainTextGreeting_isHeardAsNoTls() throws Exception {
    SSLException e = handshakeWith(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
    assertTrue(TlsFailure.notTls(e), e.getMessage());
    assertFalse(TlsFailure.alertReceived(e), e.getMessage());
  }

  @Test
  void aResetIsTold_fromOtherFailuresToConnect() {
    assertTrue(ConnectFailure.reset(new SocketException("Connection reset")));
    assertFalse(ConnectFailure.reset(new SocketException("Network is unreachable")));
  }
}
