package dev.mailfetch.api.internal.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The TLS handshake over a connected socket, as every protocol of mailfetch makes it: TLS 1.2 or
 * later (RFC 8996, 8314), SNI unless the host is an address, the host name checked against the
 * certificate (endpoint identification "HTTPS", RFC 6125), within a deadline of its own.
 */
public final class TlsHandshake {
  private TlsHandshake() {}

  /**
   * Secures {@code socket}, connected to {@code host} ({@code port}), and returns the TLS socket
   * over it, its read timeout left at {@code handshakeTimeout} for the caller to set.
   *
   * @param context the trust to use; null for the JDK's default
   * @throws javax.net.ssl.SSLException when the handshake fails (the caller words it with {@link
   *     TlsFailure})
   * @throws java.net.SocketTimeoutException when the server stays silent past {@code
   *     handshakeTimeout}
   * @throws NoSuchAlgorithmException when this JDK has no TLS
   */
  public static SSLSocket secure(
      Socket socket, String host, int port, SSLContext context, Duration handshakeTimeout)
      throws IOException, NoSuchAlgorithmException {
    SSLContext ctx = context != null ? context : SSLContext.getDefault();
    SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(socket, host, port, true);
    SSLParameters p = ssl.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS"); // host name checked against the certificate
    if (!isAddress(host)) {
      p.setServerNames(List.of(new SNIHostName(host)));
    }
    List<String> protocols = new ArrayList<>();
    for (String proto : ssl.getSupportedProtocols()) {
      if (proto.equals("TLSv1.3") || proto.equals("TLSv1.2")) {
        protocols.add(proto);
      }
    }
    p.setProtocols(protocols.toArray(new String[0])); // RFC 8996 / 8314: nothing below TLS 1.2
    ssl.setSSLParameters(p);
    ssl.setSoTimeout(millis(handshakeTimeout));
    ssl.startHandshake();
    return ssl;
  }

  /** An IPv4 or IPv6 literal, which SNI must not carry (RFC 6066 §3). */
  public static boolean isAddress(String host) {
    return host.matches("[0-9.]+|.*:.*");
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
  }
}
