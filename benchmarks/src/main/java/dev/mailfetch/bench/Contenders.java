package dev.mailfetch.bench;

import dev.mailfetch.api.FetchLimits;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.Retention;
import dev.mailfetch.pop3.Pop3Limits;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.commons.net.pop3.POP3SClient;

/**
 * The fetchers compared end to end, each fetching every message of one mailbox over a real socket
 * and counting the bytes it got, so the JVM cannot skip the work:
 *
 * <ul>
 *   <li>{@link #bare}: the practical limit — a pipelined socket loop that sends RETR for every
 *       message in a window and only finds each terminator (no unstuffing, no sink, no state);
 *   <li>{@link #mailfetch}: a {@link Fetcher} run with a fresh in-memory state, into the sink
 *       given;
 *   <li>{@link #angusMail}: Angus Mail's POP3 store, {@code Message.writeTo} of each message;
 *   <li>{@link #commonsNet}: Commons Net's {@code POP3Client.retrieveMessage} of each message.
 * </ul>
 */
final class Contenders {
  /** Where to fetch from and as whom. {@code tls} is null for plain text. */
  record Server(String host, int port, String user, String password, SSLContext tls) {}

  private static final int WINDOW = 64;

  private Contenders() {}

  /** The practical limit: what a client that does nothing but frame messages gets. */
  static long bare(Server s) throws IOException {
    return bare(s, null);
  }

