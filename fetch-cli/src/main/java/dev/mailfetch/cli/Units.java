package dev.mailfetch.cli;

import java.util.Locale;

/**
 * The command's one system of units: decimal (SI) sizes, B, kB, MB, GB, TB, as disks and network
 * rates are sold and as {@code --max-message-size 25M} is read (M is 1,000,000 bytes). Three
 * significant figures at most ("4.1 MB", "26.7 MB", "812 kB"), a whole number without ".0".
 * Progress, summaries and poll lines all say sizes through here; no raw byte counts in text (the
 * JSON carries exact bytes).
 */
final class Units {
  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

  private Units() {}

  /** A size in bytes, in words: "0 B", "999 B", "1.5 kB", "26.7 MB", "1 GB". */
  static String size(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    double v = bytes;
    int unit = 0;
    while (unit < UNITS.length - 1 && Math.round(v * 10) / 10.0 >= 999.5) {
      v /= 1000;
      unit++;
    }
    String text = v < 99.95 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v);
    if (text.endsWith(".0")) {
      text = text.substring(0, text.length() - 2);
    }
    return text + " " + UNITS[unit];
  }

  /** A transfer rate: "9.2 MB/s". */
  static String rate(double bytesPerSecond) {
    return size(Math.round(Math.max(0, bytesPerSecond))) + "/s";
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
   * The value to give {@code --max-message-size} so that a message of {@code bytes} is fetched:
   * the smallest whole number of K (below 1 MB) or M at least as large ("30K", "201M").
   */
  static String sizeOption(long bytes) {
    if (bytes < 1_000_000) {
      return Math.max(1, ceilDiv(bytes, 1000)) + "K";
    }
    return ceilDiv(bytes, 1_000_000) + "M";
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
