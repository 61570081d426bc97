package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ContentDigestTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void traceHeadersAndLineEnds_doNotChangeIt_butAnythingElseDoes() {
    String body = "\r\nHello,\r\nsee you.\r\n";
    byte[] a = ContentDigest.of(b("Received: from a\r\nSubject: Hi\r\nX-Spam-Flag: NO\r\n" + body));
    byte[] c =
        ContentDigest.of(
            b(
                "Return-Path: <x@y>\r\nSubject: Hi\r\nDelivered-To: me\r\nX-Gm-Labels: a\r\n"
                    + body));
    byte[] lf = ContentDigest.of(b(("Subject: Hi\r\n" + body).replace("\r\n", "\n")));
    assertArrayEquals(a, c);
    assertArrayEquals(a, lf, "CRLF or LF, the same message");
    assertFalse(Arrays.equals(a, ContentDigest.of(b("Subject: Hi!\r\n" + body))));
    assertFalse(Arrays.equals(a, ContentDigest.of(b("Subject: Hi\r\n" + body + "x"))));
    assertTrue(ContentDigest.isVolatile("X-Spam-Status") && ContentDigest.isVolatile("RECEIVED"));
    assertFalse(ContentDigest.isVolatile("Subject"));
  }

  @Test
  void fedInSlices_itIsTheWholeMessagesDigest() {
    byte[] message = b("Subject: s\r\nReceived: r\r\n\r\nline one\r\nline two\r\n");
    int bodyStart = new String(message, StandardCharsets.UTF_8).indexOf("\r\n\r\n") + 4;
    ContentDigest d =
        ContentDigest.start().headers(HeaderBlock.of(Arrays.copyOf(message, bodyStart), true));
    for (int i = bodyStart; i < message.length; i += 3) {
      d.body(ByteBuffer.wrap(message, i, Math.min(3, message.length - i)));
    }
    assertArrayEquals(ContentDigest.of(message), d.digest());
  }
}
