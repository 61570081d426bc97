package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.Q01_BARE_LF;
import static dev.mailfetch.testkit.Quirk.Q01_MIXED_LINE_ENDINGS;
import static dev.mailfetch.testkit.Quirk.Q02_CR_TERMINATOR;
import static dev.mailfetch.testkit.Quirk.Q03_NO_CRLF_BEFORE_DOT;
import static dev.mailfetch.testkit.Quirk.Q04_UNSTUFFED_LONE_DOT;
import static dev.mailfetch.testkit.Quirk.Q04_UNSTUFFED_LONE_DOT_IN_TOP;
import static dev.mailfetch.testkit.Quirk.Q05_UNSTUFFED_LEADING_DOT;
import static dev.mailfetch.testkit.Quirk.Q08_NUL_8BIT;
import static dev.mailfetch.testkit.Quirk.Q11_EMPTY_LINE;
import static dev.mailfetch.testkit.Quirk.Q11_EMPTY_LINES;
import static dev.mailfetch.testkit.Quirk.Q11_STRAY_TERMINATOR;
import static dev.mailfetch.testkit.Quirk.Q12_BARE_OK;
import static dev.mailfetch.testkit.Quirk.Q13_LOWERCASE_STATUS;
import static dev.mailfetch.testkit.Quirk.Q14_PLUS_ERR;
import static dev.mailfetch.testkit.Quirk.Q15_OK_AS_CONTINUATION;
import static dev.mailfetch.testkit.Quirk.Q54_PASS_REFUSED_WITHOUT_CODE;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * How this server writes POP3: its line ends (Q01), status words (Q12–Q14), continuations (Q15),
 * response codes (Q54), the 8-bit bytes in its -ERR texts (Q08), dot-stuffing and the terminator
 * (Q02–Q05) and the stray lines it adds (Q11). Worked out once per session from the quirk set, so
 * that writing a line asks no set anything; every byte a session sends that a quirk changes is
 * decided here.
 */
final class Dialect {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LF = {'\n'};
  private static final byte[] NOTHING = {};
  private static final byte[] STRAY_TERMINATOR = "\r\n.\r\n".getBytes(StandardCharsets.US_ASCII);

  private final byte[] eol;
  private final byte[] bodyEol;
  private final boolean bodyInLf;
  private final String okWord;
  private final boolean bareOk;
  private final String errWord;
  private final boolean plusErr;
  private final String errSuffix;
  private final boolean respCodes;
  private final boolean okAsContinuation;
  private final boolean loneDotUnstuffed;
  private final boolean loneDotUnstuffedInTop;
  private final boolean leadingDotUnstuffed;
  private final boolean noCrlfBeforeDot;
  private final boolean crTerminator;
  private final int emptyLinesBeforeDeleReply;
  private final byte[] afterRetr;

  private Dialect(Set<Quirk> quirks, boolean respCodes) {
    boolean bareLf = quirks.contains(Q01_BARE_LF);
    this.bodyInLf = bareLf || quirks.contains(Q01_MIXED_LINE_ENDINGS);
    this.eol = bareLf ? LF : CRLF;
    this.bodyEol = bodyInLf ? LF : CRLF;
    boolean lower = quirks.contains(Q13_LOWERCASE_STATUS);
    this.okWord = lower ? "+ok" : "+OK";
    this.bareOk = quirks.contains(Q12_BARE_OK);
    this.plusErr = quirks.contains(Q14_PLUS_ERR);
    this.errWord = plusErr ? "+ERR" : lower ? "-err" : "-ERR";
    this.errSuffix = quirks.contains(Q08_NUL_8BIT) ? " (\u00e9chec \u00ff)" : "";
    this.respCodes = respCodes && !quirks.contains(Q54_PASS_REFUSED_WITHOUT_CODE);
    this.okAsContinuation = quirks.contains(Q15_OK_AS_CONTINUATION);
    this.loneDotUnstuffed = quirks.contains(Q04_UNSTUFFED_LONE_DOT);
    this.loneDotUnstuffedInTop = quirks.contains(Q04_UNSTUFFED_LONE_DOT_IN_TOP);
    this.leadingDotUnstuffed = quirks.contains(Q05_UNSTUFFED_LEADING_DOT);
    this.noCrlfBeforeDot = quirks.contains(Q03_NO_CRLF_BEFORE_DOT);
    this.crTerminator = quirks.contains(Q02_CR_TERMINATOR);
    this.emptyLinesBeforeDeleReply =
        quirks.contains(Q11_EMPTY_LINE) ? 1 : quirks.contains(Q11_EMPTY_LINES) ? 3 : 0;
    this.afterRetr = quirks.contains(Q11_STRAY_TERMINATOR) ? STRAY_TERMINATOR : NOTHING;
  }

