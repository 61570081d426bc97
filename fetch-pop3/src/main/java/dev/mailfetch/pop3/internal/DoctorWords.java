package dev.mailfetch.pop3.internal;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Small pieces of the doctor's words that several stages say the same way. */
final class DoctorWords {
  private DoctorWords() {}

  /** How far {@code b} is from {@code a}, exactly: two sizes in words may round to the same. */
  static String apart(long a, long b) {
    long d = Math.abs(b - a);
    return " ("
        + (d == 1 ? "1 byte" : String.format(Locale.ROOT, "%,d bytes", d))
        + (b > a ? " more" : " fewer")
        + ")";
  }

  /** A time in seconds, in the words the limits use ("30 s", "5.1 s"). */
  static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  /** At most 40 characters of {@code s}, an ellipsis marking a cut. */
  static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  /** "message 1", "messages 1 and 3", "messages 1, 3 and 5". */
  static String messages(List<Integer> ns) {
    if (ns.size() == 1) {
      return "message " + ns.get(0);
    }
    String head =
        ns.subList(0, ns.size() - 1).stream()
            .map(String::valueOf)
            .collect(Collectors.joining(", "));
    return "messages " + head + " and " + ns.get(ns.size() - 1);
  }
}
