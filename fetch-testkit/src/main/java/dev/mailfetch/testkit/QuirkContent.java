package dev.mailfetch.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The messages the content quirks (Q07–Q09) add to every mailbox, by unique id. */
final class QuirkContent {
  private QuirkContent() {}

  static Map<String, byte[]> of(Quirk quirk) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    switch (quirk) {
      case Q07_LONG_BODY_LINES:
        {
          m.put(
              "q07-one-line-4mib",
              ascii("Subject: one line of 4 MiB\r\n\r\n" + "a".repeat(4 << 20) + "\r\n"));
          StringBuilder sb = new StringBuilder("Subject: lines at the limits\r\n\r\n");
          for (int n : new int[] {512, 998, 999, 2048, 2049}) {
            sb.append("b".repeat(n)).append("\r\n");
          }
          m.put("q07-limit-lines", ascii(sb.toString()));
          break;
        }
      case Q08_NUL_8BIT:
        {
          ByteArrayOutputStream b = new ByteArrayOutputStream();
          b.writeBytes(ascii("Subject: every byte\r\n\r\n"));
          for (int i = 0; i < 256; i++) {
            b.write(i);
          }
          b.writeBytes(ascii("\r\ninvalid UTF-8: "));
          b.writeBytes(
              new byte[] {
                (byte) 0xC3, (byte) 0x28, (byte) 0xF0, (byte) 0x28, (byte) 0x8C, (byte) 0x28
              });
          b.writeBytes(ascii("\r\na lone CR\rinside a line\r\nNUL\0NUL\r\n"));
          m.put("q08-every-byte", b.toByteArray());
          break;
        }
      case Q09_ODD_HEADERS:
        m.put(
            "q09-no-empty-line",
            ascii("Subject: no empty line after the headers\r\nFrom: a@example.org\r\n"));
        m.put(
            "q09-cr-cr-lf",
            ascii("Subject: CR CR LF\r\n\r\r\nX-After: still a header?\r\n\r\nbody\r\n"));
        m.put(
            "q09-no-colon",
            ascii(
                "Subject: a header without a colon follows\r\nThis line has no colon\r\n\r\nbody\r\n"));
        break;
      default:
        break;
    }
    return m;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
