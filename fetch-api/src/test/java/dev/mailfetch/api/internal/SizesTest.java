package dev.mailfetch.api.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class SizesTest {
  /** The common sizes are in AdviceTest and the command's ProgressTest; here, the edges. */
  @Test
  void roundingAtTheEdges_neverSaysFourFiguresOrAPointZero() {
    assertEquals("99.9 kB", Sizes.size(99_949));
    assertEquals("100 kB", Sizes.size(99_950));
    assertEquals("1 MB", Sizes.size(999_500));
    assertEquals("9.2 EB", Sizes.size(Long.MAX_VALUE));
    assertEquals("9.2 MB/s", Sizes.rate(9_212_345.6));
  }

  /** The words are those the Formatter gave before it was taken out of the summary's path. */
  @Property(tries = 5000)
  void sizesRoundAsStringFormatRoundsThem(@ForAll @LongRange(min = 0) long bytes) {
    assertEquals(formatted(bytes), Sizes.size(bytes));
  }

  @Property(tries = 2000)
  void sizesNearAUnitsEdgeRoundAsStringFormatRoundsThem(
      @ForAll @LongRange(min = 0, max = 2_000_000) long small, @ForAll boolean scaleUp) {
    long bytes = scaleUp ? small * 1000 + 499 : small;
    assertEquals(formatted(bytes), Sizes.size(bytes));
  }

  private static String formatted(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    double v = bytes;
    int unit = 0;
    while (unit < units.length - 1 && Math.round(v * 10) / 10.0 >= 999.5) {
      v /= 1000;
      unit++;
    }
    String text =
        v < 99.95 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v);
    if (text.endsWith(".0")) {
      text = text.substring(0, text.length() - 2);
    }
    return text + " " + units[unit];
  }
}
