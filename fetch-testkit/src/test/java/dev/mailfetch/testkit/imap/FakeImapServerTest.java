package dev.mailfetch.testkit.imap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

class FakeImapServerTest {
  static final String MSG = "Subject: hi\r\nMessage-ID: <a@x>\r\nX-Key: k-1\r\n\r\nHello.\r\n";
  static final byte[] BYTES = MSG.getBytes(StandardCharsets.US_ASCII);

  static FakeImapServer.Builder alice() {
    return FakeImapServer.builder().account("alice", "secret");
  }

  @Test
  void appendWithASynchronizingLiteralStoresBytesFlagsAndDate() throws IOException {
    try (FakeImapServer imap = alice().start();
        ImapRawClient c = new ImapRawClient(imap)) {
      String greeting = c.line();
      assertTrue(greeting.startsWith("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+"), greeting);
      assertEquals("L1 OK", c.tagged("L1", "LOGIN alice secret").substring(0, 5));
      c.send(
          "A1 APPEND INBOX (\\Seen $Forwarded) \"05-Dec-2026 10:00:00 +0100\" {"
              + BYTES.length
              + "}");
      assertEquals("+ Ready for literal data", c.line());
      c.raw(BYTES).send("");
      String ok = c.until("A1").get(0);
      assertTrue(ok.matches("A1 OK \\[APPENDUID \\d+ 1\\] APPEND completed"), ok);
      List<ImapMessage> inbox = imap.messages("alice", "INBOX");
      assertEquals(1, inbox.size());
      assertArrayEquals(BYTES, inbox.get(0).content());
      assertEquals(Set.of("\\Seen", "$Forwarded"), inbox.get(0).flags());
      assertEquals(Instant.parse("2026-12-05T09:00:00Z"), inbox.get(0).internalDate());
    }
  }

  @Test
  void literalPlusMultiappendStoresAllMessagesWithOneAppenduidSet() throws IOException {
    try (FakeImapServer imap = alice().start();
        ImapRawClient c = new ImapRawClient(imap).login("alice", "secret")) {
      c.raw(("A2 APPEND INBOX {" + BYTES.length + "+}\r\n").getBytes(StandardCharsets.US_ASCII));
      c.raw(BYTES)
          .raw((" (\\Flagged) {" + BYTES.length + "+}\r\n").getBytes(StandardCharsets.US_ASCII));
      c.raw(BYTES).send("");
      String ok = c.until("A2").get(0);
      assertTrue(ok.matches("A2 OK \\[APPENDUID \\d+ 1:2\\] APPEND completed"), ok);
      assertEquals(2, imap.messages("alice", "INBOX").size());
      assertEquals(Set.of("\\Flagged"), imap.messages("alice", "INBOX").get(1).flags());
      ImapRecordedCommand append = imap.session(1).commands("APPEND").get(0);
      assertEquals(List.of((long) BYTES.length, (long) BYTES.length), append.literalSizes());
    }
  }

  @Test
  void aMissingFolderIsTrycreateAndListGivesTheDelimiter() throws IOException {
    try (FakeImapServer imap = alice().folder("alice", "Archive").start();
        ImapRawClient c = new ImapRawClient(imap).login("alice", "secret")) {
      List<String> delimiter = c.ask("D1", "LIST \"\" \"\"");
      assertEquals("* LIST (\\Noselect) \".\" \"\"", delimiter.get(0));
      c.send("A1 APPEND Work.Invoices {" + BYTES.length + "+}").raw(BYTES).send("");
      assertEquals("A1 NO [TRYCREATE] Mailbox doesn't exist: Work.Invoices", c.until("A1").get(0));
      assertEquals("C1 OK CREATE completed", c.tagged("C1", "CREATE Work.Invoices"));
      assertEquals(
          "C2 NO [ALREADYEXISTS] Mailbox already exists", c.tagged("C2", "CREATE Work.Invoices"));
      List<String> all = c.ask("L2", "LIST \"\" *");
      assertTrue(all.contains("* LIST (\\HasChildren) \".\" \"Work\""), all.toString());
      assertTrue(all.contains("* LIST (\\HasNoChildren) \".\" \"Work.Invoices\""), all.toString());
      assertEquals(5, all.size(), all.toString()); // INBOX, Archive, Work, Work.Invoices, OK
      assertEquals(List.of("INBOX", "Archive", "Work", "Work.Invoices"), imap.folders("alice"));
    }
  }

