package dev.mailfetch.bench;

import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Locale;

/**
 * The protocol alone, without a disk: how long a private Dovecot takes to serve {@code messages}
 * typical messages to a client that reads and drops them, for each shape of pipeline (UIDs per
 * {@code UID FETCH} × commands in flight), and how many literals come out of UID order (Dovecot
 * runs commands in flight in parallel). With {@code -Dpause=15} the client stops that many
 * milliseconds every 50 messages, as a sink's flush does. The figures behind {@code
 * FetchPipeline}'s limits (docs/benchmarks.md, "From IMAP").
 *
 * <pre>{@code
 * java -Dmessages=2000 -Dpause=15 -cp benchmarks/target/benchmarks.jar dev.mailfetch.bench.ImapFetchShapes
 * }</pre>
 */
public final class ImapFetchShapes {
  private ImapFetchShapes() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.getInteger("messages", 2000);
    int pause = Integer.getInteger("pause", 0);
    MailCorpus corpus = EndToEndBenchmark.typical(n);
    PrivateDovecot dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP),
            corpus::writeMaildir,
            TestCertificates.generate(),
            PrivateDovecot.Saving.NO_FSYNC);
    try {
      dovecot.doveadm("mailbox", "status", "messages", "INBOX");
      shape(dovecot.imapPort(), n, 50, 2, pause); // warm-up
      for (int per : new int[] {1, 50, 64}) {
        for (int inFlight : new int[] {2, 4, 32}) {
          shape(dovecot.imapPort(), n, per, inFlight, pause);
        }
      }
    } finally {
      dovecot.stop();
    }
  }

  private static void shape(int port, int n, int per, int inFlight, int pause) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
      OutputStream out = s.getOutputStream();
      line(in);
      send(out, "a LOGIN " + PrivateDovecot.USER + " \"" + PrivateDovecot.PASSWORD + "\"\r\n");
      send(out, "b EXAMINE INBOX\r\n");
      for (String l = line(in); !l.startsWith("b "); l = line(in)) {
        // login and examine
      }
      int commands = (n + per - 1) / per;
      int sent = 0;
      int done = 0;
      int got = 0;
      int outOfOrder = 0;
      long highest = 0;
      long t0 = System.nanoTime();
      while (sent < Math.min(inFlight, commands)) {
        fetch(out, sent++, per, n);
      }
      while (done < commands) {
        String l = line(in);
        if (l.startsWith("* ") && l.endsWith("}")) {
          long uid = uidOf(l);
          if (uid < highest) {
            outOfOrder++;
          }
          highest = Math.max(highest, uid);
          in.skipNBytes(Integer.parseInt(l.substring(l.lastIndexOf('{') + 1, l.length() - 1)));
          line(in);
          if (++got % 50 == 0 && pause > 0) {
            Thread.sleep(pause);
          }
        } else if (l.startsWith("f")) {
          done++;
          if (sent < commands) {
            fetch(out, sent++, per, n);
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%3d UIDs per command, %2d in flight: %6.3f s, %4d of %d literals out of UID order%n",
          per,
          inFlight,
          (System.nanoTime() - t0) / 1e9,
          outOfOrder,
          got);
      send(out, "z LOGOUT\r\n");
    }
  }

  /** The UID of a FETCH response's text. */
  private static long uidOf(String line) {
    int at = line.indexOf("UID ") + 4;
    int end = at;
    while (end < line.length() && Character.isDigit(line.charAt(end))) {
      end++;
    }
    return Long.parseLong(line.substring(at, end));
  }

  private static void fetch(OutputStream out, int i, int per, int n) throws IOException {
    int from = i * per + 1;
    int to = Math.min(n, from + per - 1);
    send(out, "f" + i + " UID FETCH " + from + ":" + to + " (UID BODY.PEEK[])\r\n");
  }

  private static void send(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new EOFException();
      }
      b.append((char) c);
    }
    return b.toString().strip();
  }
}
