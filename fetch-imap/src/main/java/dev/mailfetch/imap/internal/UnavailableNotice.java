package dev.mailfetch.imap.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The literal of a message that may be Courier-IMAP's notice for one deleted meanwhile (quirk I26):
 * held, not handed on, until its last byte says whether it is. Courier's imapd ({@code fetch.c},
 * its {@code unavailable[]}) serves these bytes, with CRLF line ends, for a message whose file
 * another program removed after the session listed it; the listed RFC822.SIZE is the real one's.
 * Only a literal of exactly the notice's length whose message was listed with another size is held
 * (129 bytes at most), so a real message of the same bytes and size is never taken for it.
 */
final class UnavailableNotice {
  /** Courier's words for what it sends instead: the failure quotes them as the server's. */
  static final String WORDS = "This message is no longer available on the server.";

  private static final byte[] BYTES =
      ("From: System Administrator <root@localhost>\r\n"
              + "Subject: message unavailable\r\n"
              + "\r\n"
              + WORDS
              + "\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  private final ByteArrayOutputStream held = new ByteArrayOutputStream(BYTES.length);

  /**
   * Whether a literal of {@code announced} bytes, of a message listed with {@code listed} bytes,
   * may be the notice.
   */
  static boolean mayBe(long announced, long listed) {
    return announced == BYTES.length && listed != BYTES.length;
  }

  /** Holds {@code slice} (its position unmoved). */
  void hold(ByteBuffer slice) {
    ByteBuffer view = slice.duplicate();
    while (view.hasRemaining()) {
      held.write(view.get());
    }
  }

  /** Whether what was held is the notice, byte for byte. */
  boolean is() {
    return Arrays.equals(held.toByteArray(), BYTES);
  }

  /** What was held, to be handed on as the message it is. */
  ByteBuffer bytes() {
    return ByteBuffer.wrap(held.toByteArray()).asReadOnlyBuffer();
  }
}
