package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.HostileCase.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every hostile case, proven on the wire: each test is named after its {@link HostileCase} and
 * checks the bytes the server sends (or, for certificates, what a careful TLS client meets).
 */
@Timeout(60)
class HostileCaseTest {
  private static final TestCertificates CERTS = TestCertificates.generate();
  private static final String G = "+OK mailfetch testkit POP3 server ready\r\n";

  private static FakePop3Server start(HostileCase c) {
    FakeMailbox box =
        FakeMailbox.create()
            .add("u1", ascii("Subject: one\r\n\r\nfirst\r\n"))
            .add("u2", ascii("Subject: two\r\n\r\nsecond\r\n"));
    return c.applyTo(FakePop3Server.builder().account("alice", "pw", box), CERTS).start();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Sends {@code text} in one write; returns everything until the server closes (at most {@code
   * max}).
   */
  private static String raw(FakePop3Server server, String text, int max) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(server.host(), server.port()), 5000);
      s.setSoTimeout(20_000);
      s.getOutputStream().write(ascii(text));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      byte[] buf = new byte[65536];
      int n;
      while (b.size() < max && (n = in.read(buf, 0, Math.min(buf.length, max - b.size()))) >= 0) {
        b.write(buf, 0, n);
      }
      return b.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static String raw(FakePop3Server server, String text) throws IOException {
    return raw(server, text, 64 << 20);
  }

  private static final String LOGIN = "USER alice\r\nPASS pw\r\n";

  // ---------------------------------------------------------------- N

  @Test
  void N01_STLS_NOT_OFFERED_capaWithoutStls_andStlsRefused() throws IOException {
    try (FakePop3Server s = start(N01_STLS_NOT_OFFERED)) {
      assertEquals(
          G
              + "+OK Capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\n.\r\n"
              + "-ERR STLS not supported\r\n+OK Logging out\r\n",
          raw(s, "CAPA\r\nSTLS\r\nQUIT\r\n"));
    }
  }

  @Test
  void N02_STLS_REFUSED_advertisedThenErr() throws IOException {
    try (FakePop3Server s = start(N02_STLS_REFUSED)) {
      String t = raw(s, "CAPA\r\nSTLS\r\nQUIT\r\n");
      assertTrue(t.contains("\r\nSTLS\r\n"));
      assertTrue(
          t.endsWith("-ERR [SYS/TEMP] TLS is not available right now\r\n+OK Logging out\r\n"), t);
    }
  }

  @Test
  void N03_CAPA_AND_STLS_REFUSED_bothErr() throws IOException {
    try (FakePop3Server s = start(N03_CAPA_AND_STLS_REFUSED)) {
      assertEquals(
          G
              + "-ERR unknown command\r\n-ERR [SYS/TEMP] TLS is not available right now\r\n+OK Logging out\r\n",
          raw(s, "CAPA\r\nSTLS\r\nQUIT\r\n"));
    }
  }

  @Test
  void N04_STLS_OK_WITHOUT_TLS_plainTextGoesOn() throws IOException {
    try (FakePop3Server s = start(N04_STLS_OK_WITHOUT_TLS)) {
      String t = raw(s, "STLS\r\nNOOP\r\nQUIT\r\n");
      assertEquals(
          G + "+OK [SYS/PERM] \r\n-ERR NOOP is allowed only after login\r\n+OK Logging out\r\n", t);
      assertFalse(s.session(1).tlsEstablished());
    }
  }

  @Test
  void N05_STLS_RESPONSE_INJECTION_forgedRepliesBeforeTheHandshake() throws IOException {
    try (FakePop3Server s = start(N05_STLS_RESPONSE_INJECTION);
        RawClient c = new RawClient(s)) {
      c.line();
      assertEquals("+OK Begin TLS negotiation", c.ask("STLS"));
      List<String> injected = List.of(c.line(), c.line(), c.line(), c.line(), c.line(), c.line());
      assertEquals(
          List.of("+OK Capability list follows", "USER", ".", "+OK", "+OK Logged in", "+OK 0 0"),
          injected);
      c.startTls(CERTS.clientContext()); // the server does go on to TLS
      assertEquals("+OK Logging out", c.ask("QUIT"));
    }
  }

  @Test
  void N06_STLS_GARBAGE_BEFORE_HANDSHAKE_binaryAfterTheOk() throws IOException {
    try (FakePop3Server s = start(N06_STLS_GARBAGE_BEFORE_HANDSHAKE)) {
      String expected =
          G + "+OK Begin TLS negotiation\r\n\u0000\u00ff\u0016\u0003\u0001garbage\u0080\u0081\r\n";
      assertEquals(expected, raw(s, "STLS\r\n", expected.length()));
    }
  }

