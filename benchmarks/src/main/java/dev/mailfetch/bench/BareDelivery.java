package dev.mailfetch.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ceiling of a delivery from POP3 into IMAP or LMTP: a POP3 loop that pipelines RETR in a
 * window and unstuffs each message into memory, handing it at once to a client that pipelines the
 * deliveries without waiting for any reply (IMAP {@code APPEND} with a non-synchronizing {@code
 * LITERAL+} literal; LMTP {@code MAIL}/{@code RCPT}/{@code BDAT … LAST} from CHUNKING, so no 354 to
 * wait for), while a second thread reads and checks the replies. No state, no journal, no
 * durability of its own, no error handling beyond counting: what the wire and the server allow.
 */
final class BareDelivery {
  private static final int WINDOW = 64;

  private BareDelivery() {}

  /** Where a message goes. */
  private interface Deliverer extends AutoCloseable {
    void deliver(byte[] message) throws IOException;

    /** Waits for every reply; throws on the first that was not a success. */
    @Override
    void close() throws IOException;
  }

  /** Fetches every message of {@code from} and APPENDs it to INBOX on the IMAP server. */
  static long imap(Contenders.Server from, String host, int port, String user, String password)
      throws IOException {
    try (ImapAppender to = new ImapAppender(host, port, user, password)) {
      return fetch(from, to);
    }
  }

  /** Fetches every message of {@code from} and delivers it to {@code recipient} over LMTP. */
  static long lmtp(Contenders.Server from, String host, int port, String recipient)
      throws IOException {
    try (LmtpDeliverer to = new LmtpDeliverer(host, port, recipient)) {
      return fetch(from, to);
    }
  }

