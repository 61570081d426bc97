package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.Q10_FRAGMENTATION;
import static dev.mailfetch.testkit.Quirk.Q17_SLOW_SERVER;
import static dev.mailfetch.testkit.Quirk.Q19_CAPA_CLOSE;
import static dev.mailfetch.testkit.Quirk.Q19_CAPA_ERR;
import static dev.mailfetch.testkit.Quirk.Q19_CAPA_HANG;
import static dev.mailfetch.testkit.Quirk.Q21_PIPELINING_DROPS_QUEUED;
import static dev.mailfetch.testkit.Quirk.Q21_PIPELINING_STALLS;
import static dev.mailfetch.testkit.Quirk.Q22_SPLIT_COMMAND;
import static dev.mailfetch.testkit.Quirk.Q23_REQUIRES_SNI;
import static dev.mailfetch.testkit.Quirk.Q23_STLS_BROKEN;
import static dev.mailfetch.testkit.Quirk.Q23_STLS_ERR;
import static dev.mailfetch.testkit.Quirk.Q35_QUIT_SLOW;
import static dev.mailfetch.testkit.Quirk.Q43_SHORT_IDLE_TIMEOUT;
import static dev.mailfetch.testkit.Quirk.Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8;

import dev.mailfetch.testkit.internal.ServerTls;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
 * <p>This class is the socket loop, the state and the dispatch, and plays a test's scripted replies
 * ({@link FakePop3Server.Builder#respond}) before anything else. Each other concept has a class of
 * its own:
 *
 * <ul>
 *   <li>{@link Dialect}: every byte a quirk changes in what is sent (status words, line ends,
 *       stuffing, the terminator), worked out once per session; {@link Replies} writes in it;
 *   <li>{@link CommandReader}: command lines, Q22, what the session records;
 *   <li>{@link FaultPlayer}: the {@link Fault}s, and the hangs quirks ask for;
 *   <li>{@link Greeting}, {@link ServerTls}, {@link CapabilityList};
 *   <li>{@link Authorization} with {@link Sasl}: USER/PASS, APOP, AUTH, the login's outcome;
 *   <li>{@link Transaction} over a {@link MailboxView} (numbering, UIDs, sizes) and {@link
 *       MessageRewrites} (what a server does to a message on its way out).
 * </ul>
 */
final class Conversation {
  private enum State {
    AUTHORIZATION,
    TRANSACTION
  }

  private final Socket socket;
  private final FakePop3Server.Settings s;
  private final RecordedSession rec;
  private final int number;
  private final List<Fault> faultList;
  private final Dialect dialect;
  private ServerOutput out;
  private Replies replies;
  private CommandReader reader;
  private FaultPlayer faults;
  private State state = State.AUTHORIZATION;
  private Authorization authorization;
  private Transaction transaction;

  /** Whether the client turned on UTF-8 mode (RFC 6856), which a Q52 server waits for. */
  private boolean utf8;

  Conversation(Socket socket, FakePop3Server.Settings settings, RecordedSession rec, int number) {
    this.socket = socket;
    this.s = settings;
    this.rec = rec;
    this.number = number;
    this.faultList = FaultPlayer.forSession(settings.faults, number);
    this.dialect = Dialect.of(settings);
  }

  private boolean q(Quirk quirk) {
    return s.quirks.contains(quirk);
  }

  void run() {
    try {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout((int) Math.max(1, idleTimeout().toMillis()));
      Segmentation seg = q(Q10_FRAGMENTATION) ? Segmentation.EVERY_BYTE : s.segmentation;
      out = FaultPlayer.output(socket, socket.getOutputStream(), seg, faultList);
      replies = new Replies(out, dialect);
      reader = new CommandReader(socket.getInputStream(), rec, replies, q(Q22_SPLIT_COMMAND));
      faults = new FaultPlayer(socket, faultList, out, reader);
      if (s.tls == TlsMode.IMPLICIT) {
        startTls();
      }
      authorization = new Authorization(s, replies, reader, rec, greet(), this::enterTransaction);
      while (true) {
        String line = reader.readLine();
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
      if (transaction != null) {
        transaction.releaseLock();
      }
    }
  }

  /** The idle time after which this session is dropped (package use: tests read it). */
  Duration idleTimeout() {
    return FaultPlayer.idleTimeout(
        q(Q43_SHORT_IDLE_TIMEOUT) ? Duration.ofSeconds(60) : s.idleTimeout, faultList);
  }

  private void enterTransaction(Account account, boolean holdsLock) {
    transaction = new Transaction(s, number, replies, rec, faults, account, holdsLock, utf8);
    state = State.TRANSACTION;
  }

  // ------------------------------------------------------------------ greeting and TLS

  /** Sends the greeting; returns its APOP timestamp, or null if it offers none. */
  private String greet() throws IOException {
    faults.delayGreeting();
    if (q(Q17_SLOW_SERVER)) {
      ServerOutput.pause(Duration.ofMillis(1500).toNanos());
    }
    if (faults.has(Fault.Kind.ENDLESS_GREETING)) {
      faults.endless(
          "+OK ".getBytes(StandardCharsets.US_ASCII), () -> "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
      return null;
    }
    if (s.rawGreeting != null) {
      out.write(s.rawGreeting.getBytes(StandardCharsets.ISO_8859_1));
      return null;
    }
    String apopTimestamp = Greeting.apopTimestamp(s);
    for (String line : Greeting.lines(s.greeting, s.quirks, dialect, apopTimestamp)) {
      replies.line(line);
    }
    return apopTimestamp;
  }

  private boolean offersStls() {
    return (s.tls == TlsMode.STLS || q(Q23_STLS_BROKEN) || q(Q23_STLS_ERR)) && !reader.inTls();
  }

  private boolean stls() throws IOException {
    if (!offersStls()) {
      replies.err("STLS not available");
      return true;
    }
    if (q(Q23_STLS_ERR)) {
      replies.err("SYS/TEMP", "TLS is not available right now");
      return true;
    }
    replies.ok("Begin TLS negotiation");
    out.flush();
    if (q(Q23_STLS_BROKEN) || s.sslContext == null) {
      out.write("this is not a TLS handshake\r\n".getBytes(StandardCharsets.US_ASCII));
      return false;
    }
    startTls();
    return true;
  }

  private void startTls() throws IOException {
    // Bytes the client sent after STLS and before we switch belong to its ClientHello.
    SSLSocket ssl = ServerTls.handshake(s.sslContext, s.tlsProtocols, socket, reader.takeUnread());
    String sni = ServerTls.sni(ssl);
    rec.tls(ssl.getSession().getProtocol(), sni);
    if (q(Q23_REQUIRES_SNI) && !"localhost".equals(sni)) {
      // Gmail fails such handshakes; closing right after it has the same effect on a client.
      out.endAbruptly(false, "no SNI for localhost");
    }
    reader.switchToTls(ssl.getInputStream());
    out.switchTo(ssl.getOutputStream());
  }

  // ------------------------------------------------------------------ commands

  /** Handles one command; false ends the session. */
  private boolean handle(String line) throws IOException {
    int sp = line.indexOf(' ');
    String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
    String arg = sp < 0 ? "" : line.substring(sp + 1);
    if (!faults.atCommand(verb)) {
      return false;
    }
    Response scripted = s.responses.get(verb);
    if (scripted != null) {
      out.write(scripted.raw.getBytes(StandardCharsets.ISO_8859_1));
      switch (scripted.after) {
        case CLOSE:
          return false;
        case START_TLS:
          startTls();
          return true;
        case STALL:
          faults.hang();
          return false;
        default:
          return true;
      }
    }
    if (!s.replyDelay.isZero()) {
      ServerOutput.pause(s.replyDelay.toNanos());
    }
    // The next command was pipelined if it arrived before we began this reply.
    boolean early = reader.moreArrived();
    boolean q21Here = s.pipeliningFaultVerbs.isEmpty() || s.pipeliningFaultVerbs.contains(verb);
    if (early && s.pipelining && q21Here && q(Q21_PIPELINING_STALLS)) {
      faults.hang();
    }
    if (early && s.pipelining && q21Here && q(Q21_PIPELINING_DROPS_QUEUED)) {
      // What came with this command is thrown away, before the reply, so that nothing the client
      // sends after reading the reply can be caught up in it.
      reader.dropQueued();
      early = false;
    }
    boolean more = dispatch(verb, arg, line);
    if (early && s.extraReplyWhenPipelined) {
      replies.ok("and one more reply nobody asked for");
    }
    reader.nextPipelined(early);
    return more;
  }

  private boolean dispatch(String verb, String arg, String line) throws IOException {
    String user = authorization.takeUser();
    switch (verb) {
      case "CAPA":
        return capa();
      case "QUIT":
        return quit();
      case "NOOP":
        replies.line(
            state == State.TRANSACTION
                ? dialect.ok("")
                : dialect.err("NOOP is allowed only after login"));
        return true;
      case "UTF8":
        if (!q(Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8)) {
          break; // no UTF-8 mode here: unknown, as to any server without it
        }
        // Courier takes it before the login (RFC 6856) and, for Outlook, after it too.
        utf8 = true;
        if (transaction != null) {
          transaction.utf8();
        }
        replies.ok("UTF8 enabled");
        return true;
      default:
        break;
    }
    if (state == State.AUTHORIZATION) {
      return verb.equals("STLS") ? stls() : authorization.command(verb, arg, user);
    }
    transaction.command(verb, arg, line);
    return true;
  }

  private boolean capa() throws IOException {
    if (q(Q19_CAPA_ERR)) {
      replies.err("unknown command");
      return true;
    }
    if (q(Q19_CAPA_CLOSE)) {
      return false;
    }
    if (q(Q19_CAPA_HANG)) {
      faults.hang();
    }
    List<String> lines =
        CapabilityList.lines(s, dialect, state == State.TRANSACTION, reader.inTls(), offersStls());
    replies.multiline(dialect.ok("Capability list follows"), lines);
    return true;
  }

  /** QUIT: ends the session; in TRANSACTION after UPDATE. */
  private boolean quit() throws IOException {
    if (q(Q35_QUIT_SLOW)) {
      ServerOutput.pause(Duration.ofSeconds(3).toNanos());
    }
    if (state != State.TRANSACTION) {
      rec.finishing();
      replies.ok("Logging out");
      return false;
    }
    transaction.quit();
    return false;
  }
}
