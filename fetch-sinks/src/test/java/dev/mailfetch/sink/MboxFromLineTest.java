package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.mailfetch.api.DeliveryKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The From line mailfetch writes into an mbox: its form, and that it reads back. */
class MboxFromLineTest {
  private static final DeliveryKey KEY = DeliveryKey.of("acct", "uid-1");

  @Test
  void theLine_namesKeyLengthAndAddedNewline_inAsctimeForm() {
    byte[] line = new MboxFromLine(KEY, 1234, true).bytes(Instant.parse("2026-03-05T07:08:09Z"));
    assertEquals(
        "From mailfetch+" + KEY + ".1234n@localhost Thu Mar  5 07:08:09 2026\n",
        new String(line, StandardCharsets.US_ASCII));
  }

  @Property(tries = 300)
  void everyLine_readsBack(
      @ForAll @AlphaChars @StringLength(min = 1, max = 20) String uid,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long length,
      @ForAll boolean addedNewline,
      @ForAll @LongRange(min = 0, max = 4_000_000_000L) long epochSecond) {
    MboxFromLine written = new MboxFromLine(DeliveryKey.of("a", uid), length, addedNewline);
    byte[] b = written.bytes(Instant.ofEpochSecond(epochSecond));
    assertEquals(written, MboxFromLine.parse(b, 0, b.length - 1));
  }

  @Test
  void anotherProgramsFromLine_isNotOurs() {
    byte[] b =
        "From alice@example.org Thu Mar  5 07:08:09 2026".getBytes(StandardCharsets.US_ASCII);
    assertNull(MboxFromLine.parse(b, 0, b.length));
    byte[] cut = ("From mailfetch+" + KEY + ".12x@localhost").getBytes(StandardCharsets.US_ASCII);
    assertNull(MboxFromLine.parse(cut, 0, cut.length));
  }
}
