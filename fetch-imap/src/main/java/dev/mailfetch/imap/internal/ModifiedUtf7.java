package dev.mailfetch.imap.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Modified UTF-7, IMAP's encoding of mailbox names (RFC 3501 §5.1.3): printable ASCII stands for
 * itself ({@code &} as {@code &-}), any other run of characters is {@code &}, its UTF-16 in
 * modified base64 ({@code ,} for {@code /}, no padding), and {@code -}.
 */
public final class ModifiedUtf7 {
  private ModifiedUtf7() {}

  private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getDecoder();

  /** {@code name} in modified UTF-7. */
  public static String encode(String name) {
    StringBuilder out = new StringBuilder(name.length() + 8);
    int i = 0;
    while (i < name.length()) {
      char c = name.charAt(i);
      if (c >= 0x20 && c <= 0x7e) {
        out.append(c == '&' ? "&-" : String.valueOf(c));
        i++;
        continue;
      }
      int start = i;
      while (i < name.length() && (name.charAt(i) < 0x20 || name.charAt(i) > 0x7e)) {
        i++;
      }
      byte[] utf16 = name.substring(start, i).getBytes(StandardCharsets.UTF_16BE);
      out.append('&').append(ENCODER.encodeToString(utf16).replace('/', ',')).append('-');
    }
    return out.toString();
  }

  /**
   * The name that {@code encoded} stands for.
   *
   * @throws IllegalArgumentException where it is no modified UTF-7 (an {@code &} without its {@code
   *     -}, bad base64, an odd number of bytes)
   */
  public static String decode(String encoded) {
    StringBuilder out = new StringBuilder(encoded.length());
    int i = 0;
    while (i < encoded.length()) {
      char c = encoded.charAt(i);
      if (c != '&') {
        out.append(c);
        i++;
        continue;
      }
      int end = encoded.indexOf('-', i + 1);
      if (end < 0) {
        throw new IllegalArgumentException("an & without its - in " + encoded);
      }
      if (end == i + 1) {
        out.append('&');
      } else {
        byte[] utf16 = DECODER.decode(encoded.substring(i + 1, end).replace(',', '/'));
        if (utf16.length % 2 != 0) {
          throw new IllegalArgumentException("an odd number of UTF-16 bytes in " + encoded);
        }
        out.append(StandardCharsets.UTF_16BE.decode(ByteBuffer.wrap(utf16)));
      }
      i = end + 1;
    }
    return out.toString();
  }
}
