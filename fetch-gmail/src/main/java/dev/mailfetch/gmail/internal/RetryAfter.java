package dev.mailfetch.gmail.internal;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * Gmail's {@code Retry-After} header (RFC 9110 §10.2.3: seconds, or an HTTP date), capped at an
 * hour so that a wild value cannot hold the sink's requests for longer.
 */
final class RetryAfter {
  private RetryAfter() {}

  /** The wait asked for in nanoseconds; below 0 if absent or unreadable. */
  static long nanos(HttpHeaders h, long nowMillis) {
    Optional<String> v = h.firstValue("Retry-After");
    if (v.isEmpty()) {
      return -1;
    }
    String s = v.get().trim();
    try {
      long secs = Long.parseLong(s);
      return secs < 0 ? -1 : Duration.ofSeconds(Math.min(secs, 3600)).toNanos();
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime when = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME);
        long ms = when.toInstant().toEpochMilli() - nowMillis;
        return Duration.ofMillis(Math.max(0, Math.min(ms, 3_600_000))).toNanos();
      } catch (RuntimeException notADate) {
        return -1;
      }
    }
  }
}
