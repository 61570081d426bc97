package dev.mailfetch.testkit.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each named fault of {@link ImapFault}, seen from a raw socket. */
class FakeImapServerFaultTest {
  static final byte[] MSG = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

  static FakeImapServer.Builder alice() {
    return FakeImapServer.builder().account("alice", "secret");
  }

  static void appendPlus(ImapRawClient c, String tag) throws IOException {
    c.send(tag + " APPEND INBOX {" + MSG.length + "+}").raw(MSG).send("");
  }

  @Test
  void dropMidLiteralClosesAfterHalfTheLiteralAndStoresNothing() throws IOException {
    try (FakeImapServer imap = alice().fault(ImapFault.dropMidLiteral(2)).start();
        ImapRawClient c = new ImapRawClient(imap).login("alice", "secret")) {
      appendPlus(c, "A1");
      assertTrue(c.until("A1").get(0).startsWith("A1 OK"));
      c.send("A2 APPEND INBOX {" + MSG.length + "}");
      assertEquals("+ Ready for literal data", c.line());
      c.raw(MSG).send("");
      assertTrue(c.closedByServer());
      imap.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(1, imap.messages("alice", "INBOX").size());
      assertEquals("DROP_MID_LITERAL at APPEND #2", imap.session(1).endedBy().orElseThrow());
    }
  }

  @Test
  void overquotaRefusesAppendsOnceTheQuotaIsUsed() throws IOException {
    try (FakeImapServer imap = alice().fault(ImapFault.overquotaAfter(1)).start();
        ImapRawClient c = new ImapRawClient(imap).login("alice", "secret")) {
      appendPlus(c, "A1");
      assertTrue(c.until("A1").get(0).startsWith("A1 OK"));
      appendPlus(c, "A2");
      assertEquals(
          "A2 NO [OVERQUOTA] Quota exceeded (mailbox for user is full)", c.until("A2").get(0));
      assertEquals(1, imap.messages("alice", "INBOX").size());
      assertEquals("N1 OK NOOP completed", c.tagged("N1", "NOOP"), "the session goes on");
    }
  }

  @Test
  void byeMidBatchEndsThePipelineAfterTheKthAppend() throws IOException {
    try (FakeImapServer imap = alice().fault(ImapFault.byeMidBatch(2)).start();
        ImapRawClient c = new ImapRawClient(imap).login("alice", "secret")) {
      appendPlus(c, "A1");
      appendPlus(c, "A2");
      appendPlus(c, "A3");
      assertTrue(c.line().startsWith("A1 OK [APPENDUID"));
      assertTrue(c.line().startsWith("A2 OK [APPENDUID"));
      assertEquals("* BYE [UNAVAILABLE] Server shutting down", c.line());
      assertTrue(c.closedByServer());
      assertEquals(2, imap.messages("alice", "INBOX").size());
    }
  }

  @Test
  void continuationNeverComesLeavesTheClientWaitingUntilItLeaves() throws IOException {
    try (FakeImapServer imap = alice().fault(ImapFault.continuationNeverComes(1)).start();
        ImapRawClient c = new ImapRawClient(imap).login("alice", "secret")) {
      c.send("A1 APPEND INBOX {" + MSG.length + "}");
      c.timeout(300);
      assertThrows(SocketTimeoutException.class, c::line);
      c.leave();
      imap.awaitSessionsEnded(Duration.ofSeconds(5));
      assertTrue(imap.messages("alice", "INBOX").isEmpty());
      assertEquals(
          "CONTINUATION_NEVER_COMES at APPEND #1", imap.session(1).endedBy().orElseThrow());
    }
  }

  @Test
  void okLostStoresTheMessageButNeverSaysSo() throws IOException {
    try (FakeImapServer imap = alice().fault(ImapFault.okLost(1).inSession(1)).start()) {
      try (ImapRawClient c = new ImapRawClient(imap).login("alice", "secret")) {
        appendPlus(c, "A1");
        assertTrue(c.closedByServer());
      }
      assertEquals(1, imap.messages("alice", "INBOX").size());
      try (ImapRawClient c = new ImapRawClient(imap).login("alice", "secret")) {
        appendPlus(c, "A1");
        assertTrue(c.until("A1").get(0).startsWith("A1 OK"), "only session 1 loses it");
      }
    }
  }

  @Test
  void endlessUntaggedNeverEndsTheAnswer() throws IOException {
    try (FakeImapServer imap = alice().fault(ImapFault.endlessUntagged("NOOP", 2)).start();
        ImapRawClient c = new ImapRawClient(imap).login("alice", "secret")) {
      assertEquals("N1 OK NOOP completed", c.tagged("N1", "NOOP"));
      c.send("N2 NOOP");
      for (int i = 0; i < 1000; i++) {
        String line = c.line();
        assertTrue(line.startsWith("* OK Still working"), line);
      }
      c.leave();
      imap.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(List.of("LOGIN", "NOOP", "NOOP"), imap.session(1).verbs());
      assertFalse(imap.session(1).endedBy().isEmpty());
    }
  }
}
