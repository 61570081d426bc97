package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

/**
 * The wire of one IMAP session: the socket, tags, and the commands in flight. Several commands may
 * be sent before their replies are read (pipelining); each tagged reply is matched to its command
 * by tag, and untagged responses go to the oldest command still waiting, up to a cap. Every wait
 * has the command's deadline. A {@code * BYE} is remembered, so that the connection's end is
 * reported as the server's.
 */
final class ImapConnection implements Closeable {
  private final ImapSettings settings;
  private final ImapTrace trace;
  private Socket socket;
  private OutputStream out;
  private ImapReader reader;
  private ImapCapabilities capabilities = new ImapCapabilities(List.of());
  private final Map<String, Pending> inFlight = new LinkedHashMap<>();
  private final List<ImapLine> alerts = new ArrayList<>();
  private final List<ImapLine> unsolicited = new ArrayList<>();
  private ImapLine bye;
  private int nextTag = 1;
  private boolean broken;
  private boolean synchronizingOnly;

  /** How long, and how many lines, the server's last words are read after a write failed. */
  private static final long LAST_WORDS_MILLIS = 500;

  private static final int LAST_WORDS_LINES = 16;

  /** A command sent, awaiting its tagged reply. */
  private static final class Pending {
    final String name;
    final long deadline;
    final LiteralConsumer body;
    final UntaggedListener listener;
    final List<ImapLine> untagged = new ArrayList<>();
    TaggedReply reply;

    Pending(String name, long deadline, LiteralConsumer body, UntaggedListener listener) {
      this.name = name;
      this.deadline = deadline;
      this.body = body;
      this.listener = listener;
    }
  }

  ImapConnection(ImapSettings settings) {
    this.settings = settings;
    this.trace = new ImapTrace(settings.account());
  }

  String server() {
    return settings.server();
  }

  ImapSettings settings() {
    return settings;
  }