  private static long fetch(Contenders.Server s, Deliverer to) throws IOException {
    try (Socket socket = new Socket(s.host(), s.port())) {
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      OutputStream out = socket.getOutputStream();
      line(in);
      out.write(
          ("USER " + s.user() + "\r\nPASS " + s.password() + "\r\nSTAT\r\n")
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      line(in);
      String pass = line(in);
      String stat = line(in);
      if (!pass.startsWith("+OK") || !stat.startsWith("+OK")) {
        throw new IOException("login or STAT failed: " + pass + " / " + stat);
      }
      int count = Integer.parseInt(stat.split(" ")[1]);
      long total = 0;
      int sent = 0;
      ByteArrayOutputStream message = new ByteArrayOutputStream(128 * 1024);
      for (int read = 0; read < count; read++) {
        StringBuilder cmds = new StringBuilder();
        while (sent < count && sent - read < WINDOW) {
          cmds.append("RETR ").append(++sent).append("\r\n");
        }
        if (cmds.length() > 0) {
          out.write(cmds.toString().getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
        String status = line(in);
        if (!status.startsWith("+OK")) {
          throw new IOException("RETR failed: " + status);
        }
        message.reset();
        body(in, message);
        byte[] m = message.toByteArray();
        to.deliver(m);
        total += m.length;
      }
      out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      line(in);
      return total;
    }
  }

  /** A POP3 body up to its terminator, unstuffed, with its CRLF line ends. */
  private static void body(InputStream in, ByteArrayOutputStream to) throws IOException {
    byte[] line = new byte[8192];
    while (true) {
      int n = 0;
      int b;
      do {
        b = in.read();
        if (b < 0) {
          throw new IOException("the POP3 server closed the connection inside a message");
        }
        if (n == line.length) {
          to.write(line, 0, n);
          n = 0;
          line[n++] = (byte) b; // a long line's rest: never a terminator or stuffed
          continue;
        }
        line[n++] = (byte) b;
      } while (b != '\n');
      if (n == 3 && line[0] == '.' && line[1] == '\r') {
        return;
      }
      int from = line[0] == '.' ? 1 : 0;
      to.write(line, from, n - from);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("connection closed");
      }
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }

  /** Reads replies on its own thread and remembers the first failure. */
  private abstract static class Replies implements Runnable {
    final InputStream in;
    final AtomicReference<String> failure = new AtomicReference<>();
    int expected = -1;
    private final Thread thread;

    Replies(InputStream in, String name) {
      this.in = in;
      this.thread = new Thread(this, name);
    }

    void start() {
      thread.setDaemon(true);
      thread.start();
    }

    /** Reads until {@code expected} replies are in (set once all requests are written). */
    void await(int expected) throws IOException {
      synchronized (this) {
        this.expected = expected;
      }
      try {
        thread.join(600_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (failure.get() != null) {
        throw new IOException(failure.get());
      }
    }

    synchronized boolean done(int got) {
      return expected >= 0 && got >= expected;
    }
  }

  private static final class ImapAppender implements Deliverer {
    private final Socket socket;
    private final OutputStream out;
    private final Replies replies;
    private int tags;

    ImapAppender(String host, int port, String user, String password) throws IOException {
      socket = new Socket(host, port);
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      out = new BufferedOutputStream(socket.getOutputStream(), 256 * 1024);
      line(in); // greeting
      out.write(
          ("L LOGIN \"" + user + "\" \"" + password + "\"\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      String reply;
      do {
        reply = line(in);
      } while (!reply.startsWith("L "));
      if (!reply.startsWith("L OK")) {
        throw new IOException("IMAP login failed: " + reply);
      }
      replies =
          new Replies(in, "bare-imap-replies") {
            @Override
            public void run() {
              int got = 0;
              try {
                while (!done(got)) {
                  String r = line(in);
                  if (r.startsWith("A")) {
                    got++;
                    if (!r.contains(" OK")) {
                      failure.compareAndSet(null, "APPEND failed: " + r);
                    }
                  }
                }
              } catch (IOException e) {
                failure.compareAndSet(null, e.toString());
              }
            }
          };
      replies.start();
    }

    @Override
    public void deliver(byte[] message) throws IOException {
      out.write(
          ("A" + (++tags) + " APPEND INBOX {" + message.length + "+}\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(message);
      out.write('\r');
      out.write('\n');
    }

    @Override
    public void close() throws IOException {
      try {
        out.flush();
        replies.await(tags);
        out.write("Z LOGOUT\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } finally {
        socket.close();
      }
    }
  }

  private static final class LmtpDeliverer implements Deliverer {
    private final Socket socket;
    private final OutputStream out;
    private final Replies replies;
    private final byte[] envelope;
    private int messages;

    LmtpDeliverer(String host, int port, String recipient) throws IOException {
      socket = new Socket(host, port);
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      out = new BufferedOutputStream(socket.getOutputStream(), 256 * 1024);
      line(in); // greeting
      out.write("LHLO bench.localhost\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String r;
      boolean chunking = false;
      do {
        r = line(in);
        chunking |= r.substring(4).equalsIgnoreCase("CHUNKING");
      } while (r.charAt(3) == '-');
      if (!chunking) {
        throw new IOException("the LMTP server does not offer CHUNKING");
      }
      envelope =
          ("MAIL FROM:<>\r\nRCPT TO:<" + recipient + ">\r\n").getBytes(StandardCharsets.US_ASCII);
      replies =
          new Replies(in, "bare-lmtp-replies") {
            @Override
            public void run() {
              int got = 0;
              try {
                while (!done(got)) {
                  String reply = line(in);
                  if (reply.length() > 3 && reply.charAt(3) == '-') {
                    continue;
                  }
                  got++;
                  if (!reply.startsWith("2")) {
                    failure.compareAndSet(null, "LMTP reply " + reply);
                  }
                }
              } catch (IOException e) {
                failure.compareAndSet(null, e.toString());
              }
            }
          };
      replies.start();
    }

    @Override
    public void deliver(byte[] message) throws IOException {
      messages++;
      out.write(envelope);
      out.write(("BDAT " + message.length + " LAST\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(message);
    }

    @Override
    public void close() throws IOException {
      try {
        out.flush();
        replies.await(3 * messages); // MAIL, RCPT, and one for the one recipient after LAST
        out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (UncheckedIOException e) {
        throw e.getCause();
      } finally {
        socket.close();
      }
    }
  }
}
