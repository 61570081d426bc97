package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.pop3.Security;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The greeting and what follows it before the login (RFC 1939 §4, RFC 2449, RFC 2595): the APOP
 * timestamp, junk after the greeting (quirk Q16), CAPA (quirk Q19), STLS and the capabilities anew
 * after it. Steps on a {@link Pop3Connection}, which keeps what they learn; the doctor calls them
 * one by one, a session all at once ({@link #greetAndSecure}).
 */
final class Greeting {
  private Greeting() {}

  private static final Pattern APOP_TIMESTAMP =
      Pattern.compile("<[^<>@\\x00-\\x20\\x7F-\\xFF]+@[^<>@\\x00-\\x20\\x7F-\\xFF]+>");

  /**
   * What CAPA's reply is read as; its lines go to the trace one by one (other listings as a count).
   */
  static final String READING_CAPABILITIES = Pop3Connection.READING_CAPABILITIES;

  /** The greeting, CAPA, and for STARTTLS the STLS, the handshake and CAPA again. */
  static void greetAndSecure(Pop3Connection c) throws FetchException {
    try {
      greet(c);
    } catch (FetchException e) {
      throw noGreeting(c, e);
    }
    capa(c);
    if (c.settings().security() == Security.STARTTLS) {
      startTls(c);
    }
  }

  /**
   * No greeting at all, where plain text was chosen: a port that speaks TLS from the first byte
   * waits for a handshake and never greets (a pop3:// URL to port 995). Said as the doctor says it
   * (PLAIN_TO_TLS_PORT), once a handshake on a second connection proves it; else {@code e} as it
   * is.
   */
  private static FetchException noGreeting(Pop3Connection c, FetchException e) {
    Pop3Settings settings = c.settings();
    Pop3Reader reader = c.reader();
    boolean nothing =
        (e.error() == FetchError.CONNECTION_RESET || e.error() == FetchError.CONNECTION_TIMED_OUT)
            && reader.offset() == 0
            && reader.buffered() == 0;
    Duration handshake = settings.limits().handshakeTimeout();
    Duration wait =
        handshake.compareTo(Duration.ofSeconds(5)) < 0 ? handshake : Duration.ofSeconds(5);
    if (!nothing
        || settings.security() == Security.IMPLICIT_TLS
        || !PortProbe.answersTls(
            c.socket().getInetAddress(), settings.host(), settings.port(), wait)) {
      return e;
    }
    return new FetchException(
        FetchError.TLS_FAILED,
        c.server()
            + " sent no greeting: port "
            + settings.port()
            + " expects"
            + " TLS from the first byte (implicit TLS) and answers a TLS handshake, but this connection spoke "
            + (settings.security() == Security.STARTTLS
                ? "plain text, to start TLS later (STARTTLS)"
                : "plain text")
            + "; nothing was sent",
        null,
        e,
        Advice.tlsPort());
  }

  /** Reads the greeting and whatever junk came with it. */
  static Reply greet(Pop3Connection c) throws FetchException {
    Reply greeting = c.reply("waiting for the greeting");
    if (!greeting.ok()) {
      throw greeting.exception(
          FetchError.SERVER_TEMPORARY, c.server() + " refused the session in its greeting");
    }
    if (greeting.text().isEmpty()) {
      c.noticed(QuirkId.Q12);
    }
    Matcher m = APOP_TIMESTAMP.matcher(greeting.text());
    if (m.find()) {
      c.apopTimestamp(m.group());
    }
    // Lines that came with the greeting, before any command: never the answer to one (N-10, Q16).
    int junk =
        c.reader()
            .discardBufferedLines(
                10, line -> c.traceReceived(line, " (skipped: it came with the greeting)"));
    if (junk < 0) {
      c.markBroken();
      throw new FetchException(
          FetchError.PROTOCOL,
          c.server()
              + " sent more than ten lines after its greeting,"
              + " before any command (RFC 1939 §4 has one greeting line)");
    }
    if (junk > 0) {
      c.noticed(QuirkId.Q16);
    }
    return greeting;
  }

  /** STLS, required: refused or absent ends the session before any credential is sent. */
  static void startTls(Pop3Connection c) throws FetchException {
    Pop3Capabilities capabilities = c.capabilities();
    if (capabilities.worked() && !capabilities.lines().contains("STLS")) {
      throw new FetchException(
          FetchError.TLS_REQUIRED_NOT_OFFERED,
          c.server() + " does not offer STLS, so TLS cannot be started; nothing was sent but CAPA");
    }
    c.send(Pop3Commands.STLS);
    Reply r = c.reply("waiting for the STLS reply");
    if (!r.ok()) {
      throw Advice.stlsRefused(c.server(), r, capabilities.worked());
    }
    if (c.reader().buffered() > 0) {
      c.markBroken();
      throw Advice.injectedBeforeTls(c.server(), "data");
    }
    c.handshake();
    // RFC 2595 §4: discard what was learnt before TLS
    c.capabilities(c.capabilities().forgotten());
    capa(c);
  }

  /**
   * CAPA, unless the server is known to break on it (quirk Q19); the first one throws {@link
   * Pop3Connection.CapaBroken} where the server closes or hangs.
   */
  static void capa(Pop3Connection c) throws FetchException {
    if (c.memory().noCapa) {
      c.capabilities(Pop3Capabilities.NONE);
      c.noticed(QuirkId.Q19);
      return;
    }
    boolean first = c.firstCapa();
    c.send(Pop3Commands.CAPA);
    Reply r;
    try {
      r = first ? c.firstReply(READING_CAPABILITIES) : c.reply(READING_CAPABILITIES);
    } catch (FetchException e) {
      if (first
          && (e.error() == FetchError.CONNECTION_RESET
              || e.error() == FetchError.CONNECTION_TIMED_OUT)) {
        throw new Pop3Connection.CapaBroken(e);
      }
      throw e;
    }
    readCapa(c, r);
  }

  /** CAPA's reply {@code r} and the lines after it. */
  static void readCapa(Pop3Connection c, Reply r) throws FetchException {
    // A +OK that a status line follows was a greeting line that came late, after CAPA was sent
    // (quirk Q16: "+OK second greeting line"), not CAPA's reply: the status line is. Whatever the
    // bytes' timing, CAPA's -ERR is then read as CAPA refused, never as a capability.
    for (int junk = 0; r.ok() && junk < 10 && c.reader().nextLineIsStatus(); junk++) {
      c.noticed(QuirkId.Q16);
      r = c.reply(READING_CAPABILITIES);
    }
    if (!r.ok()) {
      c.capabilities(Pop3Capabilities.NONE);
      c.noticed(QuirkId.Q19);
      return;
    }
    Set<String> lines = new LinkedHashSet<>();
    c.readListing(
        READING_CAPABILITIES,
        line -> {
          String upper = line.toUpperCase(Locale.ROOT);
          if (upper.startsWith("+OK") || upper.startsWith("-ERR")) {
            // A status line is no capability: greeting junk that came late was taken for CAPA's
            // reply, and this is the real one (quirk Q16).
            c.noticed(QuirkId.Q16);
            return;
          }
          lines.add(Pop3Capabilities.line(upper));
        });
    c.capabilities(Pop3Capabilities.announced(lines));
  }
}
