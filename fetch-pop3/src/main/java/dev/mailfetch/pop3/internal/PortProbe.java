package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.tls.ChainRecorder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * What a port speaks: a connection, a look at what the server sends first, and where nothing comes,
 * a TLS handshake on a new connection (nothing is sent after it). The doctor's connection stage
 * asks it of the chosen port and of the usual others.
 */
final class PortProbe {
  private final InetAddress address;
  private final String host;
  private final int chosenPort;
  private final boolean chosenTls;
  private final Duration wait;

  PortProbe(InetAddress address, String host, int chosenPort, boolean chosenTls, Duration wait) {
    this.address = address;
    this.host = host;
    this.chosenPort = chosenPort;
    this.chosenTls = chosenTls;
    this.wait = wait;
  }

  /** What a port answered. */
  enum PortSpeaks {
    POP3("plain POP3"),
    POP3_REFUSING("plain POP3 that refuses sessions"),
    TLS("TLS"),
    IMAP("IMAP"),
    SMTP("SMTP"),
    OTHER("another protocol"),
    SILENT("nothing (no greeting, no TLS)"),
    CLOSED("a connection that closes at once"),
    REFUSED("refused"),
    TIMED_OUT("no answer (timed out)");

    final String words;

    PortSpeaks(String words) {
      this.words = words;
    }

    boolean pop3() {
      return this == POP3 || this == POP3_REFUSING || this == TLS;
    }
  }

  record Probe(PortSpeaks speaks, String firstLine, String detail) {}

  /**
   * Connects, listens for a greeting, and if none comes, tries a TLS handshake on a new connection.
   */
  Probe probe(int port, Duration connectTimeout) {
    boolean tlsExpected = port == 995 || (port == chosenPort && chosenTls);
    if (tlsExpected) {
      // TLS first where TLS is expected: a TLS port says nothing until spoken to.
      Probe tls = tlsProbe(port, connectTimeout);
      if (tls.speaks != PortSpeaks.SILENT) {
        return tls;
      }
    }
    try (Socket socket = new Socket()) {
      try {
        socket.connect(new InetSocketAddress(address, port), millis(connectTimeout));
      } catch (ConnectException e) {
        return new Probe(PortSpeaks.REFUSED, "", String.valueOf(e.getMessage()));
      } catch (SocketTimeoutException e) {
        return new Probe(PortSpeaks.TIMED_OUT, "", "");
      } catch (IOException e) {
        String m = String.valueOf(e.getMessage());
        if (ConnectFailure.reset(e)) {
          return new Probe(PortSpeaks.CLOSED, "", m);
        }
        // No route to host, network unreachable: as good as a silent drop for the user.
        return new Probe(
            PortSpeaks.TIMED_OUT, "", "cannot reach " + address.getHostAddress() + ": " + m);
      }
      socket.setSoTimeout(millis(wait));
      String line;
      try {
        line = firstLine(socket.getInputStream());
      } catch (SocketTimeoutException e) {
        line = null;
      } catch (IOException e) {
        return new Probe(PortSpeaks.CLOSED, "", String.valueOf(e.getMessage()));
      }
      if (line == null) {
        return tlsExpected ? new Probe(PortSpeaks.SILENT, "", "") : tlsProbe(port, connectTimeout);
      }
      if (line.isEmpty() && socket.isInputShutdown()) {
        return new Probe(PortSpeaks.CLOSED, "", "");
      }
      String shown = FetchException.escape(line);
      String upper = line.toUpperCase(Locale.ROOT);
      if (upper.startsWith("+OK")) {
        return new Probe(PortSpeaks.POP3, shown, "");
      }
      if (upper.startsWith("-ERR")) {
        return new Probe(PortSpeaks.POP3_REFUSING, shown, "");
      }
      if (upper.startsWith("* OK") || upper.startsWith("* PREAUTH") || upper.startsWith("* BYE")) {
        return new Probe(PortSpeaks.IMAP, shown, "");
      }
      if (upper.startsWith("220") || upper.startsWith("554")) {
        return new Probe(PortSpeaks.SMTP, shown, "");
      }
      if (line.isEmpty()) {
        return new Probe(PortSpeaks.CLOSED, "", "");
      }
      return new Probe(PortSpeaks.OTHER, shown, "");
    } catch (IOException e) {
      return new Probe(PortSpeaks.CLOSED, "", String.valueOf(e.getMessage()));
    }
  }

  /** The first line a server sends, up to 200 bytes; "" at end of stream; null on silence. */
  private static String firstLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (b.size() < 200) {
      int c;
      try {
        c = in.read();
      } catch (SocketTimeoutException e) {
        if (b.size() == 0) {
          return null;
        }
        break;
      }
      if (c < 0 || c == '\n') {
        break;
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Whether {@code port} answers a TLS handshake with a certificate or a TLS alert, on a new
   * connection closed right after it (nothing of POP3 is sent, and the certificate is refused
   * whatever it is): a fetch's check, after a port gave it no greeting, that the port speaks TLS
   * from the first byte. Stricter than {@link #probe}: a connection closed or reset during the
   * handshake proves nothing.
   */
  static boolean answersTls(InetAddress address, String host, int port, Duration wait) {
    ChainRecorder recorder = new ChainRecorder(null);
    try (Socket raw = new Socket()) {
      raw.connect(new InetSocketAddress(address, port), millis(wait));
      raw.setSoTimeout(millis(wait));
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {recorder}, null);
      try (SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(raw, host, port, true)) {
        ssl.startHandshake();
        return true;
      }
    } catch (SSLException e) {
      X509Certificate[] chain = recorder.chain();
      return (chain != null && chain.length > 0) || TlsFailure.alertReceived(e);
    } catch (IOException | GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * Whether the port answers a TLS handshake; nothing is sent after it, valid certificate or not.
   */
  private Probe tlsProbe(int port, Duration connectTimeout) {
    try (Socket raw = new Socket()) {
      try {
        raw.connect(new InetSocketAddress(address, port), millis(connectTimeout));
      } catch (ConnectException e) {
        return new Probe(PortSpeaks.REFUSED, "", String.valueOf(e.getMessage()));
      } catch (SocketTimeoutException e) {
        return new Probe(PortSpeaks.TIMED_OUT, "", "");
      }
      raw.setSoTimeout(millis(wait));
      SSLContext ctx = SSLContext.getInstance("TLS");
      // Only to learn whether TLS is spoken: the handshake's outcome is all that is used, and the
      // connection is closed right after, before any byte of POP3.
      ctx.init(null, new TrustManager[] {new ChainRecorder(null)}, null);
      try (SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(raw, host, port, true)) {
        ssl.startHandshake();
        return new Probe(PortSpeaks.TLS, "", "");
      }
    } catch (SSLException e) {
      String all = String.valueOf(e.getMessage());
      if (TlsFailure.notTls(e)) {
        return new Probe(PortSpeaks.SILENT, "", all);
      }
      // An alert or a certificate the recorder refused: the other side spoke TLS.
      return new Probe(PortSpeaks.TLS, "", all);
    } catch (SocketTimeoutException e) {
      return new Probe(PortSpeaks.SILENT, "", "");
    } catch (IOException | GeneralSecurityException e) {
      return new Probe(PortSpeaks.SILENT, "", String.valueOf(e.getMessage()));
    }
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
  }
}