  @Test
  void N07_CAPA_CHANGES_AFTER_TLS_otherMechanismsInside() throws IOException {
    try (FakePop3Server s = start(N07_CAPA_CHANGES_AFTER_TLS);
        RawClient c = new RawClient(s)) {
      c.line();
      c.ask("CAPA");
      assertEquals(
          "TOP\r\nUIDL\r\nSASL PLAIN\r\nSTLS\r\n.\r\n",
          new String(c.multiline(), StandardCharsets.US_ASCII));
      c.ask("STLS");
      c.startTls(CERTS.clientContext());
      c.ask("CAPA");
      assertEquals(
          "TOP\r\nUIDL\r\nUSER\r\nSASL XOAUTH2 OAUTHBEARER\r\n.\r\n",
          new String(c.multiline(), StandardCharsets.US_ASCII));
    }
  }

  @Test
  void N08_APOP_AND_SASL_BEFORE_STLS_everythingOfferedInPlainText() throws IOException {
    try (FakePop3Server s = start(N08_APOP_AND_SASL_BEFORE_STLS)) {
      String t = raw(s, "CAPA\r\nQUIT\r\n");
      assertTrue(
          t.matches("(?s)\\+OK mailfetch testkit POP3 server ready <[0-9.]+@fake\\.invalid>\r\n.*"),
          t);
      assertTrue(t.contains("\r\nSASL PLAIN RPA\r\nSTLS\r\n"), t);
    }
  }

  @Test
  void N09_STLS_THEN_SILENCE_noServerHello() throws IOException {
    try (FakePop3Server s = start(N09_STLS_THEN_SILENCE);
        RawClient c = new RawClient(s)) {
      c.line();
      assertEquals("+OK Begin TLS negotiation", c.ask("STLS"));
      c.soTimeout(700);
      assertThrows(SocketTimeoutException.class, () -> c.startTls(CERTS.clientContext()));
    }
  }

  @Test
  void N10_UNSOLICITED_DATA_aListingAfterTheGreeting() throws IOException {
    try (FakePop3Server s = start(N10_UNSOLICITED_DATA)) {
      assertEquals(
          "+OK POP3 ready\r\n+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n+OK Logging out\r\n",
          raw(s, "QUIT\r\n"));
    }
  }

  @Test
  void N11_PLAINTEXT_ON_TLS_PORT_aTlsClientMeetsPlainText() {
    try (FakePop3Server s = start(N11_PLAINTEXT_ON_TLS_PORT)) {
      assertThrows(SSLException.class, () -> RawClient.tls(s, CERTS.clientContext()).close());
    }
  }

  @Test
  void N12_PIPELINING_EXTRA_REPLIES_moreRepliesThanCommands() throws IOException {
    try (FakePop3Server s =
            FakePop3Server.builder()
                .account("alice", "pw", FakeMailbox.create())
                .replyDelay(Duration.ofMillis(20))
                .extraReplyWhenPipelined()
                .start();
        RawClient c = new RawClient(s)) {
      c.line();
      c.ask("USER alice");
      c.ask("PASS pw");
      c.send("NOOP\r\nNOOP");
      assertEquals(
          List.of("+OK", "+OK and one more reply nobody asked for", "+OK"),
          List.of(c.line(), c.line(), c.line()));
    }
    assertTrue(N12_PIPELINING_EXTRA_REPLIES.applyTo(FakePop3Server.builder(), null) != null);
  }

  // ---------------------------------------------------------------- T

  private static void refusedByACarefulClient(HostileCase c) {
    try (FakePop3Server s = start(c)) {
      assertThrows(
          IOException.class, () -> RawClient.tls(s, CERTS.clientContext()).close(), c.name());
    }
  }

  @Test
  void T01_SELF_SIGNED_refused() {
    refusedByACarefulClient(T01_SELF_SIGNED);
  }

  @Test
  void T02_UNKNOWN_CA_refused() {
    refusedByACarefulClient(T02_UNKNOWN_CA);
  }

  @Test
  void T03_WRONG_HOST_refused() {
    refusedByACarefulClient(T03_WRONG_HOST);
  }

  @Test
  void T04_EXPIRED_refused() {
    refusedByACarefulClient(T04_EXPIRED);
  }

