package dev.mailfetch.testkit.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The server's side of a TLS handshake, at connect (implicit TLS) or after STLS (RFC 2595) or
 * STARTTLS (RFC 9051 §6.2.1): one implementation for the testkit's fake POP3 and IMAP servers. Not
 * exported.
 */
public final class ServerTls {
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

  private ServerTls() {}

  /**
   * Layers TLS over {@code socket} and completes the handshake as the server.
   *
   * @param protocols the TLS versions offered, or null for the JDK's
   * @param early bytes the client sent before the switch and the server already read: the start of
   *     its ClientHello
   */
  public static SSLSocket handshake(
      SSLContext context, List<String> protocols, Socket socket, byte[] early) throws IOException {
    SSLSocket ssl =
        (SSLSocket)
            context.getSocketFactory().createSocket(socket, new ByteArrayInputStream(early), true);
    ssl.setUseClientMode(false);
    if (protocols != null) {
      ssl.setEnabledProtocols(protocols.toArray(new String[0]));
    }
    int idle = socket.getSoTimeout();
    ssl.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
    ssl.startHandshake();
    ssl.setSoTimeout(idle);
    return ssl;
  }

  /** The host name the client asked for (SNI), or null. */
  public static String sni(SSLSocket ssl) {
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