  /**
   * {@code bare}, writing each message as it came (still dot-stuffed) into the Maildir at {@code
   * maildir} with the fewest disk operations that keep it durable: a file in tmp/ per message;
   * every 50 messages the files flushed from 8 threads at once, linked into new/, removed from
   * tmp/, and new/ flushed. The practical limit for a Maildir on this disk; null: count only.
   */
  static long bare(Server s, java.nio.file.Path maildir) throws IOException {
    BareMaildir files = maildir == null ? null : new BareMaildir(maildir);
    try (Socket socket = open(s)) {
      socket.setTcpNoDelay(true);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      byte[] buf = new byte[64 * 1024];
      Framer f = new Framer(in, buf);
      f.line(); // greeting
      out.write(
          ("USER " + s.user() + "\r\nPASS " + s.password() + "\r\nSTAT\r\n")
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      f.line();
      String pass = f.line();
      String stat = f.line();
      if (!pass.startsWith("+OK") || !stat.startsWith("+OK")) {
        throw new IOException("login or STAT failed: " + pass + " / " + stat);
      }
      int count = Integer.parseInt(stat.split(" ")[1]);
      long total = 0;
      int sent = 0;
      int read = 0;
      StringBuilder cmds = new StringBuilder();
      while (read < count) {
        cmds.setLength(0);
        while (sent < count && sent - read < WINDOW) {
          cmds.append("RETR ").append(++sent).append("\r\n");
        }
        if (cmds.length() > 0) {
          out.write(cmds.toString().getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
        String status = f.line();
        if (!status.startsWith("+OK")) {
          throw new IOException("RETR failed: " + status);
        }
        if (files == null) {
          total += f.body(null);
        } else {
          try (java.nio.channels.FileChannel file = files.next()) {
            total += f.body(file);
          }
          if (read % 50 == 49) {
            files.sync();
          }
        }
        read++;
      }
      if (files != null) {
        files.sync();
        files.close();
      }
      out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      f.line();
      return total;
    }
  }

  /**
   * The variable that makes {@link #main} speak implicit TLS, naming the PEM file of the CA to
   * check the server's certificate against.
   */
  static final String CA_FILE_ENV = "BENCH_CA_FILE";

  /**
   * The {@code bare} row of the whole-process benchmark ({@link WholeProcessRounds}) as its own
   * process: {@code Contenders HOST PORT MAILDIR} fetches every message of {@code alice}'s mailbox
   * durably into the Maildir (as {@link #bare(Server, java.nio.file.Path)}); {@code Contenders HOST
   * PORT --list} only logs in, lists the UIDs and quits (what any client must do when nothing is
   * new). The password comes from the environment variable {@code BENCH_IMAP_PW}, never the command
   * line; with {@link #CA_FILE_ENV} set, over implicit TLS. Prints the count of messages.
   */
  public static void main(String[] args) throws Exception {
    String ca = System.getenv(CA_FILE_ENV);
    Server s =
        new Server(
            args[0],
            Integer.parseInt(args[1]),
            "alice",
            java.util.Objects.requireNonNull(System.getenv("BENCH_IMAP_PW"), "BENCH_IMAP_PW"),
            ca == null ? null : trusting(java.nio.file.Path.of(ca)));
    if (args[2].equals("--list")) {
      System.out.println(listUidl(s) + " listed");
    } else {
      bare(s, java.nio.file.Path.of(args[2]));
      System.out.println("fetched");
    }
    System.exit(0); // the flushing threads of BareMaildir are daemons, but do not wait on them
  }

  /** A client TLS context that trusts the CA certificates of a PEM file, and nothing else. */
  static SSLContext trusting(java.nio.file.Path pem) throws Exception {
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    int n = 0;
    try (InputStream in = java.nio.file.Files.newInputStream(pem)) {
      for (java.security.cert.Certificate c :
          java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca" + n++, c);
      }
    }
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  /** Logs in, reads the UIDL listing, quits: the number of messages listed. */
  static int listUidl(Server s) throws IOException {
    try (Socket socket = open(s)) {
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      Framer f = new Framer(socket.getInputStream(), new byte[64 * 1024]);
      f.line(); // greeting
      out.write(
          ("USER " + s.user() + "\r\nPASS " + s.password() + "\r\nUIDL\r\nQUIT\r\n")
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      f.line();
      String pass = f.line();
      String uidl = f.line();
      if (!pass.startsWith("+OK") || !uidl.startsWith("+OK")) {
        throw new IOException("login or UIDL failed: " + pass + " / " + uidl);
      }
      int n = 0;
      for (String line = f.line(); !line.equals("."); line = f.line()) {
        n++;
      }
      f.line(); // QUIT's reply
      return n;
    }
  }

  /** Reads lines and dot-terminated bodies from one buffer, as little as a reader can. */
  private static final class Framer {
    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int lim;

    Framer(InputStream in, byte[] buf) {
      this.in = in;
      this.buf = buf;
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

    String line() throws IOException {
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

    /** Bytes of a body up to and including its terminator line; written to {@code out} if given. */
    long body(java.nio.channels.FileChannel out) throws IOException {
      long n = 0;
      int state = 1; // 0 in a line, 1 at a line start, 2 saw '.', 3 saw ".\r"
      while (true) {
        int from = pos;
        while (pos < lim) {
          byte b = buf[pos++];
          n++;
          switch (state) {
            case 1 -> state = b == '.' ? 2 : b == '\n' ? 1 : 0;
            case 2 -> state = b == '\r' ? 3 : b == '\n' ? 1 : 0;
            case 3 -> {
              if (b == '\n') {
                write(out, from, pos);
                return n;
              }
              state = 0;
            }
            default -> {
              if (b == '\n') {
                state = 1;
              }
            }
          }
        }
        write(out, from, pos);
        if (!fill()) {
          throw new IOException("closed inside a body");
        }
      }
    }

    private void write(java.nio.channels.FileChannel out, int from, int to) throws IOException {
      if (out != null && to > from) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf, from, to - from);
        while (b.hasRemaining()) {
          out.write(b);
        }
      }
    }
  }

  /** The disk side of {@code bare(s, maildir)}. */
  static final class BareMaildir implements AutoCloseable {
    private final java.nio.file.Path tmp;
    private final java.nio.file.Path fresh;
    private final java.util.List<java.nio.file.Path> waiting = new java.util.ArrayList<>();

    /** Named as MaildirSink's, so that the benchmark counts their CPU time the same way. */
    private static final java.util.concurrent.ExecutorService flushers =
        java.util.concurrent.Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "mailfetch-maildir-flush-bare");
              t.setDaemon(true);
              return t;
            });

    private int count;

    BareMaildir(java.nio.file.Path root) throws IOException {
      tmp = java.nio.file.Files.createDirectories(root.resolve("tmp"));
      fresh = java.nio.file.Files.createDirectories(root.resolve("new"));
      java.nio.file.Files.createDirectories(root.resolve("cur"));
    }

    java.nio.channels.FileChannel next() throws IOException {
      java.nio.file.Path p = tmp.resolve("bare." + count++);
      waiting.add(p);
      return java.nio.channels.FileChannel.open(
          p, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
    }

    void sync() throws IOException {
      java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (java.nio.file.Path p : waiting) {
        done.add(
            flushers.submit(
                () -> {
                  try (java.nio.channels.FileChannel c =
                      java.nio.channels.FileChannel.open(
                          p, java.nio.file.StandardOpenOption.WRITE)) {
                    c.force(false);
                  }
                  return null;
                }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        try {
          f.get();
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
          throw new IOException(e);
        }
      }
      for (java.nio.file.Path p : waiting) {
        java.nio.file.Files.createLink(fresh.resolve(p.getFileName()), p);
        java.nio.file.Files.delete(p);
      }
      waiting.clear();
      try (java.nio.channels.FileChannel d =
          java.nio.channels.FileChannel.open(fresh, java.nio.file.StandardOpenOption.READ)) {
        d.force(true);
      }
    }

    @Override
    public void close() {}
  }

  private static Socket open(Server s) throws IOException {
    Socket raw = new Socket();
    raw.connect(new InetSocketAddress(s.host(), s.port()), 10_000);
    if (s.tls() == null) {
      return raw;
    }
    SSLSocket ssl =
        (SSLSocket) s.tls().getSocketFactory().createSocket(raw, s.host(), s.port(), true);
    javax.net.ssl.SSLParameters p = ssl.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    ssl.setSSLParameters(p);
    ssl.startHandshake();
    return ssl;
  }

  /** One mailfetch run with a fresh state: every message fetched into {@code sink}. */
  static long mailfetch(Server s, MessageSink sink) {
    return mailfetch(s, sink, FetchLimits.defaults());
  }

  /**
   * As above, with the engine's limits given (a message over 100 MiB needs a higher
   * maxMessageSize).
   */
  static long mailfetch(Server s, MessageSink sink, FetchLimits limits) {
    Pop3Source.Builder b =
        Pop3Source.builder().host(s.host()).port(s.port()).user(s.user()).password(s::password);
    if (s.tls() == null) {
      b.security(Security.NONE).allowPlaintextAuthentication(true);
    } else {
      b.security(Security.IMPLICIT_TLS).sslContext(s.tls());
    }
    if (limits.maxMessageSize() > Pop3Limits.DEFAULT_MAX_BODY_BYTES_ON_THE_WIRE) {
      b.limits(Pop3Limits.builder().maxBodyBytesOnTheWire(limits.maxMessageSize()).build());
    }
    FetchResult r =
        Fetcher.builder()
            .source(b.build())
            .sink(sink)
            .uidStore(InMemoryUidStore.create())
            .retention(Retention.KEEP)
            .limits(limits)
            .batchSize(Integer.getInteger("bench.batch", 50))
            .build()
            .run();
    if (!r.ok()) {
      throw new IllegalStateException("mailfetch failed: " + r.summary());
    }
    return r.bytesDelivered();
  }

  /** Angus Mail: every message written out whole, as its API hands it over. */
  static long angusMail(Server s) throws Exception {
    Properties props = new Properties();
    props.put("mail.pop3.disabletop", "true");
    props.put("mail.pop3.connectiontimeout", "10000");
    if (s.tls() != null) {
      props.put("mail.pop3.ssl.enable", "true");
      props.put("mail.pop3.ssl.socketFactory", s.tls().getSocketFactory());
      props.put("mail.pop3.ssl.checkserveridentity", "true");
    }
    return angusMail(props, s);
  }

  /** Angus Mail with these properties: connect, write every message to a counting stream, close. */
  static long angusMail(Properties props, Server s) throws Exception {
    Session session = Session.getInstance(props);
    Store store = session.getStore("pop3");
    store.connect(s.host(), s.port(), s.user(), s.password());
    Folder inbox = store.getFolder("INBOX");
    inbox.open(Folder.READ_ONLY);
    long[] total = {0};
    OutputStream counting =
        new OutputStream() {
          @Override
          public void write(int b) {
            total[0]++;
          }

          @Override
          public void write(byte[] b, int off, int len) {
            total[0] += len;
          }
        };
    for (Message m : inbox.getMessages()) {
      m.writeTo(counting);
    }
    inbox.close(false);
    store.close();
    return total[0];
  }

  /** Commons Net: every message read through its dot-terminated Reader. */
  static long commonsNet(Server s) throws IOException {
    POP3Client client = s.tls() == null ? new POP3Client() : new POP3SClient(true, s.tls());
    if (client instanceof POP3SClient tls) {
      tls.setEndpointCheckingEnabled(true); // host name checked, as for every other contender
    }
    client.setDefaultTimeout(10_000);
    client.connect(s.host(), s.port());
    if (!client.login(s.user(), s.password())) {
      throw new IOException("Commons Net login failed");
    }
    POP3MessageInfo status = client.status();
    long total = retrieveAll(client, status.number);
    client.logout();
    client.disconnect();
    return total;
  }

  /**
   * Commons Net: messages 1 to {@code count} read through its dot-terminated Reader, chars counted.
   */
  static long retrieveAll(POP3Client client, int count) throws IOException {
    long total = 0;
    char[] chars = new char[64 * 1024];
    for (int i = 1; i <= count; i++) {
      try (Reader r = client.retrieveMessage(i)) {
        int n;
        while ((n = r.read(chars)) >= 0) {
          total += n;
        }
      }
    }
    return total;
  }
}
