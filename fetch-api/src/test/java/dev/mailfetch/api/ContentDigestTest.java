package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
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

  /**
   * The digests are kept in the state (fingerprints, content keys): their input is a format, fixed
   * by the class's documentation, whatever the code that feeds it. The expected values are SHA-256
   * of the documented text, computed outside Java.
   */
  @Test
  void theDigestedText_isTheDocumentedOne() {
    byte[] message =
        b("Subject:  hi \u00e9\r\nReceived: from x\r\nFrom: a@b \r\n\r\nbody\r\nline\r\n");
    int bodyStart = new String(message, StandardCharsets.UTF_8).indexOf("\r\n\r\n") + 4;
    HeaderBlock headers = HeaderBlock.of(Arrays.copyOf(message, bodyStart), true);
    // sha256("subject:hi é\nfrom:a@b\n\n")
    assertEquals(
        "79d57c135952362329e30f02c309b5927f0345addbd7f148888b291ede94425c",
        HexFormat.of().formatHex(ContentDigest.ofHeaders(headers)));
    // sha256("subject:hi é\nfrom:a@b\n\nbody\nline\n")
    assertEquals(
        "c9d5ad1a9b8560780c83d006a50fb75f843d7fbbb53e9e88f1539f9d03e13be0",
        HexFormat.of().formatHex(ContentDigest.of(message)));
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

  @Test
  void heapSlicesAndDirectBuffers_giveTheSameDigest_andKeepTheirPosition() {
    byte[] message = b("Subject: s\r\n\r\n\rone\r\r\ntwo\r\nthree\n\r");
    int bodyStart = new String(message, StandardCharsets.UTF_8).indexOf("\r\n\r\n") + 4;
    HeaderBlock headers = HeaderBlock.of(Arrays.copyOf(message, bodyStart), true);
    byte[] padded = new byte[message.length + 10];
    System.arraycopy(message, 0, padded, 5, message.length);
    // A slice: its array offset is not 0, and its position and limit are not the array's bounds.
    ByteBuffer slice = ByteBuffer.wrap(padded, 5 + bodyStart - 2, message.length - bodyStart + 4);
    slice = slice.slice().position(2).limit(2 + message.length - bodyStart);
    ByteBuffer direct = ByteBuffer.allocateDirect(message.length - bodyStart);
    direct.put(message, bodyStart, message.length - bodyStart).flip();
    byte[] fromSlice = ContentDigest.start().headers(headers).body(slice).digest();
    byte[] fromDirect = ContentDigest.start().headers(headers).body(direct).digest();
    assertArrayEquals(ContentDigest.of(message), fromSlice);
    assertArrayEquals(ContentDigest.of(message), fromDirect);
    assertEquals(2, slice.position());
    assertEquals(0, direct.position());
  }
}
