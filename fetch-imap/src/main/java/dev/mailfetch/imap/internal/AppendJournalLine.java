package dev.mailfetch.imap.internal;

import dev.mailfetch.api.DeliveryKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * The text of one line of {@link AppendJournal}, apart from the file, so what a crash can leave (a
 * line cut short, a garbled byte) is judged line by line. {@code I key msgid folder...}, {@code D
 * key folder uidvalidity uid}, {@code W key}; each field escaped so it holds no space, line end or
 * non-ASCII byte ({@code -} for none), and the line ended by the CRC-32 of the rest.
 */
final class AppendJournalLine {
  private AppendJournalLine() {}

  static String intent(DeliveryKey key, AppendJournal.Intent in) {
    StringBuilder b = new StringBuilder("I ").append(key).append(' ');
    b.append(in.messageId() == null ? "-" : escape(in.messageId()));
    for (String f : in.folders()) {
      b.append(' ').append(escape(f));
    }
    return line(b.toString());
  }

  static String done(DeliveryKey key, AppendJournal.Placed p) {
    return line("D " + key + " " + escape(p.folder()) + " " + p.uidValidity() + " " + p.uid());
  }

  static String withdrawal(DeliveryKey key) {
    return line("W " + key);
  }

  private static String line(String body) {
    return body + " " + crc(body) + "\n";
  }

  /** The fields of a line whose CRC and shape are right, else null. */
  static String[] parse(String line) {
    int sp = line.lastIndexOf(' ');
    if (sp < 0 || !crc(line.substring(0, sp)).equals(line.substring(sp + 1))) {
      return null;
    }
    String[] f = line.substring(0, sp).split(" ", -1);
    if (f.length < 2 || !f[1].matches("[0-9a-f]{64}")) {
      return null;
    }
    try {
      return switch (f[0]) {
        case "I" -> f.length >= 4 ? f : null;
        case "D" ->
            f.length == 5 && Long.parseLong(f[3]) >= 0 && Long.parseLong(f[4]) >= 0 ? f : null;
        case "W" -> f.length == 2 ? f : null;
        default -> null;
      };
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static AppendJournal.Intent intentOf(String[] f) {
    List<String> folders = new ArrayList<>();
    for (int i = 3; i < f.length; i++) {
      folders.add(unescape(f[i]));
    }
    return new AppendJournal.Intent(folders, f[2].equals("-") ? null : unescape(f[2]));
  }

  static AppendJournal.Placed placedOf(String[] f) {
    return new AppendJournal.Placed(unescape(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]));
  }

  static String crc(String body) {
    CRC32 c = new CRC32();
    c.update(body.getBytes(StandardCharsets.UTF_8));
    return String.format(Locale.ROOT, "%08x", c.getValue());
  }

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
    return b.length() == 1 && b.charAt(0) == '-' ? "%2d" : b.toString();
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
