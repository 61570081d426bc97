package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The rules a listing line is read by: one hand parse for LIST and UIDL, one rule for a UID. */
class ListingReaderTest {
  @Test
  void validUid_isUidRulesClientRule_printableAsciiUpToTheClientsMaximum() {
    assertEquals("abc-123", ListingReader.validUid("abc-123"));
    assertEquals("x".repeat(UidRule.CLIENT_MAX_LENGTH), ListingReader.validUid("x".repeat(1000)));
    assertNull(ListingReader.validUid(""));
    assertNull(ListingReader.validUid("x".repeat(UidRule.CLIENT_MAX_LENGTH + 1)));
    assertNull(ListingReader.validUid("a b"));
    assertNull(ListingReader.validUid("caf\u00e9"));
    assertNull(ListingReader.validUid("a\u007f"));
    assertNull(ListingReader.validUid("abc" + Pop3Connection.TRUNCATED));
  }

  @Test
  void number_isANonNegativeDecimalOfAtMost18Digits() {
    assertEquals(0, ListingReader.number("0"));
    assertEquals(123_456_789_012_345_678L, ListingReader.number("123456789012345678"));
    assertEquals(-1, ListingReader.number("1234567890123456789"));
    assertEquals(-1, ListingReader.number(""));
    assertEquals(-1, ListingReader.number("-1"));
    assertEquals(-1, ListingReader.number("12a"));
  }

  @Test
  void token_andIndexOfSpace_splitOnSpacesAndTabsOnly() {
    String line = "12 \t 3456\textra";
    int sp = ListingReader.indexOfSpace(line, 0);
    assertEquals(2, sp);
    assertEquals("12", line.substring(0, sp));
    assertEquals("3456", ListingReader.token(line, sp));
    assertEquals("", ListingReader.token("12", 2));
    assertEquals(-1, ListingReader.indexOfSpace("12", 0));
    assertEquals("\u000b", ListingReader.token("1 \u000b 2", 1));
  }
}
