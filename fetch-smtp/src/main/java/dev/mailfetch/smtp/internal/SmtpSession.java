package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.smtp.SmtpSecurity;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP (RFC 5321) or LMTP (RFC 2033) session: connect, TLS (implicit, or STARTTLS required
 * before anything else is sent), greeting, EHLO or LHLO and its extensions, AUTH through the shared
 * SASL ({@link SmtpLogin}), then mail transactions ({@link MailTransaction}). Every read has a
 * deadline, every reply line and reply a cap ({@code SmtpLimits}); the session is traced at debug
 * on {@code dev.mailfetch.smtp.trace}, with AUTH's arguments and answers redacted.
 */
final class SmtpSession implements Closeable {
  static final Logger TRACE = LoggerFactory.getLogger("dev.mailfetch.smtp.trace");

  final Settings s;
  private Wire wire;
  private OutputStream out;
  private final byte[] buf = new byte[8192];
  private int pos;
  private int lim;
  private Map<String, String> extensions = Map.of();
  private String tlsProtocol;

  private SmtpSession(Settings s) {
    this.s = s;
  }

  /**
   * A session ready for mail: connected, secured as the settings ask, greeted, logged in where
   * credentials were given. {@code steps} gets each step that passed, in words.
   */
  static SmtpSession open(Settings s, List<String> steps) throws FetchException {
    return open(s, (Consumer<String>) steps::add);
  }

  /** As {@link #open(Settings, List)}, each step told to {@code passed} as it passes. */
  static SmtpSession open(Settings s, Consumer<String> passed) throws FetchException {
    SmtpSession session = new SmtpSession(s);
    try {
      session.start(passed);
      return session;
    } catch (FetchException | RuntimeException e) {
      session.closeQuietly();
      throw e;
    }
  }

  private void start(Consumer<String> steps) throws FetchException {
    try {
      wire =
          s.socket() != null
              ? Wire.unix(s.socket())
              : Wire.tcp(s.host(), s.port(), s.limits().connectTimeout());
    } catch (IOException e) {
      throw Failures.sessionLost(s, "cannot be reached: " + e.getMessage(), null, e);
    }
    out = new BufferedOutputStream(wire.out(), 64 * 1024);
    if (s.security() == SmtpSecurity.IMPLICIT_TLS) {
      secure(false);
    }
    Reply greeting = read(s.limits().replyTimeout());
    if (greeting.code() != 220) {
      throw Failures.sessionLost(s, "refused the session in its greeting", greeting, null);
    }
    steps.accept(
        "connected to "
            + s.protocol()
            + " server "
            + s.server()
            + (tlsProtocol != null ? " over " + tlsProtocol : ""));
    Reply hello = hello();
    if (s.security() == SmtpSecurity.STARTTLS) {
      if (!extensions.containsKey("STARTTLS")) {
        throw Failures.tlsNotOffered(s, hello);
      }
      command("STARTTLS");
      Reply r = read(s.limits().replyTimeout());
      if (r.code() != 220) {
        throw Failures.startTlsRefused(s, r);
      }
      pos = lim; // bytes sent before TLS are not the server's answer after it (RFC 3207 §6)
      secure(true);
      steps.accept("started TLS (" + tlsProtocol + ")");
      hello();
    }
    steps.accept("the server offers " + String.join(", ", extensions.keySet()));
    if (s.logsIn()) {
      String mechanism = SmtpLogin.logIn(this);
      steps.accept("logged in as " + s.user() + " with AUTH " + mechanism);
    }
  }

  private void secure(boolean afterStartTls) throws FetchException {
    SSLSocket tls = Tls.handshake(s, wire.socket(), afterStartTls);
    tlsProtocol = tls.getSession().getProtocol();
    try {
      wire = new Wire.Tcp(tls);
    } catch (IOException e) {
      throw Failures.sessionLost(s, "dropped the connection after TLS", null, e);
    }
    out = new BufferedOutputStream(wire.out(), 64 * 1024);
  }

  private Reply hello() throws FetchException {
    command((s.lmtp() ? "LHLO " : "EHLO ") + s.heloName());
    Reply r = read(s.limits().replyTimeout());
    if (r.code() != 250 && !s.lmtp() && r.permanent5xx()) {
      command("HELO " + s.heloName()); // a server without extensions (RFC 5321 §3.2)
      r = read(s.limits().replyTimeout());
    }
    if (r.code() != 250) {
      throw Failures.sessionLost(
          s, "refused the greeting " + (s.lmtp() ? "LHLO" : "EHLO"), r, null);
    }
    Map<String, String> ext = new HashMap<>();
    for (String line : r.lines().subList(1, r.lines().size())) {
      String[] kv = line.trim().split(" ", 2);
      ext.put(kv[0].toUpperCase(Locale.ROOT), kv.length > 1 ? kv[1] : "");
    }
    extensions = ext;
    return r;
  }

