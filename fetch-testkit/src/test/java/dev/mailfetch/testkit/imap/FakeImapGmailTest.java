package dev.mailfetch.testkit.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link FakeImapServer.Builder#gmail()}: labels instead of copies (docs/testkit.md cites why). */
class FakeImapGmailTest {
  static final byte[] MSG = "Subject: g\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

  @Test
  void gmailGreetsListsAndLabelsAsGmailDoes() throws IOException {
    try (FakeImapServer imap =
            FakeImapServer.builder().account("me@gmail.com", "pw").gmail().start();
        ImapRawClient c = new ImapRawClient(imap)) {
      String greeting = c.line();
      assertTrue(greeting.contains("X-GM-EXT-1"), greeting);
      assertTrue(greeting.endsWith("Gimap ready for requests from 127.0.0.1"), greeting);
      assertTrue(c.tagged("L", "LOGIN me@gmail.com pw").startsWith("L OK"));
      assertEquals("* LIST (\\Noselect) \"/\" \"\"", c.ask("D", "LIST \"\" \"\"").get(0));
      List<String> all = c.ask("D2", "LIST \"\" \"*\"");
      assertTrue(
          all.contains("* LIST (\\All \\HasNoChildren) \"/\" \"[Gmail]/All Mail\""),
          all.toString());

      c.send("A1 APPEND INBOX {" + MSG.length + "+}").raw(MSG).send("");
      assertTrue(c.until("A1").get(0).matches("A1 OK \\[APPENDUID \\d+ 1\\] APPEND completed"));
      c.send("A2 APPEND \"[Gmail]/All Mail\" {" + MSG.length + "+}").raw(MSG).send("");
      assertTrue(c.until("A2").get(0).startsWith("A2 OK [APPENDUID"));
      assertEquals(Set.of("\\Inbox"), imap.messages("me@gmail.com", "INBOX").get(0).labels());
      assertEquals(
          1, imap.messages("me@gmail.com", "INBOX").size(), "the archived one is not there");
      assertEquals(2, imap.messages("me@gmail.com", "[Gmail]/All Mail").size());

      c.ask("S", "SELECT \"[Gmail]/All Mail\"");
      assertEquals(
          "* 2 FETCH (X-GM-LABELS (\"Work/Invoices\" \\Important) UID 2)",
          c.ask("T", "UID STORE 2 +X-GM-LABELS (\"Work/Invoices\" \\Important)").get(0));
      assertEquals(
          "* 1 FETCH (UID 1 X-GM-LABELS (\\Inbox))",
          c.ask("F", "UID FETCH 1 (X-GM-LABELS)").get(0));
      assertEquals("* SEARCH 2", c.ask("Q", "UID SEARCH X-GM-LABELS \"Work/Invoices\"").get(0));
      assertTrue(imap.folders("me@gmail.com").contains("Work/Invoices"), "a new label is a folder");
      assertEquals("* SEARCH", c.ask("Q2", "UID SEARCH X-GM-LABELS Nowhere").get(0));
      assertFalse(imap.folders("me@gmail.com").contains("Nowhere"), "a search creates nothing");
      assertEquals(1, imap.messages("me@gmail.com", "Work/Invoices").size());
      assertEquals(2, imap.messages("me@gmail.com").size(), "each message once");
    }
  }

  @Test
  void xGmLabelsIsRefusedWhereGmailIsNot() throws IOException {
    try (FakeImapServer imap = FakeImapServer.builder().account("a", "b").start();
        ImapRawClient c = new ImapRawClient(imap).login("a", "b")) {
      imap.deliver("a", "INBOX", MSG);
      c.ask("S", "SELECT INBOX");
      assertEquals(
          "T BAD X-GM-LABELS is Gmail's (X-GM-EXT-1), not offered here",
          c.tagged("T", "UID STORE 1 +X-GM-LABELS (x)"));
    }
  }
}