  @Test
  void T05_NUL_IN_NAME_refused_andTheNameHoldsANul() throws Exception {
    refusedByACarefulClient(T05_NUL_IN_NAME);
    X509Certificate c = CERTS.certificate(TestCertificates.Profile.NUL_IN_NAME);
    assertTrue(
        c.getSubjectAlternativeNames()
            .iterator()
            .next()
            .get(1)
            .toString()
            .contains("localhost\u0000.evil"));
  }

  @Test
  void T06_OLD_TLS_ONLY_refused() {
    refusedByACarefulClient(T06_OLD_TLS_ONLY);
  }

  @Test
  void T07_REQUIRES_SNI_closedWithoutIt_servedWithIt() throws Exception {
    try (FakePop3Server s = start(T07_REQUIRES_SNI)) {
      try (Socket plain = new Socket(s.host(), s.port())) {
        SSLSocket ssl =
            (SSLSocket)
                CERTS.clientContext().getSocketFactory().createSocket(plain, null, s.port(), true);
        SSLParameters p = ssl.getSSLParameters();
        p.setServerNames(List.of());
        ssl.setSSLParameters(p);
        ssl.setSoTimeout(5000);
        ssl.startHandshake();
        assertEquals(-1, ssl.getInputStream().read());
      }
      try (RawClient c = RawClient.tls(s, CERTS.clientContext())) {
        assertEquals(G.strip(), c.line());
      }
    }
  }

  @Test
  void T08_HOSTILE_SUBJECT_validButFullOfEscapes() throws IOException {
    try (FakePop3Server s = start(T08_HOSTILE_SUBJECT);
        RawClient c = RawClient.tls(s, CERTS.clientContext())) {
      assertEquals(G.strip(), c.line(), "the certificate is valid for localhost");
      String subject =
          CERTS
              .certificate(TestCertificates.Profile.HOSTILE_SUBJECT)
              .getSubjectX500Principal()
              .getName();
      assertTrue(subject.contains("\u001b[31m") && subject.contains("${jndi:"), subject);
    }
  }

  @Test
  void T09_OTHER_KEY_validButNotThePinnedOne() throws IOException {
    try (FakePop3Server s = start(T09_OTHER_KEY);
        RawClient c = RawClient.tls(s, CERTS.clientContext())) {
      assertEquals(G.strip(), c.line(), "valid under the test CA");
      assertNotEquals(
          CERTS.certificate(TestCertificates.Profile.VALID).getPublicKey(),
          CERTS.certificate(TestCertificates.Profile.VALID_OTHER_KEY).getPublicKey());
    }
  }

  // ---------------------------------------------------------------- A

  @Test
  void A01_PLAINTEXT_LOGIN_OFFERED_userAndPlainWithoutStls() throws IOException {
    try (FakePop3Server s = start(A01_PLAINTEXT_LOGIN_OFFERED)) {
      String t = raw(s, "CAPA\r\nQUIT\r\n");
      assertTrue(t.contains("\r\nUSER\r\nSASL PLAIN LOGIN XOAUTH2 OAUTHBEARER\r\n"));
      assertFalse(t.contains("STLS"));
    }
  }

  @Test
  void A02_NO_OAUTH_MECHANISM_onlyPlain() throws IOException {
    try (FakePop3Server s = start(A02_NO_OAUTH_MECHANISM)) {
      String t = raw(s, "CAPA\r\nAUTH XOAUTH2\r\nQUIT\r\n");
      assertTrue(t.contains("\r\nUSER\r\nSASL PLAIN\r\n"));
      assertTrue(t.contains("-ERR Unsupported authentication mechanism XOAUTH2\r\n"));
    }
  }

  @Test
  void A03_BAD_APOP_TIMESTAMP_noValidMsgId() throws IOException {
    try (FakePop3Server s = start(A03_BAD_APOP_TIMESTAMP)) {
      assertEquals(
          "+OK POP3 ready <> <abc> <\u00e9t\u00e9@h\u00f4te>\r\n+OK Logging out\r\n",
          raw(s, "QUIT\r\n"));
    }
  }

  @Test
  void A04_PATHOLOGICAL_GREETING_200000Ats() throws IOException {
    try (FakePop3Server s = start(A04_PATHOLOGICAL_GREETING)) {
      String t = raw(s, "QUIT\r\n");
      assertTrue(t.startsWith("+OK <@@@@"));
      assertEquals(200_005, t.indexOf("\r\n"));
    }
  }

