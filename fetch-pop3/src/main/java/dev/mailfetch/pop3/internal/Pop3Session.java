package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.Capabilities;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.HeaderReading;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.Retrieval;
import dev.mailfetch.api.RetrievalMarks;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.api.internal.Listing;
import dev.mailfetch.pop3.AuthMechanism;
import dev.mailfetch.pop3.Pop3Limits;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.pop3.Tolerance;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One POP3 session, as a {@link FetchSession}. The lifecycle (RFC 1939, 2449, 2595, 5034):
 *
 * <ol>
 *   <li>connect; for implicit TLS, the handshake (TLS 1.2 or later, SNI, host name checked);
 *   <li>greeting, CAPA; for STARTTLS, STLS (refused up front if not offered; bytes buffered after
 *       its reply are an injection), the handshake, CAPA again;
 *   <li>UTF8, where CAPA offers it (RFC 6856; {@link Utf8Mode});
 *   <li>login with the strongest allowed mechanism the server offers; CAPA again;
 *   <li>STAT, LIST, UIDL: streamed, validated;
 *   <li>RETR in pipelined batches: a message is whole only when the status line after it parses;
 *   <li>DELE, QUIT.
 * </ol>
 *
 * <p>Nothing secret reaches the trace: PASS, AUTH responses and APOP digests are shown redacted.
 */
public final class Pop3Session implements FetchSession {
  private static final Logger log = LoggerFactory.getLogger(Pop3Session.class);
  private static final Logger trace = LoggerFactory.getLogger("dev.mailfetch.pop3.trace");
  private static final int WINDOW = 64;
  private static final Pattern APOP_TIMESTAMP =
      Pattern.compile("<[^<>@\\x00-\\x20\\x7F-\\xFF]+@[^<>@\\x00-\\x20\\x7F-\\xFF]+>");

  /** What a source hands a session. */
  public record Settings(
      String host,
      int port,
      Security security,
      String user,
      Supplier<String> password,
      TokenProvider tokens,
      Set<AuthMechanism> mechanisms,
      boolean allowPlaintext,
      SSLContext sslContext,
      Pop3Limits limits,
      Set<Tolerance> tolerances,
      Boolean pipelining,
      String account) {}

  /**
   * What sessions learn about a server and pass on to the next: that CAPA must not be sent (it
   * closed or hung, quirk Q19) or that pipelining stalls (quirk Q21).
   */
  public static final class Learnt {
    volatile boolean noCapa;
    volatile boolean noPipelining;

    /** {@code UIDL n} / {@code LIST n} answered multi-line (quirk Q28): use the bulk forms. */
    volatile boolean noSingleForms;
  }

  private static final Duration CAPA_TIMEOUT = Duration.ofSeconds(15);

  /**
   * A STAT count from here on is no mailbox's (case R-07): the largest maildrops hold a few
   * million.
   */
  static final long HOSTILE_COUNT = 1_000_000_000L;

  /**
   * How long the reply to a queued (pipelined) command may keep us waiting once the server answered
   * the command before it (or the read timeout, if shorter): a server that answered STAT at once
   * and is silent on LIST dropped it (quirk Q21). A slow server mistaken for one costs a reconnect.
   */
  static final Duration QUEUED_WAIT = Duration.ofSeconds(5);

  /**
   * What CAPA's reply is read as; its lines go to the trace one by one (other listings as a count).
   */
  private static final String READING_CAPABILITIES = "reading capabilities";

  /** How long a body may rest at ".\r" before the Q02 probe (the catalogue's figure). */
  private static final Duration Q02_GRACE = Duration.ofSeconds(5);

  /** One daemon thread keeps every idle session alive (quirk Q43). */
  private static final ScheduledExecutorService KEEPALIVE = keepAliveExecutor();

  /** Past this many unread keepalive answers (over four hours at 15 s) the keepalive stops. */
  private static final int MAX_UNANSWERED_NOOPS = 1024;

  /**
   * Empty lines skipped before a reply with Tolerance.EMPTY_LINES (quirk Q11): one to three are
   * met.
   */
  private static final int MAX_EMPTY_LINES = 100;

  /** Appended to a listing line that was cut: a space, so no UID can end with it. */
  private static final String TRUNCATED = " \u0000truncated";

  private final Settings s;
  final Learnt learnt;
  private boolean capaAttempted;
  Socket socket;
  private OutputStream out;
  Pop3Reader reader;
  boolean tls;
  Set<String> capa = Set.of();
  boolean capaWorked;
  String apopTimestamp;

  /** Where to connect instead of resolving the host name (the doctor's own DNS answer). */
  InetAddress address;

  /** The login method that worked, for the doctor's report. */
  AuthMechanism loggedInWith;

  /** Whether UTF-8 mode is on (RFC 6856, {@link Utf8Mode}). */
  boolean utf8;

  private boolean stableUids;
  private Optional<Duration> expire = Optional.empty();
  final Set<QuirkId> quirks = new LinkedHashSet<>();

  /** What this session noticed that a person must know ({@link #warnings()}). */
  private final List<FetchException> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** What was retrieved and marked, against servers that delete what was retrieved (quirk Q31). */
  private final RetrievedMarks marks = new RetrievedMarks();

  volatile boolean broken;

  /** The last refused DELE or QUIT, as the server said it ({@link #lastRefusal()}). */
  private volatile String lastRefusal;

  private int messageCount;

  /** Held by every use of the connection: the engine's calls and the keepalive's NOOP. */
  private final ReentrantLock line = new ReentrantLock();

  private volatile long lastCommand = System.nanoTime();
  private ScheduledFuture<?> keepAlive;

  /**
   * STAT, LIST and UIDL sent with the CAPA after login, their replies unread (only under {@link
   * #line}).
   */
  private boolean listingSent;

  /** Keepalive NOOPs whose answers are still to be read (only under {@link #line}). */
  private int unansweredNoops;

  /**
   * Commands whose replies are unread, in the order sent, beyond what the last retrieve read: the
   * RETRs sent for what the engine said comes next ({@link MessageRef}s), so that the pipeline
   * never runs dry across its barriers, and keepalive NOOPs sent behind them ({@link
   * #KEEPALIVE_NOOP}); within a retrieve, also its own RETRs and closing NOOP ({@link
   * #CLOSING_NOOP}) (only under {@link #line}).
   */
  private final ArrayDeque<Object> ahead = new ArrayDeque<>();

  private static final Object KEEPALIVE_NOOP = new Object();
  private static final Object CLOSING_NOOP = new Object();

  /**
   * The status line of {@code ahead}'s first command: read, as it proved the message before it
   * whole.
   */
  private Reply aheadStatus;

  /** Keepalive NOOPs in {@link #ahead}. */
  private int noopsAhead;

  Settings settings() {
    return s;
  }

  Pop3Session(Settings settings, Learnt learnt) {
    this.s = settings;
    this.learnt = learnt;
  }

  /**
   * Connects, secures and logs in. A server that closes or hangs on the first CAPA gets one more
   * try without CAPA (quirk Q19), and is remembered.
   */
  public static Pop3Session open(Settings settings, Learnt learnt) throws FetchException {
    try {
      return openOnce(settings, learnt);
    } catch (CapaBroken e) {
      learnt.noCapa = true;
      log.warn(
          "{} - {}:{} dropped or ignored CAPA (quirk Q19); trying again without it",
          settings.account(),
          settings.host(),
          settings.port());
      return openOnce(settings, learnt);
    }
  }

  /**
   * A command sent queued behind others (pipelined) went unanswered (quirk Q21): nothing of it was
   * handed over as failed, so the session's caller ({@link PipeliningFallback}) may connect again,
   * one command at a time, and do the same again. The connection is broken.
   */
  static final class PipelinedUnanswered extends FetchException {
    private static final long serialVersionUID = 1L;

    PipelinedUnanswered(FetchException cause) {
      super(cause.error(), cause.detail(), null, cause, cause.remedy());
    }
  }

  /** The first CAPA closed or hung. */
  static final class CapaBroken extends FetchException {
    private static final long serialVersionUID = 1L;

    CapaBroken(FetchException cause) {
      super(
          cause.error(),
          cause.detail(),
          null,
          cause,
          cause.remedy()); // the detail: no second "CODE: "
    }
  }

  private static Pop3Session openOnce(Settings settings, Learnt learnt) throws FetchException {
    Pop3Session session = new Pop3Session(settings, learnt);
    try {
      session.connect();
      session.greetAndSecure();
      Utf8Mode.enable(session); // RFC 6856: in the AUTHORIZATION state, so before the login
      session.login();
      session.capaAndListing();
      session.readPolicy();
      session.probeUidl();
      session.startKeepAlive();
      return session;
    } catch (FetchException e) {
      session.close();
      throw e;
    } catch (RuntimeException e) {
      session.close();
      // A bug of ours, not the server's: said so, without the exception's class name.
      throw new FetchException(
          FetchError.PROTOCOL,
          "an unexpected failure inside mailfetch while opening the session"
              + " with "
              + settings.host()
              + ":"
              + settings.port()
              + ": "
              + e.getMessage(),
          null,
          e,
          Remedy.of(
              "This is a bug in mailfetch: please report it with the output of --trace (it holds no password).",
              "This is a bug in mailfetch: please report it with the dev.mailfetch.pop3.trace log at TRACE (it holds"
                  + " no password)."));
    }
  }

