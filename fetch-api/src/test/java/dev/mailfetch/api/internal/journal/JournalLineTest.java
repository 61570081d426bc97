package dev.mailfetch.api.internal.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** One record's text: what is written reads back the same, and damage reads as nothing. */
class JournalLineTest {
  private static final DeliveryKey KEY = DeliveryKey.of("a@example.org", "uid-1");

  private static JournalLine read(String text) {
    assertTrue(text.endsWith("\n"));
    return JournalLine.parse(text.substring(0, text.length() - 1));
  }

  @Test
  void aRecord_readsBackAsWritten_evenWithSpacesNonAsciiDashesAndNoneInItsFields() {
    JournalLine rec =
        new JournalLine("I", KEY, Arrays.asList("<tw o\u00e9%@example.org>", null, "-", "", "42"));
    assertEquals(rec, read(rec.text()));
    assertEquals(JournalLine.of("W", KEY), read(JournalLine.of("W", KEY).text()));
  }

  @Test
  void aLineCutShort_orWithAWrongCrc_orWithoutKindOrKey_isNothing() {
    String line = JournalLine.of("A", KEY, "18c0").text().trim();
    assertNull(JournalLine.parse(line.substring(0, line.length() - 2)), "cut short");
    assertNull(JournalLine.parse(line.replace("18c0", "18c1")), "another byte");
    assertNull(JournalLine.parse("no-space-at-all"));
    assertNull(read(JournalLine.framed("XY " + KEY)), "a kind of two letters");
    assertNull(read(JournalLine.framed("A 12zz")), "no delivery key");
    assertNull(read(JournalLine.framed("A " + KEY + " %zz")), "a % without hex digits");
  }

  @Test
  void escape_leavesNoSpaceLineEndOrNonAscii_andUnescapeUndoesIt() {
    String id = "<a b\r\n\u00fc%@x>";
    String e = JournalLine.escape(id);
    assertTrue(e.chars().allMatch(c -> c > 0x20 && c < 0x7f), e);
    assertEquals(id, JournalLine.unescape(e));
    assertEquals("<plain@x>", JournalLine.escape("<plain@x>"));
    assertEquals("%2d", JournalLine.escape("-"), "a lone dash is not none");
  }
}