  @Test
  void A05_ENDLESS_SASL_aChallengeForEveryResponse() throws IOException {
    try (FakePop3Server s = start(A05_ENDLESS_SASL);
        RawClient c = new RawClient(s)) {
      c.line();
      c.send("AUTH PLAIN " + Base64.getEncoder().encodeToString(ascii("\0alice\0pw")));
      for (int i = 0; i < 20; i++) {
        assertEquals("+ Y2hhbGxlbmdlIA==", c.line(), "round " + i);
        c.send("");
      }
    }
  }

  @Test
  void A06_AUTH_ANSWERED_OK_insteadOfAContinuation() throws IOException {
    try (FakePop3Server s = start(A06_AUTH_ANSWERED_OK)) {
      assertEquals(G + "+OK\r\n+OK Logging out\r\n", raw(s, "AUTH XOAUTH2\r\nQUIT\r\n"));
    }
  }

  @Test
  void A07_CALLER_INJECTION_anInjectedCommandIsRecordedAsOne() throws IOException {
    try (FakePop3Server s = start(A07_CALLER_INJECTION)) {
      raw(s, "USER u\r\nDELE 1\r\nQUIT\r\n");
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(
          List.of("USER u", "DELE 1", "QUIT"),
          s.session(1).commandLines(),
          "a client that let CR/LF through shows up as a separate command");
    }
  }

  @Test
  void A08_TRACE_LOGGING_anOrdinaryServer() throws IOException {
    try (FakePop3Server s = start(A08_TRACE_LOGGING)) {
      assertEquals(
          G + "+OK\r\n+OK Logged in\r\n+OK 2 47\r\n+OK Logging out, 0 messages deleted\r\n",
          raw(s, LOGIN + "STAT\r\nQUIT\r\n"));
    }
  }

  @Test
  void A09_CONNECTION_REUSE_anOrdinaryServer() throws IOException {
    try (FakePop3Server s = start(A09_CONNECTION_REUSE)) {
      assertTrue(raw(s, LOGIN + "QUIT\r\n").contains("+OK Logged in"));
    }
  }

  @Test
  void A10_PERMANENT_LOGIN_ERROR_sysPermAtLogin() throws IOException {
    try (FakePop3Server s = start(A10_PERMANENT_LOGIN_ERROR)) {
      assertEquals(
          G + "+OK\r\n-ERR [SYS/PERM] Your account has been disabled\r\n+OK Logging out\r\n",
          raw(s, LOGIN + "QUIT\r\n"));
    }
  }

  // ---------------------------------------------------------------- R

  @Test
  void R01_ENDLESS_STATUS_LINE_noLineEndInAMegabyte() throws IOException {
    try (FakePop3Server s = start(R01_ENDLESS_STATUS_LINE)) {
      String t = raw(s, "", 1 << 20);
      assertEquals(1 << 20, t.length());
      assertEquals(-1, t.indexOf('\n'));
    }
  }

  @Test
  void R02_ENDLESS_LISTING_neverTerminated() throws IOException {
    try (FakePop3Server s = start(R02_ENDLESS_LISTING)) {
      String t = raw(s, LOGIN + "UIDL\r\n", 1 << 20);
      assertTrue(t.contains("\r\n100 uid100\r\n"));
      assertFalse(t.contains("\r\n.\r\n"));
    }
  }

  @Test
  void R03_ENDLESS_BODY_neverTerminated() throws IOException {
    try (FakePop3Server s = start(R03_ENDLESS_BODY)) {
      String t = raw(s, LOGIN + "RETR 1\r\n", 2 << 20);
      assertEquals(2 << 20, t.length());
      assertFalse(t.contains("\r\n.\r\n"));
    }
  }