  Map<String, String> extensions() {
    return extensions;
  }

  boolean offers(String keyword) {
    return extensions.containsKey(keyword);
  }

  /** The server's SIZE, or 0 where it announced none (or no limit). */
  long maxSize() {
    String v = extensions.get("SIZE");
    try {
      return v == null || v.isBlank() ? 0 : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Queues a command line (flushed when a reply is read). */
  void command(String line) throws FetchException {
    TRACE.debug("C: {}", line);
    write(line);
  }

  /** Queues a command line that carries a secret; the trace shows only {@code shown}. */
  void secretCommand(String line, String shown) throws FetchException {
    TRACE.debug("C: {} <redacted>", shown);
    write(line);
  }

  private void write(String line) throws FetchException {
    try {
      out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw lost(e);
    }
  }

  /** The stream the message's bytes go to (through a {@link DotStuffingWriter}). */
  OutputStream out() {
    return out;
  }

  /** Reads one reply, waiting at most {@code timeout} for each of its lines. */
  Reply read(Duration timeout) throws FetchException {
    try {
      out.flush();
      wire.readTimeout(timeout);
      List<String> lines = new ArrayList<>();
      int code = -1;
      while (true) {
        String line = readLine();
        TRACE.debug("S: {}", line);
        if (line.length() < 3
            || !isCode(line)
            || (line.length() > 3 && " -".indexOf(line.charAt(3)) < 0)) {
          throw Failures.protocol(s, "a reply line is not a reply: " + FetchException.escape(line));
        }
        int c = Integer.parseInt(line.substring(0, 3));
        if (code >= 0 && c != code) {
          throw Failures.protocol(s, "one reply's lines carry different codes");
        }
        code = c;
        lines.add(line.length() > 4 ? line.substring(4) : "");
        if (lines.size() > s.limits().maxReplyLines()) {
          throw Failures.protocol(
              s, "a reply has more than " + s.limits().maxReplyLines() + " lines (maxReplyLines)");
        }
        if (line.length() == 3 || line.charAt(3) == ' ') {
          return new Reply(code, List.copyOf(lines));
        }
      }
    } catch (IOException e) {
      throw e instanceof FetchException f ? f : lost(e);
    }
  }

  private static boolean isCode(String line) {
    return line.charAt(0) >= '2'
        && line.charAt(0) <= '5'
        && Character.isDigit(line.charAt(1))
        && Character.isDigit(line.charAt(2));
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      if (pos == lim) {
        lim = wire.in().read(buf, 0, buf.length);
        pos = 0;
        if (lim < 0) {
          lim = 0;
          throw new EOFException("the connection was closed");
        }
      }
      byte b = buf[pos++];
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int n =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
      }
      line.write(b);
      if (line.size() > s.limits().maxReplyLine()) {
        throw Failures.protocol(
            s,
            "a reply line is longer than " + s.limits().maxReplyLine() + " bytes (maxReplyLine)");
      }
    }
  }

  FetchException lost(IOException e) {
    if (e instanceof SocketTimeoutException) {
      return Failures.sessionLost(s, "did not answer in time", null, e);
    }
    return Failures.sessionLost(s, "dropped the connection (" + e.getMessage() + ")", null, e);
  }

  /** RSET after a transaction that failed; a failure here ends the session. */
  void reset() throws FetchException {
    command("RSET");
    Reply r = read(s.limits().replyTimeout());
    if (r.code() != 250) {
      throw Failures.sessionLost(s, "refused RSET", r, null);
    }
  }

  /** QUIT, then closes; never throws. */
  @Override
  public void close() {
    try {
      command("QUIT");
      read(Duration.ofSeconds(5));
    } catch (FetchException | RuntimeException e) {
      TRACE.debug("QUIT: {}", e.getMessage());
    }
    closeQuietly();
  }

  void closeQuietly() {
    if (wire != null) {
      try {
        wire.close();
      } catch (IOException e) {
        TRACE.debug("closing: {}", e.toString());
      }
    }
  }

  static FetchException configuration(String words) {
    return new FetchException(FetchError.CONFIGURATION, words);
  }
}
