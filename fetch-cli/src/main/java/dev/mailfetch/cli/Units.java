package dev.mailfetch.cli;

import dev.mailfetch.api.internal.Sizes;
import java.util.Locale;

/**
 * The command's units: sizes as the library says them ({@code Sizes}: decimal, B, kB, MB, GB, as
 * {@code --max-message-size 25M} is read), and spans of time. Progress, summaries and poll lines
 * all say sizes through here; no raw byte counts in text (the JSON carries exact bytes).
 */
final class Units {
  private Units() {}

  /**
   * A size in bytes, in words: "0 B", "999 B", "1.5 kB", "26.7 MB", "1 GB" (the library's own
   * words).
   */
  static String size(long bytes) {
    return Sizes.size(bytes);
  }

  /**
   * A count and what it counts, in the singular for one: "1 duplicate", "3 duplicates" (the
   * library's own words).
   */
  static String count(long n, String noun) {
    return Sizes.count(n, noun);
  }

  /** A transfer rate: "9.2 MB/s". */
  static String rate(double bytesPerSecond) {
    return Sizes.rate(bytesPerSecond);
  }

  /** A span of time a person reads at a glance: "4 s", "2 min 5 s", "1 h 2 min". */
  static String duration(long seconds) {
    if (seconds < 60) {
      return Math.max(0, seconds) + " s";
    }
    if (seconds < 3600) {
      return (seconds / 60) + " min" + (seconds % 60 == 0 ? "" : " " + (seconds % 60) + " s");
    }
    long minutes = (seconds % 3600) / 60;
    return (seconds / 3600) + " h" + (minutes == 0 ? "" : " " + minutes + " min");
  }

  /**
   * The value to give {@code --max-message-size} so that a message of {@code bytes} is fetched: the
   * smallest whole number of K (below 1 MB) or M at least as large ("30K", "201M").
   */
  static String sizeOption(long bytes) {
    return Sizes.sizeOption(bytes);
  }

  /**
   * The bytes a size option's {@code text} gives: a whole number of bytes, or with K, M or G (1000,
   * 1000000, 1000000000; any case), as {@code --max-message-size 25M} is read.
   *
   * @throws IllegalArgumentException in words naming {@code option} and the text, for the command
   *     to give as a bad argument
   */
  static long parseSize(String option, String text) {
    String t = text.strip().toUpperCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G")) {
      unit = t.endsWith("K") ? 1_000 : t.endsWith("M") ? 1_000_000 : 1_000_000_000;
      t = t.substring(0, t.length() - 1);
    }
    long v;
    try {
      v = Math.multiplyExact(Long.parseLong(t.strip()), unit);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + " " + text + ": write a size in bytes, or with K, M or G (25M)", e);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          option + " " + text + ": far too large; write a size in bytes, or with K, M or G (25M)",
          e);
    }
    if (v < 1) {
      throw new IllegalArgumentException(option + " " + text + ": must be 1 byte or more");
    }
    return v;
  }
}
