package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSocket;

/**
 * One client connection to a {@link FakePop3Server}: the POP3 state machine of RFC 1939 §§ 3–6.
 *
 * <ol>
 *   <li>[implicit TLS handshake] then the greeting;
 *   <li>AUTHORIZATION: CAPA, STLS, USER/PASS, APOP, AUTH (SASL), QUIT;
 *   <li>TRANSACTION: STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, CAPA, QUIT;
 *   <li>UPDATE on QUIT only: the messages marked deleted leave the mailbox.
 * </ol>
 *
 * <p>Everything the server sends goes through a few helpers, so that a {@link Quirk} changes one
 * place: {@link #ok}/{@link #err} for status lines (Q12–Q14), {@link #eol} for line ends (Q01),
 * {@link #wireBody} for stuffing and the terminator (Q02–Q05), {@link #listedNumber}/{@link
 * #uidOf}/{@link #listedSize} for listings (Q24–Q29, Q32, Q48). Faults are checked where they bite:
 * byte faults in {@link ServerOutput}, command faults before a reply, endless generators in place
 * of a reply.
 */
final class Conversation {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LF = {'\n'};

  /** Room for SASL responses carrying OAuth tokens of 16 KiB and more, base64-encoded. */
  private static final int MAX_COMMAND_LINE = 64 * 1024;

  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration QUIRK_HANG = Duration.ofSeconds(30);
  private static final int HUGE_MAILBOX = 250_000;
  private static final int GMAIL_VIEW = 250;

  private enum State {
    AUTHORIZATION,
    TRANSACTION
  }

  private final Socket socket;
  private final FakePop3Server.Settings s;
  private final RecordedSession rec;
  private final int number;
  private final List<Fault> faults = new ArrayList<>();
  private final Map<String, Integer> seen = new HashMap<>();
  private InputStream in;
  private ServerOutput out;
  private final byte[] buf = new byte[16 * 1024];
  private int pos;
  private int lim;
  private boolean tls;
  private boolean nextPipelined;
  private State state = State.AUTHORIZATION;
  private String pendingUser;
  private String apopTimestamp;
  private FakePop3Server.Account account;
  private List<FakeMailbox.Message> snapshot;
  private BitSet deleted;
  private final BitSet retrieved = new BitSet();
  private int retrCount;
  private int fetchCounter;
  private boolean uidlListed;

  /** Whether the client turned on UTF-8 mode (RFC 6856), which a Q52 server waits for. */
  private boolean utf8;

  private String currentLine;
  private boolean holdsLock;

  Conversation(Socket socket, FakePop3Server.Settings settings, RecordedSession rec, int number) {
    this.socket = socket;
    this.s = settings;
    this.rec = rec;
    this.number = number;
    for (Fault f : settings.faults) {
      if (f.appliesTo(number)) {
        faults.add(f);
      }
    }
  }

