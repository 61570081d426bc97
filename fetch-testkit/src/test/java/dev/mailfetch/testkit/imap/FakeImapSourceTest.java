package dev.mailfetch.testkit.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link FakeImapServer} as a source: what a test seeds, what a reading client sees and did. */
class FakeImapSourceTest {
  static final String M1 = "Subject: one\r\nMessage-ID: <1@x>\r\n\r\nbody one\r\n";
  static final String M2 = "Subject: two\r\nMessage-ID: <2@x>\r\n\r\nbody two\r\n";

  static FakeImapServer.Builder seeded() {
    return FakeImapServer.builder()
        .account("u", "p")
        .uidValidity("u", "INBOX", 1733500000L)
        .specialUse("u", "Junk", "\\Junk")
        .specialUse("u", "Trash", "\\Trash")
        .message("u", "INBOX", ImapSeed.of(M1).uid(41).flags("\\Flagged"))
        .message("u", "INBOX", ImapSeed.of(M2));
  }

  @Test
  void selectStatusAndListShowWhatTheTestSeeded() throws IOException {
    try (FakeImapServer imap = seeded().start();
        ImapRawClient c = new ImapRawClient(imap).login("u", "p")) {
      List<String> list = c.ask("L", "LIST \"\" \"*\" RETURN (SPECIAL-USE)");
      assertTrue(list.contains("* LIST (\\Junk \\HasNoChildren) \".\" \"Junk\""), list.toString());
      List<String> special = c.ask("L2", "LIST (SPECIAL-USE) \"\" \"*\"");
      assertEquals(3, special.size(), "Junk and Trash only: " + special);
      assertEquals(
          "* STATUS \"INBOX\" (MESSAGES 2 UIDNEXT 43 UIDVALIDITY 1733500000 UNSEEN 2)",
          c.ask("S", "STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)").get(0));
      List<String> sel = c.ask("E", "EXAMINE INBOX");
      assertTrue(sel.contains("* 2 EXISTS"), sel.toString());
      assertTrue(sel.contains("* OK [UIDVALIDITY 1733500000] UIDs valid"), sel.toString());
      assertTrue(sel.contains("* OK [UIDNEXT 43] Predicted next UID"), sel.toString());
      assertEquals(
          List.of(
              "* 1 FETCH (UID 41 RFC822.SIZE " + M1.length() + " FLAGS (\\Flagged))",
              "* 2 FETCH (UID 42 RFC822.SIZE " + M2.length() + " FLAGS ())"),
          c.ask("F", "UID FETCH 1:* (UID RFC822.SIZE FLAGS)").subList(0, 2));
      assertEquals(
          "* 1 FETCH (UID 41 BODY[HEADER.FIELDS (MESSAGE-ID)] {21}",
          c.send("H UID FETCH 41 (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])").line());
      assertEquals("Message-ID: <1@x>\r\n\r\n", new String(c.bytes(21), StandardCharsets.UTF_8));
    }
  }

  @Test
  void bodyPeekLeavesFlagsAndBodySetsSeen() throws IOException {
    try (FakeImapServer imap = seeded().start();
        ImapRawClient c = new ImapRawClient(imap).login("u", "p")) {
      c.ask("S", "SELECT INBOX");
      assertEquals(
          "* 1 FETCH (UID 41 BODY[] {" + M1.length() + "}",
          c.send("A UID FETCH 41 BODY.PEEK[]").line());
      assertEquals(M1, new String(c.bytes(M1.length()), StandardCharsets.UTF_8));
      c.until("A");
      assertEquals(Optional.of(Set.of("\\Flagged")), imap.source().flags("u", "INBOX", 41));
      c.send("B UID FETCH 42 BODY[]").line();
      c.bytes(M2.length());
      assertEquals(" FLAGS (\\Seen))", c.line(), "BODY[] tells the flag it set");
      c.until("B");
      assertEquals(Optional.of(Set.of("\\Seen")), imap.source().flags("u", "INBOX", 42));
    }
  }

  @Test
  void uidExpungeMoveAndCopyAreReadBack() throws IOException {
    try (FakeImapServer imap = seeded().start();
        ImapRawClient c = new ImapRawClient(imap).login("u", "p")) {
      c.ask("S", "SELECT INBOX");
      c.ask("C", "UID COPY 41 Junk");
      c.ask("D", "UID STORE 41:42 +FLAGS.SILENT (\\Deleted)");
      List<String> gone = c.ask("X", "UID EXPUNGE 41");
      assertEquals(List.of("* 1 EXPUNGE", "X OK EXPUNGE completed"), gone);
      assertEquals(List.of(41L), imap.source().expunged("u", "INBOX"));
      assertEquals(List.of(42L), imap.source().uids("u", "INBOX"), "42 is \\Deleted, not named");
      List<String> moved = c.ask("M", "UID MOVE 42 Trash");
      assertTrue(moved.get(0).startsWith("* OK [COPYUID "), moved.toString());
      assertEquals("* 1 EXPUNGE", moved.get(1));
      assertEquals(List.of(new ImapMove("INBOX", 42, "Trash", 1)), imap.source().moved("u"));
      assertEquals(List.of(new ImapMove("INBOX", 41, "Junk", 1)), imap.source().copied("u"));
      assertEquals(List.of(), imap.source().uids("u", "INBOX"));
      assertEquals(List.of(41L, 42L), imap.source().expunged("u", "INBOX"));
    }
  }

