package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.MessageRef;
import org.junit.jupiter.api.Test;

class UidRuleTest {
  @Test
  void theRfcAllows70Characters_theClientKeysOnUpToMessageRefsLimit() {
    assertEquals(70, UidRule.RFC_MAX_LENGTH);
    assertEquals(MessageRef.MAX_UID_LENGTH, UidRule.CLIENT_MAX_LENGTH);
    String seventy = "a".repeat(70);
    String seventyOne = "a".repeat(71);
    assertTrue(UidRule.rfcValid(seventy));
    assertFalse(UidRule.rfcValid(seventyOne));
    assertTrue(UidRule.clientValid(seventyOne));
    assertTrue(UidRule.clientValid("a".repeat(MessageRef.MAX_UID_LENGTH)));
    assertFalse(UidRule.clientValid("a".repeat(MessageRef.MAX_UID_LENGTH + 1)));
  }

  @Test
  void onlyPrintableAsciiWithoutSpaces_andNotEmpty_underBothRules() {
    for (String bad : new String[] {"", "a b", "a\tb", "é", "a\u007f", "a\u0000"}) {
      assertFalse(UidRule.rfcValid(bad), bad);
      assertFalse(UidRule.clientValid(bad), bad);
    }
    assertTrue(UidRule.rfcValid("!~"));
    assertTrue(UidRule.clientValid("!~"));
  }

  @Test
  void aCutListingLine_isNeverAValidId() {
    String cut = "abc" + Pop3Connection.TRUNCATED;
    assertFalse(UidRule.rfcValid(cut));
    assertFalse(UidRule.clientValid(cut));
  }
}