  // ---------------------------------------------------------------- connection and TLS

  private void connect() throws FetchException {
    connectTcp();
    if (s.security() == Security.IMPLICIT_TLS) {
      handshake();
    }
  }

  void connectTcp() throws FetchException {
    socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      InetSocketAddress to =
          address != null
              ? new InetSocketAddress(address, s.port())
              : new InetSocketAddress(s.host(), s.port());
      socket.connect(to, millis(s.limits().connectTimeout()));
      socket.setSoTimeout(millis(s.limits().readTimeout()));
    } catch (UnknownHostException e) {
      throw HostLookup.failed(s.host(), e);
    } catch (SocketTimeoutException e) {
      throw new FetchException(
          FetchError.CONNECTION_TIMED_OUT,
          "connecting to "
              + server()
              + " got no answer within "
              + Limit.CONNECT_TIMEOUT.words(s.limits().connectTimeout())
              + ": a firewall may drop the connection, or"
              + " the host or port is wrong",
          null,
          e,
          Limit.CONNECT_TIMEOUT.remedy(s.limits().connectTimeout()));
    } catch (ConnectException e) {
      // Something answered for the host and said no one listens on the port: a wrong
      // port or a service that is down, not a connection that broke.
      throw new FetchException(
          FetchError.CONNECTION_REFUSED,
          "connecting to "
              + server()
              + " was refused: nothing"
              + " listens on port "
              + s.port()
              + " (a wrong port, or the mail service is down)",
          null,
          e,
          Advice.refused(s.port()));
    } catch (NoRouteToHostException e) {
      // As good as a silent drop for the user, as the doctor reports it.
      throw new FetchException(
          FetchError.CONNECTION_TIMED_OUT,
          "cannot reach "
              + server()
              + ": no route to the"
              + " host (this machine's network, or a firewall on the way)",
          e);
    } catch (IOException e) {
      throw new FetchException(
          FetchError.CONNECTION_RESET, "cannot connect to " + server() + ": " + e.getMessage(), e);
    }
    try {
      out = socket.getOutputStream();
      reader =
          new Pop3Reader(
              socket.getInputStream(),
              64 * 1024,
              s.tolerances().contains(Tolerance.BARE_LF),
              s.tolerances().contains(Tolerance.CR_TERMINATOR));
    } catch (IOException e) {
      throw new FetchException(
          FetchError.CONNECTION_RESET, "the connection to " + server() + " broke", e);
    }
  }

  void handshake() throws FetchException {
    long began = System.nanoTime();
    try {
      SSLContext ctx = s.sslContext() != null ? s.sslContext() : SSLContext.getDefault();
      SSLSocket ssl =
          (SSLSocket) ctx.getSocketFactory().createSocket(socket, s.host(), s.port(), true);
      SSLParameters p = ssl.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS"); // host name checked against the certificate
      if (!s.host().matches("[0-9.]+|.*:.*")) {
        p.setServerNames(List.of(new SNIHostName(s.host())));
      }
      List<String> protocols = new ArrayList<>();
      for (String proto : ssl.getSupportedProtocols()) {
        if (proto.equals("TLSv1.3") || proto.equals("TLSv1.2")) {
          protocols.add(proto);
        }
      }
      p.setProtocols(protocols.toArray(new String[0])); // RFC 8997 / 8314: nothing below TLS 1.2
      ssl.setSSLParameters(p);
      ssl.setSoTimeout(millis(s.limits().handshakeTimeout()));
      began = System.nanoTime();
      ssl.startHandshake();
      ssl.setSoTimeout(millis(s.limits().readTimeout()));
      socket = ssl;
      out = ssl.getOutputStream();
      int dropped = reader.switchTo(ssl.getInputStream());
      if (dropped > 0) {
        throw Advice.injectedBeforeTls(server(), dev.mailfetch.api.internal.Sizes.size(dropped));
      }
      tls = true;
      log.debug("{} - TLS {} with {}", s.account(), ssl.getSession().getProtocol(), server());
    } catch (SocketTimeoutException e) {
      throw TlsFailure.noAnswer(
          server(), s.security() == Security.STARTTLS, s.limits().handshakeTimeout(), null, e);
    } catch (SSLException e) { // a handshake failure or another: which check failed, in words
      throw TlsFailure.of(
          e,
          server(),
          s.host(),
          s.port(),
          s.security() == Security.STARTTLS,
          Duration.ofNanos(System.nanoTime() - began),
          s.limits().handshakeTimeout());
    } catch (IOException e) {
      throw new FetchException(
          FetchError.TLS_FAILED,
          "the TLS handshake with " + server() + " failed: " + e.getMessage(),
          e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new FetchException(FetchError.CONFIGURATION, "this JDK has no TLS implementation", e);
    }
  }

  // ---------------------------------------------------------------- commands and replies

  void send(String command, String shown) throws FetchException {
    if (trace.isTraceEnabled()) {
      trace.trace("{} C: {}", s.account(), FetchException.escape(shown));
    }
    try {
      out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8)); // one write per command (Q22)
      out.flush();
      lastCommand = System.nanoTime();
    } catch (IOException e) {
      broken = true;
      throw new FetchException(
          FetchError.CONNECTION_RESET, "the connection broke while sending " + verb(shown), e);
    }
  }

  /** Several commands in one write, as a pipelining client sends them (the doctor's probe). */
  void sendBatch(List<String> commands) throws FetchException {
    StringBuilder sb = new StringBuilder();
    for (String c : commands) {
      sb.append(c).append("\r\n");
    }
    try {
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      lastCommand = System.nanoTime();
    } catch (IOException e) {
      broken = true;
      throw new FetchException(
          FetchError.CONNECTION_RESET, "the connection broke while sending " + commands, e);
    }
  }

  /**
   * A line from the server in the protocol trace, escaped (it may hold anything), with {@code note}
   * after it. Replies carry no secret: the server never echoes a credential.
   */
  private void traceReceived(String line, String note) {
    if (trace.isTraceEnabled()) {
      trace.trace("{} S: {}{}", s.account(), FetchException.escape(line), note);
    }
  }

  private static String verb(String shown) {
    int sp = shown.indexOf(' ');
    return sp < 0 ? shown : shown.substring(0, sp);
  }

  /**
   * The reply to a command that went out queued behind one whose reply was just read: within {@link
   * #QUEUED_WAIT} of silence (or the read timeout, if shorter), see there.
   */
  private Reply queuedReply(String doing) throws FetchException {
    return withinQueuedWait(() -> reply(doing));
  }

  private interface Step<T> {
    T run() throws FetchException;
  }

  /**
   * {@code step} with reads bounded by {@link #QUEUED_WAIT} (or the read timeout, if shorter), then
   * the read timeout again.
   */
  private <T> T withinQueuedWait(Step<T> step) throws FetchException {
    Duration read = s.limits().readTimeout();
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

  Reply reply(String doing) throws FetchException {
    reader.deadline(System.nanoTime() + s.limits().commandTimeout().toNanos(), doing);
    int empty = 0;
    while (true) {
      String line;
      try {
        line = reader.readLine(s.limits().maxStatusLine(), Limit.STATUS_LINE);
      } catch (FetchException e) {
        broken = true;
        throw e;
      }
      traceReceived(line, "");
      if (line.isEmpty()
          && s.tolerances().contains(Tolerance.EMPTY_LINES)
          && empty++ < MAX_EMPTY_LINES) {
        continue;
      }
      try {
        Reply r = Reply.parse(line, s.tolerances().contains(Tolerance.LOWERCASE_STATUS));
        if (empty > 0) {
          quirks.add(QuirkId.Q11); // worked around only now that the reply came
        }
        return r;
      } catch (FetchException e) {
        broken = true;
        if (e.error() == FetchError.EMPTY_LINE && !s.tolerances().contains(Tolerance.EMPTY_LINES)) {
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
  private Reply firstReply(String doing) throws FetchException {
    long deadline =
        System.nanoTime() + Math.min(CAPA_TIMEOUT.toNanos(), s.limits().commandTimeout().toNanos());
    for (int junk = 0; ; junk++) {
      reader.deadline(deadline, doing);
      String line;
      try {
        line = reader.readLine(s.limits().maxStatusLine(), Limit.STATUS_LINE);
      } catch (FetchException e) {
        broken = true;
        throw e;
      }
      traceReceived(line, "");
      try {
        return Reply.parse(line, s.tolerances().contains(Tolerance.LOWERCASE_STATUS));
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

  // ---------------------------------------------------------------- greeting, CAPA, STLS

  private void greetAndSecure() throws FetchException {
    try {
      greet();
    } catch (FetchException e) {
      throw noGreeting(e);
    }
    capa();
    if (s.security() == Security.STARTTLS) {
      startTls();
    }
  }

  /**
   * No greeting at all, where plain text was chosen: a port that speaks TLS from the first byte
   * waits for a handshake and never greets (a pop3:// URL to port 995). Said as the doctor says it
   * (PLAIN_TO_TLS_PORT), once a handshake on a second connection proves it; else {@code e} as it
   * is.
   */
  private FetchException noGreeting(FetchException e) {
    boolean nothing =
        (e.error() == FetchError.CONNECTION_RESET || e.error() == FetchError.CONNECTION_TIMED_OUT)
            && reader.offset() == 0
            && reader.buffered() == 0;
    Duration wait =
        s.limits().handshakeTimeout().compareTo(Duration.ofSeconds(5)) < 0
            ? s.limits().handshakeTimeout()
            : Duration.ofSeconds(5);
    if (!nothing
        || s.security() == Security.IMPLICIT_TLS
        || !PortProbe.answersTls(socket.getInetAddress(), s.host(), s.port(), wait)) {
      return e;
    }
    return new FetchException(
        FetchError.TLS_FAILED,
        server()
            + " sent no greeting: port "
            + s.port()
            + " expects"
            + " TLS from the first byte (implicit TLS) and answers a TLS handshake, but this connection spoke "
            + (s.security() == Security.STARTTLS
                ? "plain text, to start TLS later (STARTTLS)"
                : "plain text")
            + "; nothing was sent",
        null,
        e,
        Advice.tlsPort());
  }

  /** Reads the greeting and whatever junk came with it. */
  Reply greet() throws FetchException {
    Reply greeting = reply("waiting for the greeting");
    if (!greeting.ok()) {
      throw greeting.exception(
          FetchError.SERVER_TEMPORARY, server() + " refused the session in its greeting");
    }
    if (greeting.text().isEmpty()) {
      quirks.add(QuirkId.Q12);
    }
    Matcher m = APOP_TIMESTAMP.matcher(greeting.text());
    if (m.find()) {
      apopTimestamp = m.group();
    }
    // Lines that came with the greeting, before any command: never the answer to one (N-10, Q16).
    int junk =
        reader.discardBufferedLines(
            10, line -> traceReceived(line, " (skipped: it came with the greeting)"));
    if (junk < 0) {
      broken = true;
      throw new FetchException(
          FetchError.PROTOCOL,
          server()
              + " sent more than ten lines after its greeting,"
              + " before any command (RFC 1939 §4 has one greeting line)");
    }
    if (junk > 0) {
      quirks.add(QuirkId.Q16);
    }
    return greeting;
  }

  /** STLS, required: refused or absent ends the session before any credential is sent. */
  void startTls() throws FetchException {
    if (capaWorked && !capa.contains("STLS")) {
      throw new FetchException(
          FetchError.TLS_REQUIRED_NOT_OFFERED,
          server() + " does not offer STLS, so TLS cannot be started; nothing was sent but CAPA");
    }
    send("STLS", "STLS");
    Reply r = reply("waiting for the STLS reply");
    if (!r.ok()) {
      throw Advice.stlsRefused(server(), r, capaWorked);
    }
    if (reader.buffered() > 0) {
      broken = true;
      throw Advice.injectedBeforeTls(server(), "data");
    }
    handshake();
    capa = Set.of(); // RFC 2595 §4: discard what was learnt before TLS
    capa();
  }

  void capa() throws FetchException {
    if (learnt.noCapa) {
      capa = Set.of();
      capaWorked = false;
      quirks.add(QuirkId.Q19);
      return;
    }
    boolean first = !capaAttempted;
    capaAttempted = true;
    send("CAPA", "CAPA");
    Reply r;
    try {
      r = first ? firstReply(READING_CAPABILITIES) : reply(READING_CAPABILITIES);
    } catch (FetchException e) {
      if (first
          && (e.error() == FetchError.CONNECTION_RESET
              || e.error() == FetchError.CONNECTION_TIMED_OUT)) {
        throw new CapaBroken(e);
      }
      throw e;
    }
    readCapa(r);
  }

  private void readCapa(Reply r) throws FetchException {
    // A +OK that a status line follows was a greeting line that came late, after CAPA was sent
    // (quirk Q16: "+OK second greeting line"), not CAPA's reply: the status line is. Whatever the
    // bytes' timing, CAPA's -ERR is then read as CAPA refused, never as a capability.
    for (int junk = 0; r.ok() && junk < 10 && reader.nextLineIsStatus(); junk++) {
      quirks.add(QuirkId.Q16);
      r = reply(READING_CAPABILITIES);
    }
    if (!r.ok()) {
      capa = Set.of();
      capaWorked = false;
      quirks.add(QuirkId.Q19);
      return;
    }
    Set<String> lines = new LinkedHashSet<>();
    readListing(
        READING_CAPABILITIES,
        line -> {
          String upper = line.toUpperCase(Locale.ROOT);
          if (upper.startsWith("+OK") || upper.startsWith("-ERR")) {
            // A status line is no capability: greeting junk that came late was taken for CAPA's
            // reply, and this is the real one (quirk Q16).
            quirks.add(QuirkId.Q16);
            return;
          }
          lines.add(upper.replace('_', '-').strip());
        });
    capa = lines;
    capaWorked = true;
  }

  /**
   * The CAPA after login, with STAT, LIST and UIDL behind it when the server said before login that
   * it pipelines and lists UIDs: the engine lists next, and the listing's replies are then on their
   * way while CAPA's are read (one round trip fewer per session). If CAPA now says otherwise, the
   * listing's replies are read and dropped, and everything goes on as without this.
   */
  void capaAndListing() throws FetchException {
    if (learnt.noCapa || !pipelining() || !has("UIDL")) {
      capa();
      return;
    }
    capaAttempted = true;
    send("CAPA", "CAPA");
    send("STAT", "STAT");
    send("LIST", "LIST");
    send("UIDL", "UIDL");
    listingSent = true;
    try {
      readCapa(reply(READING_CAPABILITIES));
    } catch (FetchException e) {
      broken = true;
      pipelinedListingFailed(e); // a server that stalls on pipelined commands may do so right here
      throw e.error() == FetchError.CONNECTION_TIMED_OUT ? new PipelinedUnanswered(e) : e;
    }
    if (!pipelining() || !has("UIDL")) {
      dropListing();
    }
  }

  /**
   * Reads, and drops, the replies to a listing sent with CAPA that the engine did not ask for
   * (yet).
   */
  private void dropListing() throws FetchException {
    listingSent = false;
    try {
      Reply stat = queuedReply("counting messages (STAT)");
      Reply list = queuedReply("listing sizes (LIST)");
      if (list.ok()) {
        readListing("listing sizes (LIST)", true, line -> {});
      }
      Reply uidl = queuedReply("listing unique ids (UIDL)");
      if (uidl.ok()) {
        readListing("listing unique ids (UIDL)", true, line -> {});
      }
      log.debug("{} - dropped a listing sent ahead ({}, {}, {})", s.account(), stat, list, uidl);
    } catch (FetchException e) {
      broken = true; // replies may be left unread: nothing more on this connection
      if (e.error() == FetchError.CONNECTION_TIMED_OUT) {
        pipeliningStalled();
        throw new PipelinedUnanswered(e);
      }
      throw e;
    }
  }

  boolean has(String tag) {
    for (String line : capa) {
      if (line.equals(tag) || line.startsWith(tag + " ")) {
        return true;
      }
    }
    return false;
  }

  Set<String> saslMechanisms() {
    Set<String> out = new LinkedHashSet<>();
    for (String line : capa) {
      if (line.startsWith("SASL ")) {
        for (String m : line.substring(5).split(" +")) {
          out.add(m.toUpperCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  /** Reads multi-line listing lines (CAPA, LIST, UIDL) until the terminator, unstuffed. */
  private void readListing(String doing, java.util.function.Consumer<String> each)
      throws FetchException {
    readListing(doing, false, each);
  }

  /**
   * As above; with {@code truncate}, a line over Pop3Limits.maxListingLine is cut there instead of
   * failing the listing, and marked (for UIDL: a UID that long is no stable id, case U-01).
   */
  void readListing(String doing, boolean truncate, java.util.function.Consumer<String> each)
      throws FetchException {
    boolean capabilities = doing.equals(READING_CAPABILITIES);
    int count = 0;
    while (true) {
      String line;
      try {
        line =
            truncate
                ? reader.readLineTruncating(s.limits().maxListingLine())
                : reader.readLine(s.limits().maxListingLine(), Limit.LISTING_LINE);
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
          trace.trace("{} S: ({} lines of {}, then \".\")", s.account(), count, doing);
        } else {
          traceReceived(line, "");
        }
        return;
      }
      if (capabilities) {
        traceReceived(line, "");
      }
      if (++count > s.limits().maxListingEntries()) {
        broken = true;
        throw new FetchException(
            FetchError.LIMIT_EXCEEDED,
            "a listing from "
                + server()
                + " is longer than "
                + Limit.LISTING_ENTRIES.words(s.limits().maxListingEntries())
                + " while "
                + doing,
            null,
            null,
            Limit.LISTING_ENTRIES.remedy(s.limits().maxListingEntries()));
      }
      each.accept(line.startsWith(".") ? line.substring(1) : line);
    }
  }

  // ---------------------------------------------------------------- login

  /** Logs in with the strongest allowed mechanism the server offers ({@link Login}). */
  void login() throws FetchException {
    new Login(this).login();
  }

  private void readPolicy() {
    for (String line : capa) {
      if (line.startsWith("EXPIRE ")) {
        String v = line.substring(7).split(" ")[0];
        if (v.equals("NEVER")) {
          expire = Optional.empty();
        } else if (v.matches("[0-9]{1,6}")) {
          expire = Optional.of(Duration.ofDays(Long.parseLong(v)));
        }
      }
    }
  }

  /**
   * Whether unique ids work, known before the listing so the engine can refuse leave-on-server up
   * front: UIDL in CAPA, or else a probe with {@code UIDL 1} (quirk Q20: some servers support it
   * without saying so). With an empty mailbox and no UIDL in CAPA there is nothing to probe: the
   * ids count as missing, as Gmail's rule has it ("the server does not advertise UIDL").
   */
  private void probeUidl() throws FetchException {
    if (has("UIDL")) {
      stableUids = true;
      return;
    }
    send("STAT", "STAT");
    Reply stat = reply("counting messages (STAT)");
    String[] parts = stat.text().split("[ \t]+");
    if (!stat.ok() || parts.length < 1 || number(parts[0]) <= 0) {
      stableUids = false;
      return;
    }
    send("UIDL 1", "UIDL 1");
    stableUids = reply("probing for UIDL").ok();
    quirks.add(stableUids ? QuirkId.Q20 : QuirkId.Q24);
  }

  // ---------------------------------------------------------------- FetchSession

  @Override
  public Capabilities capabilities() {
    return new Capabilities(stableUids, expire, LoginDelay.announcedIn(capa), capa);
  }

  @Override
  public String server() {
    return s.host() + ":" + s.port();
  }

  @Override
  public Set<QuirkId> quirksNoticed() {
    return Set.copyOf(quirks);
  }

  @Override
  public List<FetchException> warnings() {
    return List.copyOf(warnings);
  }

  @Override
  public Optional<String> lastRefusal() {
    return Optional.ofNullable(lastRefusal);
  }

  private void warn(FetchException w) {
    if (w != null) {
      warnings.add(w);
    }
  }

  @Override
  public void list(ListingHandler handler) throws FetchException {
    acquire();
    try {
      listLocked(handler);
    } finally {
      line.unlock();
    }
  }

  private void listLocked(ListingHandler handler) throws FetchException {
    // With pipelining, STAT, LIST and UIDL go out together: two round trips fewer per poll, most
    // of a poll with nothing new on a distant server. Their replies are read in order. They may
    // have gone out with the CAPA after login already (capaAndListing).
    boolean together = listingSent || pipelining();
    try {
      listLocked(handler, together);
    } catch (FetchException e) {
      if (together) {
        broken = true; // replies to the other listing commands may be unread
        pipelinedListingFailed(e);
        if (e.error() == FetchError.CONNECTION_TIMED_OUT || e.error() == FetchError.WRONG_ORDER) {
          // Late, or a later command's reply where a dropped one's was due (quirk Q21): one at a
          // time.
          throw e instanceof PipelinedUnanswered ? e : new PipelinedUnanswered(e);
        }
      }
      throw e;
    } catch (RuntimeException e) {
      broken = broken || together;
      throw e;
    }
  }

  private void pipelinedListingFailed(FetchException e) {
    if (e.error() == FetchError.CONNECTION_TIMED_OUT) {
      pipeliningStalled();
    } else if (!learnt.noPipelining) {
      // A server that drops some of the queued commands (quirk Q21) answers the next one in the
      // wrong place: the listing then looks malformed rather than late. Whatever broke it, the
      // next session lists one command at a time.
      learnt.noPipelining = true;
      quirks.add(QuirkId.Q21);
      log.warn(
          "{} - a pipelined listing from {} failed ({}); pipelining is off for it from now on",
          s.account(),
          server(),
          e.error());
    }
  }

  private void listLocked(ListingHandler handler, boolean together) throws FetchException {
    boolean queued = listingSent; // behind the CAPA, whose reply was read
    if (listingSent) {
      listingSent = false; // STAT, LIST and UIDL: stableUids holds, as CAPA listed UIDL
    } else {
      send("STAT", "STAT");
      if (together) {
        send("LIST", "LIST");
        if (stableUids) {
          send("UIDL", "UIDL");
        }
      }
    }
    Reply stat =
        queued ? queuedReply("counting messages (STAT)") : reply("counting messages (STAT)");
    if (!stat.ok()) {
      FetchException notIn =
          LoginRefusal.notReallyLoggedIn(
              server(),
              stat,
              loggedInWith == null
                  ? null
                  : loggedInWith == AuthMechanism.USER
                      ? "USER and PASS"
                      : "AUTH " + Login.saslName(loggedInWith),
              "STAT");
      throw notIn != null
          ? notIn
          : stat.exception(
              FetchError.SERVER_TEMPORARY, server() + " could not count the" + " messages (STAT)");
    }
    String[] parts = stat.text().split("[ \t]+");
    long count = parts.length >= 2 ? number(parts[0]) : -1;
    long octets = parts.length >= 2 ? number(parts[1]) : -1;
    if (count < 0 || octets < 0 || count > Integer.MAX_VALUE) {
      broken = true;
      FetchException e =
          new FetchException(
              FetchError.PROTOCOL,
              server()
                  + " answered STAT with no valid count"
                  + " and size (RFC 1939 §5: +OK, the number of messages, their size in octets)",
              stat.line(),
              null);
      // Queued, a bare +OK is LIST's or UIDL's reply where a dropped STAT's was due (quirk Q21).
      throw (together || queued) && stat.text().isBlank() ? new PipelinedUnanswered(e) : e;
    }
    if (count >= HOSTILE_COUNT) {
      // No maildrop holds that many (case R-07): a broken or hostile reply, not a limit to raise.
      broken = true;
      throw new FetchException(
          FetchError.PROTOCOL,
          server()
              + " answered STAT with a count of "
              + count
              + " messages, which no real mailbox holds: the server is broken or hostile; nothing was fetched",
          stat.line(),
          null,
          Remedy.of(
              "Tell the provider what their server answered (the reply is above); no setting"
                  + " of mailfetch should be raised for it."));
    }
    messageCount = (int) count;
    handler.count(messageCount, octets);
    if (messageCount > s.limits().maxListingEntries()) {
      // Never allocate from a server's count (case R-07): the size table below is one long each.
      broken = true;
      throw new FetchException(
          FetchError.LIMIT_EXCEEDED,
          server()
              + " counts "
              + messageCount
              + " messages, more than "
              + Limit.LISTING_ENTRIES.words(s.limits().maxListingEntries()),
          stat.line(),
          null,
          Limit.LISTING_ENTRIES.remedy(s.limits().maxListingEntries()));
    }
    long[] sizes = new long[messageCount + 1];
    java.util.Arrays.fill(sizes, -1);
    ListingDisagreement gaps = new ListingDisagreement(messageCount);
    if (!together) {
      send("LIST", "LIST");
    }
    Reply list = together ? queuedReply("listing sizes (LIST)") : reply("listing sizes (LIST)");
    if (!list.ok()) {
      throw list.exception(
          FetchError.SERVER_TEMPORARY, server() + " could not list the messages (LIST)");
    }
    FetchException[] bad = new FetchException[1];
    readListing(
        "listing sizes (LIST)",
        line -> {
          if (together && bad[0] == null && (line.startsWith("+OK") || line.startsWith("-ERR"))) {
            // A status line among the sizes: the replies run ahead of the commands (case N-12).
            bad[0] = repliesAhead("LIST's listing holds a status line");
            return;
          }
          String[] f = line.strip().split("[ \t]+");
          long n = f.length >= 2 ? number(f[0]) : -1;
          long size = f.length >= 2 ? number(f[1]) : -1;
          boolean tolerant = s.tolerances().contains(Tolerance.UNORDERED_LISTING);
          if (n < 1 || n > messageCount || size < 0 || sizes[(int) n] >= 0) {
            if (tolerant && size >= 0) {
              quirks.add(
                  QuirkId.Q29); // ignored with a warning: numbers outside 1..STAT, or repeated
              gaps.droppedList(n);
              return;
            }
            if (bad[0] == null) {
              bad[0] =
                  wrongOrder(
                      n < 1 || n > messageCount || size < 0
                          ? "LIST names a message that STAT did not count, or a bad size"
                          : "LIST names message " + n + " twice",
                      line);
            }
            return;
          }
          sizes[(int) n] = size;
        });
    if (bad[0] != null) {
      throw bad[0];
    }
    Reply uidl = null;
    if (stableUids) {
      if (!together) {
        send("UIDL", "UIDL");
      }
      uidl =
          together ? queuedReply("listing unique ids (UIDL)") : reply("listing unique ids (UIDL)");
    }
    if (uidl == null || !uidl.ok()) {
      quirks.add(QuirkId.Q24);
      stableUids = false;
      for (int n = 1; n <= messageCount; n++) {
        if (sizes[n] >= 0) {
          handler.message(new MessageRef(n, null, sizes[n]));
        }
      }
      warn(gaps.warning(server(), sizes, null));
      return;
    }
    // Held until the listing is whole (a listing that breaks halfway hands over nothing), flat:
    // a million messages cost about 50 bytes each here (docs/benchmarks.md, scale).
    Listing held = new Listing(messageCount);
    BitSet listed = new BitSet(messageCount + 1);
    int[] last = {0};
    boolean sortLater = s.tolerances().contains(Tolerance.UNORDERED_LISTING);
    FetchException[] fail = new FetchException[1];
    readListing(
        "listing unique ids (UIDL)",
        true,
        line -> {
          if (fail[0] != null) {
            return;
          }
          String l = line.startsWith("+OK ") ? line.substring(4) : line; // quirk Q27(a)
          int sp = indexOfSpace(l);
          long n = number(sp < 0 ? l : l.substring(0, sp));
          String uid = sp < 0 ? "" : l.substring(sp).strip();
          if (n < 1 || n > messageCount || listed.get((int) n)) {
            if (sortLater) {
              quirks.add(
                  QuirkId.Q29); // ignored with a warning; the message is fetched when it lists
              // properly
              gaps.droppedUidl(n);
              return;
            }
            fail[0] =
                wrongOrder(
                    n < 1 || n > messageCount
                        ? "UIDL names a message that STAT did not count"
                        : "UIDL names message " + n + " twice",
                    line);
            return;
          }
          if (n < last[0] && !sortLater) {
            fail[0] = wrongOrder("UIDL lists message " + n + " after message " + last[0], line);
            return;
          }
          if (n < last[0]) {
            quirks.add(QuirkId.Q29);
          }
          last[0] = (int) Math.max(last[0], n);
          listed.set((int) n);
          String key = validUid(uid);
          long size = sizes[(int) n];
          if (size < 0) {
            quirks.add(QuirkId.Q46); // listed by UIDL but not by LIST: fetched next time
            return;
          }
          if (key != null && held.indexOf(key) >= 0) {
            quirks.add(QuirkId.Q25);
            // RFC 1939 §7 allows identical copies with one id: keep both, the second under a new
            // name
            int copy = 2;
            while (held.indexOf(key + "#dup" + copy) >= 0) {
              copy++;
            }
            key = key + "#dup" + copy;
          }
          held.add((int) n, key, size);
        });
    if (fail[0] != null) {
      throw fail[0];
    }
    warn(gaps.warning(server(), sizes, listed));
    if (!sortLater) {
      for (int i = 0; i < held.count(); i++) {
        handler.message(held.ref(i));
      }
      return;
    }
    int[] byNumber = new int[messageCount + 1];
    for (int i = 0; i < held.count(); i++) {
      byNumber[held.number(i)] = i + 1;
    }
    for (int n = 1; n <= messageCount; n++) {
      if (byNumber[n] != 0) {
        handler.message(held.ref(byNumber[n] - 1));
      }
    }
  }

  private static int indexOfSpace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
        return i;
      }
    }
    return -1;
  }

  /**
   * A UID the state may key on, or null (the message then has no stable id: quirks Q27,
   * U-01..U-04).
   */
  private String validUid(String uid) {
    if (uid.isEmpty() || uid.length() > MessageRef.MAX_UID_LENGTH || uid.endsWith(TRUNCATED)) {
      quirks.add(QuirkId.Q27);
      return null;
    }
    for (int i = 0; i < uid.length(); i++) {
      char c = uid.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        quirks.add(QuirkId.Q27);
        return null;
      }
    }
    return uid;
  }

  /**
   * Case N-12 while pipelining: more replies than commands. The next session sends one at a time.
   */
  private FetchException repliesAhead(String what) {
    broken = true;
    learnt.noPipelining = true;
    quirks.add(QuirkId.Q21);
    return new FetchException(
        FetchError.PROTOCOL,
        server()
            + " sent more replies than commands: "
            + what
            + "; the session stops and pipelining is off for this server from now on");
  }

  private FetchException wrongOrder(String what, String line) {
    broken = true;
    return new FetchException(
        FetchError.WRONG_ORDER, server() + ": " + what + " (RFC 1939 §5)", line, null);
  }

  /** A non-negative decimal of at most 18 digits, or -1. */
  private static long number(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private boolean pipelining() {
    if (learnt.noPipelining) {
      return false;
    }
    return s.pipelining() != null ? s.pipelining() : has("PIPELINING");
  }

  /**
   * With pipelining, the RETRs for {@code request.following()} follow this batch's, so that their
   * replies travel while the engine makes this batch durable. The next {@code retrieve} takes them
   * up; any other call drops the session without QUIT (see {@link #dropAhead}). As RETR bodies are
   * read, each CRLF becomes LF by where the reader cuts its slices: no second pass.
   */
  @Override
  public void retrieve(Retrieval request, MessageHandler handler) throws FetchException {
    List<MessageRef> batch = request.batch();
    List<MessageRef> next = request.following();
    LineEnding ending = request.lineEnding();
    acquireKeepingAhead();
    try {
      if (listingSent) {
        dropListing();
      }
      reader.lineEndsToLf(ending == LineEnding.LF);
      reader.aboutMessages(true);
      bodiesLocked(batch, next, handler, "RETR", "");
    } catch (RuntimeException e) {
      broken =
          true; // the handler stopped us mid-batch: replies are in flight, nothing more on this
      // line
      throw e;
    } finally {
      reader.aboutMessages(false);
      reader.lineEndsToLf(false);
      line.unlock();
    }
  }

  /**
   * TOP for each message of {@code batch}: its header section and the first {@code lines} lines of
   * its body, handed to {@code handler} as {@link #retrieve} hands whole messages, pipelined in the
   * same window. Read-only: it marks nothing on servers that mark or delete on RETR (quirk Q45). A
   * {@code -ERR} fails that message only (quirk Q33, servers without TOP). A second {@code +OK}
   * where the content should start is dropped (quirk Q33, FTGate). The content is what the server
   * sent: a server that ignores {@code lines} or truncates (Q33) is for the caller to judge against
   * the listed size.
   */
  public void top(List<MessageRef> batch, int lines, MessageHandler handler) throws FetchException {
    if (lines < 0) {
      throw new IllegalArgumentException("lines must be 0 or more: " + lines);
    }
    acquireDroppingListing();
    try {
      bodiesLocked(batch, List.of(), handler, "TOP", " " + lines);
    } finally {
      line.unlock();
    }
  }

  /** The header sections, by {@code TOP n 0} (see {@link #top}). */
  @Override
  public Optional<HeaderReading> headerReading() {
    return Optional.of((batch, handler) -> top(batch, 0, handler));
  }

  /**
   * {@code UIDL n} for each number, pipelined: the unique id of each message the server knows, in
   * the order asked; a number the server refuses ({@code -ERR}: deleted, or never there) or whose
   * id is not one a state may key on (quirk Q27) is absent. Quirk Q28: an answer without the number
   * ({@code +OK abc}) is taken when the rest is one token; an answer for another number is
   * WRONG_ORDER, or dropped with Tolerance.UNORDERED_LISTING; a multi-line answer is READ_ERROR,
   * and this server gets the bulk form ({@code UIDL}, keeping the numbers asked) from then on.
   */
  public Map<Integer, String> uids(List<Integer> numbers) throws FetchException {
    Map<Integer, String> out = new LinkedHashMap<>();
    acquireDroppingListing();
    try {
      singleLinesLocked(
          "UIDL",
          numbers,
          (n, value) -> {
            String uid = validUid(value);
            if (uid != null) {
              out.put(n, uid);
            }
          });
    } finally {
      line.unlock();
    }
    return out;
  }

  /**
   * {@code LIST n} for each number, pipelined: the size the server announces for each message it
   * knows, in the order asked; refused numbers are absent. Quirk Q28 as in {@link #uids}.
   */
  public Map<Integer, Long> sizes(List<Integer> numbers) throws FetchException {
    Map<Integer, Long> out = new LinkedHashMap<>();
    acquireDroppingListing();
    try {
      singleLinesLocked(
          "LIST",
          numbers,
          (n, value) -> {
            long size = number(value.split("[ \t]+", 2)[0]); // RFC 1939 lets more follow the size
            if (size < 0) {
              broken = true;
              throw new FetchException(
                  FetchError.PROTOCOL,
                  server() + " answered LIST " + n + " without a valid size",
                  value,
                  null);
            }
            out.put(n, size);
          });
    } finally {
      line.unlock();
    }
    return out;
  }

  private interface NumberedValue {
    void accept(int number, String value) throws FetchException;
  }

  /**
   * "VERB n" for each number in a window; each +OK reply is "n value" (RFC 1939 §5, LIST and UIDL).
   */
  private void singleLinesLocked(String verb, List<Integer> numbers, NumberedValue each)
      throws FetchException {
    for (int n : numbers) {
      if (n < 1) {
        throw new IllegalArgumentException("message numbers start at 1: " + n);
      }
    }
    if (learnt.noSingleForms) {
      bulkLocked(verb, numbers, each);
      return;
    }
    int window = pipelining() ? WINDOW : 1;
    ArrayDeque<Integer> queue = new ArrayDeque<>(numbers);
    ArrayDeque<Integer> sent = new ArrayDeque<>();
    boolean answered = false;
    while (!queue.isEmpty() || !sent.isEmpty()) {
      while (sent.size() < window && !queue.isEmpty()) {
        int n = queue.poll();
        send(verb + " " + n, verb + " " + n);
        sent.add(n);
      }
      int n = sent.poll();
      String doing = verb + " " + n;
      Reply r;
      try {
        r = window > 1 && answered ? queuedReply(doing) : reply(doing);
        answered = true;
      } catch (FetchException e) {
        if (e.error() == FetchError.CONNECTION_TIMED_OUT && window > 1) {
          broken = true;
          pipeliningStalled();
          throw new PipelinedUnanswered(e);
        }
        throw e;
      }
      if (!r.ok()) {
        log.debug("{} - {} refused {}: {}", s.account(), server(), doing, r);
        continue;
      }
      String text = r.text().strip();
      if (text.isEmpty()) {
        broken = true; // the listing lines that may follow would be taken for the next replies
        learnt.noSingleForms = true;
        quirks.add(QuirkId.Q28);
        throw new FetchException(
            FetchError.READ_ERROR,
            server()
                + " answered "
                + doing
                + " without a value, as"
                + " if with a multi-line listing (quirk Q28); the bulk form is used with this server from now on",
            r.line(),
            null);
      }
      int sp = indexOfSpace(text);
      if (sp < 0) {
        quirks.add(QuirkId.Q28); // the value without its number: one token, so nothing is ambiguous
        each.accept(n, text);
        continue;
      }
      long m = number(text.substring(0, sp));
      if (m != n) {
        quirks.add(QuirkId.Q28);
        if (s.tolerances().contains(Tolerance.UNORDERED_LISTING)) {
          log.warn(
              "{} - {} answered {} for message {}; dropped (quirk Q28)",
              s.account(),
              server(),
              doing,
              m);
          continue;
        }
        throw wrongOrder("answered " + doing + " for another message (quirk Q28)", r.line());
      }
      each.accept(n, text.substring(sp).strip());
    }
  }

  /**
   * The bulk listing ("UIDL", "LIST"), keeping the numbers asked, for a server whose single forms
   * fail.
   */
  private void bulkLocked(String verb, List<Integer> numbers, NumberedValue each)
      throws FetchException {
    Set<Integer> wanted = new java.util.HashSet<>(numbers);
    Map<Integer, String> found = new HashMap<>();
    send(verb, verb);
    Reply r = reply("listing (" + verb + ")");
    if (!r.ok()) {
      throw r.exception(
          FetchError.SERVER_TEMPORARY, server() + " could not list the messages (" + verb + ")");
    }
    readListing(
        "listing (" + verb + ")",
        verb.equals("UIDL"),
        line -> {
          String l = line.strip();
          int sp = indexOfSpace(l);
          long n = sp < 0 ? -1 : number(l.substring(0, sp));
          if (n > 0 && n <= Integer.MAX_VALUE && wanted.contains((int) n)) {
            found.putIfAbsent((int) n, l.substring(sp).strip());
          }
        });
    for (int n : numbers) {
      String value = found.get(n);
      if (value != null) {
        each.accept(n, value);
      }
    }
  }

  /**
   * RETR or TOP ({@code verb}, then the number, then {@code suffix}) for each message of the batch.
   */
  private void bodiesLocked(
      List<MessageRef> batch,
      List<MessageRef> next,
      MessageHandler handler,
      String verb,
      String suffix)
      throws FetchException {
    boolean top = verb.equals("TOP");
    int window = pipelining() ? WINDOW : 1;
    List<MessageRef> following = window > 1 && !top ? next : List.of();
    int total = batch.size() + following.size();
    // What earlier calls requested ahead must be where this batch, then what follows it, begin.
    int requested = 0;
    for (Object sent : ahead) {
      if (sent instanceof MessageRef) {
        if (top || (requested < total && !sent.equals(nth(batch, following, requested)))) {
          throw dropAhead();
        }
        requested++;
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    Reply statusRead = aheadStatus;
    aheadStatus = null;
    // Each RETR is followed by one more command (the next RETR, or a closing NOOP) whose status
    // line proves that the message ended where the terminator said (quirk Q04).
    boolean closeWithNoop = requested <= batch.size() && following.isEmpty();
    Window w = new Window(batch, following, verb, suffix, window, requested, closeWithNoop);
    topUp(w, batch, handler);
    MessageRef pending = null; // a message whose bytes are in, awaiting the next status line
    int index = 0;
    while (true) {
      Object cmd = ahead.peekFirst();
      if (cmd == null) {
        throw new IllegalStateException(
            "no command in flight while reading message " + (index + 1) + " of a batch");
      }
      Reply r;
      try {
        if (statusRead != null) {
          r = statusRead;
          statusRead = null;
        } else {
          String doing =
              cmd == CLOSING_NOOP
                  ? "confirming the last message"
                  : cmd == KEEPALIVE_NOOP
                      ? "reading the answer to a keepalive NOOP"
                      : (top ? "reading the top of message " : "retrieving message ")
                          + ((MessageRef) cmd).number();
          r = window > 1 && pending != null ? queuedReply(doing) : reply(doing);
        }
      } catch (FetchException e) {
        if (e.error() == FetchError.CONNECTION_TIMED_OUT
            && window > 1
            && (pending == null || !reader.lastBodyEndedAtCr())) {
          broken = true;
          pipeliningStalled();
          if (pending != null) {
            // Silence after its terminator: nothing of it, nor of anything after it, was left to
            // come (a '.' left unescaped inside it, quirk Q04, is followed by the rest at once).
            handler.end();
          }
          throw new PipelinedUnanswered(e);
        }
        throw bodyFailed(e, pending, handler, window > 1);
      }
      if (pending != null) {
        handler.end(); // the status line after it parsed: the message is whole
        pending = null;
      }
      if (cmd == KEEPALIVE_NOOP) {
        ahead.pollFirst(); // sent during the engine's barrier, answered in its place
        noopsAhead--;
        continue;
      }
      if (index == batch.size()) {
        if (cmd == CLOSING_NOOP) {
          ahead.pollFirst();
        } else {
          aheadStatus =
              r; // the first reply of what follows: the engine's next call reads on from here
        }
        break;
      }
      ahead.pollFirst();
      MessageRef ref = batch.get(index++);
      w.received();
      if (!r.ok()) {
        quirks.add(top ? QuirkId.Q33 : QuirkId.Q34);
        handler.failed(
            ref,
            top
                ? r.exception(
                    FetchError.SERVER_TEMPORARY,
                    server()
                        + " refused to send the top of"
                        + " message "
                        + ref.number()
                        + " (TOP); it stays there")
                : r.listedMessageRefused(server(), ref.number()));
        topUp(w, batch, handler);
        continue;
      }
      if (window > 1) {
        FetchException misplaced = misplaced(r, ref, batch, following, index, top);
        if (misplaced != null) {
          broken = true;
          pipeliningStalled();
          throw new PipelinedUnanswered(misplaced);
        }
      }
      if (!top) {
        marks.retrieved(ref.number());
      }
      if (top && reader.nextLineIsStatus()) {
        // Quirk Q33 (FTGate): TOP answers +OK twice. Dropping the second keeps the framing; no
        // decision that loses mail rests on what TOP returns.
        quirks.add(QuirkId.Q33);
        reader.readLineTruncating(s.limits().maxStatusLine());
      }
      if (reader.nextLineIsStatus()) {
        // A message that starts with a status line: the replies are one ahead of the commands
        // (case N-12). Nothing of it reaches the sink; pipelining is off for this server now.
        FetchException desync = repliesAhead("message " + ref.number() + " would be another reply");
        handler.failed(ref, desync);
        throw desync;
      }
      handler.start(ref);
      reader.deadline(
          System.nanoTime()
              + s.limits().commandTimeout().toNanos()
              + (long) (ref.size() / 100_000.0 * 1e9),
          "receiving message " + ref.number());
      reader.replyMayFollow(window > 1);
      long bodyStart = reader.offset();
      try {
        reader.readBody(
            handler::data,
            s.limits().maxMessageSize(),
            window == 1 && crTolerated() ? dotCrProbe : null);
        if (reader.lastBodyProbed()) {
          // The probe's answer, a status line, shows the body ended where the reader stopped.
          reply("checking where message " + ref.number() + " ended (the quirk Q02 probe)");
        }
      } catch (FetchException e) {
        broken = true;
        e = endless(e, ref, reader.offset() - bodyStart);
        if (reader.lastBodyRanIntoReply() != null) {
          // The body ran into the next reply (Q02, Q03): one command at a time from now on, where
          // such a message stalls (or, Q02 with its tolerance, is probed) instead of swallowing the
          // next.
          quirks.add(reader.lastBodyRanIntoReply());
          learnt.noPipelining = true;
        }
        handler.failed(ref, e);
        throw e;
      }
      if (reader.lastBodyEndedAtCr()) {
        quirks.add(
            QuirkId.Q02); // whole only if the next line is a status line, checked above on the next
        // turn
      }
      pending = ref;
      // Only now, with this body read, may a non-pipelining client send its next command.
      w.topUp();
    }
  }

  /**
   * Sends what the window has room for, with no message of the batch half read. A connection that
   * breaks on the way out while a command of the batch is already in flight broke while the server
   * was answering it (quirk Q36: a server that resets inside RETR 1 is met while RETR 2 goes out,
   * and the kernel drops what of message 1 had come): that message is the one cut off, as if the
   * reset had been met reading it, so a message that breaks the connection run after run is counted
   * against every time, whatever the timing.
   */
  private void topUp(Window w, List<MessageRef> batch, MessageHandler handler)
      throws FetchException {
    try {
      w.topUp();
    } catch (FetchException e) {
      if (e.error() != FetchError.CONNECTION_RESET) {
        throw e;
      }
      for (Object cmd : ahead) {
        if (cmd instanceof MessageRef && batch.contains(cmd)) {
          MessageRef due = (MessageRef) cmd;
          FetchException cut =
              new FetchException(
                  FetchError.CONNECTION_RESET,
                  "the connection broke while message "
                      + due.number()
                      + " was due (met while sending the next command)"
                      + (e.getCause() == null || e.getCause().getMessage() == null
                          ? ""
                          : ": " + e.getCause().getMessage()),
                  e.serverReply().orElse(null),
                  e,
                  e.remedy());
          handler.failed(due, cut);
          throw cut;
        }
      }
      throw e;
    }
  }

  /**
   * Pipelined, a server that dropped the command for {@code ref} (quirk Q21) answers a later one in
   * its place: a reply that names the size of another message in flight instead of this one's, or
   * one that nothing follows within {@link #QUEUED_WAIT} (a keepalive NOOP's bare +OK). Null when
   * the reply fits; either way nothing of the message was handed over yet.
   */
  private FetchException misplaced(
      Reply r,
      MessageRef ref,
      List<MessageRef> batch,
      List<MessageRef> following,
      int index,
      boolean top)
      throws FetchException {
    String what = (top ? "TOP " : "RETR ") + ref.number();
    String[] f = r.text().strip().split("[ \t]+");
    long octets = !top && f.length >= 2 && f[1].equalsIgnoreCase("octets") ? number(f[0]) : -1;
    if (octets >= 0 && octets != ref.size()) {
      for (int j = index; j < batch.size() + following.size(); j++) {
        MessageRef later = nth(batch, following, j);
        if (later.size() == octets) {
          return new FetchException(
              FetchError.PROTOCOL,
              server()
                  + " answered "
                  + what
                  + " with the size of message "
                  + later.number()
                  + ": it dropped a pipelined command (quirk Q21)",
              r.line(),
              null);
        }
      }
    }
    return withinQueuedWait(
        () -> {
          try {
            reader.nextLineIsStatus(); // waits for the first bytes of the content
            return null;
          } catch (FetchException e) {
            if (e.error() != FetchError.CONNECTION_TIMED_OUT) {
              throw e;
            }
            return new FetchException(
                FetchError.CONNECTION_TIMED_OUT,
                server()
                    + " answered "
                    + what
                    + " and then sent"
                    + " nothing of it: another command's reply in place of one it dropped (quirk Q21)",
                r.line(),
                e);
          }
        });
  }

  /**
   * A body whose deadline passed while it still came, far past the size the server listed for it
   * (case R-03): a server sending without end, which more time would not mend. Else {@code e}.
   */
  private FetchException endless(FetchException e, MessageRef ref, long received) {
    if (e.error() != FetchError.CONNECTION_TIMED_OUT
        || e.getCause() instanceof SocketTimeoutException
        || received <= Math.max(2 * ref.size(), ref.size() + 1_000_000)) {
      return e; // silence, or a body not past its size: a slow server, as the error says
    }
    return new FetchException(
        FetchError.CONNECTION_TIMED_OUT,
        "message "
            + ref.number()
            + " was still arriving when"
            + " its time ran out, "
            + dev.mailfetch.api.internal.Sizes.size(received)
            + " into a message the server"
            + " listed as "
            + dev.mailfetch.api.internal.Sizes.size(ref.size())
            + ": the server sends it without end"
            + " (broken or hostile); it stays on the server",
        null,
        e,
        Remedy.of(
            "Tell the provider that their server sends message "
                + ref.number()
                + " without end; more time would"
                + " not help. Until it is mended, the message stays on the server and the run stops there.",
            "Tell the provider that their server sends message "
                + ref.number()
                + " without end; a longer deadline"
                + " would not help. Until it is mended, the message stays on the server and the run stops there."));
  }

  /**
   * A reply after {@code pending} (null if none) failed with {@code e}: what the caller throws,
   * handed over.
   */
  private FetchException bodyFailed(
      FetchException e, MessageRef pending, MessageHandler handler, boolean pipelined) {
    if (e.error() == FetchError.CONNECTION_TIMED_OUT && pipelined) {
      pipeliningStalled();
    }
    FetchException stray = pending == null ? null : strayTerminator(pending, e);
    if (stray != null) {
      handler.failed(pending, stray);
      return stray;
    }
    if (pending != null) {
      FetchException framing =
          e.error() == FetchError.READ_ERROR || e.error() == FetchError.EMPTY_LINE
              ? new FetchException(
                  FetchError.READ_ERROR,
                  "message "
                      + pending.number()
                      + " did not end where its"
                      + " terminator said: the server probably left a line with a single '.' unescaped (quirk Q04);"
                      + " it stays on the server",
                  e.serverReply().orElse(null),
                  e)
              : e;
      handler.failed(pending, framing);
      return framing;
    }
    return e;
  }

  /**
   * Quirk Q11's stray end marker (hMailServer): where the reply after message {@code pending} was
   * due came an empty line and a lone '.' ({@code e}: the empty line, or with Tolerance.EMPTY_LINES
   * the '.' after it). The same bytes are what a message whose last lines are a lone '.' and an
   * empty line looks like when the server leaves that '.' unescaped (quirk Q04), so the message is
   * not stored either way; null where {@code e} is something else.
   */
  private FetchException strayTerminator(MessageRef pending, FetchException e) {
    boolean dot = e.error() == FetchError.READ_ERROR && ".".equals(e.serverReply().orElse(null));
    if (!dot && e.error() == FetchError.EMPTY_LINE) {
      try {
        dot = reader.readLine(s.limits().maxStatusLine(), Limit.STATUS_LINE).equals(".");
      } catch (FetchException unread) {
        return null; // nothing more came: the empty line stands on its own
      }
    }
    return !dot
        ? null
        : new FetchException(
            FetchError.EMPTY_LINE,
            "after message "
                + pending.number()
                + "'s end"
                + " marker the server sent an empty line and a lone '.' where the next reply was due: a stray end marker"
                + " (quirk Q11), or a line with a single '.' it left unescaped at the end of message "
                + pending.number()
                + " (quirk Q04); the two cannot be told apart, so the message is not stored and stays on the server",
            null,
            e,
            Advice.strayTerminator());
  }

  private static MessageRef nth(List<MessageRef> batch, List<MessageRef> following, int i) {
    return i < batch.size() ? batch.get(i) : following.get(i - batch.size());
  }

  /**
   * The RETRs (or TOPs) of one call in flight: this batch's, then, with pipelining, those of what
   * follows it, never more than {@code size} unanswered; the closing NOOP, if any, goes with the
   * last of them, outside the window (it carries no message), or, one command at a time, after it.
   */
  private final class Window {
    private final List<MessageRef> batch;
    private final List<MessageRef> following;
    private final String verb;
    private final String suffix;
    private final int size;
    private final int total;
    private int sent;
    private int unanswered;
    private boolean noopDue;

    Window(
        List<MessageRef> batch,
        List<MessageRef> following,
        String verb,
        String suffix,
        int size,
        int requested,
        boolean closeWithNoop) {
      this.batch = batch;
      this.following = following;
      this.verb = verb;
      this.suffix = suffix;
      this.size = size;
      this.total = batch.size() + following.size();
      this.sent = requested;
      this.unanswered = requested;
      this.noopDue = closeWithNoop;
    }

    void received() {
      unanswered--;
    }

    void topUp() throws FetchException {
      while (unanswered < size && sent < total) {
        MessageRef ref = nth(batch, following, sent++);
        String c = verb + " " + ref.number() + suffix;
        send(c, c);
        ahead.addLast(ref);
        unanswered++;
      }
      if (noopDue && sent == total && (size > 1 || unanswered == 0)) {
        send("NOOP", "NOOP");
        ahead.addLast(CLOSING_NOOP);
        noopDue = false;
      }
    }
  }

  /**
   * The engine did not take up the RETRs sent ahead (it stopped, or it deletes or quits first): the
   * session is dropped without QUIT, as after a crash. Reading those messages and then ending with
   * QUIT could make a server that forgets what was retrieved (Gmail's POP, quirk Q31) forget
   * messages that were never stored; without QUIT a server deletes nothing (RFC 1939 §6), so the
   * run's deletions simply wait for the next run.
   */
  private FetchException dropAhead() {
    int n = 0;
    for (Object sent : ahead) {
      n += sent instanceof MessageRef ? 1 : 0;
    }
    ahead.clear();
    aheadStatus = null;
    noopsAhead = 0;
    broken = true;
    close();
    return new FetchException(
        FetchError.PROTOCOL,
        "the session with "
            + server()
            + " was dropped without QUIT: "
            + n
            + " messages requested ahead were not taken up, and some servers forget retrieved messages at QUIT"
            + " (quirk Q31); nothing is deleted this time");
  }

  private boolean crTolerated() {
    return s.tolerances().contains(Tolerance.CR_TERMINATOR);
  }

  /**
   * Quirk Q02 on a server that does not pipeline: a body resting at ".\r" gets, after a grace (5 s,
   * or half the read timeout if that is shorter), one NOOP; a reply that follows the CR, or a late
   * LF and then the reply, both end the message there, proven by the NOOP's status line.
   */
  private final Pop3Reader.DotCrProbe dotCrProbe =
      new Pop3Reader.DotCrProbe() {
        @Override
        public void readTimeout(Duration wait) throws FetchException {
          try {
            socket.setSoTimeout(millis(wait != null ? wait : s.limits().readTimeout()));
          } catch (SocketException e) {
            broken = true;
            throw new FetchException(
                FetchError.CONNECTION_RESET, "the connection to " + server() + " broke", e);
          }
        }

        @Override
        public Duration grace() {
          Duration half = s.limits().readTimeout().dividedBy(2);
          return half.compareTo(Q02_GRACE) < 0 ? half : Q02_GRACE;
        }

        @Override
        public void send() throws FetchException {
          quirks.add(QuirkId.Q02);
          Pop3Session.this.send("NOOP", "NOOP (probe: did the message end at \".\\r\"? quirk Q02)");
        }
      };

  /** RFC 2449 P6: no answer while pipelining; a false alarm only costs speed next time. */
  private void pipeliningStalled() {
    learnt.noPipelining = true; // quirk Q21: the next session goes one command at a time
    quirks.add(QuirkId.Q21);
    log.warn(
        "{} - {} stopped answering pipelined commands; pipelining is off for it from now on",
        s.account(),
        server());
  }

  /**
   * RSET, before any DELE of the session: a server that marks what RETR sent as deleted (quirk Q31,
   * MercuryP) would remove these at QUIT, and they were never stored. On a server without that
   * habit RSET changes nothing, as no DELE was sent yet. A refused RSET is an error: the engine
   * then ends without QUIT.
   */
  @Override
  public Optional<RetrievalMarks> retrievalMarks() {
    return Optional.of(this::unmark);
  }

  /** RSET, for {@link #retrievalMarks()}. */
  public void unmark(List<MessageRef> retrievedNotStored) throws FetchException {
    if (retrievedNotStored.isEmpty()) {
      return;
    }
    marks.notStored();
    acquireDroppingListing();
    try {
      send("RSET", "RSET");
      Reply r =
          reply("keeping " + retrievedNotStored.size() + " messages that were not stored (RSET)");
      if (!r.ok()) {
        broken = true;
        throw r.exception(
            FetchError.PROTOCOL,
            server()
                + " refused RSET: messages it sent but that were not"
                + " stored might be removed at QUIT (quirk Q31), so the session ends without QUIT");
      }
    } finally {
      line.unlock();
    }
  }

  @Override
  public Set<MessageRef> delete(List<MessageRef> messages) throws FetchException {
    acquireDroppingListing();
    try {
      return deleteLocked(messages);
    } finally {
      line.unlock();
    }
  }

  private Set<MessageRef> deleteLocked(List<MessageRef> messages) throws FetchException {
    Set<MessageRef> accepted = new LinkedHashSet<>();
    int window = pipelining() ? WINDOW : 1;
    boolean answered = false;
    ArrayDeque<MessageRef> queue = new ArrayDeque<>(messages);
    ArrayDeque<MessageRef> sent = new ArrayDeque<>();
    while (!queue.isEmpty() || !sent.isEmpty()) {
      while (sent.size() < window && !queue.isEmpty()) {
        MessageRef ref = queue.poll();
        send("DELE " + ref.number(), "DELE " + ref.number());
        sent.add(ref);
      }
      MessageRef ref = sent.poll();
      Reply r;
      try {
        r =
            window > 1 && answered
                ? queuedReply("deleting message " + ref.number())
                : reply("deleting message " + ref.number());
        answered = true;
      } catch (FetchException e) {
        if (e.error() == FetchError.CONNECTION_TIMED_OUT && window > 1) {
          broken = true; // without QUIT, the DELEs this connection took are void (RFC 1939 §6)
          pipeliningStalled();
          throw new PipelinedUnanswered(e);
        }
        throw e;
      }
      if (r.ok() || marks.alreadyDeleted(ref.number(), r)) {
        if (!r.ok()) {
          quirks.add(QuirkId.Q31); // RETR marked it deleted already: the deletion asked for holds
        }
        accepted.add(ref);
        marks.marked();
      } else {
        lastRefusal = r.line();
        log.debug("{} - {} refused DELE {}: {}", s.account(), server(), ref.number(), r);
      }
    }
    return accepted;
  }

  @Override
  public boolean quit() {
    stopKeepAlive();
    try {
      acquireDroppingListing();
    } catch (FetchException e) {
      return false; // the keepalive's answers did not come: the session is broken, QUIT cannot
      // confirm
    }
    try {
      return quitLocked();
    } finally {
      line.unlock();
    }
  }

  private boolean quitLocked() {
    if (broken || socket == null) {
      return false;
    }
    if (marks.endWithoutQuit() || (marks.rsetBeforeQuit() && !unmarkRetrieved())) {
      close(); // nothing to commit, and a message not stored must not be removed at QUIT
      // (RetrievedMarks)
      return false;
    }
    try {
      send("QUIT", "QUIT");
      reader.deadline(
          System.nanoTime() + Duration.ofSeconds(10).toNanos(), "waiting for the QUIT reply");
      Reply r = reply("waiting for the QUIT reply");
      if (!r.ok()) {
        quirks.add(QuirkId.Q35);
        lastRefusal = r.line();
        log.debug(
            "{} - {} answered QUIT with {}: deletions not confirmed", s.account(), server(), r);
      } else {
        warn(marks.quitDeletedMore(server(), r));
      }
      return r.ok();
    } catch (FetchException e) {
      quirks.add(QuirkId.Q35);
      log.debug(
          "{} - no reply to QUIT from {}: deletions not confirmed ({})",
          s.account(),
          server(),
          e.getMessage());
      return false;
    } finally {
      close();
    }
  }

  /**
   * RSET before QUIT, where mail was retrieved and none marked for deletion (see {@link
   * RetrievedMarks}); STAT first, whose count falls below the listing's on a server whose RETR
   * marks (quirk Q31). False when either failed: the session then ends without QUIT, which commits
   * nothing.
   */
  private boolean unmarkRetrieved() {
    try {
      send("STAT", "STAT");
      Reply stat = reply("counting messages before RSET (STAT)");
      long now = stat.ok() ? number(stat.text().split("[ \t]+")[0]) : -1;
      if (now >= 0 && now < messageCount) {
        quirks.add(QuirkId.Q31);
      }
      send("RSET", "RSET");
      return reply("undoing the deletion marks a server may set on RETR (RSET)").ok();
    } catch (FetchException e) {
      log.debug(
          "{} - STAT and RSET before QUIT failed ({}); ending without QUIT",
          s.account(),
          e.getMessage());
      return false;
    }
  }

  /**
   * Takes the connection for a command other than retrieve; with RETRs sent ahead, the session is
   * dropped.
   */
  private void acquire() throws FetchException {
    acquireKeepingAhead();
    if (!ahead.isEmpty()) {
      FetchException dropped = dropAhead();
      line.unlock();
      throw dropped;
    }
  }

  /**
   * As {@link #acquire}, for a command other than the listing: a listing sent ahead is read first.
   */
  private void acquireDroppingListing() throws FetchException {
    acquire();
    if (listingSent) {
      try {
        dropListing();
      } catch (FetchException e) {
        line.unlock();
        throw e;
      }
    }
  }

  /** Takes the connection for a retrieve, which may take up what the last one sent ahead. */
  private void acquireKeepingAhead() throws FetchException {
    line.lock();
    try {
      while (unansweredNoops > 0) {
        unansweredNoops--;
        Reply r = reply("reading the answer to a keepalive NOOP");
        if (!r.ok()) {
          log.debug("{} - {} answered a keepalive NOOP with {}", s.account(), server(), r);
        }
      }
    } catch (FetchException e) {
      line.unlock();
      throw e;
    }
  }

  /**
   * Sends NOOP whenever the connection has had no command for {@code keepAliveInterval} and the
   * caller is not using it (it holds {@link #line} while it does), so that a slow sink's barrier
   * does not let the server drop the session (quirk Q43). NOOP is allowed only after login (RFC
   * 1939), which is when this starts. The answers are read by the engine's next call, not here: one
   * thread serves every session, and a server slow to answer must not hold up the others.
   */
  private void startKeepAlive() {
    long every = s.limits().keepAliveInterval().toNanos();
    long tick = Math.max(50_000_000L, every / 4);
    keepAlive =
        KEEPALIVE.scheduleWithFixedDelay(
            () -> {
              if (broken || System.nanoTime() - lastCommand < every || !line.tryLock()) {
                return;
              }
              if (listingSent) { // the listing's replies are on their way: the server is not idle
                line.unlock();
                return;
              }
              try {
                if (!broken
                    && unansweredNoops + noopsAhead < MAX_UNANSWERED_NOOPS
                    && System.nanoTime() - lastCommand >= every) {
                  send("NOOP", "NOOP (keepalive)");
                  if (ahead.isEmpty()) {
                    unansweredNoops++;
                  } else {
                    ahead.addLast(
                        KEEPALIVE_NOOP); // answered after the RETRs sent ahead, read in its place
                    noopsAhead++;
                  }
                }
              } catch (FetchException e) {
                log.debug("{} - keepalive NOOP failed: {}", s.account(), e.getMessage());
              } finally {
                line.unlock();
              }
            },
            tick,
            tick,
            TimeUnit.NANOSECONDS);
  }

  private static ScheduledExecutorService keepAliveExecutor() {
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "mailfetch-pop3-keepalive");
              t.setDaemon(true);
              return t;
            });
    e.setRemoveOnCancelPolicy(true); // an ended session leaves nothing behind in the queue
    // With no session open the thread ends, so an embedder that unloads us (a redeployed web
    // application) is not kept alive by it.
    e.setKeepAliveTime(30, TimeUnit.SECONDS);
    e.allowCoreThreadTimeOut(true);
    return e;
  }

  private void stopKeepAlive() {
    if (keepAlive != null) {
      keepAlive.cancel(false);
    }
  }

  @Override
  public void close() {
    stopKeepAlive();
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // nothing to do: the connection is gone either way
      }
    }
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
  }

  @Override
  public String toString() {
    return "Pop3Session[" + s.account() + " at " + server() + (tls ? ", TLS" : "") + "]";
  }
}
