package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.Q44_TOP_RETR_HEADERS_DIFFER;
import static dev.mailfetch.testkit.Quirk.Q50_STRIPS_X_HEADERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link MessageRewrites} changes a message's bytes as the servers of Q44, Q50, Q53, Q55 do. */
class MessageRewritesTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Test
  void topEnd_endsAfterTheHeaderAndTheBodyLinesAsked() {
    byte[] m = bytes("A: 1\r\nB: 2\r\n\r\none\r\ntwo\r\n");
    assertEquals(14, MessageRewrites.topEnd(m, 0));
    assertEquals(19, MessageRewrites.topEnd(m, 1));
    assertEquals(m.length, MessageRewrites.topEnd(m, 99));
    assertEquals(6, MessageRewrites.topEnd(bytes("A: 1\n\nx\n"), 0), "bare LF lines too");
  }

  @Test
  void header_findsTheFirstFieldInTheHeaderOnly() {
    byte[] m = bytes("X-UIDL: abc \r\nx-uidl: second\r\n\r\nX-UIDL: body\r\n");
    assertEquals("abc", MessageRewrites.header(m, "X-UIDL"));
    assertNull(MessageRewrites.header(bytes("A: 1\r\n\r\nX-UIDL: body\r\n"), "X-UIDL"));
  }

  @Test
  void stripHeaders_dropsXAndResentFieldsWithTheirFoldedLines() {
    byte[] m = bytes("X-A: 1\r\n more\r\nSubject: s\r\nResent-To: r\r\n\r\nX-B: body\r\n");
    assertEquals("Subject: s\r\n\r\nX-B: body\r\n", text(MessageRewrites.stripHeaders(m)));
  }

  @Test
  void firstPartOnly_cutsAfterTheFirstPart_andClosesTheMultipart() {
    String m =
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npre\r\n--b1\r\n\r\nfirst\r\n"
            + "--b1\r\n\r\nsecond\r\n--b1--\r\n";
    assertEquals(
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npre\r\n--b1\r\n\r\nfirst\r\n"
            + "--b1--\r\n",
        text(MessageRewrites.firstPartOnly(bytes(m))));
    byte[] single = bytes("Subject: s\r\n\r\nbody\r\n");
    assertSame(single, MessageRewrites.firstPartOnly(single));
  }

  @Test
  void withEmptyLineAfterHeader_addsOneCrlfAfterTheHeaderEnd() {
    assertEquals(
        "A: 1\r\n\r\n\r\nbody\r\n",
        text(MessageRewrites.withEmptyLineAfterHeader(bytes("A: 1\r\n\r\nbody\r\n"))));
  }

  @Test
  void served_appliesQ50_thenQ44sTraceOfThisFetch() {
    byte[] m = bytes("X-A: 1\r\nSubject: s\r\n\r\nb\r\n");
    assertSame(m, MessageRewrites.served(m, Set.of(), 1));
    assertEquals(
        "Received: by fake.invalid with POP3 id 2\r\nSubject: s\r\n\r\nb\r\n",
        text(
            MessageRewrites.served(
                m, Set.of(Q50_STRIPS_X_HEADERS, Q44_TOP_RETR_HEADERS_DIFFER), 2)));
  }

  @Test
  void emptyWithUid_isAHeaderOfTheUidAndNoBody() {
    assertEquals("X-UIDL: u1\r\n\r\n", text(MessageRewrites.emptyWithUid("u1")));
  }
}
