package dev.mailfetch.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ceiling for fetching from IMAP into a Maildir: a client that does nothing but log in, {@code
 * EXAMINE} the INBOX, {@code UID SEARCH ALL}, and then fetch every message with {@code UID FETCH
 * <set> BODY.PEEK[]} in windows of {@link #WINDOW} UIDs, {@link #IN_FLIGHT} commands in flight,
 * writing each literal (CRLF made LF, as a Maildir keeps mail) to a file of its own in the
 * Maildir's {@code tmp/}, flushed and linked into {@code new/} every 50 messages as {@code
 * MaildirSink} does ({@link Contenders.BareMaildir}). No state, no checks, no error handling: what
 * the server and the disk allow.
 */
final class BareImapFetch {
  static final int WINDOW = 64;
  static final int IN_FLIGHT = 2;

  private final InputStream in;
  private final byte[] buf = new byte[64 * 1024];
  private final byte[] lf = new byte[64 * 1024 + 1];
  private int pos;
  private int lim;

  private BareImapFetch(InputStream in) {
    this.in = in;
  }

  /**
   * Fetches every message of the INBOX into {@code maildir}, or only counts their bytes where it is
   * null (the latency rows: the round trips alone); returns the bytes written or counted.
   */
  static long fetch(String host, int port, String user, String password, Path maildir)
      throws IOException {
    return fetch(host, port, user, password, maildir, WINDOW, IN_FLIGHT);
  }

  /**
   * As {@link #fetch(String, int, String, String, Path)} with {@code window} UIDs per command and
   * {@code inFlight} commands in flight. With one in flight the files are synced when a command's
   * reply came and the next was sent, as the engine does with mailfetch's batch: the shape of
   * mailfetch's pipeline without its work (the {@code bareImapOneBatch} row).
   */
  static long fetch(
      String host, int port, String user, String password, Path maildir, int window, int inFlight)
      throws IOException {
    Contenders.BareMaildir files = maildir == null ? null : new Contenders.BareMaildir(maildir);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 10_000);
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      BareImapFetch r = new BareImapFetch(socket.getInputStream());
      r.line(); // greeting
      send(
          out,
          "a LOGIN " + user + " \"" + password + "\"\r\nb EXAMINE INBOX\r\nc UID SEARCH ALL\r\n");
      List<String> uids = new ArrayList<>();
      for (String line = r.line(); !line.startsWith("c "); line = r.line()) {
        if (line.startsWith("a ") && !line.startsWith("a OK")) {
          throw new IOException("login failed: " + line);
        }
        if (line.startsWith("* SEARCH")) {
          for (String u : line.substring(8).trim().split(" ")) {
            if (!u.isEmpty()) {
              uids.add(u);
            }
          }
        }
      }
      int sent = 0;
      int done = 0;
      int windows = (uids.size() + window - 1) / window;
      int messages = 0;
      long total = 0;
      while (sent < windows && sent < inFlight) {
        send(out, command(uids, sent++, window));
      }
      while (done < windows) {
        String line = r.line();
        if (line.startsWith("* ") && line.endsWith("}")) {
          int size = Integer.parseInt(line.substring(line.lastIndexOf('{') + 1, line.length() - 1));
          if (files == null) {
            total += r.skip(size);
          } else {
            try (FileChannel file = files.next()) {
              total += r.literal(size, file);
            }
          }
          r.line(); // the ")" that closes the FETCH response
          if (++messages % 50 == 0 && files != null && inFlight > 1) {
            files.sync();
          }
        } else if (line.startsWith("f")) {
          if (!line.contains(" OK")) {
            throw new IOException("UID FETCH failed: " + line);
          }
          done++;
          if (sent < windows) {
            send(out, command(uids, sent++, window));
          }
          if (inFlight == 1 && files != null) {
            files.sync(); // the next command's bytes travel meanwhile
          }
        }
      }
      if (files != null) {
        files.sync();
      }
      send(out, "z LOGOUT\r\n");
      return total;
    }
  }

  private static String command(List<String> uids, int n, int window) {
    StringBuilder b = new StringBuilder("f").append(n).append(" UID FETCH ");
    int from = n * window;
    int to = Math.min(uids.size(), from + window);
    for (int i = from; i < to; i++) {
      b.append(i == from ? "" : ",").append(uids.get(i));
    }
    return b.append(" BODY.PEEK[]\r\n").toString();
  }

  private static void send(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private boolean fill() throws IOException {
    if (pos == lim) {
      pos = 0;
      lim = 0;
    }
    if (lim == buf.length) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
    }
    int n = in.read(buf, lim, buf.length - lim);
    if (n < 0) {
      return false;
    }
    lim += n;
    return true;
  }

  private String line() throws IOException {
    while (true) {
      for (int i = pos; i < lim; i++) {
        if (buf[i] == '\n') {
          String s = new String(buf, pos, i - pos, StandardCharsets.ISO_8859_1).strip();
          pos = i + 1;
          return s;
        }
      }
      if (!fill()) {
        throw new IOException("closed");
      }
    }
  }

  /** {@code size} bytes of a literal, read and counted. */
  private long skip(int size) throws IOException {
    int left = size;
    while (left > 0) {
      if (pos == lim && !fill()) {
        throw new IOException("closed inside a literal");
      }
      int n = Math.min(left, lim - pos);
      pos += n;
      left -= n;
    }
    return size;
  }

  /** {@code size} bytes of a literal into {@code out}, each CRLF written as LF. */
  private long literal(int size, FileChannel out) throws IOException {
    int left = size;
    long written = 0;
    boolean cr = false; // a CR ended the last chunk: written once we know what follows
    while (left > 0) {
      if (pos == lim && !fill()) {
        throw new IOException("closed inside a literal");
      }
      int n = Math.min(left, lim - pos);
      int w = 0;
      for (int i = pos; i < pos + n; i++) {
        byte b = buf[i];
        if (cr && b != '\n') {
          lf[w++] = '\r';
        }
        cr = b == '\r';
        if (!cr) {
          lf[w++] = b;
        }
      }
      pos += n;
      left -= n;
      ByteBuffer bb = ByteBuffer.wrap(lf, 0, w);
      while (bb.hasRemaining()) {
        out.write(bb);
      }
      written += w;
    }
    if (cr) {
      out.write(ByteBuffer.wrap(new byte[] {'\r'}));
      written++;
    }
    return written;
  }
}