  @Test
  void R04_TRICKLE_oneBytePerSecond() throws IOException {
    try (FakePop3Server s = start(R04_TRICKLE);
        Socket sock = new Socket(s.host(), s.port())) {
      sock.setSoTimeout(5000);
      long t0 = System.nanoTime();
      assertEquals('+', sock.getInputStream().read());
      assertEquals('O', sock.getInputStream().read());
      assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(900).toNanos());
    }
  }

  @Test
  void R05_DISCONNECT_MID_LISTING_cutInsideALine() throws IOException {
    try (FakePop3Server s = start(R05_DISCONNECT_MID_LISTING)) {
      assertTrue(
          raw(s, LOGIN + "UIDL\r\nQUIT\r\n")
              .endsWith("+OK Logged in\r\n+OK\r\n1 first-uid\r\n2 second-u"));
    }
  }

  @Test
  void R06_NEGATIVE_NUMBERS_inStatAndList() throws IOException {
    try (FakePop3Server s = start(R06_NEGATIVE_NUMBERS)) {
      assertTrue(
          raw(s, LOGIN + "STAT\r\nLIST\r\nQUIT\r\n")
              .contains("+OK Logged in\r\n+OK -1 0\r\n+OK\r\n1 -5\r\n.\r\n"));
    }
  }

  @Test
  void R07_HUGE_NUMBERS_inStatAndList() throws IOException {
    try (FakePop3Server s = start(R07_HUGE_NUMBERS)) {
      assertTrue(
          raw(s, LOGIN + "STAT\r\nLIST\r\nQUIT\r\n")
              .contains("+OK 2147483647 0\r\n+OK\r\n1 18446744073709551616\r\n.\r\n"));
    }
  }

  @Test
  void R08_SIZE_MISMATCH_listSaysHalf() throws IOException {
    try (FakePop3Server s = start(R08_SIZE_MISMATCH)) {
      String t = raw(s, LOGIN + "LIST\r\nRETR 1\r\nQUIT\r\n");
      assertTrue(t.contains("+OK\r\n1 11\r\n2 12\r\n.\r\n"), t);
      assertTrue(t.contains("+OK 23 octets\r\nSubject: one\r\n\r\nfirst\r\n.\r\n"));
    }
  }

  @Test
  void R09_BAD_MESSAGE_NUMBERS_inTheUidList() throws IOException {
    try (FakePop3Server s = start(R09_BAD_MESSAGE_NUMBERS)) {
      assertTrue(
          raw(s, LOGIN + "UIDL\r\nQUIT\r\n")
              .contains(
                  "+OK\r\n0 zero\r\n4294967296 big\r\nabc letters\r\n1\r2 cr\r\n1 one\r\n1 again\r\n.\r\n"));
    }
  }

  @Test
  void R10_DOT_STUFFING_EDGES_stuffedAndCutAtEveryDot() throws IOException {
    try (FakePop3Server s = start(R10_DOT_STUFFING_EDGES)) {
      String t = raw(s, LOGIN + "RETR 3\r\nQUIT\r\n");
      assertTrue(
          t.contains(
              "Subject: dots\r\n\r\n..\r\n...\r\n....\r\n..x\r\n...x\r\n.. \r\nend.\r\n..\r\n.\r\n"),
          t);
    }
  }

  @Test
  void R11_LINE_END_CHAOS_bareLfAndACrInTheGreeting() throws IOException {
    try (FakePop3Server s = start(R11_LINE_END_CHAOS)) {
      String t = raw(s, LOGIN + "RETR 1\r\nQUIT\r\n");
      assertTrue(t.startsWith("+OK POP3 ready\rX-Injected: yes\n+OK\n+OK Logged in\n"), t);
      assertTrue(t.contains("Subject: one\n\nfirst\n.\n"));
    }
  }

  @Test
  void R12_BINARY_IN_STATUS_nulAndEightBitEverywhere() throws IOException {
    try (FakePop3Server s = start(R12_BINARY_IN_STATUS)) {
      String t = raw(s, LOGIN + "UIDL\r\nRETR 99\r\nQUIT\r\n");
      assertTrue(t.startsWith("+OK POP3 \u0000ready \u00e9\u00ff \u00c3\u0028\r\n"));
      assertTrue(t.contains("1 u1/x\u00e9\r\n"));
      assertTrue(t.contains("-ERR No such message (\u00e9chec \u00ff)\r\n"));
    }
  }

  @Test
  void R13_BOGUS_STATUS_okayOkAndPlusDo() throws IOException {
    try (FakePop3Server s = start(R13_BOGUS_STATUS)) {
      assertEquals(
          "+OKAY POP3 ready\r\nOK\r\n+Do you even care?\r\n+OK Logging out\r\n",
          raw(s, LOGIN + "QUIT\r\n"));
    }
  }

  @Test
  void R14_ERR_GREETING_sysTemp() throws IOException {
    try (FakePop3Server s = start(R14_ERR_GREETING)) {
      assertTrue(
          raw(s, "QUIT\r\n")
              .startsWith("-ERR [SYS/TEMP] Service temporarily unavailable, try later\r\n"));
    }
  }

  @Test
  void R15_OVERSIZED_CAPA_aHundredThousandLines() throws IOException {
    try (FakePop3Server s = start(R15_OVERSIZED_CAPA)) {
      String t = raw(s, "CAPA\r\nQUIT\r\n");
      assertTrue(t.contains("SASL X-MECH-0 X-MECH-1 ") && t.contains(" X-MECH-499\r\n"));
      assertTrue(t.contains("\r\nX-CAPABILITY-99999\r\nUSER\r\n.\r\n"));
    }
  }

  // ---------------------------------------------------------------- U

  @Test
  void U01_LONG_UIDL_200BytesAnd100KiB() throws IOException {
    try (FakePop3Server s = start(U01_LONG_UIDL)) {
      String t = raw(s, LOGIN + "UIDL\r\nQUIT\r\n");
      assertTrue(
          t.contains("\r\n3 " + "u".repeat(200) + "\r\n4 " + "v".repeat(100 * 1024) + "\r\n.\r\n"));
    }
  }

  @Test
  void U02_EMPTY_UIDL_emptyAndBlank() throws IOException {
    try (FakePop3Server s = start(U02_EMPTY_UIDL)) {
      assertTrue(raw(s, LOGIN + "UIDL\r\nQUIT\r\n").contains("\r\n3 \r\n4    \r\n.\r\n"));
    }
  }

  @Test
  void U03_PATH_UIDL_pathsFormatStringsAndControlBytes() throws IOException {
    try (FakePop3Server s = start(U03_PATH_UIDL)) {
      assertTrue(
          raw(s, LOGIN + "UIDL\r\nQUIT\r\n")
              .contains(
                  "\r\n3 ../../etc/passwd\r\n4 a/b\\c:d%n%s\r\n5 ctl\u0001\u001b[2J\r\n.\r\n"));
    }
  }

  @Test
  void U04_SPACE_UIDL_spacesTabsAndEightBit() throws IOException {
    try (FakePop3Server s = start(U04_SPACE_UIDL)) {
      assertTrue(
          raw(s, LOGIN + "UIDL\r\nQUIT\r\n")
              .contains("\r\n3 abc def\r\n4 tab\there\r\n5 \u00e9t\u00e9\r\n.\r\n"));
    }
  }

  @Test
  void U05_DUPLICATE_UIDL_sameIdTwice() throws IOException {
    try (FakePop3Server s = start(U05_DUPLICATE_UIDL)) {
      assertTrue(raw(s, LOGIN + "UIDL\r\nQUIT\r\n").contains("+OK\r\n1 u1\r\n2 u1\r\n.\r\n"));
    }
  }

  @Test
  void U06_UIDL_STAT_MISMATCH_aPhantomAndNewIdsEachSession() throws IOException {
    try (FakePop3Server s = start(U06_UIDL_STAT_MISMATCH)) {
      String first = raw(s, LOGIN + "STAT\r\nUIDL\r\nQUIT\r\n");
      assertTrue(
          first.contains("+OK 2 47\r\n+OK\r\n1 s1-u1\r\n2 s1-u2\r\n4 phantom-uid\r\n.\r\n"), first);
      assertTrue(raw(s, LOGIN + "UIDL\r\nQUIT\r\n").contains("1 s2-u1\r\n"));
    }
  }

  // ---------------------------------------------------------------- L

  @Test
  void L01_LOG_INJECTION_formatStringsEscapesAndJndi() throws IOException {
    try (FakePop3Server s = start(L01_LOG_INJECTION)) {
      String t = raw(s, "CAPA\r\n" + LOGIN + "QUIT\r\n");
      String evil = "%n%s \u001b[31mred\u001b[0m \r ${jndi:ldap://127.0.0.1/x} ";
      assertTrue(t.startsWith("+OK " + evil));
      assertTrue(t.contains("\r\nIMPLEMENTATION " + evil));
      assertTrue(t.contains("\r\n+OK\r\n-ERR " + evil));
    }
  }

  // ---------------------------------------------------------------- the catalogue is complete

  @Test
  void everyHostileCaseHasATestNamedAfterIt_and53Cases() {
    List<String> names = new ArrayList<>();
    for (Method m : HostileCaseTest.class.getDeclaredMethods()) {
      names.add(m.getName());
    }
    List<String> missing = new ArrayList<>();
    for (HostileCase c : HostileCase.values()) {
      if (names.stream().noneMatch(n -> n.startsWith(c.name() + "_"))) {
        missing.add(c.name());
      }
    }
    assertEquals(List.of(), missing);
    assertEquals(53, HostileCase.values().length);
    assertEquals("N-05", N05_STLS_RESPONSE_INJECTION.id());
  }
}
