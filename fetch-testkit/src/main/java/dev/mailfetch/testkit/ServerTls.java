package dev.mailfetch.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSocket;

/** The server's side of a TLS handshake, at connect (implicit TLS) or after STLS (RFC 2595). */
final class ServerTls {
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

  private ServerTls() {}

  /**
   * Layers TLS over {@code socket} and completes the handshake as the server.
   *
   * @param early bytes the client sent before the switch and the server already read: the start of
   *     its ClientHello
   */
  static SSLSocket handshake(FakePop3Server.Settings s, Socket socket, byte[] early)
      throws IOException {
    SSLSocket ssl =
        (SSLSocket)
            s.sslContext
                .getSocketFactory()
                .createSocket(socket, new ByteArrayInputStream(early), true);
    ssl.setUseClientMode(false);
    if (s.tlsProtocols != null) {
      ssl.setEnabledProtocols(s.tlsProtocols.toArray(new String[0]));
    }
    int idle = socket.getSoTimeout();
    ssl.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
    ssl.startHandshake();
    ssl.setSoTimeout(idle);
    return ssl;
  }

  /** The host name the client asked for (SNI), or null. */
  static String sni(SSLSocket ssl) {
    String sni = null;
    if (ssl.getSession() instanceof ExtendedSSLSession) {
      for (SNIServerName name : ((ExtendedSSLSession) ssl.getSession()).getRequestedServerNames()) {
        if (name instanceof SNIHostName) {
          sni = ((SNIHostName) name).getAsciiName();
        }
      }
    }
    return sni;
  }
}
