package dev.mailfetch.testkit.smtp;

import dev.mailfetch.testkit.internal.ServerTls;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An SMTP or LMTP server on loopback for what real servers will not do on demand: refuse a command
 * for now or for good, answer each LMTP recipient differently, end the session with {@code 421},
 * drop the connection in the middle of a message, leave STARTTLS out, announce a small SIZE, speak
 * TLS from the first byte (smtps), refuse chosen OAuth access tokens as expired. It keeps every
 * command line it read ({@link #commands()}) and every message it took ({@link #messages()}: DATA
 * unstuffed, or BDAT's bytes, as they came), and serves one connection at a time, each in turn.
 *
 * <pre>{@code
 * try (FakeSmtpServer smtp = FakeSmtpServer.smtp("PIPELINING", "SIZE 1000")
 *     .on("RCPT TO:<nobody@", "550 5.1.1 no such user")
 *     .start()) {
 *   ... smtp.port() ... smtp.messages() ...
 * }
 * }</pre>
 */
public final class FakeSmtpServer implements AutoCloseable {
  private record Rule(String prefix, String reply, boolean once) {}

  private final boolean lmtp;
  private final List<String> extensions;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<String> afterData = new ArrayList<>();
  private long dropAfterDataBytes = -1;
  private SSLContext tls;
  private String injected = "";
  private SSLContext implicitTls;
  private final Set<String> refusedTokens = new CopyOnWriteArraySet<>();
  private final List<String> tokens = new CopyOnWriteArrayList<>();
  private final List<String> commands = new CopyOnWriteArrayList<>();
  private final List<byte[]> messages = new CopyOnWriteArrayList<>();
  private ServerSocket server;
  private Thread thread;

  private FakeSmtpServer(boolean lmtp, String... extensions) {
    this.lmtp = lmtp;
    this.extensions = List.of(extensions);
  }

  /** An SMTP server announcing these EHLO extensions ("PIPELINING", "SIZE 1000", "CHUNKING"…). */
  public static FakeSmtpServer smtp(String... extensions) {
    return new FakeSmtpServer(false, extensions);
  }

  /** An LMTP server announcing these LHLO extensions. */
  public static FakeSmtpServer lmtp(String... extensions) {
    return new FakeSmtpServer(true, extensions);
  }

  /**
   * Answers a command that starts with {@code prefix} (case ignored) with {@code reply} (its code
   * and words, one line) each time; a {@code 421} reply then closes the connection.
   */
  public FakeSmtpServer on(String prefix, String reply) {
    rules.add(new Rule(prefix.toUpperCase(Locale.ROOT), reply, false));
    return this;
  }

  /** As {@link #on}, the first time only. */
  public FakeSmtpServer once(String prefix, String reply) {
    rules.add(new Rule(prefix.toUpperCase(Locale.ROOT), reply, true));
    return this;
  }

  /**
   * The replies after a message's end, in order: one for SMTP, one per accepted recipient for LMTP;
   * a {@code 421} closes the connection after it. By default {@code 250} for each.
   */
  public FakeSmtpServer afterData(String... replies) {
    afterData.addAll(List.of(replies));
    return this;
  }

  /** Closes the connection once this many bytes of a message's data were read. */
  public FakeSmtpServer dropDuringData(long afterBytes) {
    dropAfterDataBytes = afterBytes;
    return this;
  }

  /**
   * Offers STARTTLS (add "STARTTLS" to the extensions) with this server context, and writes {@code
   * injected} (lines with their CRLF) right after its {@code 220}, before TLS: the bytes a
   * man-in-the-middle slips in (CVE-2011-0411's kind), which a client must not read as replies.
   */
  public FakeSmtpServer startTls(SSLContext serverContext, String injected) {
    this.tls = serverContext;
    this.injected = injected;
    return this;
  }

  /**
   * Speaks TLS from the first byte with this server context (implicit TLS, {@code smtps://}, RFC
   * 8314), as the testkit's other fake servers do it ({@code ServerTls}).
   */
  public FakeSmtpServer implicitTls(SSLContext serverContext) {
    this.implicitTls = serverContext;
    return this;
  }

  /**
   * Refuses an {@code AUTH XOAUTH2} or {@code AUTH OAUTHBEARER} carrying one of these access tokens
   * as Google does an expired one: a {@code 334} error challenge ({@code "status":"401"}), then
   * {@code 535} to the client's answer. Other tokens are taken ({@code 235}).
   */
  public FakeSmtpServer refuseTokens(String... expired) {
    refusedTokens.addAll(List.of(expired));
    return this;
  }

  /** The access tokens offered by AUTH XOAUTH2 or OAUTHBEARER, in order. */
  public List<String> tokensOffered() {
    return List.copyOf(tokens);
  }

  /** Starts listening on a free loopback port. */
  public FakeSmtpServer start() throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread = new Thread(this::serve, "fake-" + (lmtp ? "lmtp" : "smtp"));
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Every command line read, in order, over every connection. */
  public List<String> commands() {
    return List.copyOf(commands);
  }

  /** Every message taken (after the end of its data), in order. */
  public List<byte[]> messages() {
    return List.copyOf(messages);
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        s.setSoTimeout(20_000);
        s.setTcpNoDelay(true); // each reply at once: Nagle would hold the second of two for 40 ms
        Socket c = implicitTls == null ? s : ServerTls.handshake(implicitTls, null, s, new byte[0]);
        session(c, new BufferedInputStream(c.getInputStream()), c.getOutputStream());
      } catch (IOException e) {
        // the client went away, or the server was closed: serve the next one
      }
    }
  }

  private void session(Socket socket, InputStream in, OutputStream out) throws IOException {
    reply(out, "220 fake.example " + (lmtp ? "LMTP" : "ESMTP") + " ready");
    int accepted = 0;
    while (true) {
      String line = readLine(in);
      if (line == null) {
        return;
      }
      commands.add(line);
      String upper = line.toUpperCase(Locale.ROOT);
      String ruled = ruled(upper);
      if (ruled != null && !upper.startsWith("BDAT")) {
        reply(out, ruled);
        if (ruled.startsWith("421")) {
          return;
        }
        continue;
      }
      if (upper.equals("STARTTLS") && tls != null) {
        out.write(("220 2.0.0 go ahead\r\n" + injected).getBytes(StandardCharsets.UTF_8));
        out.flush();
        SSLSocket t = ServerTls.handshake(tls, null, socket, new byte[0]);
        socket = t;
        in = new BufferedInputStream(t.getInputStream());
        out = t.getOutputStream();
      } else if (upper.startsWith("EHLO") || upper.startsWith("LHLO")) {
        StringBuilder r = new StringBuilder("250");
        r.append(extensions.isEmpty() ? " " : "-").append("fake.example");
        for (int i = 0; i < extensions.size(); i++) {
          r.append("\r\n250").append(i == extensions.size() - 1 ? " " : "-");
          r.append(extensions.get(i));
        }
        reply(out, r.toString());
      } else if (upper.startsWith("MAIL")) {
        accepted = 0;
        reply(out, "250 2.1.0 ok");
      } else if (upper.startsWith("RCPT")) {
        accepted++;
        reply(out, "250 2.1.5 ok");
      } else if (upper.equals("DATA")) {
        reply(out, "354 go ahead");
        byte[] m = readDotted(in);
        if (m == null) {
          return;
        }
        messages.add(m);
        if (!answerData(out, accepted)) {
          return;
        }
      } else if (upper.startsWith("BDAT")) {
        int n = Integer.parseInt(line.split(" ")[1]);
        byte[] m = readExactly(in, n);
        if (m == null) {
          return;
        }
        if (ruled != null) {
          reply(out, ruled);
          continue;
        }
        messages.add(m);
        if (!answerData(out, accepted)) {
          return;
        }
      } else if (upper.startsWith("AUTH XOAUTH2 ") || upper.startsWith("AUTH OAUTHBEARER ")) {
        String token = bearer(line.substring(line.lastIndexOf(' ') + 1));
        tokens.add(token);
        if (!refusedTokens.contains(token)) {
          reply(out, "235 2.7.0 ok");
          continue;
        }
        String error =
            "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.google.com/\"}";
        reply(
            out,
            "334 " + Base64.getEncoder().encodeToString(error.getBytes(StandardCharsets.UTF_8)));
        String answer = readLine(in);
        if (answer == null) {
          return;
        }
        commands.add(answer);
        reply(out, "535 5.7.8 Username and Password not accepted");
      } else if (upper.startsWith("AUTH")) {
        reply(out, "235 2.7.0 ok");
      } else if (upper.equals("QUIT")) {
        reply(out, "221 bye");
        return;
      } else {
        reply(out, "250 ok"); // RSET, NOOP, HELO
      }
    }
  }

  /** The token of an XOAUTH2 or OAUTHBEARER initial response: after "auth=Bearer ". */
  private static String bearer(String base64) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
    int at = decoded.indexOf("auth=Bearer ");
    if (at < 0) {
      return "";
    }
    int end = decoded.indexOf('\u0001', at);
    return decoded.substring(at + "auth=Bearer ".length(), end < 0 ? decoded.length() : end);
  }

  private String ruled(String upper) {
    Rule hit = rules.stream().filter(r -> upper.startsWith(r.prefix)).findFirst().orElse(null);
    if (hit == null) {
      return null;
    }
    if (hit.once) {
      rules.remove(hit);
    }
    return hit.reply;
  }

  private boolean answerData(OutputStream out, int accepted) throws IOException {
    int n = lmtp ? accepted : 1;
    for (int i = 0; i < n; i++) {
      String r = i < afterData.size() ? afterData.get(i) : "250 2.0.0 ok";
      reply(out, r);
      if (r.startsWith("421")) {
        return false;
      }
    }
    return true;
  }

  private byte[] readDotted(InputStream in) throws IOException {
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    long read = 0;
    while (true) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        line.write(b);
        read++;
        if (dropAfterDataBytes >= 0 && read >= dropAfterDataBytes) {
          return null;
        }
        if (b == '\n') {
          break;
        }
      }
      if (b < 0) {
        return null;
      }
      byte[] l = line.toByteArray();
      if (l.length == 3 && l[0] == '.') {
        return m.toByteArray();
      }
      int from = l.length > 0 && l[0] == '.' ? 1 : 0;
      m.write(l, from, l.length - from);
    }
  }

  private byte[] readExactly(InputStream in, int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (dropAfterDataBytes >= 0 && n >= dropAfterDataBytes) {
      return null;
    }
    return b.length == n ? b : null;
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    try {
      while ((b = in.read()) >= 0 && b != '\n') {
        line.write(b);
      }
    } catch (SocketException e) {
      return null;
    }
    if (b < 0) {
      return null;
    }
    String s = line.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private static void reply(OutputStream out, String text) throws IOException {
    out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Stops listening. */
  @Override
  public void close() throws IOException {
    server.close();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
