package dev.mailfetch.testkit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
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
 * <p>Faults are checked where they bite: byte faults in {@link ServerOutput}, command faults
 * before a reply, endless generators in place of a reply.
 */
final class Conversation {
  private static final byte[] CRLF = {'\r', '\n'};
  /** Room for SASL responses carrying OAuth tokens of 16 KiB and more, base64-encoded. */
  private static final int MAX_COMMAND_LINE = 64 * 1024;
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

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
      socket.getOutputStream().write(
          ((s.respCodes ? "-ERR [SYS/TEMP] " : "-ERR ") + "Too many sessions, try later\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
    } catch (IOException e) {
      // the client went away first
    }
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
      out = new ServerOutput(socket, socket.getOutputStream(), s.segmentation, closeAt, reset,
          trickleBytes, tricklePeriod);
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
      if (account != null && s.maildropLock) {
        account.mailbox.unlock();
      }
    }
  }

  private Duration idleTimeout() {
    Duration idle = s.idleTimeout;
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

  // ------------------------------------------------------------------ greeting and TLS

  private void greet() throws IOException {
    Fault delay = fault(Fault.Kind.GREETING_DELAY);
    if (delay != null) {
      ServerOutput.pause(delay.duration.toNanos());
    }
    if (fault(Fault.Kind.ENDLESS_GREETING) != null) {
      endless("+OK ".getBytes(StandardCharsets.US_ASCII), () -> "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
      return;
    }
    String text = s.greeting;
    if (s.apopTimestamp) {
      apopTimestamp = "<" + ProcessHandle.current().pid() + "." + System.nanoTime() + "@fake.invalid>";
      text = text + " " + apopTimestamp;
    }
    reply("+OK " + text);
  }

  private void startTls() throws IOException {
    // Bytes the client sent after STLS and before we switch belong to its ClientHello.
    byte[] early = java.util.Arrays.copyOfRange(buf, pos, lim);
    pos = lim = 0;
    SSLSocket ssl = (SSLSocket) s.sslContext.getSocketFactory()
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

  // ------------------------------------------------------------------ writing

  private void reply(String line) throws IOException {
    send(line.getBytes(StandardCharsets.ISO_8859_1), true);
  }

  private void send(byte[] bytes, boolean addCrlf) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(bytes.length + 2);
    b.write(bytes);
    if (addCrlf) {
      b.write(CRLF);
    }
    out.write(b.toByteArray());
  }

  private String err(String text) {
    return "-ERR " + text;
  }

  private String err(String code, String text) {
    return s.respCodes ? "-ERR [" + code + "] " + text : "-ERR " + text;
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

  // ------------------------------------------------------------------ commands

  /** Handles one command; false ends the session. */
  private boolean handle(String line) throws IOException {
    int sp = line.indexOf(' ');
    String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
    String arg = sp < 0 ? "" : line.substring(sp + 1);
    if (!commandFaults(verb)) {
      return false;
    }
    if (!s.replyDelay.isZero()) {
      ServerOutput.pause(s.replyDelay.toNanos());
    }
    // The next command was pipelined if it arrived before we began this reply.
    boolean early = moreArrived();
    boolean more = dispatch(verb, arg);
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
          ServerOutput.pause(f.duration.toNanos());
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
        capa();
        return true;
      case "QUIT":
        return quit();
      case "NOOP":
        reply(state == State.TRANSACTION ? "+OK" : err("NOOP is allowed only after login"));
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

  private void capa() throws IOException {
    FakePop3Server.CapaPhase phase = state == State.TRANSACTION
        ? FakePop3Server.CapaPhase.AFTER_LOGIN
        : tls && s.tls == TlsMode.STLS ? FakePop3Server.CapaPhase.AFTER_TLS : FakePop3Server.CapaPhase.BEFORE_TLS;
    List<String> lines = s.capaOverrides.get(phase);
    if (lines == null) {
      lines = new ArrayList<>();
      lines.add("TOP");
      lines.add("UIDL");
      if (s.respCodes) {
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
      }
      if (state == State.AUTHORIZATION) {
        if (s.userCommand) {
          lines.add("USER");
        }
        if (!s.mechanisms.isEmpty()) {
          lines.add("SASL " + String.join(" ", s.mechanisms));
        }
        if (s.tls == TlsMode.STLS && !tls) {
          lines.add("STLS");
        }
      }
      lines.add("IMPLEMENTATION mailfetch-testkit");
    }
    StringBuilder sb = new StringBuilder("+OK Capability list follows\r\n");
    for (String l : lines) {
      sb.append(l).append("\r\n");
    }
    send(sb.append('.').toString().getBytes(StandardCharsets.ISO_8859_1), true);
  }

  private boolean quit() throws IOException {
    if (state == State.TRANSACTION) {
      List<FakeMailbox.Message> gone = new ArrayList<>();
      for (int i = deleted.nextSetBit(0); i >= 0; i = deleted.nextSetBit(i + 1)) {
        gone.add(snapshot.get(i));
      }
      account.mailbox.remove(gone);
      reply("+OK Logging out, " + gone.size() + " messages deleted");
    } else {
      reply("+OK Logging out");
    }
    return false;
  }

  // ------------------------------------------------------------------ AUTHORIZATION

  private boolean authorization(String verb, String arg, String user) throws IOException {
    switch (verb) {
      case "STLS":
        if (s.tls != TlsMode.STLS || tls) {
          reply(err("STLS not available"));
          return true;
        }
        reply("+OK Begin TLS negotiation");
        out.flush();
        startTls();
        return true;
      case "USER":
        if (!authAllowed()) {
          return true;
        }
        if (!s.userCommand) {
          reply(err("USER not supported"));
          return true;
        }
        pendingUser = arg;
        reply("+OK");
        return true;
      case "PASS":
        if (!authAllowed()) {
          return true;
        }
        if (user == null) {
          reply(err("PASS must follow USER"));
          return true;
        }
        FakePop3Server.Account a = s.accounts.get(user);
        login(a != null && a.password.equals(arg) ? a : null);
        return true;
      case "APOP":
        if (!authAllowed()) {
          return true;
        }
        apop(arg);
        return true;
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

  private boolean authAllowed() throws IOException {
    if (s.requireTlsForAuth && !tls) {
      reply(err("AUTH", "Plaintext authentication disallowed on non-secure connections"));
      return false;
    }
    return true;
  }

  private void login(FakePop3Server.Account a) throws IOException {
    if (a == null) {
      reply(err("AUTH", "Authentication failed"));
      return;
    }
    if (s.maildropLock && !a.mailbox.tryLock()) {
      reply(err("IN-USE", "Unable to lock maildrop: it is in use by another session"));
      return;
    }
    account = a;
    snapshot = a.mailbox.snapshot();
    deleted = new BitSet(snapshot.size());
    state = State.TRANSACTION;
    rec.loggedIn(a.user);
    reply("+OK Logged in");
  }

  private void apop(String arg) throws IOException {
    String[] parts = arg.split(" ");
    if (apopTimestamp == null || parts.length != 2) {
      reply(err("APOP not available"));
      return;
    }
    FakePop3Server.Account a = s.accounts.get(parts[0]);
    if (a == null) {
      reply(err("AUTH", "Authentication failed"));
      return;
    }
    try {
      byte[] d = MessageDigest.getInstance("MD5")
          .digest((apopTimestamp + a.password).getBytes(StandardCharsets.UTF_8));
      login(HexFormat.of().formatHex(d).equalsIgnoreCase(parts[1]) ? a : null);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
  }

  /** SASL (RFC 5034); false ends the session. */
  private boolean auth(String arg) throws IOException {
    if (arg.isEmpty()) {
      StringBuilder sb = new StringBuilder("+OK\r\n");
      for (String m : s.mechanisms) {
        sb.append(m).append("\r\n");
      }
      send(sb.append('.').toString().getBytes(StandardCharsets.ISO_8859_1), true);
      return true;
    }
    int sp = arg.indexOf(' ');
    String mech = (sp < 0 ? arg : arg.substring(0, sp)).toUpperCase(Locale.ROOT);
    String initial = sp < 0 ? null : arg.substring(sp + 1);
    if (!s.mechanisms.contains(mech)) {
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
      default:
        reply(err("Mechanism " + mech + " is advertised but not implemented by this fake"));
        return true;
    }
  }

  /** Reads one SASL response line; null if the client cancelled ("*") or went away. */
  private byte[] saslResponse(String challenge) throws IOException {
    reply("+ " + challenge);
    String line = readLine();
    if (line == null) {
      throw new ServerOutput.SessionEnded("client went away during AUTH");
    }
    if (line.equals("*")) {
      reply(err("Authentication cancelled"));
      return null;
    }
    return decode(line);
  }

  private static byte[] decode(String b64) {
    try {
      return Base64.getDecoder().decode(b64.strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private boolean plain(String initial) throws IOException {
    byte[] r = initial == null ? saslResponse("") : decode(initial);
    if (r == null) {
      if (initial != null) {
        reply(err("AUTH", "Invalid base64"));
      }
      return true;
    }
    String[] parts = new String(r, StandardCharsets.UTF_8).split("\0", -1);
    if (parts.length != 3) {
      reply(err("AUTH", "Malformed PLAIN response"));
      return true;
    }
    FakePop3Server.Account a = s.accounts.get(parts[1]);
    login(a != null && a.password.equals(parts[2]) ? a : null);
    return true;
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
    login(a != null && a.password.equals(new String(pass, StandardCharsets.UTF_8)) ? a : null);
    return true;
  }

  private boolean xoauth2(String initial) throws IOException {
    if (initial != null && s.xoauth2TwoStepOnly) {
      reply(err("AUTH", "Initial response not allowed; send AUTH XOAUTH2, then the token"));
      return true;
    }
    byte[] r = initial == null ? saslResponse("") : decode(initial);
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
    byte[] r = initial == null ? saslResponse("") : decode(initial);
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
   * Logs in with a good token; otherwise sends the JSON error as a continuation, waits for the
   * client's dummy response, and fails, as Google and Microsoft do (quirk Q42).
   */
  private boolean oauthOutcome(String user, String token, boolean bearer) throws IOException {
    FakePop3Server.Account a = user == null ? null : s.accounts.get(user);
    if (a != null && token != null && a.tokens.contains(token)) {
      login(a);
      return true;
    }
    boolean expired = a != null && token != null && a.expiredTokens.contains(token);
    String json = bearer
        ? "{\"status\":\"invalid_token\",\"scope\":\"https://mail.google.com/\"}"
        : "{\"status\":\"" + (expired ? "401" : "400") + "\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}";
    reply("+ " + Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));
    String ack = readLine();
    if (ack == null) {
      return false;
    }
    reply(err("AUTH", expired ? "Token expired" : "Authentication failed"));
    return true;
  }

  // ------------------------------------------------------------------ TRANSACTION

  private void transaction(String verb, String arg) throws IOException {
    switch (verb) {
      case "STAT": {
        long octets = 0;
        int count = 0;
        for (int i = 0; i < snapshot.size(); i++) {
          if (!deleted.get(i)) {
            count++;
            octets += snapshot.get(i).size();
          }
        }
        reply("+OK " + count + " " + octets);
        return;
      }
      case "LIST":
      case "UIDL":
        listing(verb, arg);
        return;
      case "RETR":
        retrieve(arg, -1);
        return;
      case "TOP": {
        String[] p = arg.split(" ");
        if (p.length != 2 || !p[1].matches("[0-9]{1,9}")) {
          reply(err("Usage: TOP msg lines"));
          return;
        }
        retrieve(p[0], Integer.parseInt(p[1]));
        return;
      }
      case "DELE": {
        int i = message(arg);
        if (i >= 0) {
          deleted.set(i);
          reply("+OK Marked to be deleted");
        }
        return;
      }
      case "RSET":
        deleted.clear();
        reply("+OK");
        return;
      default:
        reply(err("Unknown command: " + verb));
    }
  }

  /** The index of message {@code arg}, or -1 after replying -ERR. */
  private int message(String arg) throws IOException {
    if (!arg.matches("[0-9]{1,9}")) {
      reply(err("Invalid message number"));
      return -1;
    }
    int n = Integer.parseInt(arg);
    if (n < 1 || n > snapshot.size()) {
      reply(err("No such message"));
      return -1;
    }
    if (deleted.get(n - 1)) {
      reply(err("Message is deleted"));
      return -1;
    }
    return n - 1;
  }

  private void listing(String verb, String arg) throws IOException {
    boolean uidl = verb.equals("UIDL");
    if (!arg.isEmpty()) {
      int i = message(arg);
      if (i >= 0) {
        reply("+OK " + (i + 1) + " " + (uidl ? snapshot.get(i).uid() : snapshot.get(i).size()));
      }
      return;
    }
    if (fault(Fault.Kind.ENDLESS_LISTING) != null) {
      long[] n = {0};
      endless("+OK\r\n".getBytes(StandardCharsets.US_ASCII),
          () -> (++n[0]) + (uidl ? " uid" + n[0] : " 1000") + "\r\n");
      return;
    }
    StringBuilder sb = new StringBuilder("+OK\r\n");
    for (int i = 0; i < snapshot.size(); i++) {
      if (!deleted.get(i)) {
        sb.append(i + 1).append(' ').append(uidl ? snapshot.get(i).uid() : Long.toString(snapshot.get(i).size()))
            .append("\r\n");
      }
    }
    send(sb.append('.').toString().getBytes(StandardCharsets.ISO_8859_1), true);
  }

  /** RETR (lines &lt; 0) or TOP n lines. */
  private void retrieve(String arg, int lines) throws IOException {
    int i = message(arg);
    if (i < 0) {
      return;
    }
    if (fault(Fault.Kind.ENDLESS_BODY) != null) {
      endless("+OK\r\nSubject: endless\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
          () -> "x".repeat(ThreadLocalRandom.current().nextInt(1, 80)) + "\r\n");
      return;
    }
    FakeMailbox.Message m = snapshot.get(i);
    byte[] content = m.raw();
    int end = lines < 0 ? content.length : topEnd(content, lines);
    ByteArrayOutputStream b = new ByteArrayOutputStream(end + end / 64 + 32);
    b.writeBytes(((lines < 0 ? "+OK " + m.size() + " octets" : "+OK") + "\r\n").getBytes(StandardCharsets.US_ASCII));
    boolean lineStart = true;
    for (int p = 0; p < end; p++) {
      byte c = content[p];
      if (lineStart && c == '.') {
        b.write('.'); // dot-stuffing, RFC 1939 §3
      }
      b.write(c);
      lineStart = c == '\n';
    }
    if (!lineStart) {
      b.write(CRLF, 0, 2);
    }
    b.write('.');
    b.write(CRLF, 0, 2);
    out.write(b.toByteArray());
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
}
