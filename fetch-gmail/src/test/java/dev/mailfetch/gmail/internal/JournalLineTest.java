package dev.mailfetch.gmail.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import org.junit.jupiter.api.Test;

/** One journal record's text: what is written reads back the same, and damage reads as nothing. */
class JournalLineTest {
  private static final DeliveryKey KEY = DeliveryKey.of("a@example.org", "uid-1");
  private static final String SHA = "0123456789abcdef".repeat(4);

  private static String[] read(String body) {
    String line = JournalLine.of(body);
    assertTrue(line.endsWith("\n"));
    return JournalLine.parse(line.substring(0, line.length() - 1));
  }

  @Test
  void anIntent_readsBackAsWritten_evenWithSpacesAndNonAsciiInItsMessageId() {
    Journal.Intent in = new Journal.Intent("<tw o\u00e9%@example.org>", 42, 7, SHA, 1234);
    String[] rec = read(JournalLine.intent(KEY, in));
    assertEquals(7, rec.length);
    assertEquals(in, JournalLine.intentOf(rec));
    Journal.Intent none = new Journal.Intent(null, 0, -1, null, 0);
    assertEquals(none, JournalLine.intentOf(read(JournalLine.intent(KEY, none))));
  }

  @Test
  void anIntentOfAnOlderJournal_withoutHistoryIdOrDigest_isRead() {
    assertEquals(
        new Journal.Intent("<a@b>", 10), JournalLine.intentOf(read("I " + KEY + " 10 <a@b>")));
  }

  @Test
  void answersWithdrawalsAndTheHeader_keepTheirFields() {
    assertArrayEquals(
        new String[] {"A", KEY.toString(), "18c0"}, read(JournalLine.answer(KEY, "18c0")));
    assertArrayEquals(new String[] {"W", KEY.toString()}, read(JournalLine.withdrawal(KEY)));
    assertArrayEquals(new String[] {"H", "me@gmail.com"}, read(JournalLine.header("me@gmail.com")));
  }

  @Test
  void aLineCutShort_orWithAWrongCrc_orOfNoKnownShape_isNothing() {
    String line = JournalLine.of(JournalLine.answer(KEY, "18c0"));
    assertNull(JournalLine.parse(line.substring(0, line.length() - 3)), "cut short");
    assertNull(JournalLine.parse(line.replace("18c0", "18c1").trim()), "another byte");
    assertNull(JournalLine.parse("no-space-at-all"));
    assertNull(read("X " + KEY), "no known kind");
    assertNull(read("A " + KEY + " "), "an answer without an id");
    assertNull(read("I " + KEY + " -1 -"), "a negative size");
    assertNull(read("I " + KEY + " 1 - 5 NOTHEX 0"), "a digest that is not hex");
    assertNull(read("I " + KEY + " 1 - 5"), "five fields");
  }

  @Test
  void escape_leavesNoSpaceLineEndOrNonAscii_andUnescapeUndoesIt() {
    String id = "<a b\r\n\u00fc%@x>";
    String e = JournalLine.escape(id);
    assertTrue(e.chars().allMatch(c -> c > 0x20 && c < 0x7f), e);
    assertEquals(id, JournalLine.unescape(e));
    assertEquals("<plain@x>", JournalLine.escape("<plain@x>"));
  }
}
