package dev.mailfetch.testkit.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.QuirkId;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each {@link ImapQuirk} proved with a raw socket: the exact lines the fake IMAP server sends when
 * it plays the behaviour (docs/quirks.md, "IMAP servers"). One test per constant, named after it.
 */
class ImapQuirkTest {
  static final String M1 = "Subject: one\r\n\r\nbody one\r\n";
  static final String M2 = "Subject: two\r\n\r\nbody two\r\n";
  static final String M3 = "Subject: three\r\n\r\nbody three\r\n";

  static FakeImapServer start(ImapQuirk... quirks) {
    return FakeImapServer.builder()
        .account("u", "p")
        .message("u", "INBOX", ImapSeed.of(M1))
        .message("u", "INBOX", ImapSeed.of(M2))
        .message("u", "INBOX", ImapSeed.of(M3))
        .quirk(quirks)
        .start();
  }

  static ImapRawClient selected(FakeImapServer imap) throws IOException {
    ImapRawClient c = new ImapRawClient(imap).login("u", "p");
    c.ask("S", "SELECT INBOX");
    return c;
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void I01_UNSOLICITED_EXPUNGE_DURING_FETCH_shiftsTheNumbersMidAnswer() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I01_UNSOLICITED_EXPUNGE_DURING_FETCH);
        ImapRawClient c = selected(imap)) {
      assertEquals(
          "* 1 FETCH (UID 1 BODY[] {" + M1.length() + "}",
          c.send("F UID FETCH 1:3 BODY.PEEK[]").line());
      assertEquals(M1, text(c.bytes(M1.length())));
      assertEquals(")", c.line());
      assertEquals("* 2 EXPUNGE", c.line());
      assertEquals("* 2 FETCH (UID 3 BODY[] {" + M3.length() + "}", c.line(), "3 is now number 2");
      c.bytes(M3.length());
      assertEquals(List.of(")", "F OK FETCH completed"), c.until("F"));
      assertEquals(List.of(1L, 3L), imap.source().uids("u", "INBOX"));
    }
  }

  @Test
  void I02_LITERAL_SHORTER_THAN_ANNOUNCED_announcesTwoOctetsItNeverSends() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I02_LITERAL_SHORTER_THAN_ANNOUNCED);
        ImapRawClient c = selected(imap)) {
      assertEquals(
          "* 1 FETCH (UID 1 BODY[] {" + (M1.length() + 2) + "}",
          c.send("F UID FETCH 1 BODY.PEEK[]").line());
      assertEquals(M1 + ")\r", text(c.bytes(M1.length() + 2)), "the literal eats the closing");
      assertEquals("", c.line());
      assertEquals("F OK FETCH completed", c.line());
    }
  }

  @Test
  void I02_LITERAL_LONGER_THAN_ANNOUNCED_sendsTwoOctetsMoreThanAnnounced() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I02_LITERAL_LONGER_THAN_ANNOUNCED);
        ImapRawClient c = selected(imap)) {
      assertEquals(
          "* 1 FETCH (UID 1 BODY[] {" + M1.length() + "}",
          c.send("F UID FETCH 1 BODY.PEEK[]").line());
      assertEquals(M1, text(c.bytes(M1.length())));
      assertEquals("", c.line(), "an extra CRLF before the closing parenthesis");
      assertEquals(List.of(")", "F OK FETCH completed"), c.until("F"));
      c.send("G UID FETCH 1 BODY.PEEK[]").line();
      assertEquals(M1, text(c.bytes(M1.length())), "once only");
      assertEquals(List.of(")", "G OK FETCH completed"), c.until("G"));
    }
  }

  @Test
  void I03_FETCH_EXPUNGED_NO_answersExpungeIssued() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I03_FETCH_EXPUNGED_NO);
        ImapRawClient c = selected(imap)) {
      c.send("F UID FETCH 1:2 BODY.PEEK[]");
      assertEquals("* 1 FETCH (UID 2 BODY[] {" + M2.length() + "}", c.line());
      c.bytes(M2.length());
      assertEquals(
          List.of(")", "F NO [EXPUNGEISSUED] Some of the requested messages no longer exist"),
          c.until("F"));
      assertEquals(List.of(2L, 3L), imap.source().uids("u", "INBOX"));
    }
  }

  @Test
  void I03_FETCH_EXPUNGED_NIL_answersANilBody() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I03_FETCH_EXPUNGED_NIL);
        ImapRawClient c = selected(imap)) {
      assertEquals(
          List.of("* 1 FETCH (UID 1 BODY[] NIL)", "* 1 EXPUNGE", "F OK FETCH completed"),
          c.ask("F", "UID FETCH 1 BODY.PEEK[]"));
    }
  }

  @Test
  void I03_FETCH_EXPUNGED_EMPTY_answersOkWithoutData() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I03_FETCH_EXPUNGED_EMPTY);
        ImapRawClient c = selected(imap)) {
      assertEquals(List.of("F OK FETCH completed"), c.ask("F", "UID FETCH 1 BODY.PEEK[]"));
      assertEquals(List.of(2L, 3L), imap.source().uids("u", "INBOX"));
    }
  }

  @Test
  void I04_UIDS_OUT_OF_ORDER_answersHighestFirst() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I04_UIDS_OUT_OF_ORDER);
        ImapRawClient c = selected(imap)) {
      assertEquals(
          List.of(
              "* 3 FETCH (UID 3)",
              "* 2 FETCH (UID 2)",
              "* 1 FETCH (UID 1)",
              "F OK FETCH completed"),
          c.ask("F", "UID FETCH 1:* (UID)"));
    }
  }

  @Test
  void I05_NO_UIDNEXT_leavesItOutOfSelectButNotStatus() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I05_NO_UIDNEXT);
        ImapRawClient c = new ImapRawClient(imap).login("u", "p")) {
      List<String> sel = c.ask("S", "SELECT INBOX");
      assertTrue(sel.stream().noneMatch(l -> l.contains("UIDNEXT")), sel.toString());
      assertEquals("* STATUS \"INBOX\" (UIDNEXT 4)", c.ask("T", "STATUS INBOX (UIDNEXT)").get(0));
    }
  }

  @Test
  void I06_EXCHANGE_THROTTLED_refusesTheFirstFetchOfBodies() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I06_EXCHANGE_THROTTLED);
        ImapRawClient c = selected(imap)) {
      assertEquals(
          "* 1 FETCH (UID 1 RFC822.SIZE " + M1.length() + ")",
          c.ask("L", "UID FETCH 1 (RFC822.SIZE)").get(0));
      assertEquals(
          "F NO Request is throttled. Suggested Backoff Time: 500 milliseconds",
          c.tagged("F", "UID FETCH 1 BODY.PEEK[]"));
      assertTrue(c.ask("G", "UID FETCH 1 BODY.PEEK[]").get(0).startsWith("* 1 FETCH"));
    }
  }

  @Test
  void I07_GMAIL_THROTTLED_marksEveryTaggedOk() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I07_GMAIL_THROTTLED);
        ImapRawClient c = new ImapRawClient(imap)) {
      c.line();
      assertEquals(
          "L OK [CAPABILITY " + capabilities() + "] Logged in [THROTTLED]",
          c.tagged("L", "LOGIN u p"));
      assertEquals("N OK NOOP completed [THROTTLED]", c.tagged("N", "NOOP"));
    }
  }

  private static String capabilities() {
    List<String> caps = new ArrayList<>();
    for (String cap : FakeImapServer.DEFAULT_CAPABILITIES) {
      if (!cap.startsWith("AUTH=") && !cap.equals("SASL-IR")) {
        caps.add(cap);
      }
    }
    return String.join(" ", caps);
  }

  @Test
  void I07_GMAIL_BANDWIDTH_EXCEEDED_refusesTheFirstSessionsBodies() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I07_GMAIL_BANDWIDTH_EXCEEDED);
        ImapRawClient c = selected(imap);
        ImapRawClient d = selected(imap)) {
      assertEquals(
          "F NO [OVERQUOTA] Account exceeded command or bandwidth limits. (Failure)",
          c.tagged("F", "UID FETCH 1 BODY.PEEK[]"));
      assertTrue(d.ask("F", "UID FETCH 1 BODY.PEEK[]").get(0).startsWith("* 1 FETCH"));
    }
  }

  @Test
  void I08_IDLE_DROPPED_SILENTLY_closesAfterASecond() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I08_IDLE_DROPPED_SILENTLY);
        ImapRawClient c = selected(imap)) {
      long t = System.nanoTime();
      assertEquals("+ idling", c.send("I IDLE").line());
      assertTrue(c.closedByServer());
      assertTrue(System.nanoTime() - t > 900_000_000L);
    }
  }

  @Test
  void I08_IDLE_BYE_saysByeThenCloses() throws IOException {
    try (FakeImapServer imap =
            FakeImapServer.builder()
                .account("u", "p")
                .quirk(ImapQuirk.I08_IDLE_BYE)
                .dropIdleAfter(Duration.ofMillis(200))
                .start();
        ImapRawClient c = selected(imap)) {
      assertEquals("+ idling", c.send("I IDLE").line());
      assertEquals("* BYE Session expired, please login again.", c.line());
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void I09_FETCH_WITHOUT_UID_leavesUidOutUnlessNamed() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I09_FETCH_WITHOUT_UID);
        ImapRawClient c = selected(imap)) {
      assertEquals(
          "* 2 FETCH (RFC822.SIZE " + M2.length() + ")",
          c.ask("F", "UID FETCH 2 (RFC822.SIZE)").get(0));
      assertEquals(
          "* 2 FETCH (UID 2 RFC822.SIZE " + M2.length() + ")",
          c.ask("G", "UID FETCH 2 (UID RFC822.SIZE)").get(0));
    }
  }

  @Test
  void I10_UIDVALIDITY_CHANGES_EACH_SESSION_renumbersAtEachLogin() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I10_UIDVALIDITY_CHANGES_EACH_SESSION)) {
      long first = imap.source().uidValidity("u", "INBOX");
      try (ImapRawClient c = selected(imap)) {
        assertEquals(first, imap.source().uidValidity("u", "INBOX"), "the first session keeps it");
        c.tagged("O", "LOGOUT");
      }
      try (ImapRawClient c = new ImapRawClient(imap).login("u", "p")) {
        long second = imap.source().uidValidity("u", "INBOX");
        assertTrue(second != first);
        assertTrue(
            c.ask("S", "SELECT INBOX").contains("* OK [UIDVALIDITY " + second + "] UIDs valid"));
      }
    }
  }

  @Test
  void I11_SIZE_LARGER_THAN_BODY_addsTwentyNineOctets() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I11_SIZE_LARGER_THAN_BODY);
        ImapRawClient c = selected(imap)) {
      assertEquals(
          "* 1 FETCH (UID 1 RFC822.SIZE " + (M1.length() + 29) + " BODY[] {" + M1.length() + "}",
          c.send("F UID FETCH 1 (RFC822.SIZE BODY.PEEK[])").line());
    }
  }

  @Test
  void I12_FETCH_ITEMS_REORDERED_reversesTheItems() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I12_FETCH_ITEMS_REORDERED);
        ImapRawClient c = selected(imap)) {
      assertEquals(
          "* 1 FETCH (FLAGS () RFC822.SIZE " + M1.length() + " UID 1)",
          c.ask("F", "UID FETCH 1 (UID RFC822.SIZE FLAGS)").get(0));
      assertEquals(
          "* 1 FETCH (BODY[] {" + M1.length() + "}", c.send("G UID FETCH 1 BODY.PEEK[]").line());
      c.bytes(M1.length());
      assertEquals(" UID 1)", c.line());
    }
  }

  @Test
  void I13_BYE_AUTOLOGOUT_saysByeAfterTheInactivityTime() throws IOException {
    try (FakeImapServer imap =
            FakeImapServer.builder()
                .account("u", "p")
                .quirk(ImapQuirk.I13_BYE_AUTOLOGOUT)
                .idleTimeout(Duration.ofMillis(300))
                .start();
        ImapRawClient c = selected(imap)) {
      assertEquals("* BYE Autologout; idle for too long", c.line());
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void I14_UNAVAILABLE_ONCE_refusesSelectInTheFirstSession() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I14_UNAVAILABLE_ONCE);
        ImapRawClient c = new ImapRawClient(imap).login("u", "p");
        ImapRawClient d = new ImapRawClient(imap).login("u", "p")) {
      assertEquals("S NO [UNAVAILABLE] Temporary failure", c.tagged("S", "SELECT INBOX"));
      assertTrue(d.tagged("S", "SELECT INBOX").startsWith("S OK"));
    }
  }

  @Test
  void I15_CAPABILITIES_GROW_AFTER_LOGIN_listsTheRestOnlyAfterLogin() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I15_CAPABILITIES_GROW_AFTER_LOGIN);
        ImapRawClient c = new ImapRawClient(imap)) {
      assertEquals(
          "* OK [CAPABILITY IMAP4rev1 IMAP4rev2 SASL-IR AUTH=PLAIN] mailfetch testkit IMAP ready",
          c.line());
      assertEquals("L OK Logged in", c.tagged("L", "LOGIN u p"));
      String caps = c.ask("C", "CAPABILITY").get(0);
      assertTrue(
          caps.contains(" UIDPLUS") && caps.contains(" MOVE") && caps.contains(" IDLE"), caps);
    }
  }

  @Test
  void I16_NIL_DELIMITER_listsNilAsDelimiter() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I16_NIL_DELIMITER);
        ImapRawClient c = new ImapRawClient(imap).login("u", "p")) {
      assertEquals("* LIST (\\Noselect) NIL \"\"", c.ask("D", "LIST \"\" \"\"").get(0));
      assertEquals("* LIST (\\HasNoChildren) NIL \"INBOX\"", c.ask("L", "LIST \"\" \"*\"").get(0));
    }
  }

  @Test
  void I17_UNTAGGED_ALERT_alertsInSelectAndFetch() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I17_UNTAGGED_ALERT);
        ImapRawClient c = new ImapRawClient(imap).login("u", "p")) {
      String alert = "* OK [ALERT] Your account is approaching its storage limit";
      assertTrue(c.ask("S", "SELECT INBOX").contains(alert));
      List<String> f = c.ask("F", "UID FETCH 1:2 (UID)");
      assertEquals(
          List.of("* 1 FETCH (UID 1)", alert, "* 2 FETCH (UID 2)", "F OK FETCH completed"), f);
    }
  }

  @Test
  void I18_SELECT_WITHOUT_RECENT_AND_FLAGS_leavesBothOut() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I18_SELECT_WITHOUT_RECENT_AND_FLAGS);
        ImapRawClient c = new ImapRawClient(imap).login("u", "p")) {
      List<String> sel = c.ask("S", "SELECT INBOX");
      assertTrue(
          sel.stream().noneMatch(l -> l.endsWith("RECENT") || l.startsWith("* FLAGS")),
          sel.toString());
      assertTrue(sel.contains("* 3 EXISTS"));
    }
  }

  @Test
  void I19_PEEK_SETS_SEEN_setsSeenOnPeek() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I19_PEEK_SETS_SEEN);
        ImapRawClient c = selected(imap)) {
      c.send("F UID FETCH 1 BODY.PEEK[]").line();
      c.bytes(M1.length());
      assertEquals(" FLAGS (\\Seen))", c.line());
      assertEquals(Optional.of(Set.of("\\Seen")), imap.source().flags("u", "INBOX", 1));
    }
  }

  @Test
  void I20_RETRIEVAL_FAILED_NOTICE_servesANoticeForTheFirstMessage() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I20_RETRIEVAL_FAILED_NOTICE);
        ImapRawClient c = selected(imap)) {
      String notice = "Retrieval using the IMAP4 protocol failed for the following message: 1\r\n";
      assertEquals(
          "* 1 FETCH (UID 1 RFC822.SIZE " + notice.length() + " BODY[] {" + notice.length() + "}",
          c.send("F UID FETCH 1 (RFC822.SIZE BODY.PEEK[])").line());
      assertEquals(notice, text(c.bytes(notice.length())));
      c.until("F");
      assertEquals(
          "* 2 FETCH (UID 2 RFC822.SIZE " + M2.length() + ")",
          c.ask("G", "UID FETCH 2 (RFC822.SIZE)").get(0));
    }
  }

  @Test
  void I21_NO_UIDPLUS_refusesUidExpunge() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I21_NO_UIDPLUS);
        ImapRawClient c = new ImapRawClient(imap)) {
      assertFalse(c.line().contains("UIDPLUS"));
      c.tagged("L", "LOGIN u p");
      c.ask("S", "SELECT INBOX");
      assertTrue(c.tagged("X", "UID EXPUNGE 1").startsWith("X BAD"));
    }
  }

  @Test
  void I22_NO_MOVE_refusesMove() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I22_NO_MOVE);
        ImapRawClient c = new ImapRawClient(imap)) {
      assertFalse(c.line().contains("MOVE"));
      c.tagged("L", "LOGIN u p");
      c.ask("S", "SELECT INBOX");
      assertEquals("M BAD MOVE not offered", c.tagged("M", "UID MOVE 1 INBOX"));
    }
  }

  @Test
  void I23_TOO_MANY_CONNECTIONS_refusesASecondSession() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I23_TOO_MANY_CONNECTIONS);
        ImapRawClient c = new ImapRawClient(imap).login("u", "p");
        ImapRawClient d = new ImapRawClient(imap)) {
      d.line();
      assertEquals(
          "L NO [ALERT] Too many simultaneous connections. (Failure)", d.tagged("L", "LOGIN u p"));
      assertTrue(c.tagged("N", "NOOP").startsWith("N OK"), "the first session goes on");
    }
    try (FakeImapServer imap = start(ImapQuirk.I23_TOO_MANY_CONNECTIONS)) {
      try (ImapRawClient c = new ImapRawClient(imap).login("u", "p")) {
        c.tagged("O", "LOGOUT");
      }
      imap.awaitSessionsEnded(Duration.ofSeconds(5));
      try (ImapRawClient d = new ImapRawClient(imap).login("u", "p")) {
        assertTrue(d.tagged("N", "NOOP").startsWith("N OK"), "one after the other is fine");
      }
    }
  }

  @Test
  void I24_WEBALERT_LOGIN_refusesEveryLogin() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I24_WEBALERT_LOGIN);
        ImapRawClient c = new ImapRawClient(imap)) {
      c.line();
      assertEquals(
          List.of(
              "* NO [WEBALERT https://accounts.google.com/signin/continue?sarp=1&scc=1] Web login"
                  + " required.",
              "L NO [ALERT] Please log in via your web browser:"
                  + " https://support.google.com/mail/accounts/answer/78754 (Failure)"),
          c.ask("L", "LOGIN u p"));
    }
  }

  @Test
  void I25_UNSOLICITED_FLAGS_DURING_FETCH_sendsFlagsWithoutUid() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I25_UNSOLICITED_FLAGS_DURING_FETCH);
        ImapRawClient c = selected(imap)) {
      assertEquals(
          List.of(
              "* 1 FETCH (UID 1)",
              "* 3 FETCH (FLAGS (\\Flagged))",
              "* 2 FETCH (UID 2)",
              "F OK FETCH completed"),
          c.ask("F", "UID FETCH 1:2 (UID)"));
    }
  }

  @Test
  void I26_EXPUNGED_SERVED_AS_NOTICE_servesCouriersNoticeInPlaceOfTheFirst() throws IOException {
    try (FakeImapServer imap = start(ImapQuirk.I26_EXPUNGED_SERVED_AS_NOTICE);
        ImapRawClient c = selected(imap)) {
      String notice =
          "From: System Administrator <root@localhost>\r\n"
              + "Subject: message unavailable\r\n"
              + "\r\n"
              + "This message is no longer available on the server.\r\n";
      assertEquals(129, notice.length());
      assertEquals("* 1 FETCH (UID 1 BODY[] {129}", c.send("F UID FETCH 1:2 BODY.PEEK[]").line());
      assertEquals(notice, text(c.bytes(129)));
      assertEquals(")", c.line());
      assertEquals("* 1 FETCH (UID 2 BODY[] {" + M2.length() + "}", c.line());
      assertEquals(M2, text(c.bytes(M2.length())));
      assertEquals(List.of(")", "F OK FETCH completed"), c.until("F"));
      assertEquals(List.of(2L, 3L), imap.source().uids("u", "INBOX"), "no EXPUNGE was sent");
    }
  }

  @Test
  void everyImapQuirkHasATestNamedAfterItAndAnId() {
    List<String> names = new ArrayList<>();
    for (Method m : ImapQuirkTest.class.getDeclaredMethods()) {
      names.add(m.getName());
    }
    List<String> missing = new ArrayList<>();
    for (ImapQuirk q : ImapQuirk.values()) {
      if (names.stream().noneMatch(n -> n.startsWith(q.name() + "_"))) {
        missing.add(q.name());
      }
      assertEquals(q.id(), QuirkId.parse(q.name()).orElseThrow(), q + " is read back as its ID");
    }
    assertEquals(List.of(), missing);
    for (QuirkId id : QuirkId.values()) {
      if (id.name().startsWith("I")) {
        assertTrue(
            List.of(ImapQuirk.values()).stream().anyMatch(q -> q.id() == id),
            id + " has a constant the fake IMAP server plays");
      }
    }
  }
}
