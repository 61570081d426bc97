package dev.mailfetch.api.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * mailfetch's one way of saying a size to a person: decimal (SI) units, B, kB, MB, GB, TB, as disks
 * and network rates are sold and as {@code --max-message-size 25M} is read (M is 1,000,000 bytes);
 * three significant figures at most ("4.1 MB", "26.7 MB", "812 kB"), a whole number without ".0".
 * The engine's messages, the doctor's report and the command's progress, summaries and poll lines
 * all say sizes through here, so that one message is never "21 kB" in one place and "20.5 KiB" in
 * another. Exact byte counts belong in JSON, not in words. Counts of things are said here too
 * ({@link #count}), so that "1 duplicates" cannot come back in one report of many.
 */
public final class Sizes {
  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

  private Sizes() {}

  /** A size in bytes, in words: "0 B", "999 B", "1.5 kB", "26.7 MB", "1 GB". */
  public static String size(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    double v = bytes;
    int unit = 0;
    while (unit < UNITS.length - 1 && Math.round(v * 10) / 10.0 >= 999.5) {
      v /= 1000;
      unit++;
    }
    // Rounded as String.format's "%.1f" and "%.0f" round (half up, on the double's shortest
    // decimal form), without a Formatter: its first floating-point conversion loads the JDK's
    // locale data, 7 ms of a short run's summary (docs/benchmarks.md).
    BigDecimal rounded =
        BigDecimal.valueOf(v)
            .setScale(v < 99.95 ? 1 : 0, RoundingMode.HALF_UP)
            .stripTrailingZeros();
    return rounded.toPlainString() + " " + UNITS[unit];
  }

  /** A transfer rate: "9.2 MB/s". */
  public static String rate(double bytesPerSecond) {
    return size(Math.round(Math.max(0, bytesPerSecond))) + "/s";
  }

  /**
   * The value to give {@code --max-message-size} so that a message of {@code bytes} is fetched: the
   * smallest whole number of K (below 1 MB) or M at least as large ("30K", "201M").
   */
  public static String sizeOption(long bytes) {
    if (bytes < 1_000_000) {
      return Math.max(1, ceilDiv(bytes, 1000)) + "K";
    }
    return ceilDiv(bytes, 1_000_000) + "M";
  }

  /**
   * A count and what it counts, in the singular for one: "1 run", "3 runs", "0 warnings". For nouns
   * whose plural adds an s (every one the reports count); the number as digits, without grouping,
   * as the summaries print counts.
   */
  public static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
