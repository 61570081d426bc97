package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.DeliveryKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * The text of one journal record, apart from any file, so that what a crash may leave on disk (a
 * line cut short, a garbled byte) can be judged line by line: {@code H mailbox}, {@code I key size
 * msgid historyId sha256 millis} (journals written before history ids were kept: {@code I key size
 * msgid}), {@code A key gmailId}, {@code W key}, each followed by the CRC-32 of the rest.
 */
final class JournalLine {
  private JournalLine() {}

  /** The line of {@code body}: the body, a space, its CRC-32 and a line end. */
  static String of(String body) {
    return body + " " + crc(body) + "\n";
  }

  static String header(String mailbox) {
    return "H " + mailbox;
  }

  static String answer(DeliveryKey key, String gmailId) {
    return "A " + key + " " + gmailId;
  }

  static String withdrawal(DeliveryKey key) {
    return "W " + key;
  }

  static String intent(DeliveryKey key, Journal.Intent in) {
    return "I "
        + key
        + " "
        + in.size()
        + " "
        + (in.messageId() == null ? "-" : escape(in.messageId()))
        + " "
        + in.historyId()
        + " "
        + (in.sha256() == null ? "-" : in.sha256())
        + " "
        + in.atMillis();
  }

  /** The fields of a line whose CRC is right and whose shape is known, else null. */
  static String[] parse(String line) {
    int sp = line.lastIndexOf(' ');
    if (sp < 0) {
      return null;
    }
    String body = line.substring(0, sp);
    if (!crc(body).equals(line.substring(sp + 1))) {
      return null;
    }
    String[] f = body.split(" ", -1);
    switch (f[0]) {
      case "H":
        return f.length == 2 ? f : null;
      case "I":
        if (f.length != 4 && f.length != 7) {
          return null;
        }
        try {
          if (f.length == 7) {
            Long.parseLong(f[4]);
            Long.parseLong(f[6]);
            if (!f[5].equals("-") && !f[5].matches("[0-9a-f]{64}")) {
              return null;
            }
          }
          return Long.parseLong(f[2]) >= 0 ? f : null;
        } catch (NumberFormatException e) {
          return null;
        }
      case "A":
        return f.length == 3 && !f[2].isEmpty() ? f : null;
      case "W":
        return f.length == 2 ? f : null;
      default:
        return null;
    }
  }

  /**
   * An intent record's fields ({@link #parse} accepted them): {@code I key size msgid} (older
   * journals) or with history id, digest and time.
   */
  static Journal.Intent intentOf(String[] rec) {
    String msgid = rec[3].equals("-") ? null : unescape(rec[3]);
    long size = Long.parseLong(rec[2]);
    if (rec.length == 4) {
      return new Journal.Intent(msgid, size);
    }
    return new Journal.Intent(
        msgid,
        size,
        Long.parseLong(rec[4]),
        rec[5].equals("-") ? null : rec[5],
        Long.parseLong(rec[6]));
  }

  static String crc(String body) {
    CRC32 c = new CRC32();
    c.update(body.getBytes(StandardCharsets.UTF_8));
    return String.format(Locale.ROOT, "%08x", c.getValue());
  }

  /** Writes a Message-ID so it holds no space, no line end and no non-ASCII byte. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c > 0x20 && c < 0x7f && c != '%') {
        b.append((char) c);
      } else {
        b.append('%').append(String.format(Locale.ROOT, "%02x", c));
      }
    }
    return b.toString();
  }

  static String unescape(String s) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        o.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        o.write(c);
      }
    }
    return o.toString(StandardCharsets.UTF_8);
  }
}