  /** Connects over TCP, within the connect timeout. */
  void connect() throws FetchException {
    socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(
          new InetSocketAddress(settings.host(), settings.port()),
          (int) settings.limits().connectTimeout().toMillis());
      out = socket.getOutputStream();
      Socket plain = socket;
      reader =
          new ImapReader(
              plain::setSoTimeout,
              socket.getInputStream(),
              settings.limits(),
              server(),
              settings.advice());
    } catch (IOException e) {
      throw ImapTls.connectFailed(settings, e);
    }
  }

  /** Switches to TLS over the connected socket (implicit TLS, or after STARTTLS). */
  void secure(boolean afterStartTls) throws FetchException {
    Socket ssl = ImapTls.handshake(socket, settings, afterStartTls);
    try {
      socket = ssl;
      out = ssl.getOutputStream();
      int dropped = reader.switchTo(ssl, ssl.getInputStream());
      if (dropped > 0) {
        throw ImapTls.injected(server(), dropped);
      }
    } catch (IOException e) {
      throw ImapFailures.closed(server(), e);
    }
  }

  boolean secured() {
    return socket instanceof SSLSocket;
  }

  /** The TLS version, where secured. */
  Optional<String> tlsVersion() {
    return socket instanceof SSLSocket s
        ? Optional.of(s.getSession().getProtocol())
        : Optional.empty();
  }

  /** Reads the greeting, within the command deadline. */
  ImapLine greeting() throws FetchException {
    ImapLine line = reader.read(deadline(), null);
    trace.server(line);
    if (line.kind() != ImapLine.Kind.UNTAGGED) {
      throw ImapFailures.protocol(server(), "did not greet as an IMAP server does", line);
    }
    if (line.name().equals("BYE")) {
      throw ImapFailures.bye(server(), line);
    }
    noteAlert(line);
    return line;
  }

  ImapCapabilities capabilities() {
    return capabilities;
  }

  void capabilities(ImapCapabilities caps) {
    this.capabilities = caps;
  }

  /** Bytes received but not read yet (a STARTTLS reply must be the last before the handshake). */
  int buffered() {
    return reader.buffered();
  }

  /**
   * Sends {@code command} with a new tag and returns the tag; its reply is read by {@link #await}.
   */
  String send(ImapCommand command) throws FetchException {
    ensureUsable();
    // Room in the window: read replies (kept for their await) until few enough are unanswered.
    for (Pending oldest = oldestOpen();
        oldest != null && openCount() >= settings.limits().maxCommandsInFlight();
        oldest = oldestOpen()) {
      readFor(oldest);
    }
    String tag = "A" + nextTag++;
    Pending p = new Pending(command.name(), deadline(), command.body(), command.untagged());
    inFlight.put(tag, p);
    trace.client(tag, command);
    try {
      new LiteralWriter(out, synchronizingOnly ? new ImapCapabilities(List.of()) : capabilities)
          .write(tag, command, () -> continuation(tag).kind() == ImapLine.Kind.CONTINUATION);
    } catch (FetchException e) {
      broken = true;
      throw e;
    } catch (IOException e) {
      broken = true;
      throw lastWords(tag, e);
    }
    return tag;
  }

  /**
   * Sends every literal from now on synchronizing ({@code {n}}), LITERAL+ or not: the server can
   * then refuse one (a NO before its bytes) without ending the session.
   */
  void synchronizingOnly(boolean only) {
    this.synchronizingOnly = only;
  }

  /**
   * The error of a write that failed: a server that ends a session says why first ({@code * BYE},
   * or a tagged NO to the command it would not take), so what it sent before it closed is read,
   * within a short deadline and a few lines, and its words are reported, not the JDK's.
   */
  private FetchException lastWords(String tag, IOException e) {
    FetchException broke = ImapFailures.closed(server(), e);
    long until =
        System.nanoTime()
            + Math.min(
                TimeUnit.MILLISECONDS.toNanos(LAST_WORDS_MILLIS),
                settings.limits().readTimeout().toNanos());
    TaggedReply refusal = null;
    try {
      for (int i = 0; i < LAST_WORDS_LINES && bye == null; i++) {
        ImapLine line = read(until, null);
        if (line.kind() == ImapLine.Kind.TAGGED) {
          TaggedReply r = inFlight.get(line.tag()).reply;
          if (!r.ok()) {
            refusal = r;
          }
          if (line.tag().equals(tag)) {
            break; // the command that could not be sent was answered: nothing more to wait for
          }
        }
      }
    } catch (FetchException ended) {
      // the end of what the server sent: what it said before is all there is
    }
    if (bye != null) {
      return ImapFailures.bye(server(), bye);
    }
    if (refusal != null) {
      return ImapFailures.brokeAfterRefusal(server(), refusal, e);
    }
    return broke;
  }

  /** Sends one line of a SASL exchange (secret: the trace shows it redacted). */
  void sendSecretLine(String line) throws FetchException {
    trace.clientSecret();
    try {
      out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      broken = true;
      throw ImapFailures.closed(server(), e);
    }
  }

  /**
   * While an IDLE command waits (RFC 2177): the next response, or empty when none began by {@code
   * until}; a response that began is read whole within the command deadline. Untagged responses are
   * filed to the IDLE command, as {@link #await} would.
   */
  Optional<ImapLine> idleResponse(long until) throws FetchException {
    try {
      if (!reader.awaitData(until)) {
        return Optional.empty();
      }
    } catch (FetchException e) {
      broken = true;
      if (bye != null) {
        throw ImapFailures.bye(server(), bye);
      }
      throw e;
    }
    return Optional.of(read(deadline(), null));
  }

  /** Ends an IDLE with {@code DONE} (RFC 2177); its tagged reply is then read by {@link #await}. */
  void sendDone() throws FetchException {
    try {
      out.write("DONE\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      broken = true;
      throw ImapFailures.closed(server(), e);
    }
  }

  /** Sends {@code command} and reads its tagged reply. */
  TaggedReply run(ImapCommand command) throws FetchException {
    return await(send(command));
  }

  /** The tagged reply of {@code tag}, reading (and sorting) what comes before it. */
  TaggedReply await(String tag) throws FetchException {
    Pending p = inFlight.get(tag);
    if (p == null) {
      throw new IllegalStateException("no command in flight with tag " + tag);
    }
    while (p.reply == null) {
      ImapLine line = readFor(p);
      if (line.kind() == ImapLine.Kind.CONTINUATION) {
        throw ImapFailures.protocol(server(), "asked for a literal no command was sending", line);
      }
    }
    inFlight.remove(tag);
    return p.reply;
  }

  /**
   * Reads until the server's {@code +} for {@code tag}'s command (a literal or a SASL round),
   * within the continuation timeout.
   *
   * @return the continuation request, or the command's tagged reply if the server ended it (then
   *     {@link #await} returns it)
   */
  ImapLine continuation(String tag) throws FetchException {
    Pending p = inFlight.get(tag);
    long limit =
        Math.min(p.deadline, System.nanoTime() + settings.limits().continuationTimeout().toNanos());
    while (p.reply == null) {
      ImapLine line;
      try {
        line = read(limit, p);
      } catch (FetchException e) {
        if (e.error() == FetchError.CONNECTION_TIMED_OUT) {
          broken = true;
          throw ImapFailures.noContinuation(server(), p.name, settings.limits(), settings.advice());
        }
        throw e;
      }
      if (line.kind() == ImapLine.Kind.CONTINUATION) {
        return line;
      }
    }
    return p.reply.line(); // refused instead: its reply waits for await(tag)
  }

  private ImapLine readFor(Pending p) throws FetchException {
    return read(p.deadline, p);
  }

  /**
   * Reads one response and files it: a tagged reply to its command, an untagged one to the oldest.
   */
  private ImapLine read(long deadline, Pending waiting) throws FetchException {
    Pending oldest = oldestOpen();
    ImapLine line;
    try {
      line = reader.read(deadline, oldest == null ? null : oldest.body);
    } catch (FetchException e) {
      broken = true;
      if (bye != null && e.error() == FetchError.CONNECTION_RESET) {
        throw ImapFailures.bye(server(), bye);
      }
      throw e;
    }
    trace.server(line);
    switch (line.kind()) {
      case TAGGED -> {
        Pending p = inFlight.get(line.tag());
        if (p == null) {
          throw ImapFailures.protocol(server(), "answered a command it was not sent", line);
        }
        noteAlert(line);
        p.reply = new TaggedReply(p.name, line, p.untagged);
      }
      case UNTAGGED -> {
        if (line.name().equals("BYE")) {
          bye = line;
        }
        noteAlert(line);
        Pending to = oldest != null ? oldest : waiting;
        if (to != null && to.listener != null && take(to.listener, line)) {
          break;
        }
        List<ImapLine> into = to != null ? to.untagged : unsolicited;
        if (into.size() >= settings.limits().maxUntaggedPerCommand()) {
          broken = true;
          throw ImapFailures.tooManyUntagged(
              server(), to != null ? to.name : "no command", settings.limits(), settings.advice());
        }
        into.add(line);
      }
      case CONTINUATION -> {}
    }
    return line;
  }

  /** {@code line} handed to its command's listener; a listener that throws ends the session. */
  private boolean take(UntaggedListener listener, ImapLine line) throws FetchException {
    try {
      return listener.take(line);
    } catch (FetchException | RuntimeException e) {
      broken = true;
      throw e;
    }
  }

  private int openCount() {
    int n = 0;
    for (Pending p : inFlight.values()) {
      if (p.reply == null) {
        n++;
      }
    }
    return n;
  }

  private Pending oldestOpen() {
    for (Iterator<Pending> it = inFlight.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.reply == null) {
        return p;
      }
    }
    return null;
  }

  private void noteAlert(ImapLine line) {
    ResponseCode code = line.code();
    if (code != null && code.is("ALERT")) {
      alerts.add(line);
      trace.alert(server(), line);
    }
  }

  /** The {@code [ALERT]} responses so far, which the user must see (RFC 9051 §7.1). */
  List<ImapLine> alerts() {
    return List.copyOf(alerts);
  }

  /** The {@code * BYE} the server sent, if any. */
  Optional<ImapLine> bye() {
    return Optional.ofNullable(bye);
  }

  /** Commands sent and not yet answered. */
  int inFlight() {
    return inFlight.size();
  }

  private long deadline() {
    return System.nanoTime() + settings.limits().commandTimeout().toNanos();
  }

  private void ensureUsable() throws FetchException {
    if (broken) {
      throw new FetchException(
          FetchError.CONNECTION_RESET,
          "the session with " + server() + " cannot go on after an earlier failure");
    }
  }

  boolean broken() {
    return broken;
  }

  @Override
  public void close() {
    broken = true;
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing: nothing left to do with it
      }
    }
  }
}
