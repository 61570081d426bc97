package dev.mailfetch.imap.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A message's unique id as the IMAP source gives it: the path of its IMAP URL (RFC 5092 §6), {@code
 * INBOX;UIDVALIDITY=1733500000/;UID=42}. The folder name is its UTF-8 bytes with every byte that is
 * not a {@code bchar} of RFC 5092's grammar percent-encoded (a space, {@code ;}, {@code %}, {@code
 * ?}, {@code #}, anything beyond ASCII), so the id is printable ASCII without spaces, as a {@code
 * MessageRef} requires, and one folder has one spelling.
 *
 * @param folder the folder's name, decoded (as a person reads it)
 * @param uidValidity the folder's UIDVALIDITY when the message was listed
 * @param uid the message's UID in that folder
 */
public record MessageUrl(String folder, long uidValidity, long uid) {
  private static final String VALIDITY = ";UIDVALIDITY=";
  private static final String UID = "/;UID=";

  /** The id: the URL's path without its leading slash. */
  public String path() {
    return encodeFolder(folder) + VALIDITY + uidValidity + UID + uid;
  }

  /** The folder as the ids of its messages begin: {@code INBOX;UIDVALIDITY=1733500000}. */
  static String mailboxPrefix(String folder, long uidValidity) {
    return encodeFolder(folder) + VALIDITY + uidValidity;
  }

  /** The id {@code path} read back; empty when it is not one this source made. */
  public static Optional<MessageUrl> parse(String path) {
    if (path == null) {
      return Optional.empty();
    }
    int v = path.indexOf(VALIDITY); // a ';' in a folder name is percent-encoded: the first is ours
    int u = path.lastIndexOf(UID);
    if (v <= 0 || u < v) {
      return Optional.empty();
    }
    String validity = path.substring(v + VALIDITY.length(), u);
    String uid = path.substring(u + UID.length());
    Optional<String> folder = decodeFolder(path.substring(0, v));
    if (!number(validity) || !number(uid) || folder.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new MessageUrl(folder.get(), Long.parseLong(validity), Long.parseLong(uid)));
  }

  /** {@code name}'s UTF-8 bytes, each that RFC 5092's {@code bchar} does not allow as %XX. */
  static String encodeFolder(String name) {
    StringBuilder sb = new StringBuilder();
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (bchar(c)) {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return sb.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /**
   * RFC 5092's {@code bchar}: unreserved, the sub-delimiters but {@code ;}, and {@code & = : @ /}.
   */
  private static boolean bchar(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-._~!$'()*+,&=:@/".indexOf(c) >= 0;
  }

  private static Optional<String> decodeFolder(String encoded) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%') {
        if (i + 2 >= encoded.length()) {
          return Optional.empty();
        }
        int hi = Character.digit(encoded.charAt(i + 1), 16);
        int lo = Character.digit(encoded.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return Optional.empty();
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else if (c < 0x80 && bchar(c)) {
        out.write(c);
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(out.toString(StandardCharsets.UTF_8));
  }

  private static boolean number(String s) {
    return !s.isEmpty() && s.length() < 19 && s.chars().allMatch(ch -> ch >= '0' && ch <= '9');
  }
}
