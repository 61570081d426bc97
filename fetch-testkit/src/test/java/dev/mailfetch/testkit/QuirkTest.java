package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.QuirkId;
import dev.mailfetch.testkit.imap.ImapQuirk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every quirk of the catalogue, proven on the wire: each test is named after its {@link Quirk}
 * constant and checks, with nothing but a socket, that the server sends exactly the bytes the
 * catalogue describes. The last test makes sure no constant is left without one.
 */
@Timeout(60)
class QuirkTest {
  private static final String M1 = "Subject: one\r\n\r\nfirst\r\n.\r\n.dotted\r\nlast\r\n";
  private static final String M2 = "Subject: two\r\nX-Trace: t\r\n\r\nsecond\r\n";
  private static final String M3 = "Subject: three\r\n\r\nno final line end";
  private static final String G = "+OK mailfetch testkit POP3 server ready\r\n";
  private static final String LOGIN = "+OK\r\n+OK Logged in\r\n";
  private static final String BYE = "+OK Logging out, 0 messages deleted\r\n";
  private static final String RETR1 =
      "+OK 41 octets\r\nSubject: one\r\n\r\nfirst\r\n..\r\n..dotted\r\nlast\r\n.\r\n";

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static FakeMailbox standard() {
    return FakeMailbox.create().add("u1", ascii(M1)).add("u2", ascii(M2)).add("u3", ascii(M3));
  }

  private static FakePop3Server.Builder builder(FakeMailbox box, Quirk... quirks) {
    return FakePop3Server.builder().account("alice", "pw", box).quirk(quirks);
  }

  private static FakePop3Server server(Quirk... quirks) {
    return builder(standard(), quirks).start();
  }

  /** Logs in, sends the commands and QUIT in one write, and returns all the server sent. */
  private static String script(FakePop3Server server, String... commands) throws IOException {
    StringBuilder sb = new StringBuilder("USER alice\r\nPASS pw\r\n");
    for (String c : commands) {
      sb.append(c).append("\r\n");
    }
    return raw(server, sb.append("QUIT\r\n").toString());
  }

