package dev.mailfetch.sink;

import dev.mailfetch.api.DeliveryKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The names in a Maildir: a message file's name from its delivery key and size ({@code
 * <key>,S=<size>}), the key back from a name a mail reader may have extended (it moves files to
 * {@code cur/} and appends {@code :2,<flags>}, keeping the part before ':'), a label's Maildir++
 * folder, and a unique name in {@code tmp/}. Pure: the Maildir's files are {@link Maildir}'s.
 */
final class MaildirNames {
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private MaildirNames() {}

  /** {@code <key>,S=<size>}: the key makes a re-delivery find itself, the size is Maildir++'s. */
  static String message(DeliveryKey key, long size) {
    return key + ",S=" + size;
  }

  /** The name without the info a mail reader appends after ':' (flags). */
  static String withoutInfo(String name) {
    return name.split(":", 2)[0];
  }

  /** The key a file name starts with ("<64 hex>" then ',', ':' or nothing), or null. */
  static DeliveryKey keyOf(String name) {
    if (name.length() < 64
        || (name.length() > 64 && name.charAt(64) != ',' && name.charAt(64) != ':')) {
      return null;
    }
    try {
      return DeliveryKey.parse(name.substring(0, 64));
    } catch (IllegalArgumentException notOurs) {
      return null;
    }
  }

  /**
   * A name in tmp/ no other writer picks, in the Maildir convention's {@code
   * <time>.<unique>.<host>} spirit: the second, this process and a counter.
   */
  static String tmp(Instant now) {
    return now.getEpochSecond()
        + ".P"
        + ProcessHandle.current().pid()
        + "Q"
        + SEQUENCE.incrementAndGet()
        + ".mailfetch";
  }

  /**
   * The Maildir++ folder of {@code label}: '.' then its levels joined by '.', each in IMAP's
   * modified UTF-7 (RFC 3501 §5.1.3), an empty level as "_".
   */
  static String folderName(String label) {
    StringBuilder out = new StringBuilder();
    for (String level : label.split("[/.]", -1)) {
      out.append('.').append(level.isEmpty() ? "_" : modifiedUtf7(level));
    }
    return out.toString();
  }

  static String modifiedUtf7(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c >= 0x20 && c <= 0x7e) {
        out.append(c == '&' ? "&-" : String.valueOf(c));
        i++;
        continue;
      }
      int j = i;
      while (j < s.length() && (s.charAt(j) < 0x20 || s.charAt(j) > 0x7e)) {
        j++;
      }
      byte[] utf16 = s.substring(i, j).getBytes(StandardCharsets.UTF_16BE);
      out.append('&')
          .append(Base64.getEncoder().withoutPadding().encodeToString(utf16).replace('/', ','))
          .append('-');
      i = j;
    }
    return out.toString();
  }
}
