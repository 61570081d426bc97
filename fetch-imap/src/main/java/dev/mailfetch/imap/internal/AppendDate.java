package dev.mailfetch.imap.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code INTERNALDATE} of an {@code APPEND} (RFC 9051 §6.3.12, {@code date-time}): the
 * message's own {@code Date:} header where it can be read (RFC 5322 §3.3, with the obsolete forms
 * of §4.3: two-digit years, named zones, comments), else the time it was fetched. A Date that
 * cannot be read is not an error: mail clients show the fetch time then, as they would for a
 * message without one.
 */
public final class AppendDate {
  private AppendDate() {}

  private static final String[] MONTHS = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
  };

  private static final Map<String, Integer> ZONES =
      Map.ofEntries(
          Map.entry("ut", 0),
          Map.entry("utc", 0),
          Map.entry("gmt", 0),
          Map.entry("z", 0),
          Map.entry("edt", -4),
          Map.entry("est", -5),
          Map.entry("cdt", -5),
          Map.entry("cst", -6),
          Map.entry("mdt", -6),
          Map.entry("mst", -7),
          Map.entry("pdt", -7),
          Map.entry("pst", -8));

  private static final DateTimeFormatter IMAP =
      DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss xx", Locale.ROOT);

  /**
   * The date to append {@code headerText} (the message's header block) with, in IMAP's form without
   * quotes ({@code 21-Nov-2026 20:48:21 +0100}); {@code fetched} where the block has no Date header
   * that can be read.
   */
  public static String of(String headerText, Instant fetched) {
    String s = IMAP.format(zoned(headerText, fetched));
    // date-day-fixed is a space and one digit, or two digits; the month is capitalized.
    return (s.charAt(0) == '0' ? " " + s.substring(1) : s);
  }

  /** As {@link #of}, as a value: the Date header's time in its own zone, else {@code fetched}. */
  public static ZonedDateTime zoned(String headerText, Instant fetched) {
    OffsetDateTime t = dateHeader(headerText);
    return (t == null ? fetched.atOffset(ZoneOffset.UTC) : t).toZonedDateTime();
  }

  /** The Date header of {@code headerText}, or null where there is none that can be read. */
  static OffsetDateTime dateHeader(String headerText) {
    String value = HeaderFields.value(headerText, "date");
    return value == null ? null : parse(value);
  }

  /** An RFC 5322 date-time, or null. */
  static OffsetDateTime parse(String value) {
    String s = value.replaceAll("\\([^()]*\\)", " ").replace(',', ' ').trim();
    String[] t = s.split("[ \t\r\n]+");
    int i = 0;
    if (t.length > 0 && !t[0].isEmpty() && Character.isLetter(t[0].charAt(0))) {
      i = 1; // the day of the week, which says nothing the date does not
    }
    if (t.length - i < 4) {
      return null;
    }
    try {
      int day = Integer.parseInt(t[i]);
      int month = month(t[i + 1]);
      int year = Integer.parseInt(t[i + 2]);
      if (t[i + 2].length() <= 2) {
        year += year < 50 ? 2000 : 1900;
      } else if (t[i + 2].length() == 3) {
        year += 1900;
      }
      String[] hms = t[i + 3].split(":");
      if (month < 0 || hms.length < 2 || hms.length > 3) {
        return null;
      }
      int hour = Integer.parseInt(hms[0]);
      int minute = Integer.parseInt(hms[1]);
      int second = hms.length == 3 ? Integer.parseInt(hms[2]) : 0;
      ZoneOffset zone = t.length - i > 4 ? zone(t[i + 4]) : ZoneOffset.UTC;
      if (zone == null) {
        return null;
      }
      // A leap second (:60) is read as the last second of its minute.
      return OffsetDateTime.of(
          LocalDateTime.of(year, month + 1, day, hour, minute, Math.min(second, 59)), zone);
    } catch (NumberFormatException | DateTimeException e) {
      return null;
    }
  }

  private static int month(String name) {
    String m = name.toLowerCase(Locale.ROOT);
    for (int i = 0; i < MONTHS.length; i++) {
      if (m.startsWith(MONTHS[i])) {
        return i;
      }
    }
    return -1;
  }

  private static ZoneOffset zone(String z) {
    if ((z.startsWith("+") || z.startsWith("-")) && z.length() == 5) {
      int hh = Integer.parseInt(z.substring(1, 3));
      int mm = Integer.parseInt(z.substring(3, 5));
      int sign = z.charAt(0) == '-' ? -1 : 1;
      if (hh > 18 || mm > 59) {
        return null;
      }
      return ZoneOffset.ofHoursMinutes(sign * hh, sign * mm);
    }
    Integer hours = ZONES.get(z.toLowerCase(Locale.ROOT));
    // RFC 5322 §4.3: any other zone name (military letters included) means "unknown": UTC.
    return ZoneOffset.ofHours(hours == null ? 0 : hours);
  }
}