  @Test
  void authenticatePlainWithAndWithoutInitialResponse() throws IOException {
    String ir =
        Base64.getEncoder().encodeToString("\0alice\0secret".getBytes(StandardCharsets.UTF_8));
    String wrong =
        Base64.getEncoder().encodeToString("\0alice\0nope".getBytes(StandardCharsets.UTF_8));
    try (FakeImapServer imap = alice().start()) {
      try (ImapRawClient c = new ImapRawClient(imap)) {
        c.line();
        assertEquals(
            "A1 NO [AUTHENTICATIONFAILED] Authentication failed.",
            c.tagged("A1", "AUTHENTICATE PLAIN " + wrong));
        String ok = c.tagged("A2", "AUTHENTICATE PLAIN " + ir);
        assertTrue(ok.startsWith("A2 OK [CAPABILITY IMAP4rev1"), ok);
        assertFalse(ok.contains("AUTH=PLAIN"), "no AUTH= after login: " + ok);
      }
      try (ImapRawClient c = new ImapRawClient(imap)) {
        c.line();
        assertEquals("+ ", c.send("B1 AUTHENTICATE PLAIN").line());
        assertTrue(c.send(ir).line().startsWith("B1 OK"));
      }
      imap.awaitSessionsEnded(Duration.ofSeconds(5));
      ImapRecordedSession first = imap.session(1);
      assertEquals("alice", first.loggedInUser().orElseThrow());
      assertTrue(first.sentInPlaintext("secret"), "PLAIN's base64 is looked into");
      assertTrue(first.commands("AUTHENTICATE").get(1).line().endsWith(ir), "the test sees it");
      assertEquals("A2 AUTHENTICATE PLAIN ***", first.commands("AUTHENTICATE").get(1).toString());
      assertEquals("(SASL response hidden)", imap.session(2).commands().get(1).toString());
    }
  }

  @Test
  void oauthTokensLogInWithXoauth2AndOauthbearer_andARefusedOneGetsGmailsErrorChallenge()
      throws IOException {
    String good = "ya29.good";
    String xoauth2 =
        Base64.getEncoder()
            .encodeToString(
                ("user=alice\u0001auth=Bearer " + good + "\u0001\u0001")
                    .getBytes(StandardCharsets.UTF_8));
    String bearer =
        Base64.getEncoder()
            .encodeToString(
                ("n,a=alice,\u0001host=localhost\u0001port=143\u0001auth=Bearer "
                        + good
                        + "\u0001\u0001")
                    .getBytes(StandardCharsets.UTF_8));
    String stale =
        Base64.getEncoder()
            .encodeToString(
                "user=alice\u0001auth=Bearer ya29.old\u0001\u0001"
                    .getBytes(StandardCharsets.UTF_8));
    try (FakeImapServer imap = alice().oauthTokenCheck("alice", good::equals).start()) {
      try (ImapRawClient c = new ImapRawClient(imap)) {
        String greeting = c.line();
        assertTrue(greeting.contains(" AUTH=XOAUTH2 AUTH=OAUTHBEARER]"), greeting);
        String challenge = c.send("A1 AUTHENTICATE XOAUTH2 " + stale).line();
        assertTrue(challenge.startsWith("+ "), challenge);
        assertEquals(
            "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.google.com/\"}",
            new String(Base64.getDecoder().decode(challenge.substring(2)), StandardCharsets.UTF_8));
        assertEquals(
            "A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)", c.send("").line());
        assertTrue(c.tagged("A2", "AUTHENTICATE XOAUTH2 " + xoauth2).startsWith("A2 OK"));
      }
      try (ImapRawClient c = new ImapRawClient(imap)) {
        c.line();
        assertEquals("+ ", c.send("B1 AUTHENTICATE OAUTHBEARER").line());
        assertTrue(c.send(bearer).line().startsWith("B1 OK"));
      }
      imap.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals("alice", imap.session(2).loggedInUser().orElseThrow());
      assertEquals(
          "A2 AUTHENTICATE XOAUTH2 ***",
          imap.session(1).commands("AUTHENTICATE").get(1).toString(),
          "the token is hidden");
    }
  }

  @Test
  void startTlsAndImplicitTlsWithLoginRefusedBeforeTls() throws Exception {
    TestCertificates certs = TestCertificates.generate();
    try (FakeImapServer imap = alice().tls(TlsMode.STLS, certs).requireTlsForLogin(true).start();
        ImapRawClient c = new ImapRawClient(imap)) {
      String greeting = c.line();
      assertTrue(greeting.contains(" STARTTLS LOGINDISABLED]"), greeting);
      assertEquals(
          "L0 NO [PRIVACYREQUIRED] Plaintext authentication disallowed",
          c.tagged("L0", "LOGIN alice secret"));
      assertEquals("S1 OK Begin TLS negotiation now", c.tagged("S1", "STARTTLS"));
      c.startTls(certs.clientContext());
      List<String> caps = c.ask("C1", "CAPABILITY");
      assertFalse(caps.get(0).contains("STARTTLS"), caps.get(0));
      assertTrue(c.tagged("L1", "LOGIN alice secret").startsWith("L1 OK"));
      c.send("Z LOGOUT").until("Z");
      imap.awaitSessionsEnded(Duration.ofSeconds(5));
      assertTrue(imap.session(1).tlsEstablished());
      assertEquals("localhost", imap.session(1).sniHostName().orElseThrow());
      assertFalse(imap.session(1).sentInPlaintext("correct"), "nothing of it");
    }
    try (FakeImapServer imap = alice().tls(TlsMode.IMPLICIT, certs).start()) {
      SSLSocket ssl =
          (SSLSocket)
              certs.clientContext().getSocketFactory().createSocket(imap.host(), imap.port());
      ssl.setSoTimeout(5000);
      byte[] greeting = new byte[4];
      assertEquals(4, ssl.getInputStream().readNBytes(greeting, 0, 4));
      assertEquals("* OK", new String(greeting, StandardCharsets.US_ASCII));
      ssl.close();
    }
  }