  /** Too many sessions: say so and close, as Dovecot does at its process limit. */
  static void refuseBusy(Socket socket, FakePop3Server.Settings s) {
    try {
      socket
          .getOutputStream()
          .write(
              ((s.respCodes ? "-ERR [SYS/TEMP] " : "-ERR ") + "Too many sessions, try later\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
    } catch (IOException e) {
      // the client went away first
    }
  }

  private boolean q(Quirk quirk) {
    return s.quirks.contains(quirk);
  }

  void run() {
    try {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout((int) Math.max(1, idleTimeout().toMillis()));
      in = socket.getInputStream();
      long closeAt = -1;
      boolean reset = false;
      int trickleBytes = 0;
      Duration tricklePeriod = null;
      for (Fault f : faults) {
        if (f.kind == Fault.Kind.CLOSE_AT_BYTE || f.kind == Fault.Kind.RESET_AT_BYTE) {
          closeAt = f.bytes;
          reset = f.kind == Fault.Kind.RESET_AT_BYTE;
        } else if (f.kind == Fault.Kind.TRICKLE) {
          trickleBytes = (int) f.bytes;
          tricklePeriod = f.duration;
        }
      }
      Segmentation seg = q(Q10_FRAGMENTATION) ? Segmentation.EVERY_BYTE : s.segmentation;
      out =
          new ServerOutput(
              socket, socket.getOutputStream(), seg, closeAt, reset, trickleBytes, tricklePeriod);
      if (s.tls == TlsMode.IMPLICIT) {
        startTls();
      }
      greet();
      while (true) {
        String line = readLine();
        if (line == null) {
          return;
        }
        if (!handle(line)) {
          return;
        }
      }
    } catch (IOException e) {
      // The session ends: a fault, the client closing, an idle timeout, or the server closing.
    } finally {
      releaseLock();
    }
  }

  /**
   * Releases the maildrop lock if this session holds it (once: another session may take it next).
   */
  private void releaseLock() {
    if (holdsLock) {
      holdsLock = false;
      account.mailbox.unlock();
    }
  }

  /** The idle time after which this session is dropped (package use: tests read it). */
  Duration idleTimeout() {
    Duration idle = q(Q43_SHORT_IDLE_TIMEOUT) ? Duration.ofSeconds(60) : s.idleTimeout;
    for (Fault f : faults) {
      if (f.kind == Fault.Kind.IDLE_TIMEOUT) {
        idle = f.duration;
      }
    }
    return idle;
  }

  private Fault fault(Fault.Kind kind) {
    for (Fault f : faults) {
      if (f.kind == kind) {
        return f;
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ status lines and line ends

  private byte[] eol() {
    return q(Q01_BARE_LF) ? LF : CRLF;
  }

  /** Line ends inside multi-line bodies. */
  private byte[] bodyEol() {
    return q(Q01_BARE_LF) || q(Q01_MIXED_LINE_ENDINGS) ? LF : CRLF;
  }

  private String ok(String text) {
    String indicator = q(Q13_LOWERCASE_STATUS) ? "+ok" : "+OK";
    return q(Q12_BARE_OK) || text.isEmpty() ? indicator : indicator + " " + text;
  }

  /** A +OK whose text is data a client must parse (STAT, LIST n, UIDL n): Q12 leaves it. */
  private String okData(String data) {
    return (q(Q13_LOWERCASE_STATUS) ? "+ok " : "+OK ") + data;
  }

  /** Whether this server sends RFC 2449/3206 response codes (a Q54 server gives none). */
  private boolean respCodes() {
    return s.respCodes && !q(Q54_PASS_REFUSED_WITHOUT_CODE);
  }

  private String err(String text) {
    return err(null, text);
  }

  private String err(String code, String text) {
    String indicator = q(Q14_PLUS_ERR) ? "+ERR" : q(Q13_LOWERCASE_STATUS) ? "-err" : "-ERR";
    String t = q(Q08_NUL_8BIT) ? text + " (\u00e9chec \u00ff)" : text;
    return indicator + " " + (code != null && respCodes() ? "[" + code + "] " : "") + t;
  }

  /** A -ERR that carries its response code even where the server does not announce RESP-CODES. */
  private String errWithCode(String code, String text) {
    return err("[" + code + "] " + text);
  }

  private void reply(String line) throws IOException {
    send(line.getBytes(StandardCharsets.ISO_8859_1), eol());
  }

  private void send(byte[] bytes, byte[] end) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(bytes.length + 2);
    b.write(bytes);
    b.write(end);
    out.write(b.toByteArray());
  }

  /** A status line and listing lines, ended by the terminator (CAPA, LIST, UIDL, AUTH). */
  private void multiline(String status, List<String> lines) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(status.getBytes(StandardCharsets.ISO_8859_1));
    b.writeBytes(eol());
    for (String l : lines) {
      b.writeBytes(l.getBytes(StandardCharsets.ISO_8859_1));
      b.writeBytes(bodyEol());
    }
    b.write('.');
    b.writeBytes(bodyEol());
    out.write(b.toByteArray());
  }

  // ------------------------------------------------------------------ greeting and TLS

  private void greet() throws IOException {
    Fault delay = fault(Fault.Kind.GREETING_DELAY);
    if (delay != null) {
      ServerOutput.pause(delay.duration.toNanos());
    }
    if (q(Q17_SLOW_SERVER)) {
      ServerOutput.pause(Duration.ofMillis(1500).toNanos());
    }
    if (fault(Fault.Kind.ENDLESS_GREETING) != null) {
      endless("+OK ".getBytes(StandardCharsets.US_ASCII), () -> "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
      return;
    }
    if (s.rawGreeting != null) {
      out.write(s.rawGreeting.getBytes(StandardCharsets.ISO_8859_1));
      return;
    }
    String text = s.greeting;
    if (q(Q18_APOP_FALSE_TIMESTAMP)) {
      text = "E.Novation POP3 server ready <a.b.c>";
    } else if (s.apopTimestamp) {
      apopTimestamp =
          "<" + ProcessHandle.current().pid() + "." + System.nanoTime() + "@fake.invalid>";
      text = text + " " + apopTimestamp;
    }
    if (q(Q06_HUGE_STATUS_LINE)) {
      text = text + " " + "x".repeat(1 << 20);
    } else if (q(Q06_LONG_STATUS_LINE)) {
      text = text + " " + "x".repeat(10 * 1024);
    }
    reply(ok(text));
    if (q(Q16_GREETING_JUNK)) {
      reply("This server welcomes you; read the notice below");
      reply("");
      reply(ok("second greeting line"));
    }
  }

  private boolean offersStls() {
    return (s.tls == TlsMode.STLS || q(Q23_STLS_BROKEN) || q(Q23_STLS_ERR)) && !tls;
  }

  private void startTls() throws IOException {
    // Bytes the client sent after STLS and before we switch belong to its ClientHello.
    byte[] early = java.util.Arrays.copyOfRange(buf, pos, lim);
    pos = lim = 0;
    SSLSocket ssl =
        (SSLSocket)
            s.sslContext
                .getSocketFactory()
                .createSocket(socket, new ByteArrayInputStream(early), true);
    ssl.setUseClientMode(false);
    if (s.tlsProtocols != null) {
      ssl.setEnabledProtocols(s.tlsProtocols.toArray(new String[0]));
    }
    int idle = socket.getSoTimeout();
    ssl.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
    ssl.startHandshake();
    ssl.setSoTimeout(idle);
    String sni = null;
    if (ssl.getSession() instanceof ExtendedSSLSession) {
      for (SNIServerName name : ((ExtendedSSLSession) ssl.getSession()).getRequestedServerNames()) {
        if (name instanceof SNIHostName) {
          sni = ((SNIHostName) name).getAsciiName();
        }
      }
    }
    rec.tls(ssl.getSession().getProtocol(), sni);
    if (q(Q23_REQUIRES_SNI) && !"localhost".equals(sni)) {
      // Gmail fails such handshakes; closing right after it has the same effect on a client.
      out.endAbruptly(false, "no SNI for localhost");
    }
    tls = true;
    in = ssl.getInputStream();
    out.switchTo(ssl.getOutputStream());
  }

  // ------------------------------------------------------------------ reading

  /** The next command line without its line end, or null at end of stream. */
  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    boolean pipelined = nextPipelined;
    while (true) {
      if (pos == lim) {
        if (q(Q22_SPLIT_COMMAND) && line.size() > 0) {
          // A broken server that takes whatever one read brought for a whole command.
          String text = new String(line.toByteArray(), StandardCharsets.ISO_8859_1);
          rec.command(text, tls, pipelined);
          return text;
        }
        int n;
        try {
          n = in.read(buf, 0, buf.length);
        } catch (SocketTimeoutException idle) {
          return null; // idle timeout: drop without a word, as Outlook.com does (Q43)
        }
        if (n < 0) {
          return null;
        }
        if (!tls) {
          rec.plaintext(buf, 0, n);
        }
        pos = 0;
        lim = n;
      }
      int start = pos;
      while (pos < lim && buf[pos] != '\n') {
        pos++;
      }
      line.write(buf, start, pos - start);
      if (line.size() > MAX_COMMAND_LINE) {
        reply(err("Command line too long"));
        return null;
      }
      if (pos < lim) {
        pos++; // the LF
        byte[] b = line.toByteArray();
        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        String text = new String(b, 0, len, StandardCharsets.ISO_8859_1);
        rec.command(text, tls, pipelined);
        return text;
      }
    }
  }

  /** Whether the client has sent more than we have read: it did not wait for our reply. */
  private boolean moreArrived() {
    try {
      return pos < lim || in.available() > 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** Writes {@code head}, then {@code chunk} again and again, within the endless budgets. */
  private void endless(byte[] head, java.util.function.Supplier<String> chunk) throws IOException {
    out.write(head);
    long deadline = System.nanoTime() + Fault.ENDLESS_TIME_BUDGET.toNanos();
    long sent = head.length;
    while (sent < Fault.ENDLESS_BYTE_BUDGET && System.nanoTime() < deadline) {
      byte[] c = chunk.get().getBytes(StandardCharsets.US_ASCII);
      out.write(c);
      sent += c.length;
    }
    out.endAbruptly(false, "endless output budget used up");
  }

  /** Says nothing until {@link #QUIRK_HANG} passes, or until the client leaves; then closes. */
  private void hang() throws IOException {
    waitForClientOrTime(QUIRK_HANG);
    out.endAbruptly(false, "hung");
  }

  /** Reads and drops what the client sends, until it closes or {@code d} passes. */
  private void waitForClientOrTime(Duration d) throws IOException {
    long end = System.nanoTime() + d.toNanos();
    int saved = socket.getSoTimeout();
    try {
      socket.setSoTimeout(50);
      byte[] sink = new byte[4096];
      while (System.nanoTime() < end) {
        try {
          if (in.read(sink) < 0) {
            return; // the client gave up: so do we, and the maildrop lock goes with us
          }
        } catch (SocketTimeoutException stillThere) {
          // keep waiting
        }
      }
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(saved);
      }
    }
  }

  // ------------------------------------------------------------------ commands

  /** Handles one command; false ends the session. */
  private boolean handle(String line) throws IOException {
    int sp = line.indexOf(' ');
    String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
    String arg = sp < 0 ? "" : line.substring(sp + 1);
    currentLine = line;
    if (!commandFaults(verb)) {
      return false;
    }
    FakePop3Server.Response scripted = s.responses.get(verb);
    if (scripted != null) {
      out.write(scripted.raw.getBytes(StandardCharsets.ISO_8859_1));
      switch (scripted.after) {
        case CLOSE:
          return false;
        case START_TLS:
          startTls();
          return true;
        case STALL:
          hang();
          return false;
        default:
          return true;
      }
    }
    if (!s.replyDelay.isZero()) {
      ServerOutput.pause(s.replyDelay.toNanos());
    }
    // The next command was pipelined if it arrived before we began this reply.
    boolean early = moreArrived();
    boolean q21Here = s.pipeliningFaultVerbs.isEmpty() || s.pipeliningFaultVerbs.contains(verb);
    if (early && s.pipelining && q21Here && q(Q21_PIPELINING_STALLS)) {
      hang();
    }
    if (early && s.pipelining && q21Here && q(Q21_PIPELINING_DROPS_QUEUED)) {
      // What came with this command is thrown away, before the reply, so that nothing the client
      // sends after reading the reply can be caught up in it.
      pos = lim;
      in.skip(in.available());
      early = false;
    }
    boolean more = dispatch(verb, arg);
    if (early && s.extraReplyWhenPipelined) {
      reply(ok("and one more reply nobody asked for"));
    }
    nextPipelined = early;
    return more;
  }

  /** Applies close/reset/stall faults for this command; false if the session ended. */
  private boolean commandFaults(String verb) throws IOException {
    int count = seen.merge(verb, 1, Integer::sum);
    for (Fault f : faults) {
      if (f.command == null || !f.command.equals(verb) || f.occurrence != count) {
        continue;
      }
      switch (f.kind) {
        case CLOSE_AT_COMMAND:
          out.endAbruptly(false, "close at " + verb);
          return false;
        case RESET_AT_COMMAND:
          out.endAbruptly(true, "reset at " + verb);
          return false;
        case STALL_AT_COMMAND:
          waitForClientOrTime(f.duration);
          out.endAbruptly(false, "stall at " + verb);
          return false;
        default:
          break;
      }
    }
    return true;
  }

  private boolean dispatch(String verb, String arg) throws IOException {
    // USER counts only for the command right after it: PASS "may only be given ... immediately
    // after a successful USER command" (RFC 1939 §7).
    String user = pendingUser;
    pendingUser = null;
    switch (verb) {
      case "CAPA":
        return capa();
      case "QUIT":
        return quit();
      case "NOOP":
        reply(state == State.TRANSACTION ? ok("") : err("NOOP is allowed only after login"));
        return true;
      case "UTF8":
        if (!q(Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8)) {
          break; // no UTF-8 mode here: unknown, as to any server without it
        }
        // Courier takes it before the login (RFC 6856) and, for Outlook, after it too.
        utf8 = true;
        reply(ok("UTF8 enabled"));
        return true;
      default:
        break;
    }
    if (state == State.AUTHORIZATION) {
      return authorization(verb, arg, user);
    }
    transaction(verb, arg);
    return true;
  }

  private boolean capa() throws IOException {
    if (q(Q19_CAPA_ERR)) {
      reply(err("unknown command"));
      return true;
    }
    if (q(Q19_CAPA_CLOSE)) {
      return false;
    }
    if (q(Q19_CAPA_HANG)) {
      hang();
    }
    FakePop3Server.CapaPhase phase =
        state == State.TRANSACTION
            ? FakePop3Server.CapaPhase.AFTER_LOGIN
            : tls && s.tls == TlsMode.STLS
                ? FakePop3Server.CapaPhase.AFTER_TLS
                : FakePop3Server.CapaPhase.BEFORE_TLS;
    List<String> lines = s.capaOverrides.get(phase);
    if (lines == null) {
      lines = derivedCapabilities();
    }
    multiline(ok("Capability list follows"), lines);
    return true;
  }

  private List<String> derivedCapabilities() {
    List<String> lines = new ArrayList<>();
    boolean loggedIn = state == State.TRANSACTION;
    if (q(Q20_CAPA_MISLEADING) && !loggedIn) {
      lines.add("TOP");
      lines.add("USER");
      lines.add("RESP_CODES");
      lines.add("LAST");
      lines.add("AUTH=PLAIN");
      return lines;
    }
    lines.add("TOP");
    if (!q(Q24_NO_UIDL)) {
      lines.add("UIDL");
    }
    if (q(Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8)) {
      lines.add("UTF8 USER");
    }
    if (respCodes()) {
      lines.add("RESP-CODES");
      lines.add("AUTH-RESP-CODE");
    }
    if (s.pipelining) {
      lines.add("PIPELINING");
    }
    if (s.expire != null) {
      lines.add("EXPIRE " + s.expire);
    }
    if (s.loginDelay != null) {
      lines.add("LOGIN-DELAY " + s.loginDelay);
    } else if (q(Q38_LOGIN_DELAY_CODE)) {
      lines.add("LOGIN-DELAY 900");
    }
    if (!loggedIn) {
      if (q(Q49_PROPRIETARY_AUTH)) {
        lines.add("SASL MSN RPA");
      } else {
        if (s.userCommand) {
          lines.add("USER");
        }
        if (!s.mechanisms.isEmpty()) {
          lines.add("SASL " + String.join(" ", s.mechanisms));
        }
      }
      if (offersStls()) {
        lines.add("STLS");
      }
    }
    lines.add("IMPLEMENTATION mailfetch-testkit");
    return lines;
  }

  private boolean quit() throws IOException {
    if (q(Q35_QUIT_SLOW)) {
      ServerOutput.pause(Duration.ofSeconds(3).toNanos());
    }
    if (state != State.TRANSACTION) {
      reply(ok("Logging out"));
      return false;
    }
    if (q(Q35_QUIT_ERR)) {
      reply(err("Error locking your mailbox"));
      return false;
    }
    List<FakeMailbox.Message> gone = new ArrayList<>();
    List<FakeMailbox.Message> popped = new ArrayList<>();
    for (int i = 0; i < snapshot.size(); i++) {
      if (deleted.get(i) || (q(Q31_AUTO_DELETE_ON_RETR) && retrieved.get(i))) {
        gone.add(snapshot.get(i));
      } else if (retrieved.get(i)) {
        popped.add(snapshot.get(i));
      }
    }
    if (q(Q45_GMAIL_POP_VIEW)) {
      account.popped.addAll(popped);
      account.popped.addAll(gone);
    }
    if (!q(Q30_DELE_NOT_HONOURED) && !q(Q47_HUGE_MAILBOX)) {
      account.mailbox.remove(gone);
    }
    releaseLock(); // UPDATE is over: the maildrop is free before the client hears so
    if (q(Q35_QUIT_NO_REPLY)) {
      return false;
    }
    reply(ok("Logging out, " + gone.size() + " messages deleted"));
    return false;
  }

  // ------------------------------------------------------------------ AUTHORIZATION

  private boolean authorization(String verb, String arg, String user) throws IOException {
    switch (verb) {
      case "STLS":
        if (!offersStls()) {
          reply(err("STLS not available"));
          return true;
        }
        if (q(Q23_STLS_ERR)) {
          reply(err("SYS/TEMP", "TLS is not available right now"));
          return true;
        }
        reply(ok("Begin TLS negotiation"));
        out.flush();
        if (q(Q23_STLS_BROKEN) || s.sslContext == null) {
          out.write("this is not a TLS handshake\r\n".getBytes(StandardCharsets.US_ASCII));
          return false;
        }
        startTls();
        return true;
      case "USER":
        if (!authAllowed()) {
          return true;
        }
        if (!s.userCommand || q(Q49_PROPRIETARY_AUTH)) {
          reply(err("USER not supported"));
          return true;
        }
        pendingUser = arg;
        reply(ok(""));
        return true;
      case "PASS":
        if (!authAllowed()) {
          return true;
        }
        if (user == null) {
          reply(q(Q40_STRICT_USER_PASS) ? err("Unknown command.") : err("PASS must follow USER"));
          return true;
        }
        FakePop3Server.Account a = s.accounts.get(utf8(user));
        return login(
            a != null && (a.password.equals(arg) || a.password.equals(utf8(arg))) ? a : null);
      case "APOP":
        if (!authAllowed()) {
          return true;
        }
        return apop(arg);
      case "AUTH":
        if (!authAllowed()) {
          return true;
        }
        return auth(arg);
      default:
        reply(err("Unknown command or not allowed before login: " + verb));
        return true;
    }
  }

  /**
   * A command argument (read as ISO-8859-1, one char per byte) decoded as the UTF-8 it usually is.
   */
  private static String utf8(String latin1) {
    return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  private boolean authAllowed() throws IOException {
    if (s.requireTlsForAuth && !tls) {
      reply(err("AUTH", "Plaintext authentication disallowed on non-secure connections"));
      return false;
    }
    return true;
  }

  /** Logs in {@code a}, or fails a login if null; false ends the session (Q39). */
  private boolean login(FakePop3Server.Account a) throws IOException {
    if (q(Q17_SLOW_SERVER)) {
      ServerOutput.pause(Duration.ofMillis(1500).toNanos());
    }
    if (a == null) {
      reply(err("AUTH", "Authentication failed"));
      return !q(Q39_CLOSE_ON_AUTH_FAIL);
    }
    if (q(Q54_PASS_REFUSED_WITHOUT_CODE)) {
      reply(err("message is damaged"));
      return true;
    }
    if (q(Q56_IN_USE_FOR_ANY_FAILURE)) {
      // Dovecot sends this code whatever RESP-CODES says: its login process failed inside.
      reply(
          errWithCode(
              "IN-USE", "Internal login failure. Refer to server log for more information."));
      return true;
    }
    if (q(Q37_LOCKED_IN_USE)) {
      reply(err("IN-USE", "Mailbox is locked by another POP3 session."));
      return true;
    }
    if (q(Q37_LOCKED_TEXT)) {
      reply(q(Q14_PLUS_ERR) ? err("unable to lock maildrop") : "-ERR unable to lock maildrop");
      return true;
    }
    if (q(Q38_LOGIN_DELAY_CODE)) {
      reply(err("LOGIN-DELAY", "Login allowed only every 15 minutes"));
      return true;
    }
    if (s.maildropLock && !a.mailbox.tryLock()) {
      reply(err("IN-USE", "Unable to lock maildrop: it is in use by another session"));
      return true;
    }
    account = a;
    holdsLock = s.maildropLock;
    snapshot = view(a);
    deleted = new BitSet(snapshot.size());
    state = State.TRANSACTION;
    rec.loggedIn(a.user);
    reply(ok("Logged in"));
    return true;
  }

  /** The messages this session sees: the mailbox, or what a quirk makes of it (Q45, Q47). */
  private List<FakeMailbox.Message> view(FakePop3Server.Account a) {
    if (q(Q47_HUGE_MAILBOX)) {
      return new AbstractList<>() {
        @Override
        public FakeMailbox.Message get(int i) {
          return new FakeMailbox.Message(
              String.format(Locale.ROOT, "huge-%07d", i + 1),
              ("Subject: message " + (i + 1) + "\r\n\r\nsmall\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public int size() {
          return HUGE_MAILBOX;
        }
      };
    }
    List<FakeMailbox.Message> all = a.mailbox.snapshot();
    if (!q(Q45_GMAIL_POP_VIEW)) {
      return all;
    }
    List<FakeMailbox.Message> fresh = new ArrayList<>();
    for (FakeMailbox.Message m : all) {
      if (!a.popped.contains(m) && fresh.size() < GMAIL_VIEW) {
        fresh.add(m);
      }
    }
    return fresh;
  }

  private boolean apop(String arg) throws IOException {
    String[] parts = arg.split(" ");
    if (apopTimestamp == null || parts.length != 2) {
      reply(err("APOP not available"));
      return true;
    }
    FakePop3Server.Account a = s.accounts.get(parts[0]);
    if (a == null) {
      return login(null);
    }
    try {
      byte[] d =
          MessageDigest.getInstance("MD5")
              .digest((apopTimestamp + a.password).getBytes(StandardCharsets.UTF_8));
      return login(HexFormat.of().formatHex(d).equalsIgnoreCase(parts[1]) ? a : null);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
  }

  /** SASL (RFC 5034); false ends the session. */
  private boolean auth(String arg) throws IOException {
    if (s.endlessSaslChallenges && !arg.isEmpty()) {
      saslResponse(""); // challenges until the budget ends the session
    }
    if (arg.isEmpty()) {
      if (q(Q40_STRICT_USER_PASS)) {
        reply(err("Invalid command in current state."));
        return true;
      }
      multiline(ok(""), q(Q49_PROPRIETARY_AUTH) ? List.of("MSN", "RPA") : s.mechanisms);
      return true;
    }
    int sp = arg.indexOf(' ');
    String mech = (sp < 0 ? arg : arg.substring(0, sp)).toUpperCase(Locale.ROOT);
    String initial = sp < 0 ? null : arg.substring(sp + 1);
    if (q(Q49_PROPRIETARY_AUTH) || !s.mechanisms.contains(mech)) {
      reply(err("Unsupported authentication mechanism " + mech));
      return true;
    }
    switch (mech) {
      case "PLAIN":
        return plain(initial);
      case "LOGIN":
        return loginMechanism(initial);
      case "XOAUTH2":
        return xoauth2(initial);
      case "OAUTHBEARER":
        return oauthBearer(initial);
      case "CRAM-MD5":
        return cramMd5(initial);
      default:
        // Advertised for a test (RPA, MSN...) but never accepted: a refusal, as for any other.
        reply(err("Unsupported authentication mechanism " + mech));
        return true;
    }
  }

  private String continuation(String payload) {
    if (q(Q15_OK_AS_CONTINUATION)) {
      return payload.isEmpty() ? "+OK" : "+OK " + payload;
    }
    return "+ " + payload;
  }

  /** Reads one SASL response line; null if the client cancelled ("*") or sent no base64. */
  private byte[] saslResponse(String challenge) throws IOException {
    if (s.endlessSaslChallenges) {
      for (int round = 0; round < 10_000; round++) {
        reply(continuation("Y2hhbGxlbmdlIA=="));
        if (readLine() == null) {
          break;
        }
      }
      throw new ServerOutput.SessionEnded("endless SASL budget used up");
    }
    reply(continuation(challenge));
    String line = readLine();
    if (line == null) {
      throw new ServerOutput.SessionEnded("client went away during AUTH");
    }
    if (line.equals("*")) {
      reply(err("Authentication cancelled"));
      return null;
    }
    byte[] r = decode(line);
    if (r == null) {
      reply(err("AUTH", "Invalid base64"));
    }
    return r;
  }

  private static byte[] decode(String b64) {
    try {
      return Base64.getDecoder().decode(b64.strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private byte[] initialOrAsk(String initial) throws IOException {
    if (initial == null) {
      return saslResponse("");
    }
    byte[] r = decode(initial);
    if (r == null) {
      reply(err("AUTH", "Invalid base64"));
    }
    return r;
  }

  private boolean plain(String initial) throws IOException {
    byte[] r = initialOrAsk(initial);
    if (r == null) {
      return true;
    }
    String[] parts = new String(r, StandardCharsets.UTF_8).split("\0", -1);
    if (parts.length != 3) {
      reply(err("AUTH", "Malformed PLAIN response"));
      return true;
    }
    FakePop3Server.Account a = s.accounts.get(parts[1]);
    return login(a != null && a.password.equals(parts[2]) ? a : null);
  }

  private boolean loginMechanism(String initial) throws IOException {
    byte[] user = initial == null ? saslResponse("VXNlcm5hbWU6") : decode(initial);
    if (user == null) {
      return true;
    }
    byte[] pass = saslResponse("UGFzc3dvcmQ6");
    if (pass == null) {
      return true;
    }
    FakePop3Server.Account a = s.accounts.get(new String(user, StandardCharsets.UTF_8));
    return login(
        a != null && a.password.equals(new String(pass, StandardCharsets.UTF_8)) ? a : null);
  }

  /**
   * RFC 2195: the challenge is a msg-id with a fresh number; the answer is the user, a space, and
   * the hex HMAC-MD5 of the challenge keyed with the password. No initial response is allowed.
   */
  private boolean cramMd5(String initial) throws IOException {
    if (initial != null) {
      reply(err("AUTH", "CRAM-MD5 takes no initial response"));
      return true;
    }
    String challenge =
        "<"
            + ThreadLocalRandom.current().nextLong(1L << 40)
            + "."
            + System.currentTimeMillis()
            + "@fake.pop3.test>";
    byte[] r =
        saslResponse(
            Base64.getEncoder().encodeToString(challenge.getBytes(StandardCharsets.US_ASCII)));
    if (r == null) {
      return true;
    }
    String answer = new String(r, StandardCharsets.UTF_8);
    int sp = answer.lastIndexOf(' ');
    FakePop3Server.Account a = sp < 0 ? null : s.accounts.get(answer.substring(0, sp));
    if (a == null) {
      return login(null);
    }
    try {
      Mac mac = Mac.getInstance("HmacMD5");
      mac.init(new SecretKeySpec(a.password.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
      String expected =
          HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.US_ASCII)));
      return login(expected.equals(answer.substring(sp + 1)) ? a : null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacMD5 is required of every Java platform", e);
    }
  }

  private boolean xoauth2(String initial) throws IOException {
    if (initial != null && (s.xoauth2TwoStepOnly || q(Q41_XOAUTH2_TWO_STEP))) {
      reply(err("AUTH", "Initial response not allowed; send AUTH XOAUTH2, then the token"));
      return true;
    }
    byte[] r = initialOrAsk(initial);
    if (r == null) {
      return true;
    }
    // user=<user>^Aauth=Bearer <token>^A^A
    String user = null;
    String token = null;
    for (String part : new String(r, StandardCharsets.UTF_8).split("\u0001")) {
      if (part.startsWith("user=")) {
        user = part.substring(5);
      } else if (part.startsWith("auth=Bearer ")) {
        token = part.substring(12);
      }
    }
    return oauthOutcome(user, token, false);
  }

  private boolean oauthBearer(String initial) throws IOException {
    byte[] r = initialOrAsk(initial);
    if (r == null) {
      return true;
    }
    // n,a=<user>,^Ahost=…^Aport=…^Aauth=Bearer <token>^A^A  (RFC 7628 §3.1)
    String user = null;
    String token = null;
    String[] parts = new String(r, StandardCharsets.UTF_8).split("\u0001");
    for (String field : parts[0].split(",")) {
      if (field.startsWith("a=")) {
        user = field.substring(2);
      }
    }
    for (String part : parts) {
      if (part.startsWith("auth=Bearer ")) {
        token = part.substring(12);
      }
    }
    return oauthOutcome(user, token, true);
  }

  /**
   * Logs in with a good token. Otherwise fails: with {@code -ERR [AUTH]} at once, or, as Google and
   * Microsoft do (Q42), with the JSON error as a continuation first, then {@code -ERR} after the
   * client's dummy response. An expired token gets status 401, an unknown one 400.
   */
  private boolean oauthOutcome(String user, String token, boolean bearer) throws IOException {
    FakePop3Server.Account a = user == null ? null : s.accounts.get(user);
    java.util.function.Predicate<String> check = a == null ? null : a.tokenCheck;
    boolean checked =
        check != null
            && token != null
            && !a.tokens.contains(token)
            && !a.expiredTokens.contains(token);
    boolean valid = checked && check.test(token);
    if (a != null && token != null && (a.tokens.contains(token) || valid)) {
      return login(a);
    }
    boolean expired = a != null && token != null && (a.expiredTokens.contains(token) || checked);
    if (q(Q42_OAUTH_ERROR_CONTINUATION)) {
      String json =
          bearer
              ? "{\"status\":\"invalid_token\",\"scope\":\"https://mail.google.com/\"}"
              : "{\"status\":\""
                  + (expired ? "401" : "400")
                  + "\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}";
      reply(
          continuation(Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))));
      if (readLine() == null) {
        return false;
      }
    }
    reply(err("AUTH", expired ? "Token expired" : "Authentication failed"));
    return !q(Q39_CLOSE_ON_AUTH_FAIL);
  }

  // ------------------------------------------------------------------ TRANSACTION

  private void transaction(String verb, String arg) throws IOException {
    switch (verb) {
      case "STAT":
        stat();
        return;
      case "LIST":
      case "UIDL":
        listing(verb, arg);
        return;
      case "RETR":
        retrieve(arg, -1);
        return;
      case "TOP":
        {
          if (q(Q33_TOP_ERR)) {
            reply(err("TOP not supported"));
            return;
          }
          String[] p = arg.split(" ");
          if (p.length != 2 || !p[1].matches("[0-9]{1,9}")) {
            reply(err("Usage: TOP msg lines"));
            return;
          }
          retrieve(p[0], Integer.parseInt(p[1]));
          return;
        }
      case "DELE":
        {
          int i = message(arg);
          if (i >= 0) {
            if (!s.sentWhole.contains(snapshot.get(i))) {
              rec.deletedUnsent(currentLine);
            }
            deleted.set(i);
            if (s.deleImmediately) {
              account.mailbox.remove(List.of(snapshot.get(i)));
            }
            if (q(Q11_EMPTY_LINE)) {
              out.write(eol());
            } else if (q(Q11_EMPTY_LINES)) {
              out.write(eol());
              out.write(eol());
              out.write(eol());
            }
            reply(ok("Marked to be deleted"));
          }
          return;
        }
      case "RSET":
        deleted.clear();
        reply(ok(""));
        return;
      default:
        reply(err("Unknown command: " + verb));
    }
  }

  private void stat() throws IOException {
    if (q(Q38_LOGIN_DELAY_ON_STAT)) {
      reply(err("login allowed only every 15 minutes"));
      return;
    }
    if (q(Q47_STAT_ERR)) {
      reply(err("SYS/TEMP", "Mailbox too large to count"));
      return;
    }
    long octets = 0;
    int count = 0;
    for (int i = 0; i < snapshot.size(); i++) {
      if (!deleted.get(i)) {
        count++;
        octets += listedSize(i);
      }
    }
    reply(okData(count + " " + octets));
  }

  /** The number listing line {@code i} (0-based) shows for message {@code i} (Q29). */
  private int listedNumber(int i) {
    if (q(Q29_NUMBERING_ZERO_BASED)) {
      return i;
    }
    if (q(Q29_NUMBERING_GAPS) && i >= 2) {
      return i + 3;
    }
    return i + 1;
  }

  /** The message a listed number names, or -1. */
  private int indexOf(int n) {
    int i;
    if (q(Q29_NUMBERING_ZERO_BASED)) {
      i = n;
    } else if (q(Q29_NUMBERING_GAPS)) {
      i = n <= 2 ? n - 1 : n >= 5 ? n - 3 : -1;
    } else {
      i = n - 1;
    }
    return i >= 0 && i < snapshot.size() ? i : -1;
  }

  /** The unique id the server reports for message {@code i} (Q25, Q26, Q27, Q48, Q51). */
  private String uidOf(int i) {
    String uid = q(Q51_UIDL_FROM_MESSAGE_NUMBER) ? Integer.toString(i + 1) : snapshot.get(i).uid();
    if (q(Q48_XUIDL_DERIVED)) {
      String x = header(snapshot.get(i).raw(), "X-UIDL");
      if (x != null) {
        uid = x;
      }
    }
    if (q(Q25_UIDL_DUPLICATES) && i % 2 == 1) {
      uid = uidOf(i - 1);
    }
    if (q(Q26_UIDL_UNSTABLE)) {
      uid = "s" + number + "-" + uid;
    }
    if (q(Q27_UIDL_BLANK) && i == 0) {
      return "";
    }
    if (q(Q27_UIDL_SPACE_INSIDE)) {
      uid = uid.substring(0, uid.length() / 2) + " " + uid.substring(uid.length() / 2);
    }
    if (q(Q27_UIDL_ODD_BYTES)) {
      uid = uid + "/x\u00e9";
    }
    if (q(Q27_UIDL_LONG)) {
      uid = (uid + "-").repeat(300 / (uid.length() + 1) + 1).substring(0, 300);
    }
    return uid;
  }

  /** The size the server reports for message {@code i} (Q32). */
  private long listedSize(int i) {
    FakeMailbox.Message m = snapshot.get(i);
    long size = m.size();
    if (q(Q32_LIST_SIZE_LF_COUNT)) {
      byte[] c = m.raw();
      for (int p = 1; p < c.length; p++) {
        if (c[p] == '\n' && c[p - 1] == '\r') {
          size--;
        }
      }
    } else if (q(Q32_LIST_SIZE_ROUNDED)) {
      size = Math.max(1024, Math.round(size / 1024.0) * 1024);
    } else if (q(Q32_LIST_SIZE_COMPRESSED)) {
      size = size / 2;
    }
    return size;
  }

  private String listingLine(int i, boolean uidl) {
    String value = uidl ? uidOf(i) : Long.toString(listedSize(i));
    String sep = uidl && q(Q27_UIDL_MULTIPLE_SPACES) ? "   " : " ";
    String line = listedNumber(i) + sep + value;
    return uidl && q(Q27_UIDL_PLUS_OK_PREFIX) ? "+OK " + line : line;
  }

  /** The index of message {@code arg}, or -1 after replying -ERR. */
  private int message(String arg) throws IOException {
    if (!arg.matches("[1-9][0-9]{0,8}") || Integer.parseInt(arg) > snapshot.size()) {
      rec.unlisted(currentLine); // not a number RFC 1939 allows here, whatever this server lists
    }
    if (!arg.matches("[0-9]{1,9}")) {
      reply(err("Invalid message number"));
      return -1;
    }
    int i = indexOf(Integer.parseInt(arg));
    if (i < 0) {
      reply(err("No such message"));
      return -1;
    }
    if (deleted.get(i)) {
      reply(err("Message is deleted"));
      return -1;
    }
    return i;
  }

  private void listing(String verb, String arg) throws IOException {
    boolean uidl = verb.equals("UIDL");
    if (uidl && q(Q24_NO_UIDL)) {
      reply(err("Command UIDL is not supported"));
      return;
    }
    if (!arg.isEmpty()) {
      singleListing(uidl, arg);
      return;
    }
    if (fault(Fault.Kind.ENDLESS_LISTING) != null) {
      long[] n = {0};
      endless(
          "+OK\r\n".getBytes(StandardCharsets.US_ASCII),
          () -> (++n[0]) + (uidl ? " uid" + n[0] : " 1000") + "\r\n");
      return;
    }
    if (!uidl && uidlListed && q(Q46_LIST_UIDL_RACE) && snapshot.size() == account.mailbox.size()) {
      // A message arrives between UIDL and LIST; this server has no per-session snapshot.
      account.mailbox.add(
          ("Subject: arrived between UIDL and LIST\r\n\r\nlate\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      snapshot = account.mailbox.snapshot();
      BitSet grown = new BitSet(snapshot.size());
      grown.or(deleted);
      deleted = grown;
    }
    if (uidl) {
      uidlListed = true;
    }
    List<String> lines = new ArrayList<>();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < snapshot.size(); i++) {
      order.add(i);
    }
    if (q(Q29_NUMBERING_SHUFFLED)) {
      java.util.Collections.reverse(order);
    }
    for (int i : order) {
      if (!deleted.get(i)) {
        lines.add(listingLine(i, uidl));
      }
    }
    if (q(Q29_NUMBERING_BEYOND_STAT)) {
      lines.add((snapshot.size() + 2) + " " + (uidl ? "phantom-uid" : "1234"));
    }
    multiline(ok(""), lines);
  }

  private void singleListing(boolean uidl, String arg) throws IOException {
    int i = message(arg);
    if (i < 0) {
      return;
    }
    String value = uidl ? uidOf(i) : Long.toString(listedSize(i));
    if (q(Q28_SINGLE_FORM_NO_NUMBER)) {
      reply(okData(value));
    } else if (q(Q28_SINGLE_FORM_WRONG_NUMBER)) {
      reply(okData((listedNumber(i) + 1) + " " + value));
    } else if (uidl && q(Q28_SINGLE_FORM_MULTILINE)) {
      multiline(ok(""), List.of(listingLine(i, true)));
    } else {
      reply(okData(listedNumber(i) + " " + value));
    }
  }

  /** RETR (lines &lt; 0) or TOP n lines. */
  private void retrieve(String arg, int lines) throws IOException {
    int i = message(arg);
    if (i < 0) {
      return;
    }
    boolean top = lines >= 0;
    if (q(Q34_RETR_ERR_LISTED) && i == 1) {
      reply(err("Message 2 expunged."));
      return;
    }
    if (fault(Fault.Kind.ENDLESS_BODY) != null) {
      endless(
          "+OK\r\nSubject: endless\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
          () -> "x".repeat(ThreadLocalRandom.current().nextInt(1, 80)) + "\r\n");
      return;
    }
    FakeMailbox.Message m = snapshot.get(i);
    byte[] content =
        q(Q53_SERVED_EMPTY) && i % 2 == 1
            ? ("X-UIDL: " + uidOf(i) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)
            : served(m.raw());
    boolean substituted =
        q(Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8) && !utf8 && UnicodeNotice.applies(content);
    if (substituted) {
      content = UnicodeNotice.wrap(content, UnicodeNotice.boundary());
    }
    int end = content.length;
    if (top) {
      end = topEnd(content, q(Q33_TOP_IGNORES_N) ? 1 : lines);
      if (q(Q33_TOP_TRUNCATES)) {
        end = Math.min(end, 64 * 1024);
      }
    }
    if (top && q(Q55_TOP_ADDS_EMPTY_LINE)) {
      int header = topEnd(content, 0); // just past the empty line that ends the header section
      byte[] more = new byte[content.length + 2];
      System.arraycopy(content, 0, more, 0, header);
      more[header] = '\r';
      more[header + 1] = '\n';
      System.arraycopy(content, header, more, header + 2, content.length - header);
      content = more;
      end = end >= header ? end + 2 : end;
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream(end + end / 64 + 32);
    b.writeBytes(
        (top ? ok("") : ok((substituted ? content.length : m.size()) + " octets"))
            .getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(eol());
    if (top && q(Q33_TOP_DOUBLE_OK)) {
      b.writeBytes(ok("").getBytes(StandardCharsets.US_ASCII));
      b.writeBytes(eol());
    }
    wireBody(b, content, end, top);
    if (!top) {
      retrieved.set(i);
      if (q(Q31_RETR_MARKS_DELETED)) {
        deleted.set(i);
      }
    }
    if (!top && retrCount++ == 0 && q(Q36_DROP_MID_RETR)) {
      byte[] all = b.toByteArray();
      out.write(all, 0, all.length / 2);
      out.endAbruptly(true, "dropped mid-RETR");
    }
    if (!top && q(Q11_STRAY_TERMINATOR)) {
      b.writeBytes("\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.write(b.toByteArray());
    if (!top) {
      s.sentWhole.add(m);
    }
  }

  /** The message as this server hands it out (Q44, Q50 change it). */
  private byte[] served(byte[] content) {
    byte[] c = content;
    if (q(Q50_STRIPS_X_HEADERS)) {
      c = stripHeaders(c);
    }
    if (q(Q50_DROPS_ATTACHMENTS)) {
      c = firstPartOnly(c);
    }
    if (q(Q44_TOP_RETR_HEADERS_DIFFER)) {
      byte[] trace =
          ("Received: by fake.invalid with POP3 id " + (++fetchCounter) + "\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      byte[] both = new byte[trace.length + c.length];
      System.arraycopy(trace, 0, both, 0, trace.length);
      System.arraycopy(c, 0, both, trace.length, c.length);
      c = both;
    }
    return c;
  }

  /**
   * The body on the wire: dot-stuffed (RFC 1939 §3) unless Q04/Q05 say otherwise, line ends as Q01
   * says, a CRLF added before the terminator where the message has none (unless Q03), and the
   * terminator as Q01/Q02 say.
   */
  private void wireBody(ByteArrayOutputStream b, byte[] content, int end, boolean top) {
    boolean lf = q(Q01_BARE_LF) || q(Q01_MIXED_LINE_ENDINGS);
    boolean lineStart = true;
    for (int p = 0; p < end; p++) {
      byte c = content[p];
      if (lineStart && c == '.') {
        boolean lone =
            p + 1 == end
                || content[p + 1] == '\n'
                || (content[p + 1] == '\r' && p + 2 < end && content[p + 2] == '\n');
        boolean unstuffed =
            lone
                ? q(Q04_UNSTUFFED_LONE_DOT) || (top && q(Q04_UNSTUFFED_LONE_DOT_IN_TOP))
                : q(Q05_UNSTUFFED_LEADING_DOT);
        if (!unstuffed) {
          b.write('.');
        }
      }
      if (lf && c == '\r' && p + 1 < end && content[p + 1] == '\n') {
        lineStart = false;
        continue; // CRLF sent as a bare LF
      }
      b.write(c);
      // RFC 1939 lines end in CRLF: a bare LF inside a message is data, and no line starts after it
      // (unless this server speaks bare LF itself).
      lineStart = c == '\n' && (lf || (p > 0 && content[p - 1] == '\r'));
    }
    if (!lineStart && !q(Q03_NO_CRLF_BEFORE_DOT)) {
      b.writeBytes(bodyEol());
    }
    b.write('.');
    if (q(Q02_CR_TERMINATOR)) {
      b.write('\r');
    } else {
      b.writeBytes(bodyEol());
    }
  }

  /** Where the header section, the empty line and {@code lines} body lines end. */
  private static int topEnd(byte[] c, int lines) {
    int p = 0;
    boolean inHeaders = true;
    int bodyLines = 0;
    int lineStart = 0;
    while (p < c.length) {
      if (c[p] == '\n') {
        boolean empty = p - lineStart == 0 || (p - lineStart == 1 && c[lineStart] == '\r');
        p++;
        if (inHeaders) {
          if (empty) {
            inHeaders = false;
            if (lines == 0) {
              return p;
            }
          }
        } else if (++bodyLines >= lines) {
          return p;
        }
        lineStart = p;
      } else {
        p++;
      }
    }
    return c.length;
  }

  /** The value of the first header field {@code name}, or null. */
  private static String header(byte[] c, String name) {
    String text = new String(c, 0, Math.min(c.length, 64 * 1024), StandardCharsets.ISO_8859_1);
    for (String line : text.split("\r?\n")) {
      if (line.isEmpty()) {
        return null;
      }
      if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
        return line.substring(name.length() + 1).strip();
      }
    }
    return null;
  }

  /** The message without its X- and Resent- header fields (and their folded lines). */
  private static byte[] stripHeaders(byte[] c) {
    ByteArrayOutputStream o = new ByteArrayOutputStream(c.length);
    int p = 0;
    boolean dropping = false;
    while (p < c.length) {
      int e = p;
      while (e < c.length && c[e] != '\n') {
        e++;
      }
      e = Math.min(c.length, e + 1);
      String line = new String(c, p, e - p, StandardCharsets.ISO_8859_1);
      if (line.equals("\r\n") || line.equals("\n")) {
        o.write(c, p, c.length - p);
        return o.toByteArray();
      }
      boolean continuation = line.startsWith(" ") || line.startsWith("\t");
      if (!continuation) {
        String lower = line.toLowerCase(Locale.ROOT);
        dropping = lower.startsWith("x-") || lower.startsWith("resent-");
      }
      if (!dropping) {
        o.write(c, p, e - p);
      }
      p = e;
    }
    return o.toByteArray();
  }

  /** A multipart message cut after its first part, closed properly. */
  private static byte[] firstPartOnly(byte[] c) {
    String text = new String(c, StandardCharsets.ISO_8859_1);
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("boundary=\"?([^\";\r\n]+)\"?").matcher(text);
    if (!m.find()) {
      return c;
    }
    String delimiter = "\r\n--" + m.group(1);
    int first = text.indexOf(delimiter);
    int second = first < 0 ? -1 : text.indexOf(delimiter, first + delimiter.length());
    if (second < 0) {
      return c;
    }
    return (text.substring(0, second) + delimiter + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }
}
