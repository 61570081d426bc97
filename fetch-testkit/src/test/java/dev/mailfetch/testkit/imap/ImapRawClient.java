package dev.mailfetch.testkit.imap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** An IMAP client that is nothing but a socket: it sends what the test says and reads lines. */
final class ImapRawClient implements AutoCloseable {
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  ImapRawClient(FakeImapServer server) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(server.host(), server.port()), 5000);
    socket.setSoTimeout(5000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
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

  void timeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  ImapRawClient send(String line) throws IOException {
    return raw((line + "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  ImapRawClient raw(byte[] bytes) throws IOException {
    out.write(bytes);
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
        return new String(l, 0, len, StandardCharsets.UTF_8);
      }
      b.write(c);
    }
    throw new IOException("end of stream after " + b.size() + " bytes");
  }

  /** Exactly {@code n} bytes (a literal's). */
  byte[] bytes(int n) throws IOException {
    return in.readNBytes(n);
  }

  /** The lines up to and including the one tagged {@code tag}. */
  List<String> until(String tag) throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String l = line();
      lines.add(l);
      if (l.startsWith(tag + " ")) {
        return lines;
      }
    }
  }

  /** Sends a command and returns its lines, the tagged one last. */
  List<String> ask(String tag, String rest) throws IOException {
    return send(tag + " " + rest).until(tag);
  }

  /** The tagged line of a command. */
  String tagged(String tag, String rest) throws IOException {
    List<String> lines = ask(tag, rest);
    return lines.get(lines.size() - 1);
  }

  /** Whether the server closed: end of stream (or a reset) within the timeout. */
  boolean closedByServer() {
    try {
      while (in.read() >= 0) {
        // what is left of output before the close
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /** Logs in as the test users do. */
  ImapRawClient login(String user, String password) throws IOException {
    line(); // greeting
    String ok = tagged("L1", "LOGIN " + user + " " + password);
    if (!ok.startsWith("L1 OK")) {
      throw new IOException(ok);
    }
    return this;
  }

  /** Closes the connection, as a client that gives up does. */
  void leave() throws IOException {
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
