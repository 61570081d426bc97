package dev.mailfetch.dedup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** The lines of headers.journal: each reads back, and a damaged one is skipped, never misread. */
class FingerprintJournalTest {

  @Property(tries = 300)
  void aLine_readsBackAsItsUidAndFingerprint(
      @ForAll @CharRange(from = '!', to = '~') @Chars({'ä', '日'}) @StringLength(min = 1, max = 70)
          String uid,
      @ForAll @Size(min = 1, max = 40) byte[] fingerprint) {
    String line = FingerprintJournal.line(uid, fingerprint);
    Map.Entry<String, byte[]> back = FingerprintJournal.parse(line.substring(0, line.length() - 1));
    assertNotNull(back);
    assertEquals(uid, back.getKey());
    assertArrayEquals(fingerprint, back.getValue());
  }

  @Property(tries = 300)
  void aLineWithOneCharacterChanged_isSkipped(
      @ForAll @CharRange(from = '!', to = '~') @StringLength(min = 1, max = 70) String uid,
      @ForAll @Size(min = 1, max = 40) byte[] fingerprint,
      @ForAll @IntRange(min = 0, max = 10_000) int where,
      @ForAll @CharRange(from = ' ', to = '~') char replacement) {
    String line = FingerprintJournal.line(uid, fingerprint);
    String text = line.substring(0, line.length() - 1);
    int at = where % text.length();
    Assume.that(text.charAt(at) != replacement);
    String damaged = text.substring(0, at) + replacement + text.substring(at + 1);
    assertNull(FingerprintJournal.parse(damaged), damaged);
  }
}
