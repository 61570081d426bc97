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
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Dialect} renders the bytes each framing and status quirk says, and RFC 1939 without. */
class DialectTest {
  private static final Dialect RFC = Dialect.of(Set.of(), true);

  private static Dialect with(Quirk... quirks) {
    return Dialect.of(Set.of(quirks), true);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static String body(Dialect d, String content, boolean top) {
    byte[] c = content.getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    d.body(b, c, c.length, top);
    return text(b.toByteArray());
  }

  @Test
  void withoutQuirks_statusLinesAreRfc1939() {
    assertEquals("+OK Logged in", RFC.ok("Logged in"));
    assertEquals("+OK", RFC.ok(""));
    assertEquals("+OK 2 320", RFC.okData("2 320"));
    assertEquals("-ERR [AUTH] Authentication failed", RFC.err("AUTH", "Authentication failed"));
    assertEquals("-ERR No such message", RFC.err("No such message"));
    assertEquals("+ abc", RFC.continuation("abc"));
    assertEquals("+OK\r\n", text(RFC.line("+OK")));
  }

  @Test
  void withoutResponseCodes_errHasNone_butErrWithCodeKeepsIt() {
    Dialect plain = Dialect.of(Set.of(), false);
    assertEquals("-ERR Authentication failed", plain.err("AUTH", "Authentication failed"));
    assertEquals("-ERR [IN-USE] locked", plain.errWithCode("IN-USE", "locked"));
    assertEquals(
        "-ERR Authentication failed",
        with(Q54_PASS_REFUSED_WITHOUT_CODE).err("AUTH", "Authentication failed"));
  }

  @Test
  void Q12_Q13_Q14_changeTheStatusWords() {
    assertEquals("+OK", with(Q12_BARE_OK).ok("Logged in"));
    assertEquals("+OK 2 320", with(Q12_BARE_OK).okData("2 320"), "data stays");
    assertEquals("+ok Logged in", with(Q13_LOWERCASE_STATUS).ok("Logged in"));
    assertEquals("-err nope", with(Q13_LOWERCASE_STATUS).err("nope"));
    assertEquals("+ERR nope", with(Q14_PLUS_ERR).err("nope"));
    assertEquals("+ERR locked", with(Q14_PLUS_ERR).errAsIs("locked"));
    assertEquals("-ERR locked", with(Q13_LOWERCASE_STATUS).errAsIs("locked"));
  }

  @Test
  void Q08_errTextsCarry8BitBytes() {
    assertEquals("-ERR nope (\u00e9chec \u00ff)", with(Q08_NUL_8BIT).err("nope"));
  }

  @Test
  void Q15_continuationIsPlusOk() {
    assertEquals("+OK abc", with(Q15_OK_AS_CONTINUATION).continuation("abc"));
    assertEquals("+OK", with(Q15_OK_AS_CONTINUATION).continuation(""));
  }

  @Test
  void Q01_lineEnds_inStatusAndInMultiline() {
    List<String> lines = List.of("1 uid-1", "2 uid-2");
    assertEquals("+OK\r\n1 uid-1\r\n2 uid-2\r\n.\r\n", text(RFC.multiline("+OK", lines)));
    assertEquals("+OK\n1 uid-1\n2 uid-2\n.\n", text(with(Q01_BARE_LF).multiline("+OK", lines)));
    assertEquals(
        "+OK\r\n1 uid-1\n2 uid-2\n.\n", text(with(Q01_MIXED_LINE_ENDINGS).multiline("+OK", lines)));
    assertEquals("+OK\n", text(with(Q01_BARE_LF).line("+OK")));
  }

  @Test
  void body_isDotStuffed_andEndedByTheTerminator() {
    assertEquals("a\r\n..\r\n..b\r\n.\r\n", body(RFC, "a\r\n.\r\n.b\r\n", false));
    assertEquals("a\r\n.\r\n", body(RFC, "a", false), "a CRLF is added before the terminator");
  }

  @Test
  void body_aBareLfIsData_noLineStartsAfterIt() {
    assertEquals("a\n.b\r\n.\r\n", body(RFC, "a\n.b\r\n", false));
  }

  @Test
  void Q01_bodyInBareLf() {
    assertEquals("a\n..b\n.\n", body(with(Q01_BARE_LF), "a\r\n.b\r\n", false));
  }

  @Test
  void Q02_Q03_terminators() {
    assertEquals("a\r\n.\r", body(with(Q02_CR_TERMINATOR), "a\r\n", false));
    assertEquals("a.\r\n", body(with(Q03_NO_CRLF_BEFORE_DOT), "a", false));
  }

  @Test
  void Q04_Q05_stuffing() {
    String m = "a\r\n.\r\n.b\r\n";
    assertEquals("a\r\n.\r\n..b\r\n.\r\n", body(with(Q04_UNSTUFFED_LONE_DOT), m, false));
    assertEquals("a\r\n..\r\n..b\r\n.\r\n", body(with(Q04_UNSTUFFED_LONE_DOT_IN_TOP), m, false));
    assertEquals("a\r\n.\r\n..b\r\n.\r\n", body(with(Q04_UNSTUFFED_LONE_DOT_IN_TOP), m, true));
    assertEquals("a\r\n..\r\n.b\r\n.\r\n", body(with(Q05_UNSTUFFED_LEADING_DOT), m, false));
  }

  @Test
  void Q11_emptyLinesBeforeDele_andAStrayTerminatorAfterRetr() {
    assertEquals(0, RFC.emptyLinesBeforeDeleReply());
    assertEquals(1, with(Q11_EMPTY_LINE).emptyLinesBeforeDeleReply());
    assertEquals(3, with(Q11_EMPTY_LINES).emptyLinesBeforeDeleReply());
    assertEquals("", text(RFC.afterRetr()));
    assertEquals("\r\n.\r\n", text(with(Q11_STRAY_TERMINATOR).afterRetr()));
  }
}