  @Test
  void uidSearchHeaderAndUidStoreInImap4rev1AndRev2() throws IOException {
    try (FakeImapServer imap = alice().start();
        ImapRawClient c = new ImapRawClient(imap).login("alice", "secret")) {
      imap.deliver(
          "alice", "INBOX", "Subject: one\r\n\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
      imap.deliver("alice", "INBOX", BYTES);
      List<String> select = c.ask("S1", "SELECT INBOX");
      assertTrue(select.contains("* 2 EXISTS"), select.toString());
      assertEquals("S1 OK [READ-WRITE] SELECT completed", select.get(select.size() - 1));
      assertEquals("* SEARCH 2", c.ask("F1", "UID SEARCH HEADER X-Key k-1").get(0));
      assertEquals("* SEARCH 2", c.ask("F2", "UID SEARCH HEADER Message-ID \"<a@x>\"").get(0));
      assertEquals("* SEARCH", c.ask("F3", "UID SEARCH HEADER X-Key k-2").get(0));
      assertEquals("* SEARCH 1 2", c.ask("F4", "UID SEARCH ALL").get(0));
      assertEquals(
          "* 2 FETCH (FLAGS (\\Seen) UID 2)", c.ask("T1", "UID STORE 2 +FLAGS (\\Seen)").get(0));
      assertEquals(Set.of("\\Seen"), imap.messages("alice", "INBOX").get(1).flags());
      assertEquals("* ENABLED IMAP4rev2", c.ask("E1", "ENABLE IMAP4rev2").get(0));
      assertEquals(
          "* ESEARCH (TAG \"F5\") UID ALL 2", c.ask("F5", "UID SEARCH HEADER X-Key k-1").get(0));
      assertEquals("* ESEARCH (TAG \"F6\") UID", c.ask("F6", "UID SEARCH HEADER X-Key zzz").get(0));
      assertEquals("N1 OK NOOP completed", c.tagged("N1", "NOOP"));
    }
  }

  @Test
  void theServerHonoursTheCapabilitiesItLists() throws IOException {
    try (FakeImapServer imap = alice().capabilities("IMAP4rev1", "AUTH=PLAIN").start();
        ImapRawClient c = new ImapRawClient(imap).login("alice", "secret")) {
      c.send("A1 APPEND INBOX {" + BYTES.length + "}");
      c.line();
      c.raw(BYTES).send("");
      assertEquals("A1 OK APPEND completed", c.until("A1").get(0), "no UIDPLUS, no APPENDUID");
      assertEquals("E1 BAD ENABLE not offered", c.tagged("E1", "ENABLE UTF8=ACCEPT"));
      c.send("A2 APPEND INBOX {" + BYTES.length + "+}");
      assertEquals("* BYE [CLIENTBUG] Non-synchronizing literal not offered", c.line());
      assertTrue(c.closedByServer());
      assertEquals(1, imap.messages("alice", "INBOX").size());
    }
  }

  @Test
  void commandsArriveRecordedWithPipeliningSeen() throws IOException {
    try (FakeImapServer imap = alice().replyDelay(Duration.ofMillis(50)).start();
        ImapRawClient c = new ImapRawClient(imap)) {
      c.line();
      c.send("A LOGIN alice secret\r\nB NOOP\r\nC NOOP");
      c.until("C");
      List<ImapRecordedCommand> got = imap.session(1).commands();
      assertEquals(List.of("LOGIN", "NOOP", "NOOP"), imap.session(1).verbs());
      assertFalse(got.get(0).pipelined());
      assertTrue(got.get(1).pipelined());
      assertEquals("A LOGIN alice ***", got.get(0).toString());
      assertEquals("A LOGIN alice secret", got.get(0).line());
    }
  }

  @Test
  void aSettingGivenTwiceIsRefused() {
    FakeImapServer.Builder b = alice().greeting("one");
    assertThrows(IllegalStateException.class, () -> b.greeting("two"));
    assertThrows(IllegalStateException.class, () -> b.account("alice", "again"));
    assertThrows(IllegalArgumentException.class, () -> ImapFault.okLost(0));
  }
}
