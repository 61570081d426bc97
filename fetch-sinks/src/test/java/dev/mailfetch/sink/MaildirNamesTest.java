package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The names in a Maildir: a message's name gives its key back; a label's folder is one name. */
class MaildirNamesTest {

  @Property(tries = 300)
  void aMessagesName_givesItsKeyBack_alsoAfterAReaderAddedFlags(
      @ForAll @AlphaChars @StringLength(min = 1, max = 20) String uid,
      @ForAll @LongRange(min = 0, max = 1L << 40) long size) {
    DeliveryKey key = DeliveryKey.of("acct", uid);
    String name = MaildirNames.message(key, size);
    assertEquals(key, MaildirNames.keyOf(name));
    assertEquals(key, MaildirNames.keyOf(name + ":2,S"));
    assertEquals(name, MaildirNames.withoutInfo(name + ":2,RS"));
  }

  @Test
  void otherPrograms_namesHoldNoKey() {
    assertNull(MaildirNames.keyOf("1700000000.M1P2.host:2,S"));
    assertNull(MaildirNames.keyOf(DeliveryKey.of("a", "b") + "x"));
  }

  @Property(tries = 500)
  void aLabelsFolder_isOneSafeDirectoryName_inPrintableAscii(@ForAll String label) {
    String folder = MaildirNames.folderName(label);
    assertTrue(folder.startsWith("."), folder);
    assertFalse(folder.contains("/"), folder);
    assertFalse(folder.contains(".."), folder);
    assertTrue(folder.chars().allMatch(c -> c >= 0x20 && c <= 0x7e), folder);
  }

  @Test
  void tmpNames_areUniqueInThisProcess() {
    Instant now = Instant.now();
    assertFalse(MaildirNames.tmp(now).equals(MaildirNames.tmp(now)));
  }
}