  /**
   * The dialect of a server with these quirks; {@code respCodes} is whether it was built to send
   * RFC 2449/3206 response codes.
   */
  static Dialect of(Set<Quirk> quirks, boolean respCodes) {
    return new Dialect(quirks, respCodes);
  }

  static Dialect of(FakePop3Server.Settings s) {
    return of(s.quirks, s.respCodes);
  }

  /** The end of a status line. */
  byte[] eol() {
    return eol.clone();
  }

  /** Whether this server sends RFC 2449/3206 response codes (a Q54 server gives none). */
  boolean respCodes() {
    return respCodes;
  }

  String ok(String text) {
    return bareOk || text.isEmpty() ? okWord : okWord + " " + text;
  }

  /** A +OK whose text is data a client must parse (STAT, LIST n, UIDL n): Q12 leaves it. */
  String okData(String data) {
    return okWord + " " + data;
  }

  String err(String text) {
    return err(null, text);
  }

  /** A -ERR with response code {@code code} where this server sends codes. */
  String err(String code, String text) {
    return errWord + " " + (code != null && respCodes ? "[" + code + "] " : "") + text + errSuffix;
  }

  /** A -ERR that carries its response code even where the server does not announce RESP-CODES. */
  String errWithCode(String code, String text) {
    return err("[" + code + "] " + text);
  }

  /**
   * A -ERR whose status word no quirk touches but Q14's: servers that lock with a text (Q37) send
   * it as they always have.
   */
  String errAsIs(String text) {
    return plusErr ? err(text) : "-ERR " + text;
  }

  /** A SASL continuation (RFC 5034): {@code + payload}, or {@code +OK payload} under Q15. */
  String continuation(String payload) {
    if (okAsContinuation) {
      return payload.isEmpty() ? "+OK" : "+OK " + payload;
    }
    return "+ " + payload;
  }

  /** {@code line} and its end, each char one byte. */
  byte[] line(String line) {
    byte[] text = line.getBytes(StandardCharsets.ISO_8859_1);
    byte[] b = new byte[text.length + eol.length];
    System.arraycopy(text, 0, b, 0, text.length);
    System.arraycopy(eol, 0, b, text.length, eol.length);
    return b;
  }

  /** A status line and listing lines, ended by the terminator (CAPA, LIST, UIDL, AUTH). */
  byte[] multiline(String status, List<String> lines) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(status.getBytes(StandardCharsets.ISO_8859_1));
    b.writeBytes(eol);
    for (String l : lines) {
      b.writeBytes(l.getBytes(StandardCharsets.ISO_8859_1));
      b.writeBytes(bodyEol);
    }
    b.write('.');
    b.writeBytes(bodyEol);
    return b.toByteArray();
  }

  /**
   * Writes the first {@code end} bytes of {@code content} as a body on the wire: dot-stuffed (RFC
   * 1939 §3) unless Q04/Q05 say otherwise, line ends as Q01 says, a CRLF added before the
   * terminator where the message has none (unless Q03), and the terminator as Q01/Q02 say.
   */
  void body(ByteArrayOutputStream b, byte[] content, int end, boolean top) {
    boolean lineStart = true;
    for (int p = 0; p < end; p++) {
      byte c = content[p];
      if (lineStart && c == '.') {
        boolean lone =
            p + 1 == end
                || content[p + 1] == '\n'
                || (content[p + 1] == '\r' && p + 2 < end && content[p + 2] == '\n');
        boolean unstuffed =
            lone ? loneDotUnstuffed || (top && loneDotUnstuffedInTop) : leadingDotUnstuffed;
        if (!unstuffed) {
          b.write('.');
        }
      }
      if (bodyInLf && c == '\r' && p + 1 < end && content[p + 1] == '\n') {
        lineStart = false;
        continue; // CRLF sent as a bare LF
      }
      b.write(c);
      // RFC 1939 lines end in CRLF: a bare LF inside a message is data, and no line starts after it
      // (unless this server speaks bare LF itself).
      lineStart = c == '\n' && (bodyInLf || (p > 0 && content[p - 1] == '\r'));
    }
    if (!lineStart && !noCrlfBeforeDot) {
      b.writeBytes(bodyEol);
    }
    b.write('.');
    if (crTerminator) {
      b.write('\r');
    } else {
      b.writeBytes(bodyEol);
    }
  }

  /** How many empty lines this server sends before its reply to DELE (Q11), each a write. */
  int emptyLinesBeforeDeleReply() {
    return emptyLinesBeforeDeleReply;
  }

  /** What this server sends after a RETR reply: nothing, or a second terminator (Q11). */
  byte[] afterRetr() {
    return afterRetr.clone();
  }
}
