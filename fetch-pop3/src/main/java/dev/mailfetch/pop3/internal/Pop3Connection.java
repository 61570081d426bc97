package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.internal.Sizes;
import dev.mailfetch.api.internal.tls.TlsHandshake;
import dev.mailfetch.pop3.AuthMechanism;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.pop3.Tolerance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a POP3 server, up to and through the AUTHORIZATION state: TCP, TLS (implicit or
 * by STLS), the greeting, CAPA, commands out and replies in, the protocol trace. The mail session
 * ({@link Pop3Session}) and the doctor ({@link Examination}) both build on it; neither reaches into
 * the other.
 *
 * <p>What a caller may use (package-private, one thread at a time):
 *
 * <ul>
 *   <li>steps: {@link #connectTcp}, {@link #handshake} (or {@link #connect} for both); then the
 *       greeting, CAPA and STLS, which {@link Greeting} runs on the connection;
 *   <li>commands ({@link Pop3Commands}): {@link #send}, {@link #sendBatch}; replies: {@link
 *       #reply}, {@link #queuedReply}, {@link #readListing}; the {@link #reader} for bodies and raw
 *       lines;
 *   <li>facts: {@link #socket}, {@link #tls}, {@link #capabilities}, {@link #apopTimestamp}, {@link
 *       #loggedInWith}, {@link #utf8}, {@link #quirks}, {@link #server}, {@link #isBroken}, {@link
 *       #pipelining};
 *   <li>{@link #connectTo} (the doctor's own DNS answer) before {@link #connectTcp}; {@link
 *       #close}.
 * </ul>
 *
 * <p>Nothing secret reaches the trace: commands are shown as {@link Pop3Command#shown()}.
 */
final class Pop3Connection {
  // The session's logger, by name: the command mutes it where its report says the same.
  private static final Logger log = LoggerFactory.getLogger(Pop3Session.class);
  private static final Logger trace = LoggerFactory.getLogger("dev.mailfetch.pop3.trace");
  private static final Duration CAPA_TIMEOUT = Duration.ofSeconds(15);

  /**
   * How many pipelined commands may be unanswered at once (RETR, TOP, DELE, UIDL n, LIST n). Wide
   * enough that what comes in while the engine makes a batch durable (when nothing is read and no
   * refill goes out) lasts past the round trip of the refills sent after it: with 64, a run of
   * small messages through a 10 ms round trip waited on the socket after each barrier, 13 % of its
   * wall time (docs/benchmarks.md). Narrow enough for the rule of RFC 2449's blocking writes: even
   * the longest of these commands, 128 times, is under 4 KiB, less than any TCP window
   * (Pop3CommandsTest).
   */
  static final int WINDOW = 128;

  /**
   * How many commands a pipelined retrieval lets the window lose before refilling it, all in one
   * write: 112 to 128 stay unanswered, and a system call is made per 16 messages, not per message
   * (32 at a time measured no faster).
   */
  static final int REFILL = 16;

  /**
   * How long the reply to a queued (pipelined) command may keep us waiting once the server answered
   * the command before it (or the read timeout, if shorter): a server that answered STAT at once
   * and is silent on LIST dropped it (quirk Q21). A slow server mistaken for one costs a reconnect.
   */
  static final Duration QUEUED_WAIT = Duration.ofSeconds(5);

  /**
   * What CAPA's reply is read as; its lines go to the trace one by one (other listings as a count).
   */
  static final String READING_CAPABILITIES = "reading capabilities";

  /**
   * Empty lines skipped before a reply with Tolerance.EMPTY_LINES (quirk Q11): one to three are
   * met.
   */
  private static final int MAX_EMPTY_LINES = 100;

  /** Appended to a listing line that was cut: a space, so no UID can end with it. */
  static final String TRUNCATED = " \u0000truncated";

  /** The first CAPA closed or hung (quirk Q19): the source tries once more without CAPA. */
  static final class CapaBroken extends FetchException {
    private static final long serialVersionUID = 1L;

    CapaBroken(FetchException cause) {
      // the detail: no second "CODE: "
      super(cause.error(), cause.detail(), null, cause, cause.remedy());
    }

    /** The quirk of the error it wraps: this is that error, met on the first CAPA. */
    @Override
    public Optional<QuirkId> quirk() {
      return ((FetchException) getCause()).quirk();
    }
  }

  private final Pop3Settings settings;
  private final ServerMemory memory;
  private final Set<QuirkId> quirks = new LinkedHashSet<>();
  private Socket socket;
  private OutputStream out;
  private Pop3Reader reader;
  private boolean tls;
  private boolean capaAttempted;
  private Pop3Capabilities capabilities = Pop3Capabilities.NONE;
  private String apopTimestamp;
  private InetAddress address;
  private AuthMechanism loggedInWith;
  private boolean utf8;
  private volatile boolean broken;
  private volatile long lastCommand = System.nanoTime();

  Pop3Connection(Pop3Settings settings, ServerMemory memory) {
    this.settings = settings;
    this.memory = memory;
  }

  // ---------------------------------------------------------------- facts

  Pop3Settings settings() {
    return settings;
  }

  ServerMemory memory() {
    return memory;
  }

  /** The server as {@code host:port}, as every error text names it. */
  String server() {
    return settings.host() + ":" + settings.port();
  }

  /** The socket: an {@link SSLSocket} once TLS is on ({@link #tls}); null before connecting. */
  Socket socket() {
    return socket;
  }

  /** What reads the server's bytes: replies, listings, bodies. */
  Pop3Reader reader() {
    return reader;
  }

  boolean tls() {
    return tls;
  }

  /** What the last CAPA said ({@link Pop3Capabilities#NONE} before one). */
  Pop3Capabilities capabilities() {
    return capabilities;
  }

  /** The APOP timestamp of the greeting (RFC 1939 §7), or null. */
  String apopTimestamp() {
    return apopTimestamp;
  }

  /** The login method that worked, for the doctor's report; null before the login. */
  AuthMechanism loggedInWith() {
    return loggedInWith;
  }

  void apopTimestamp(String timestamp) {
    this.apopTimestamp = timestamp;
  }

  void capabilities(Pop3Capabilities capabilities) {
    this.capabilities = capabilities;
  }

  /** Whether no CAPA was sent yet on this connection; from now on one was. */
  boolean firstCapa() {
    boolean first = !capaAttempted;
    capaAttempted = true;
    return first;
  }

  void loggedInWith(AuthMechanism mechanism) {
    this.loggedInWith = mechanism;
  }

  /** Whether UTF-8 mode is on (RFC 6856, {@link Utf8Mode}). */
  boolean utf8() {
    return utf8;
  }

  void utf8(boolean on) {
    this.utf8 = on;
  }

  /** Connects to {@code address} instead of resolving the host name (the doctor's own answer). */
  void connectTo(InetAddress address) {
    this.address = address;
  }

  /** The quirks noticed so far, in the order noticed (live: the caller copies what it keeps). */
  Set<QuirkId> quirks() {
    return quirks;
  }

  void noticed(QuirkId quirk) {
    quirks.add(quirk);
  }

  /** Whether replies may be left unread or the bytes are out of step: nothing more on this line. */
  boolean isBroken() {
    return broken;
  }

  void markBroken() {
    broken = true;
  }

  /**
   * Whether commands may go out queued behind others (RFC 2449 PIPELINING): as the settings force
   * it, else as CAPA says, never where this server stalled on it before ({@link ServerMemory}).
   */
  boolean pipelining() {
    if (memory.noPipelining) {
      return false;
    }
    return settings.pipelining() != null ? settings.pipelining() : capabilities.has("PIPELINING");
  }

  /** How many commands may be unanswered at once: {@link #WINDOW} pipelined, else one. */
  int window() {
    return pipelining() ? WINDOW : 1;
  }

  /** When the last command went out, by {@link System#nanoTime()} (for the keepalive). */
  long lastCommand() {
    return lastCommand;
  }

  // ---------------------------------------------------------------- connection and TLS

  /** TCP, then, for implicit TLS, the handshake. */
  void connect() throws FetchException {
    connectTcp();
    if (settings.security() == Security.IMPLICIT_TLS) {
      handshake();
    }
  }

  void connectTcp() throws FetchException {
    socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      InetSocketAddress to =
          address != null
              ? new InetSocketAddress(address, settings.port())
              : new InetSocketAddress(settings.host(), settings.port());
      socket.connect(to, millis(settings.limits().connectTimeout()));
      socket.setSoTimeout(millis(settings.limits().readTimeout()));
    } catch (IOException e) {
      throw ConnectFailure.of(e, settings);
    }
    try {
      out = socket.getOutputStream();
      reader =
          new Pop3Reader(
              socket.getInputStream(),
              64 * 1024,
              settings.tolerances().contains(Tolerance.BARE_LF),
              settings.tolerances().contains(Tolerance.CR_TERMINATOR));
    } catch (IOException e) {
      throw new FetchException(
          FetchError.CONNECTION_RESET, "the connection to " + server() + " broke", e);
    }
  }

  /**
   * The TLS handshake over the connected socket: TLS 1.2 or later (RFC 8996, 8314), SNI unless the
   * host is an address, the host name checked against the certificate.
   */
  void handshake() throws FetchException {
    long began = System.nanoTime();
    try {
      began = System.nanoTime();
      SSLSocket ssl =
          TlsHandshake.secure(
              socket,
              settings.host(),
              settings.port(),
              settings.sslContext(),
              settings.limits().handshakeTimeout());
      ssl.setSoTimeout(millis(settings.limits().readTimeout()));
      socket = ssl;
      out = ssl.getOutputStream();
      int dropped = reader.switchTo(ssl.getInputStream());
      if (dropped > 0) {
        throw Advice.injectedBeforeTls(server(), Sizes.size(dropped));
      }
      tls = true;
      log.debug(
          "{} - TLS {} with {}", settings.account(), ssl.getSession().getProtocol(), server());
    } catch (SocketTimeoutException e) {
      throw TlsFailure.noAnswer(
          server(),
          settings.security() == Security.STARTTLS,
          settings.limits().handshakeTimeout(),
          null,
          e);
    } catch (SSLException e) { // a handshake failure or another: which check failed, in words
      throw TlsFailure.of(
          e,
          server(),
          settings.host(),
          settings.port(),
          settings.security() == Security.STARTTLS,
          Duration.ofNanos(System.nanoTime() - began),
          settings.limits().handshakeTimeout());
    } catch (IOException e) {
      throw new FetchException(
          FetchError.TLS_FAILED,
          "the TLS handshake with " + server() + " failed: " + e.getMessage(),
          e);
    } catch (NoSuchAlgorithmException e) {
      throw new FetchException(FetchError.CONFIGURATION, "this JDK has no TLS implementation", e);
    }
  }

  /** An IPv4 or IPv6 literal, which SNI must not carry (RFC 6066 §3). */
  static boolean isAddress(String host) {
    return TlsHandshake.isAddress(host);
  }

  // ---------------------------------------------------------------- commands and replies

  void send(Pop3Command command) throws FetchException {
    if (trace.isTraceEnabled()) {
      trace.trace("{} C: {}", settings.account(), FetchException.escape(command.shown()));
    }
    try {
      out.write(command.bytes()); // one write per command (Q22)
      out.flush();
      lastCommand = System.nanoTime();
    } catch (IOException e) {
      broken = true;
      throw new FetchException(
          FetchError.CONNECTION_RESET, "the connection broke while sending " + command.verb(), e);
    }
  }

  /**
   * Several whole commands in one write, as a pipelining client sends them (the doctor's probe,
   * STAT and RSET before QUIT); none is split (Q22).
   */
  void sendBatch(List<Pop3Command> commands) throws FetchException {
    ByteArrayOutputStream batch = new ByteArrayOutputStream();
    for (Pop3Command c : commands) {
      if (trace.isTraceEnabled()) {
        trace.trace("{} C: {}", settings.account(), FetchException.escape(c.shown()));
      }
      batch.writeBytes(c.bytes());
    }
    try {
      out.write(batch.toByteArray());
      out.flush();
      lastCommand = System.nanoTime();
    } catch (IOException e) {
      broken = true;
      throw new FetchException(
          FetchError.CONNECTION_RESET, "the connection broke while sending " + verbs(commands), e);
    }
  }

  /** A batch in words: "16 RETR commands", "STAT and RSET", "RETR and NOOP". */
  static String verbs(List<Pop3Command> commands) {
    Set<String> verbs = new LinkedHashSet<>();
    for (Pop3Command c : commands) {
      verbs.add(c.verb());
    }
    String joined = String.join(" and ", verbs);
    return verbs.size() == 1 && commands.size() > 1
        ? commands.size() + " " + joined + " commands"
        : joined;
  }

  /**
   * A line from the server in the protocol trace, escaped (it may hold anything), with {@code note}
   * after it. Replies carry no secret: the server never echoes a credential.
   */
  void traceReceived(String line, String note) {
    if (trace.isTraceEnabled()) {
      trace.trace("{} S: {}{}", settings.account(), FetchException.escape(line), note);
    }
  }

  /**
   * The reply to a command that went out queued behind one whose reply was just read: within {@link
   * #QUEUED_WAIT} of silence (or the read timeout, if shorter), see there.
   */
  Reply queuedReply(String doing) throws FetchException {
    return withinQueuedWait(() -> reply(doing));
  }

  /** A step of reading that may fail. */
  interface Step<T> {
    T run() throws FetchException;
  }

  /**
   * {@code step} with reads bounded by {@link #QUEUED_WAIT} (or the read timeout, if shorter), then
   * the read timeout again.
   */
  <T> T withinQueuedWait(Step<T> step) throws FetchException {
    Duration read = settings.limits().readTimeout();
    try {
      socket.setSoTimeout(millis(read.compareTo(QUEUED_WAIT) < 0 ? read : QUEUED_WAIT));
      try {
        return step.run();
      } finally {
        if (!socket.isClosed()) {
          socket.setSoTimeout(millis(read));
        }
      }
    } catch (SocketException e) {
      broken = true;
      throw new FetchException(
          FetchError.CONNECTION_RESET, "the connection to " + server() + " broke", e);
    }
  }

  /** Sets how long a read may wait ({@code null}: the read timeout again). */
  void readTimeout(Duration wait) throws FetchException {
    try {
      socket.setSoTimeout(millis(wait != null ? wait : settings.limits().readTimeout()));
    } catch (SocketException e) {
      broken = true;
      throw new FetchException(
          FetchError.CONNECTION_RESET, "the connection to " + server() + " broke", e);
    }
  }

  /** The status line of a reply, within the command timeout; {@code doing} is what errors say. */
  Reply reply(String doing) throws FetchException {
    reader.deadline(System.nanoTime() + settings.limits().commandTimeout().toNanos(), doing);
    int empty = 0;
    while (true) {
      String line;
      try {
        line = reader.readLine(settings.limits().maxStatusLine(), Limit.STATUS_LINE);
      } catch (FetchException e) {
        broken = true;
        throw e;
      }
      traceReceived(line, "");
      if (line.isEmpty()
          && settings.tolerances().contains(Tolerance.EMPTY_LINES)
          && empty++ < MAX_EMPTY_LINES) {
        continue;
      }
      try {
        Reply r = Reply.parse(line, settings.tolerances().contains(Tolerance.LOWERCASE_STATUS));
        if (empty > 0) {
          quirks.add(QuirkId.Q11); // worked around only now that the reply came
        }
        return r;
      } catch (FetchException e) {
        broken = true;
        if (e.error() == FetchError.EMPTY_LINE
            && !settings.tolerances().contains(Tolerance.EMPTY_LINES)) {
          throw new FetchException(
              e.error(),
              e.detail() + " (quirk Q11)",
              null,
              e,
              Advice.tolerate(Tolerance.EMPTY_LINES));
        }
        throw e;
      }
    }
  }

  /**
   * The first reply after the greeting: within a short deadline (a server may hang on CAPA, quirk
   * Q19), and past up to ten lines of junk that some servers send after their greeting (quirk Q16).
   */
  Reply firstReply(String doing) throws FetchException {
    long deadline =
        System.nanoTime()
            + Math.min(CAPA_TIMEOUT.toNanos(), settings.limits().commandTimeout().toNanos());
    for (int junk = 0; ; junk++) {
      reader.deadline(deadline, doing);
      String line;
      try {
        line = reader.readLine(settings.limits().maxStatusLine(), Limit.STATUS_LINE);
      } catch (FetchException e) {
        broken = true;
        throw e;
      }
      traceReceived(line, "");
      try {
        return Reply.parse(line, settings.tolerances().contains(Tolerance.LOWERCASE_STATUS));
      } catch (FetchException e) {
        if (junk >= 10
            || (e.error() != FetchError.READ_ERROR && e.error() != FetchError.EMPTY_LINE)) {
          broken = true;
          throw e;
        }
        quirks.add(QuirkId.Q16);
      }
    }
  }

  /** Reads multi-line listing lines (CAPA, LIST, UIDL) until the terminator, unstuffed. */
  void readListing(String doing, Consumer<String> each) throws FetchException {
    readListing(doing, false, each);
  }

  /**
   * As above; with {@code truncate}, a line over Pop3Limits.maxListingLine is cut there instead of
   * failing the listing, and marked with {@link #TRUNCATED} (for UIDL: a UID that long is no stable
   * id, case U-01).
   */
  void readListing(String doing, boolean truncate, Consumer<String> each) throws FetchException {
    boolean capabilities = doing.equals(READING_CAPABILITIES);
    int max = settings.limits().maxListingLinesOnTheWire();
    int count = 0;
    while (true) {
      String line;
      try {
        line =
            truncate
                ? reader.readLineTruncating(settings.limits().maxListingLine())
                : reader.readLine(settings.limits().maxListingLine(), Limit.LISTING_LINE);
        if (truncate && reader.lastLineTruncated()) {
          line = line + TRUNCATED;
        }
      } catch (FetchException e) {
        broken = true;
        throw e;
      }
      if (line.equals(".")) {
        if (!capabilities && count > 0 && trace.isTraceEnabled()) {
          // A listing of a million lines would drown the trace: its size, not its lines.
          trace.trace("{} S: ({} lines of {}, then \".\")", settings.account(), count, doing);
        } else {
          traceReceived(line, "");
        }
        return;
      }
      if (capabilities) {
        traceReceived(line, "");
      }
      if (++count > max) {
        broken = true;
        throw new FetchException(
            FetchError.LIMIT_EXCEEDED,
            "a listing from "
                + server()
                + " is longer than "
                + Limit.LISTING_ENTRIES.words(max)
                + " while "
                + doing,
            null,
            null,
            Limit.LISTING_ENTRIES.remedy(max));
      }
      each.accept(line.startsWith(".") ? line.substring(1) : line);
    }
  }

  /** Closes the socket; the connection is unusable from then on. */
  void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // nothing to do: the connection is gone either way
      }
    }
  }

  static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
  }
}
