package dev.mailfetch.api.internal.journal;

import dev.mailfetch.api.DeliveryKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * One record of an {@link IntentJournal}, apart from any file, so that what a crash may leave on
 * disk (a line cut short, a garbled byte) is judged line by line: {@code kind key field... crc},
 * the kind one letter, each field escaped so it holds no space, line end or non-ASCII byte ({@code
 * -} for none), the line ended by the CRC-32 of the rest. What the fields mean is the sink's.
 *
 * @param kind the record's letter ({@code I}, the done letter, {@code W})
 * @param key the delivery it is about
 * @param fields its fields, unescaped; an element is null where the field was {@code -}
 */
public record JournalLine(String kind, DeliveryKey key, List<String> fields) {
  /** Keeps a copy (nulls allowed). */
  public JournalLine {
    fields = Collections.unmodifiableList(new ArrayList<>(fields));
  }

  /** A record with these fields. */
  public static JournalLine of(String kind, DeliveryKey key, String... fields) {
    return new JournalLine(kind, key, Arrays.asList(fields));
  }

  /** Field {@code i} (null for none, or where the record has fewer fields). */
  public String field(int i) {
    return i < fields.size() ? fields.get(i) : null;
  }

  /** The record's line, with its CRC and line end. */
  public String text() {
    StringBuilder b = new StringBuilder(kind).append(' ').append(key);
    for (String f : fields) {
      b.append(' ').append(f == null ? "-" : escape(f));
    }
    return framed(b.toString());
  }

  /**
   * The record of {@code line} (without its line end) when its CRC is right, it has a kind and a
   * delivery key; else null (a line a crash cut short or garbled).
   */
  public static JournalLine parse(String line) {
    String body = unframed(line);
    if (body == null) {
      return null;
    }
    String[] f = body.split(" ", -1);
    if (f.length < 2 || f[0].length() != 1) {
      return null;
    }
    DeliveryKey key;
    try {
      key = DeliveryKey.parse(f[1]);
    } catch (IllegalArgumentException e) {
      return null;
    }
    List<String> fields = new ArrayList<>();
    try {
      for (int i = 2; i < f.length; i++) {
        fields.add(f[i].equals("-") ? null : unescape(f[i]));
      }
    } catch (NumberFormatException e) {
      return null; // a % without two hex digits: not a line this code wrote
    }
    return new JournalLine(f[0], key, fields);
  }

  /** The line of {@code body}: the body, a space, its CRC-32 and a line end. */
  public static String framed(String body) {
    return body + " " + crc(body) + "\n";
  }

  /** The body of a line (without its line end) whose CRC is right, else null. */
  public static String unframed(String line) {
    int sp = line.lastIndexOf(' ');
    if (sp < 0) {
      return null;
    }
    String body = line.substring(0, sp);
    return crc(body).equals(line.substring(sp + 1)) ? body : null;
  }

  /** The CRC-32 of {@code body}'s UTF-8 bytes, eight lower-case hex digits. */
  public static String crc(String body) {
    CRC32 c = new CRC32();
    c.update(body.getBytes(StandardCharsets.UTF_8));
    // Not String.format("%08x"): it parsed its pattern with a new Formatter for every line.
    return HexFormat.of().toHexDigits((int) c.getValue());
  }

  /** Writes {@code s} so it holds no space, no line end and no non-ASCII byte, and is not "-". */
  public static String escape(String s) {
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

  /** Undoes {@link #escape}. */
  public static String unescape(String s) {
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