  /** Sends {@code text} in one write and returns all the server sent until it closed. */
  private static String raw(FakePop3Server server, String text) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(server.host(), server.port()), 5000);
      s.setSoTimeout(20_000);
      s.getOutputStream().write(ascii(text));
      s.getOutputStream().flush();
      return new String(readAll(s.getInputStream(), 64 << 20), StandardCharsets.ISO_8859_1);
    }
  }

  private static byte[] readAll(InputStream in, int max) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    int n;
    while (b.size() < max && (n = in.read(buf)) >= 0) {
      b.write(buf, 0, n);
    }
    return b.toByteArray();
  }

  // ---------------------------------------------------------------- framing and lines

  @Test
  void Q01_BARE_LF_endsEveryLineWithLf() throws IOException {
    try (FakePop3Server s = server(Q01_BARE_LF)) {
      assertEquals(
          "+OK mailfetch testkit POP3 server ready\n+OK\n+OK Logged in\n"
              + "+OK 41 octets\nSubject: one\n\nfirst\n..\n..dotted\nlast\n.\n"
              + "+OK Logging out, 0 messages deleted\n",
          script(s, "RETR 1"));
    }
  }

  @Test
  void Q01_MIXED_LINE_ENDINGS_bodiesLfStatusCrlf() throws IOException {
    try (FakePop3Server s = server(Q01_MIXED_LINE_ENDINGS)) {
      assertEquals(
          G
              + LOGIN
              + "+OK 41 octets\r\nSubject: one\n\nfirst\n..\n..dotted\nlast\n.\n"
              + "+OK\r\n1 u1\n2 u2\n3 u3\n.\n"
              + BYE,
          script(s, "RETR 1", "UIDL"));
    }
  }

  @Test
  void Q02_CR_TERMINATOR_endsWithDotCrOnly() throws IOException {
    try (FakePop3Server s = server(Q02_CR_TERMINATOR)) {
      assertEquals(
          G
              + LOGIN
              + "+OK 41 octets\r\nSubject: one\r\n\r\nfirst\r\n..\r\n..dotted\r\nlast\r\n.\r"
              + BYE,
          script(s, "RETR 1"));
    }
  }

  @Test
  void Q03_NO_CRLF_BEFORE_DOT_gluesTheTerminator() throws IOException {
    try (FakePop3Server s = server(Q03_NO_CRLF_BEFORE_DOT)) {
      assertEquals(
          G + LOGIN + "+OK 37 octets\r\nSubject: three\r\n\r\nno final line end.\r\n" + BYE,
          script(s, "RETR 3"));
    }
  }

  @Test
  void Q04_UNSTUFFED_LONE_DOT_inRetrAndTop() throws IOException {
    try (FakePop3Server s = server(Q04_UNSTUFFED_LONE_DOT)) {
      assertEquals(
          G
              + LOGIN
              + "+OK 41 octets\r\nSubject: one\r\n\r\nfirst\r\n.\r\n..dotted\r\nlast\r\n.\r\n"
              + "+OK\r\nSubject: one\r\n\r\nfirst\r\n.\r\n.\r\n"
              + BYE,
          script(s, "RETR 1", "TOP 1 2"));
    }
  }

  @Test
  void Q04_UNSTUFFED_LONE_DOT_IN_TOP_onlyInTop() throws IOException {
    try (FakePop3Server s = server(Q04_UNSTUFFED_LONE_DOT_IN_TOP)) {
      assertEquals(
          G + LOGIN + RETR1 + "+OK\r\nSubject: one\r\n\r\nfirst\r\n.\r\n.\r\n" + BYE,
          script(s, "RETR 1", "TOP 1 2"));
    }
  }

  @Test
  void Q05_UNSTUFFED_LEADING_DOT_losesADot() throws IOException {
    try (FakePop3Server s = server(Q05_UNSTUFFED_LEADING_DOT)) {
      assertEquals(
          G
              + LOGIN
              + "+OK 41 octets\r\nSubject: one\r\n\r\nfirst\r\n..\r\n.dotted\r\nlast\r\n.\r\n"
              + BYE,
          script(s, "RETR 1"));
    }
  }

  @Test
  void Q06_LONG_STATUS_LINE_greetingOf10KiB() throws IOException {
    try (FakePop3Server s = server(Q06_LONG_STATUS_LINE)) {
      String t = raw(s, "QUIT\r\n");
      String greeting = t.substring(0, t.indexOf("\r\n"));
      assertEquals(G.length() - 2 + 1 + 10 * 1024, greeting.length());
      assertTrue(t.endsWith("\r\n+OK Logging out\r\n"));
    }
  }

  @Test
  void Q06_HUGE_STATUS_LINE_greetingOf1MiB() throws IOException {
    try (FakePop3Server s = server(Q06_HUGE_STATUS_LINE)) {
      String t = raw(s, "QUIT\r\n");
      assertTrue(t.indexOf("\r\n") > 1 << 20, "one line of over 1 MiB");
    }
  }

  @Test
  void Q07_LONG_BODY_LINES_addsMessagesWithLongLines() throws IOException {
    try (FakePop3Server s = server(Q07_LONG_BODY_LINES)) {
      String t = script(s, "UIDL", "RETR 5");
      assertTrue(t.contains("4 q07-one-line-4mib\r\n5 q07-limit-lines\r\n"), t.substring(0, 200));
      String body = t.substring(t.indexOf("Subject: lines at the limits\r\n\r\n") + 32);
      String[] lines = body.split("\r\n");
      assertEquals(
          List.of(512, 998, 999, 2048, 2049),
          List.of(
              lines[0].length(),
              lines[1].length(),
              lines[2].length(),
              lines[3].length(),
              lines[4].length()));
      assertEquals(4 << 20, s.mailbox("alice").messages().get(3).content().length - 32);
    }
  }

  @Test
  void Q08_NUL_8BIT_everyByteAndEightBitErrors() throws IOException {
    try (FakePop3Server s = server(Q08_NUL_8BIT)) {
      String t = script(s, "RETR 4", "RETR 99");
      for (int i = 0; i < 256; i++) {
        assertTrue(t.indexOf((char) i) >= 0, "byte " + i);
      }
      assertTrue(t.contains("-ERR No such message (\u00e9chec \u00ff)\r\n"));
      assertTrue(t.contains("a lone CR\rinside a line"));
    }
  }

  @Test
  void Q09_ODD_HEADERS_addsMessagesWithBrokenHeaderSections() throws IOException {
    try (FakePop3Server s = server(Q09_ODD_HEADERS)) {
      String t = script(s, "RETR 4", "RETR 5", "RETR 6");
      assertTrue(
          t.contains("Subject: no empty line after the headers\r\nFrom: a@example.org\r\n.\r\n"));
      assertTrue(
          t.contains("Subject: CR CR LF\r\n\r\r\nX-After: still a header?\r\n\r\nbody\r\n.\r\n"));
      assertTrue(t.contains("This line has no colon\r\n"));
    }
  }

  @Test
  void Q10_FRAGMENTATION_sameBytesInPieces() throws IOException {
    try (FakePop3Server s = server(Q10_FRAGMENTATION)) {
      assertEquals(G + LOGIN + RETR1 + BYE, script(s, "RETR 1"));
    }
  }

  @Test
  void Q11_EMPTY_LINE_beforeTheDeleReply() throws IOException {
    try (FakePop3Server s = server(Q11_EMPTY_LINE)) {
      assertEquals(
          G + LOGIN + "\r\n+OK Marked to be deleted\r\n+OK Logging out, 1 messages deleted\r\n",
          script(s, "DELE 1"));
    }
  }

  @Test
  void Q11_EMPTY_LINES_threeBeforeTheDeleReply() throws IOException {
    try (FakePop3Server s = server(Q11_EMPTY_LINES)) {
      assertEquals(
          G
              + LOGIN
              + "\r\n\r\n\r\n+OK Marked to be deleted\r\n+OK Logging out, 1 messages deleted\r\n",
          script(s, "DELE 1"));
    }
  }

  @Test
  void Q11_STRAY_TERMINATOR_afterTheRetr() throws IOException {
    try (FakePop3Server s = server(Q11_STRAY_TERMINATOR)) {
      assertEquals(G + LOGIN + RETR1 + "\r\n.\r\n" + BYE, script(s, "RETR 1"));
    }
  }

  // ---------------------------------------------------------------- status lines and greeting

  @Test
  void Q12_BARE_OK_everyOkWithoutText() throws IOException {
    try (FakePop3Server s = server(Q12_BARE_OK)) {
      assertEquals(
          "+OK\r\n+OK\r\n+OK\r\n+OK\r\nSubject: one\r\n\r\nfirst\r\n..\r\n..dotted\r\nlast\r\n.\r\n+OK\r\n",
          script(s, "RETR 1"));
    }
  }

  @Test
  void Q13_LOWERCASE_STATUS_okAndErr() throws IOException {
    try (FakePop3Server s = server(Q13_LOWERCASE_STATUS)) {
      assertEquals(
          "+ok mailfetch testkit POP3 server ready\r\n+ok\r\n+ok Logged in\r\n-err No such message\r\n"
              + "+ok Logging out, 0 messages deleted\r\n",
          script(s, "RETR 9"));
    }
  }

  @Test
  void Q14_PLUS_ERR_failuresAsPlusErr() throws IOException {
    try (FakePop3Server s = server(Q14_PLUS_ERR)) {
      assertEquals(G + LOGIN + "+ERR No such message\r\n" + BYE, script(s, "RETR 9"));
      assertEquals(
          G + "+OK\r\n+ERR [AUTH] Authentication failed\r\n+OK Logging out\r\n",
          raw(s, "USER alice\r\nPASS wrong\r\nQUIT\r\n"));
    }
  }

  @Test
  void Q15_OK_AS_CONTINUATION_inSasl() throws IOException {
    try (FakePop3Server s = server(Q15_OK_AS_CONTINUATION);
        RawClient c = new RawClient(s)) {
      c.line();
      assertEquals("+OK", c.ask("AUTH PLAIN"));
      assertEquals(
          "+OK Logged in", c.ask(Base64.getEncoder().encodeToString(ascii("\0alice\0pw"))));
      c.ask("QUIT");
    }
  }

  @Test
  void Q16_GREETING_JUNK_linesAfterTheGreeting() throws IOException {
    try (FakePop3Server s = server(Q16_GREETING_JUNK)) {
      assertEquals(
          G
              + "This server welcomes you; read the notice below\r\n\r\n+OK second greeting line\r\n"
              + "+OK Logging out\r\n",
          raw(s, "QUIT\r\n"));
    }
  }

  @Test
  void Q17_SLOW_SERVER_slowGreetingAndLogin() throws IOException {
    try (FakePop3Server s = server(Q17_SLOW_SERVER)) {
      long t0 = System.nanoTime();
      assertEquals(G + LOGIN + BYE, script(s));
      assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(2900).toNanos());
    }
  }

  @Test
  void Q18_APOP_FALSE_TIMESTAMP_aDomainInBrackets() throws IOException {
    try (FakePop3Server s = builder(standard(), Q18_APOP_FALSE_TIMESTAMP).apop(true).start()) {
      assertEquals(
          "+OK E.Novation POP3 server ready <a.b.c>\r\n-ERR APOP not available\r\n+OK Logging out\r\n",
          raw(s, "APOP alice 0123456789abcdef0123456789abcdef\r\nQUIT\r\n"));
    }
  }

  @Test
  void Q19_CAPA_ERR_unknownCommand() throws IOException {
    try (FakePop3Server s = server(Q19_CAPA_ERR)) {
      assertEquals(G + "-ERR unknown command\r\n+OK Logging out\r\n", raw(s, "CAPA\r\nQUIT\r\n"));
    }
  }

  @Test
  void Q19_CAPA_CLOSE_closesTheConnection() throws IOException {
    try (FakePop3Server s = server(Q19_CAPA_CLOSE)) {
      assertEquals(G, raw(s, "CAPA\r\nQUIT\r\n"));
    }
  }

  @Test
  void Q19_CAPA_HANG_neverAnswers() throws IOException {
    try (FakePop3Server s = server(Q19_CAPA_HANG);
        RawClient c = new RawClient(s)) {
      c.line();
      c.send("CAPA");
      c.soTimeout(700);
      assertThrows(SocketTimeoutException.class, c::line);
    }
  }

  @Test
  void Q20_CAPA_MISLEADING_oddTagsBeforeLogin_uidlAfter() throws IOException {
    try (FakePop3Server s = server(Q20_CAPA_MISLEADING)) {
      String t = raw(s, "CAPA\r\nUSER alice\r\nPASS pw\r\nCAPA\r\nQUIT\r\n");
      assertTrue(
          t.startsWith(
              G
                  + "+OK Capability list follows\r\nTOP\r\nUSER\r\nRESP_CODES\r\nLAST\r\nAUTH=PLAIN\r\n.\r\n"),
          t);
      String after = t.substring(t.indexOf("+OK Logged in"));
      assertTrue(after.contains("\r\nUIDL\r\n"), after);
    }
  }

  @Test
  void Q21_PIPELINING_DROPS_QUEUED_answersOnlyTheFirst() throws IOException {
    try (FakePop3Server s = server(Q21_PIPELINING_DROPS_QUEUED);
        RawClient c = new RawClient(s)) {
      c.line();
      c.ask("USER alice");
      c.ask("PASS pw");
      c.send("CAPA\r\nRETR 1\r\nRETR 2");
      assertTrue(c.line().startsWith("+OK Capability"));
      assertTrue(new String(c.multiline(), StandardCharsets.US_ASCII).contains("PIPELINING"));
      assertEquals("+OK", c.ask("NOOP"), "the queued RETRs were never answered");
    }
  }

  @Test
  void Q21_PIPELINING_STALLS_onceCommandsArriveTogether() throws IOException {
    try (FakePop3Server s = server(Q21_PIPELINING_STALLS);
        RawClient c = new RawClient(s)) {
      c.line();
      c.ask("USER alice");
      c.ask("PASS pw");
      c.send("RETR 1\r\nRETR 2");
      c.soTimeout(700);
      assertThrows(SocketTimeoutException.class, c::line);
    }
  }

  @Test
  void Q22_SPLIT_COMMAND_takesEachPieceForACommand() throws Exception {
    try (FakePop3Server s = server(Q22_SPLIT_COMMAND);
        Socket sock = new Socket(s.host(), s.port())) {
      sock.setTcpNoDelay(true);
      sock.setSoTimeout(5000);
      OutputStream o = sock.getOutputStream();
      InputStream in = sock.getInputStream();
      readLineFrom(in);
      o.write(ascii("NO"));
      o.flush();
      Thread.sleep(150);
      o.write(ascii("OP\r\n"));
      o.flush();
      assertEquals("-ERR Unknown command or not allowed before login: NO", readLineFrom(in));
      assertEquals("-ERR Unknown command or not allowed before login: OP", readLineFrom(in));
    }
  }

  private static String readLineFrom(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      b.write(c);
    }
    String s = b.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  @Test
  void Q23_STLS_BROKEN_okThenGarbage() throws IOException {
    try (FakePop3Server s = server(Q23_STLS_BROKEN)) {
      String t = raw(s, "CAPA\r\nSTLS\r\n");
      assertTrue(t.contains("\r\nSTLS\r\n"), t);
      assertTrue(t.endsWith("+OK Begin TLS negotiation\r\nthis is not a TLS handshake\r\n"), t);
    }
  }

  @Test
  void Q23_STLS_ERR_advertisedButRefused() throws IOException {
    try (FakePop3Server s = server(Q23_STLS_ERR)) {
      String t = raw(s, "STLS\r\nQUIT\r\n");
      assertEquals(G + "-ERR [SYS/TEMP] TLS is not available right now\r\n+OK Logging out\r\n", t);
    }
  }

  @Test
  void Q23_REQUIRES_SNI_dropsAHandshakeWithoutIt() throws Exception {
    TestCertificates certs = TestCertificates.generate();
    try (FakePop3Server s =
        builder(standard(), Q23_REQUIRES_SNI).tls(TlsMode.IMPLICIT, certs).start()) {
      SSLContext ctx = certs.clientContext();
      try (Socket plain = new Socket(s.host(), s.port())) {
        SSLSocket ssl =
            (SSLSocket) ctx.getSocketFactory().createSocket(plain, null, s.port(), true);
        SSLParameters p = ssl.getSSLParameters();
        p.setServerNames(List.of()); // no SNI
        ssl.setSSLParameters(p);
        ssl.setSoTimeout(5000);
        ssl.startHandshake();
        assertEquals(-1, ssl.getInputStream().read(), "closed instead of greeting");
      }
      try (RawClient c = RawClient.tls(s, ctx)) {
        assertEquals(G.strip(), c.line());
      }
    }
  }

  // ---------------------------------------------------------------- UIDL and listings

  @Test
  void Q24_NO_UIDL_neitherAdvertisedNorWorking() throws IOException {
    try (FakePop3Server s = server(Q24_NO_UIDL)) {
      String t = script(s, "CAPA", "UIDL");
      assertFalse(t.contains("\r\nUIDL\r\n"));
      assertTrue(t.contains("-ERR Command UIDL is not supported\r\n"));
    }
  }

  @Test
  void Q25_UIDL_DUPLICATES_sameUidTwice() throws IOException {
    try (FakePop3Server s = server(Q25_UIDL_DUPLICATES)) {
      assertEquals(G + LOGIN + "+OK\r\n1 u1\r\n2 u1\r\n3 u3\r\n.\r\n" + BYE, script(s, "UIDL"));
    }
  }

  @Test
  void Q26_UIDL_UNSTABLE_newUidsEverySession() throws IOException {
    try (FakePop3Server s = server(Q26_UIDL_UNSTABLE)) {
      String first = script(s, "UIDL");
      String second = script(s, "UIDL");
      assertTrue(first.contains("1 s1-u1\r\n"));
      assertTrue(second.contains("1 s2-u1\r\n"));
    }
  }

  @Test
  void Q27_UIDL_PLUS_OK_PREFIX_onEveryLine() throws IOException {
    try (FakePop3Server s = server(Q27_UIDL_PLUS_OK_PREFIX)) {
      assertTrue(script(s, "UIDL").contains("+OK\r\n+OK 1 u1\r\n+OK 2 u2\r\n+OK 3 u3\r\n.\r\n"));
    }
  }

  @Test
  void Q27_UIDL_MULTIPLE_SPACES_threeSpaces() throws IOException {
    try (FakePop3Server s = server(Q27_UIDL_MULTIPLE_SPACES)) {
      assertTrue(script(s, "UIDL").contains("+OK\r\n1   u1\r\n2   u2\r\n3   u3\r\n.\r\n"));
    }
  }

  @Test
  void Q27_UIDL_BLANK_forTheFirstMessage() throws IOException {
    try (FakePop3Server s = server(Q27_UIDL_BLANK)) {
      assertTrue(script(s, "UIDL").contains("+OK\r\n1 \r\n2 u2\r\n3 u3\r\n.\r\n"));
    }
  }

  @Test
  void Q27_UIDL_SPACE_INSIDE_theUid() throws IOException {
    try (FakePop3Server s = server(Q27_UIDL_SPACE_INSIDE)) {
      assertTrue(script(s, "UIDL").contains("+OK\r\n1 u 1\r\n2 u 2\r\n3 u 3\r\n.\r\n"));
    }
  }

  @Test
  void Q27_UIDL_ODD_BYTES_slashAndEightBit() throws IOException {
    try (FakePop3Server s = server(Q27_UIDL_ODD_BYTES)) {
      assertTrue(script(s, "UIDL").contains("1 u1/x\u00e9\r\n"));
    }
  }

  @Test
  void Q27_UIDL_LONG_300Characters() throws IOException {
    try (FakePop3Server s = server(Q27_UIDL_LONG)) {
      String t = script(s, "UIDL");
      String line = t.substring(t.indexOf("\r\n1 ") + 2, t.indexOf("\r\n2 "));
      assertEquals(2 + 300, line.length());
    }
  }

  @Test
  void Q28_SINGLE_FORM_NO_NUMBER_justTheValue() throws IOException {
    try (FakePop3Server s = server(Q28_SINGLE_FORM_NO_NUMBER)) {
      assertEquals(G + LOGIN + "+OK u2\r\n+OK 36\r\n" + BYE, script(s, "UIDL 2", "LIST 2"));
    }
  }

  @Test
  void Q28_SINGLE_FORM_MULTILINE_aListingForOne() throws IOException {
    try (FakePop3Server s = server(Q28_SINGLE_FORM_MULTILINE)) {
      assertEquals(G + LOGIN + "+OK\r\n2 u2\r\n.\r\n" + BYE, script(s, "UIDL 2"));
    }
  }

  @Test
  void Q28_SINGLE_FORM_WRONG_NUMBER_anotherMessagesNumber() throws IOException {
    try (FakePop3Server s = server(Q28_SINGLE_FORM_WRONG_NUMBER)) {
      assertEquals(G + LOGIN + "+OK 3 u2\r\n+OK 3 36\r\n" + BYE, script(s, "UIDL 2", "LIST 2"));
    }
  }

  @Test
  void Q29_NUMBERING_GAPS_oneTwoFive_andRetrFollowsThem() throws IOException {
    try (FakePop3Server s = server(Q29_NUMBERING_GAPS)) {
      String t = script(s, "LIST", "RETR 5", "RETR 3");
      assertTrue(t.contains("+OK\r\n1 41\r\n2 36\r\n5 37\r\n.\r\n"), t);
      assertTrue(t.contains("Subject: three"));
      assertTrue(t.contains("-ERR No such message\r\n"));
    }
  }

  @Test
  void Q29_NUMBERING_SHUFFLED_lastFirst() throws IOException {
    try (FakePop3Server s = server(Q29_NUMBERING_SHUFFLED)) {
      assertTrue(script(s, "LIST").contains("+OK\r\n3 37\r\n2 36\r\n1 41\r\n.\r\n"));
    }
  }

  @Test
  void Q29_NUMBERING_ZERO_BASED_fromZero() throws IOException {
    try (FakePop3Server s = server(Q29_NUMBERING_ZERO_BASED)) {
      String t = script(s, "UIDL", "RETR 0");
      assertTrue(t.contains("+OK\r\n0 u1\r\n1 u2\r\n2 u3\r\n.\r\n"));
      assertTrue(t.contains("+OK 41 octets\r\nSubject: one"));
    }
  }

  @Test
  void Q29_NUMBERING_BEYOND_STAT_aPhantomEntry() throws IOException {
    try (FakePop3Server s = server(Q29_NUMBERING_BEYOND_STAT)) {
      String t = script(s, "STAT", "LIST");
      assertTrue(t.contains("+OK 3 114\r\n"));
      assertTrue(t.contains("3 37\r\n5 1234\r\n.\r\n"));
    }
  }

  @Test
  void Q30_DELE_NOT_HONOURED_theMessageStays() throws IOException {
    try (FakePop3Server s = server(Q30_DELE_NOT_HONOURED)) {
      assertEquals(
          G + LOGIN + "+OK Marked to be deleted\r\n+OK Logging out, 1 messages deleted\r\n",
          script(s, "DELE 1"));
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(3, s.mailbox("alice").size());
    }
  }

  @Test
  void Q31_AUTO_DELETE_ON_RETR_goneAfterQuit() throws IOException {
    try (FakePop3Server s = server(Q31_AUTO_DELETE_ON_RETR)) {
      script(s, "RETR 2");
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(List.of("u1", "u3"), List.copyOf(s.mailbox("alice").uids()));
    }
  }

  @Test
  void Q31_RETR_MARKS_DELETED_unlessRset() throws IOException {
    try (FakePop3Server s = server(Q31_RETR_MARKS_DELETED)) {
      String t = script(s, "RETR 1", "RETR 1");
      assertTrue(
          t.endsWith("-ERR Message is deleted\r\n+OK Logging out, 1 messages deleted\r\n"), t);
      script(s, "RETR 2", "RSET");
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(List.of("u2", "u3"), List.copyOf(s.mailbox("alice").uids()));
    }
  }

  @Test
  void Q32_LIST_SIZE_LF_COUNT_smaller() throws IOException {
    try (FakePop3Server s = server(Q32_LIST_SIZE_LF_COUNT)) {
      assertTrue(script(s, "LIST").contains("+OK\r\n1 35\r\n2 32\r\n3 35\r\n.\r\n"));
    }
  }

  @Test
  void Q32_LIST_SIZE_ROUNDED_toKibibytes() throws IOException {
    try (FakePop3Server s = server(Q32_LIST_SIZE_ROUNDED)) {
      assertTrue(script(s, "LIST").contains("+OK\r\n1 1024\r\n2 1024\r\n3 1024\r\n.\r\n"));
    }
  }

  @Test
  void Q32_LIST_SIZE_COMPRESSED_half() throws IOException {
    try (FakePop3Server s = server(Q32_LIST_SIZE_COMPRESSED)) {
      assertTrue(script(s, "LIST").contains("+OK\r\n1 20\r\n2 18\r\n3 18\r\n.\r\n"));
    }
  }

  @Test
  void Q33_TOP_IGNORES_N_oneLineWhateverAsked() throws IOException {
    try (FakePop3Server s = server(Q33_TOP_IGNORES_N)) {
      assertEquals(
          G + LOGIN + "+OK\r\nSubject: one\r\n\r\nfirst\r\n.\r\n" + BYE, script(s, "TOP 1 5"));
    }
  }

  @Test
  void Q33_TOP_TRUNCATES_at64KiB() throws IOException {
    FakeMailbox box =
        FakeMailbox.create().add("big", ascii("Subject: big\r\n\r\n" + "line\r\n".repeat(40_000)));
    try (FakePop3Server s = builder(box, Q33_TOP_TRUNCATES).start()) {
      String t = script(s, "TOP 1 100000");
      String body =
          t.substring(
              t.indexOf("+OK\r\nSubject") + 5, t.indexOf("\r\n.\r\n" + BYE.substring(0, 3)));
      assertEquals(64 * 1024, body.length() + 2);
    }
  }

  @Test
  void Q33_TOP_DOUBLE_OK_twoStatusLines() throws IOException {
    try (FakePop3Server s = server(Q33_TOP_DOUBLE_OK)) {
      assertEquals(
          G + LOGIN + "+OK\r\n+OK\r\nSubject: one\r\n\r\n.\r\n" + BYE, script(s, "TOP 1 0"));
    }
  }

  @Test
  void Q33_TOP_ERR_notSupported() throws IOException {
    try (FakePop3Server s = server(Q33_TOP_ERR)) {
      assertEquals(G + LOGIN + "-ERR TOP not supported\r\n" + BYE, script(s, "TOP 1 0"));
    }
  }

  // ---------------------------------------------------------------- session, locking, errors

  @Test
  void Q34_RETR_ERR_LISTED_messageTwoExpunged() throws IOException {
    try (FakePop3Server s = server(Q34_RETR_ERR_LISTED)) {
      String t = script(s, "LIST", "RETR 2", "RETR 1");
      assertTrue(t.contains("2 36\r\n"));
      assertTrue(t.contains("-ERR Message 2 expunged.\r\n" + RETR1));
    }
  }

  @Test
  void Q35_QUIT_NO_REPLY_justCloses() throws IOException {
    try (FakePop3Server s = server(Q35_QUIT_NO_REPLY)) {
      assertEquals(G + LOGIN, script(s));
    }
  }

  @Test
  void Q35_QUIT_ERR_andNothingDeleted() throws IOException {
    try (FakePop3Server s = server(Q35_QUIT_ERR)) {
      assertEquals(
          G + LOGIN + "+OK Marked to be deleted\r\n-ERR Error locking your mailbox\r\n",
          script(s, "DELE 1"));
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(3, s.mailbox("alice").size());
    }
  }

  @Test
  void Q35_QUIT_SLOW_afterThreeSeconds() throws IOException {
    try (FakePop3Server s = server(Q35_QUIT_SLOW)) {
      long t0 = System.nanoTime();
      assertEquals(G + LOGIN + BYE, script(s));
      assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(2900).toNanos());
    }
  }

  @Test
  void Q36_DROP_MID_RETR_resetHalfway() throws IOException {
    try (FakePop3Server s = server(Q36_DROP_MID_RETR);
        RawClient c = new RawClient(s)) {
      c.line();
      c.ask("USER alice");
      c.ask("PASS pw");
      c.send("RETR 1");
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      try {
        got.writeBytes(c.rest(1 << 20));
      } catch (IOException reset) {
        // the RST may arrive before or after the bytes are read
      }
      assertTrue(RETR1.startsWith(got.toString(StandardCharsets.ISO_8859_1)));
      assertTrue(got.size() <= RETR1.length() / 2);
    }
  }

  @Test
  void Q37_LOCKED_IN_USE_atLogin() throws IOException {
    try (FakePop3Server s = server(Q37_LOCKED_IN_USE)) {
      assertEquals(
          G
              + "+OK\r\n-ERR [IN-USE] Mailbox is locked by another POP3 session.\r\n+OK Logging out\r\n",
          script(s));
    }
  }

  @Test
  void Q37_LOCKED_TEXT_withoutACode() throws IOException {
    try (FakePop3Server s = server(Q37_LOCKED_TEXT)) {
      assertEquals(G + "+OK\r\n-ERR unable to lock maildrop\r\n+OK Logging out\r\n", script(s));
    }
  }

  @Test
  void Q38_LOGIN_DELAY_ON_STAT_hotmailStyle() throws IOException {
    try (FakePop3Server s = server(Q38_LOGIN_DELAY_ON_STAT)) {
      assertEquals(
          G + LOGIN + "-ERR login allowed only every 15 minutes\r\n" + BYE, script(s, "STAT"));
    }
  }

  @Test
  void Q38_LOGIN_DELAY_CODE_atLogin_andInCapa() throws IOException {
    try (FakePop3Server s = server(Q38_LOGIN_DELAY_CODE)) {
      String t = raw(s, "CAPA\r\nUSER alice\r\nPASS pw\r\nQUIT\r\n");
      assertTrue(t.contains("\r\nLOGIN-DELAY 900\r\n"));
      assertTrue(
          t.endsWith(
              "+OK\r\n-ERR [LOGIN-DELAY] Login allowed only every 15 minutes\r\n+OK Logging out\r\n"));
    }
  }

  @Test
  void Q39_CLOSE_ON_AUTH_FAIL_errThenClose() throws IOException {
    try (FakePop3Server s = server(Q39_CLOSE_ON_AUTH_FAIL)) {
      assertEquals(
          G + "+OK\r\n-ERR [AUTH] Authentication failed\r\n",
          raw(s, "USER alice\r\nPASS nope\r\nQUIT\r\n"));
    }
  }

  @Test
  void Q40_STRICT_USER_PASS_nothingBetween_andNoBareAuth() throws IOException {
    try (FakePop3Server s = server(Q40_STRICT_USER_PASS)) {
      String t = raw(s, "USER alice\r\nNOOP\r\nPASS pw\r\nAUTH\r\nQUIT\r\n");
      assertEquals(
          G
              + "+OK\r\n-ERR NOOP is allowed only after login\r\n-ERR Unknown command.\r\n"
              + "-ERR Invalid command in current state.\r\n+OK Logging out\r\n",
          t);
    }
  }

  @Test
  void Q41_XOAUTH2_TWO_STEP_refusesTheInitialResponse() throws IOException {
    String ir =
        Base64.getEncoder().encodeToString(ascii("user=alice\u0001auth=Bearer tok\u0001\u0001"));
    try (FakePop3Server s =
        builder(standard(), Q41_XOAUTH2_TWO_STEP).oauthToken("alice", "tok").start()) {
      assertEquals(
          G
              + "-ERR [AUTH] Initial response not allowed; send AUTH XOAUTH2, then the token\r\n"
              + "+ \r\n+OK Logged in\r\n"
              + BYE,
          raw(s, "AUTH XOAUTH2 " + ir + "\r\nAUTH XOAUTH2\r\n" + ir + "\r\nQUIT\r\n"));
    }
  }

  @Test
  void Q42_OAUTH_ERROR_CONTINUATION_jsonThenErr() throws IOException {
    String ir =
        Base64.getEncoder().encodeToString(ascii("user=alice\u0001auth=Bearer bad\u0001\u0001"));
    try (FakePop3Server s = server(Q42_OAUTH_ERROR_CONTINUATION)) {
      String t = raw(s, "AUTH XOAUTH2 " + ir + "\r\n\r\nQUIT\r\n");
      String json =
          Base64.getEncoder()
              .encodeToString(
                  ascii(
                      "{\"status\":\"400\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}"));
      assertEquals(
          G + "+ " + json + "\r\n-ERR [AUTH] Authentication failed\r\n+OK Logging out\r\n", t);
    }
    try (FakePop3Server s = server()) {
      assertEquals(
          G + "-ERR [AUTH] Authentication failed\r\n+OK Logging out\r\n",
          raw(s, "AUTH XOAUTH2 " + ir + "\r\nQUIT\r\n"),
          "without the quirk a failure is a plain -ERR");
    }
  }

  @Test
  void Q43_SHORT_IDLE_TIMEOUT_dropsAfterSixtySeconds() {
    FakePop3Server.Settings settings =
        new FakePop3Server.Settings(FakePop3Server.builder().quirk(Q43_SHORT_IDLE_TIMEOUT));
    assertEquals(
        Duration.ofSeconds(60),
        new Conversation(null, settings, new RecordedSession(1), 1).idleTimeout());
    FakePop3Server.Settings plain = new FakePop3Server.Settings(FakePop3Server.builder());
    assertNotEquals(
        Duration.ofSeconds(60),
        new Conversation(null, plain, new RecordedSession(1), 1).idleTimeout());
    // The drop itself, without a word, is proven with a short idle time in FakePop3ServerTest.
  }

  @Test
  void Q44_TOP_RETR_HEADERS_DIFFER_eachTime() throws IOException {
    try (FakePop3Server s = server(Q44_TOP_RETR_HEADERS_DIFFER)) {
      String t = script(s, "TOP 1 0", "RETR 1");
      assertTrue(
          t.contains(
              "+OK\r\nReceived: by fake.invalid with POP3 id 1\r\nSubject: one\r\n\r\n.\r\n"));
      assertTrue(
          t.contains("Received: by fake.invalid with POP3 id 2\r\nSubject: one\r\n\r\nfirst"));
    }
  }

  @Test
  void Q45_GMAIL_POP_VIEW_250OldestUnretrieved() throws IOException {
    FakeMailbox box = FakeMailbox.create();
    for (int i = 1; i <= 300; i++) {
      box.add(String.format(Locale.ROOT, "g%03d", i), ascii("Subject: " + i + "\r\n\r\nx\r\n"));
    }
    try (FakePop3Server s = builder(box, Q45_GMAIL_POP_VIEW).start()) {
      String first = script(s, "STAT", "RETR 1", "RETR 2");
      assertTrue(first.contains("+OK 250 "), first.substring(0, 120));
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      String second = script(s, "STAT", "UIDL 1");
      assertTrue(second.contains("+OK 250 "));
      assertTrue(second.contains("+OK 1 g003\r\n"), "retrieved messages vanished from the view");
      assertEquals(300, box.size(), "nothing was deleted");
    }
  }

  @Test
  void Q46_LIST_UIDL_RACE_listHasOneMore() throws IOException {
    try (FakePop3Server s = server(Q46_LIST_UIDL_RACE)) {
      String t = script(s, "UIDL", "LIST");
      assertTrue(
          t.contains("+OK\r\n1 u1\r\n2 u2\r\n3 u3\r\n.\r\n+OK\r\n1 41\r\n2 36\r\n3 37\r\n4 "), t);
    }
  }

  @Test
  void Q47_HUGE_MAILBOX_aQuarterMillionMessages() throws IOException {
    try (FakePop3Server s = server(Q47_HUGE_MAILBOX)) {
      String t = script(s, "STAT", "UIDL", "RETR 250000");
      assertTrue(t.contains("+OK 250000 "));
      assertTrue(t.contains("\r\n250000 huge-0250000\r\n.\r\n"));
      assertTrue(t.contains("Subject: message 250000\r\n"));
    }
  }

  @Test
  void Q47_STAT_ERR_cannotCount() throws IOException {
    try (FakePop3Server s = server(Q47_STAT_ERR)) {
      assertEquals(
          G + LOGIN + "-ERR [SYS/TEMP] Mailbox too large to count\r\n" + BYE, script(s, "STAT"));
    }
  }

  @Test
  void Q48_XUIDL_DERIVED_fromTheHeader() throws IOException {
    FakeMailbox box =
        standard().add("u4", ascii("X-UIDL: from-header-42\r\nSubject: x\r\n\r\nx\r\n"));
    try (FakePop3Server s = builder(box, Q48_XUIDL_DERIVED).start()) {
      assertTrue(script(s, "UIDL").contains("3 u3\r\n4 from-header-42\r\n.\r\n"));
    }
  }

  @Test
  void Q49_PROPRIETARY_AUTH_onlyMsnAndRpa() throws IOException {
    try (FakePop3Server s = server(Q49_PROPRIETARY_AUTH)) {
      String t = raw(s, "CAPA\r\nUSER alice\r\nAUTH MSN\r\nQUIT\r\n");
      assertTrue(t.contains("\r\nSASL MSN RPA\r\n"));
      assertFalse(t.contains("\r\nUSER\r\n"));
      assertTrue(
          t.endsWith(
              "-ERR USER not supported\r\n-ERR Unsupported authentication mechanism MSN\r\n+OK Logging out\r\n"),
          t);
    }
  }

  @Test
  void Q50_STRIPS_X_HEADERS_onTheWayOut() throws IOException {
    try (FakePop3Server s = server(Q50_STRIPS_X_HEADERS)) {
      assertEquals(
          G + LOGIN + "+OK 36 octets\r\nSubject: two\r\n\r\nsecond\r\n.\r\n" + BYE,
          script(s, "RETR 2"));
    }
  }

  @Test
  void Q50_DROPS_ATTACHMENTS_keepsTheFirstPart() throws IOException {
    String multipart =
        "Subject: m\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\n"
            + "Content-Type: text/plain\r\n\r\nhello\r\n--zz\r\nContent-Type: application/pdf\r\n\r\nPDFDATA\r\n--zz--\r\n";
    try (FakePop3Server s =
        builder(FakeMailbox.create().add("m", ascii(multipart)), Q50_DROPS_ATTACHMENTS).start()) {
      String t = script(s, "LIST", "RETR 1");
      assertTrue(t.contains("1 " + multipart.length() + "\r\n"), "LIST counts it all");
      assertTrue(t.contains("hello\r\n--zz--\r\n.\r\n"));
      assertFalse(t.contains("PDFDATA"));
    }
  }

  // ---------------------------------------------------------------- found since the catalogue

  @Test
  void Q51_UIDL_FROM_MESSAGE_NUMBER_theIdIsTheNumber_soNewMailTakesAnIdSeenBefore()
      throws IOException {
    FakeMailbox box = standard();
    try (FakePop3Server s = builder(box, Q51_UIDL_FROM_MESSAGE_NUMBER).start()) {
      assertEquals(
          G
              + LOGIN
              + "+OK\r\n1 1\r\n2 2\r\n3 3\r\n.\r\n+OK Marked to be deleted\r\n"
              + "+OK Logging out, 1 messages deleted\r\n",
          script(s, "UIDL", "DELE 3"));
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      box.add("u4", ascii("Subject: four\r\n\r\nnew mail\r\n"));
      assertEquals(
          G + LOGIN + "+OK 3 3\r\n+OK 3 27\r\n" + BYE,
          script(s, "UIDL 3", "LIST 3"),
          "a new message of another size, under the id message 3 had");
    }
  }

  @Test
  void Q53_SERVED_EMPTY_everySecondMessageIsOnlyTheServersOwnHeader() throws IOException {
    try (FakePop3Server s = server(Q53_SERVED_EMPTY)) {
      assertEquals(
          G
              + LOGIN
              + "+OK 2 36\r\n+OK 36 octets\r\nX-UIDL: u2\r\n\r\n.\r\n"
              + "+OK\r\nX-UIDL: u2\r\n\r\n.\r\n"
              + RETR1
              + BYE,
          script(s, "LIST 2", "RETR 2", "TOP 2 0", "RETR 1"));
    }
  }

  @Test
  void Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8_aNoticeUnlessUtf8WasSent() throws IOException {
    String grusse =
        "From: J\u00c3\u00b6rg <j@example.org>\r\nSubject: Gr\u00c3\u00bc\u00c3\u009fe\r\n\r\n.line\r\nbody\r\n";
    FakeMailbox box = standard().add("u4", ascii(grusse));
    try (FakePop3Server s = builder(box, Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8).start()) {
      assertTrue(raw(s, "CAPA\r\nQUIT\r\n").contains("\r\nUTF8 USER\r\n"));
      String t = script(s, "LIST 4", "RETR 1", "RETR 4", "TOP 4 0");
      assertTrue(
          t.contains("+OK 4 " + grusse.length() + "\r\n"), "LIST gives the original's size: " + t);
      assertTrue(t.contains(RETR1), "a message with an ASCII header is served as it is");
      Matcher notice =
          Pattern.compile(
                  "\\+OK (\\d+) octets\r\n(From: Mail Delivery Subsystem <postmaster>\r\n"
                      + "Subject: Cannot display Unicode content\r\nMime-Version: 1.0\r\nContent-Type: multipart/mixed;"
                      + " boundary=\"(=_\\d+-\\d+)\"\r\n\r\n\r\n\r\n--\\3\r\nContent-Type: text/plain\r\n\r\n"
                      + "This E-mail message was determined to be Unicode-formatted\r\n[\\s\\S]*?--\\3\r\n"
                      + "Content-Type: message/global\r\n\r\n)")
              .matcher(t);
      assertTrue(notice.find(), "RETR 4 is the notice: " + t);
      String original = grusse.replace("\r\n.line", "\r\n..line");
      assertTrue(
          t.startsWith(original + "\r\n--" + notice.group(3) + "--\r\n.\r\n", notice.end()),
          "the original inside, stuffed, then the closing boundary: " + t.substring(notice.end()));
      assertTrue(
          t.contains(
              "+OK\r\nFrom: Mail Delivery Subsystem <postmaster>\r\nSubject: Cannot display Unicode"
                  + " content\r\n"),
          "TOP too: " + t);
      String utf8 = raw(s, "UTF8\r\nUSER alice\r\nPASS pw\r\nRETR 4\r\nQUIT\r\n");
      assertTrue(utf8.contains("+OK UTF8 enabled\r\n"), utf8);
      assertTrue(
          utf8.contains("\r\n" + original + ".\r\n"),
          "in UTF-8 mode the original as it is: " + utf8);
      String after = raw(s, "USER alice\r\nPASS pw\r\nUTF8\r\nRETR 4\r\nQUIT\r\n");
      assertTrue(
          after.contains("\r\n" + original + ".\r\n"),
          "UTF8 after the login too (Outlook): " + after);
    }
    try (FakePop3Server plain = server()) {
      assertTrue(
          raw(plain, "UTF8\r\nQUIT\r\n").contains("-ERR"),
          "a server without the quirk has no UTF8");
    }
  }

  @Test
  void Q54_PASS_REFUSED_WITHOUT_CODE_evenTheRightPassword() throws IOException {
    try (FakePop3Server s = server(Q54_PASS_REFUSED_WITHOUT_CODE)) {
      assertEquals(G + "+OK\r\n-ERR message is damaged\r\n+OK Logging out\r\n", script(s));
      assertEquals(
          G + "+OK\r\n-ERR Authentication failed\r\n+OK Logging out\r\n",
          raw(s, "USER alice\r\nPASS wrong\r\nQUIT\r\n"),
          "no response code, for a wrong password either");
      assertFalse(raw(s, "CAPA\r\nQUIT\r\n").contains("RESP-CODES"));
    }
  }

  @Test
  void Q55_TOP_ADDS_EMPTY_LINE_afterTheHeader_retrAndListAgree() throws IOException {
    try (FakePop3Server s = server(Q55_TOP_ADDS_EMPTY_LINE)) {
      assertEquals(
          G
              + LOGIN
              + "+OK 1 41\r\n"
              + RETR1
              + "+OK\r\nSubject: one\r\n\r\n\r\n.\r\n"
              + "+OK\r\nSubject: one\r\n\r\n\r\nfirst\r\n..\r\n..dotted\r\nlast\r\n.\r\n"
              + BYE,
          script(s, "LIST 1", "RETR 1", "TOP 1 0", "TOP 1 100"));
    }
  }

  @Test
  void Q56_IN_USE_FOR_ANY_FAILURE_atLogin_evenWithoutRespCodes() throws IOException {
    try (FakePop3Server s =
        builder(standard(), Q56_IN_USE_FOR_ANY_FAILURE).responseCodes(false).start()) {
      assertEquals(
          G
              + "+OK\r\n-ERR [IN-USE] Internal login failure. Refer to server log for more information.\r\n"
              + "+OK Logging out\r\n",
          script(s));
    }
  }

  // ---------------------------------------------------------------- the catalogue is complete

  @Test
  void everyQuirkHasATestNamedAfterIt() {
    List<String> names = new ArrayList<>();
    for (Method m : QuirkTest.class.getDeclaredMethods()) {
      names.add(m.getName());
    }
    List<String> missing = new ArrayList<>();
    for (Quirk q : Quirk.values()) {
      if (names.stream().noneMatch(n -> n.startsWith(q.name() + "_"))) {
        missing.add(q.name());
      }
    }
    assertEquals(List.of(), missing);
    for (QuirkId id : QuirkId.values()) {
      assertTrue(
          Arrays.stream(Quirk.values()).anyMatch(q -> q.id() == id)
              || Arrays.stream(ImapQuirk.values()).anyMatch(q -> q.id() == id),
          id + " of the client's vocabulary has a constant a fake server plays");
    }
    for (Quirk q : Quirk.values()) {
      assertEquals(q.id(), QuirkId.parse(q.name()).orElseThrow(), q + " is read back as its ID");
    }
  }
}