  @Test
  void idleHearsOfADeliveryAndEndsOnDone() throws IOException {
    try (FakeImapServer imap = seeded().start();
        ImapRawClient c = new ImapRawClient(imap).login("u", "p")) {
      c.ask("S", "SELECT INBOX");
      assertEquals("+ idling", c.send("I IDLE").line());
      imap.source().awaitIdling(1, Duration.ofSeconds(5));
      assertEquals(43, imap.source().deliver("u", "INBOX", ImapSeed.of(M1)));
      assertEquals("* 3 EXISTS", c.line());
      assertEquals("I OK IDLE terminated", c.send("DONE").line());
      assertEquals(0, imap.source().idling());
    }
  }

  @Test
  void idleIsDroppedAfterTheSetTimeOrWhenTheTestSays() throws IOException {
    try (FakeImapServer imap = seeded().dropIdleAfter(Duration.ofMillis(300)).start();
        ImapRawClient c = new ImapRawClient(imap).login("u", "p");
        ImapRawClient d = new ImapRawClient(imap).login("u", "p")) {
      c.ask("S", "SELECT INBOX");
      long start = System.nanoTime();
      c.send("I IDLE").line();
      assertTrue(c.closedByServer());
      assertTrue(System.nanoTime() - start >= 250_000_000L, "not before the time set");
      d.ask("S", "SELECT INBOX");
      d.send("I IDLE").line();
      imap.source().awaitIdling(1, Duration.ofSeconds(5));
      assertEquals(1, imap.source().dropIdleSessions(true));
      assertEquals("* BYE Session expired, please login again.", d.line());
      assertTrue(d.closedByServer());
    }
  }

  @Test
  void renumberGivesANewUidValidityAndNewUids() {
    try (FakeImapServer imap = seeded().start()) {
      long v = imap.source().renumber("u", "INBOX");
      assertTrue(v != 1733500000L);
      assertEquals(v, imap.source().uidValidity("u", "INBOX"));
      assertEquals(List.of(1L, 2L), imap.source().uids("u", "INBOX"));
      assertEquals(3, imap.source().uidNext("u", "INBOX"));
    }
  }

  @Test
  void seedsAreCheckedWhenGiven() {
    assertThrows(IllegalArgumentException.class, () -> ImapSeed.of(M1).uid(0));
    FakeImapServer.Builder b = FakeImapServer.builder().account("u", "p");
    assertThrows(IllegalStateException.class, () -> b.message("v", "INBOX", ImapSeed.of(M1)));
    assertThrows(IllegalArgumentException.class, () -> b.specialUse("u", "Junk", "Junk"));
    FakeImapServer.Builder lower =
        FakeImapServer.builder()
            .account("u", "p")
            .message("u", "INBOX", ImapSeed.of(M1).uid(5))
            .message("u", "INBOX", ImapSeed.of(M2).uid(3));
    assertThrows(IllegalArgumentException.class, lower::start, "UIDs only go up");
  }

  @Test
  void gmailSeedsCarryLabelsShownInAllMail() throws IOException {
    try (FakeImapServer imap =
            FakeImapServer.builder()
                .account("me", "pw")
                .gmail()
                .message("me", "INBOX", ImapSeed.of(M1).labels("Work", "\\Important"))
                .message("me", "[Gmail]/All Mail", ImapSeed.of(M2).labels("Receipts"))
                .start();
        ImapRawClient c = new ImapRawClient(imap).login("me", "pw")) {
      c.ask("S", "EXAMINE \"[Gmail]/All Mail\"");
      List<String> f = c.ask("F", "UID FETCH 1:* (X-GM-LABELS X-GM-MSGID)");
      assertTrue(
          f.get(0).startsWith("* 1 FETCH (UID 1 X-GM-LABELS (\\Inbox \"Work\" \\Important)"),
          f.get(0));
      assertTrue(f.get(1).startsWith("* 2 FETCH (UID 2 X-GM-LABELS (\"Receipts\")"), f.get(1));
      assertFalse(imap.folders("me").contains("Nowhere"));
      assertTrue(imap.folders("me").contains("Work"), "a label is a folder");
    }
  }
}
