package dev.mailfetch.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** A POP3 client that is nothing but a socket: it sends what the test says and reads raw bytes. */
final class RawClient implements AutoCloseable {
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  RawClient(FakePop3Server server) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(server.host(), server.port()), 5000);
    socket.setSoTimeout(5000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  static RawClient tls(FakePop3Server server, SSLContext ctx) throws IOException {
    RawClient c = new RawClient(server);
    c.startTls(ctx);
    return c;
  }

  /** Switches to TLS as a careful client does: SNI for localhost and host-name checking on. */
  void startTls(SSLContext ctx) throws IOException {
    SSLSocket ssl =
        (SSLSocket)
            ctx.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
    SSLParameters p = ssl.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    p.setServerNames(List.of(new SNIHostName("localhost")));
    ssl.setSSLParameters(p);
    ssl.startHandshake();
    socket = ssl;
    in = ssl.getInputStream();
    out = ssl.getOutputStream();
  }

  RawClient send(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  /** One line, without its CRLF. */
  String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        byte[] l = b.toByteArray();
        int len = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
        return new String(l, 0, len, StandardCharsets.ISO_8859_1);
      }
      b.write(c);
    }
    throw new IOException("end of stream after " + b.size() + " bytes");
  }

  /** Sends a command and reads its one-line reply. */
  String ask(String line) throws IOException {
    return send(line).line();
  }

  /**
   * The raw bytes of a multi-line reply body after its status line, up to and including CRLF.CRLF.
   */
  byte[] multiline() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      byte[] a = b.toByteArray();
      int n = a.length;
      if ((n == 3 && a[0] == '.' && a[1] == '\r' && a[2] == '\n')
          || (n >= 5
              && a[n - 5] == '\r'
              && a[n - 4] == '\n'
              && a[n - 3] == '.'
              && a[n - 2] == '\r'
              && a[n - 1] == '\n')) {
        return a;
      }
    }
    throw new IOException("end of stream inside a multi-line reply after " + b.size() + " bytes");
  }

  /** Everything until the server closes (at most {@code max} bytes). */
  byte[] rest(int max) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while (b.size() < max && (n = in.read(buf, 0, Math.min(buf.length, max - b.size()))) >= 0) {
      b.write(buf, 0, n);
    }
    return b.toByteArray();
  }

  /** How many read calls it takes to receive {@code bytes} bytes: a view of the segmentation. */
  int readsFor(int bytes) throws IOException {
    int reads = 0;
    int got = 0;
    byte[] buf = new byte[65536];
    while (got < bytes) {
      int n = in.read(buf, 0, Math.min(buf.length, bytes - got));
      if (n < 0) {
        throw new IOException("end of stream");
      }
      got += n;
      reads++;
    }
    return reads;
  }

  void soTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
