package dev.mailfetch.sink;

import dev.mailfetch.api.DeliveryKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * The {@code From } line mailfetch writes before each message it appends to an mbox: {@code From
 * mailfetch+<key>.<length>[n]@localhost <date>}, n when a final newline was added. It is what makes
 * the mbox idempotent: mail programs keep the line and show nothing of it, and at open it names the
 * messages held and how long each must be, so a message cut short by a crash is found.
 *
 * @param key the message's delivery key
 * @param length the quoted message's length in the mbox, after this line and before the blank line
 * @param addedNewline whether mailfetch added the message's final line end
 */
record MboxFromLine(DeliveryKey key, long length, boolean addedNewline) {
  /** How every From line of ours starts. */
  static final byte[] OURS = "From mailfetch+".getBytes(StandardCharsets.US_ASCII);

  /** How the From line of the message under {@code key} starts. */
  static byte[] marker(DeliveryKey key) {
    return ("From mailfetch+" + key + ".").getBytes(StandardCharsets.US_ASCII);
  }

  /** The line of ours in {@code b} from {@code from} to its line end at {@code eol}, or null. */
  static MboxFromLine parse(byte[] b, int from, int eol) {
    String line = new String(b, from, eol - from, StandardCharsets.US_ASCII);
    int at = line.indexOf('@');
    if (!line.startsWith("From mailfetch+") || at < 0 || at < 15 + 64 + 2) {
      return null;
    }
    try {
      DeliveryKey key = DeliveryKey.parse(line.substring(15, 79));
      String len = line.substring(80, at);
      boolean addedNewline = len.endsWith("n");
      long length = Long.parseLong(addedNewline ? len.substring(0, len.length() - 1) : len);
      return line.charAt(79) == '.' && length >= 0
          ? new MboxFromLine(key, length, addedNewline)
          : null;
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      return null;
    }
  }

  /**
   * The line, with its line end, dated {@code when} (UTC, in the asctime form mbox readers want).
   */
  byte[] bytes(Instant when) {
    ZonedDateTime t = when.atZone(ZoneOffset.UTC);
    String date =
        String.format(
            Locale.ROOT,
            "%s %s %2d %02d:%02d:%02d %d",
            t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT),
            t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ROOT),
            t.getDayOfMonth(),
            t.getHour(),
            t.getMinute(),
            t.getSecond(),
            t.getYear());
    return ("From mailfetch+"
            + key
            + "."
            + length
            + (addedNewline ? "n" : "")
            + "@localhost "
            + date
            + "\n")
        .getBytes(StandardCharsets.US_ASCII);
  }
}
