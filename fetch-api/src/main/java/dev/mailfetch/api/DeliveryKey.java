package dev.mailfetch.api;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The identity of one delivery, the same every time the same message is fetched for the same
 * account, so that a sink can make delivery idempotent: a key it already holds is not stored again.
 *
 * <p>The key is 64 lower-case hex digits (a SHA-256), safe as a file name on every file system. It
 * is derived from the account and the message's unique id, or, where the server has no stable ids,
 * from the account and a digest of the message's bytes. It reveals neither.
 *
 * <p>This is what makes a crash harmless: if a run dies after the sink made a message durable but
 * before the state store recorded it, the next run delivers the same key again and the sink does
 * nothing.
 */
public final class DeliveryKey {
  private final String hex;

  private DeliveryKey(String hex) {
    this.hex = hex;
  }

  /** The key of message {@code uid} of {@code account}. */
  public static DeliveryKey of(String account, String uid) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(uid, "uid");
    return new DeliveryKey(sha256Hex("uid\0" + account + "\0" + uid));
  }

  /** The key of a message of {@code account} without a stable id, from the SHA-256 of its bytes. */
  public static DeliveryKey ofContent(String account, byte[] contentSha256) {
    Objects.requireNonNull(account, "account");
    if (contentSha256.length != 32) {
      throw new IllegalArgumentException(
          "contentSha256 must be 32 bytes (a SHA-256): " + contentSha256.length);
    }
    return new DeliveryKey(
        sha256Hex("content\0" + account + "\0" + HexFormat.of().formatHex(contentSha256)));
  }

  /**
   * The key whose SHA-256 is the 32 bytes of {@code bytes} from {@code offset}: {@code parse(hex of
   * those bytes)}, for a store that keeps keys as bytes (half the room of the digits) and reads
   * many at once. Any 32 bytes make a key, so nothing is checked but their number.
   *
   * @throws IndexOutOfBoundsException if {@code bytes} holds fewer than 32 bytes from {@code
   *     offset}
   */
  public static DeliveryKey fromBytes(byte[] bytes, int offset) {
    Objects.checkFromIndexSize(offset, 32, bytes.length);
    return new DeliveryKey(hex(bytes, offset));
  }

  /**
   * Writes the key's 32 bytes into {@code bytes} from {@code offset}: what {@link #fromBytes} reads
   * back, for a store that keeps keys as bytes.
   *
   * @throws IndexOutOfBoundsException if {@code bytes} has room for fewer than 32 bytes from {@code
   *     offset}
   */
  public void copyTo(byte[] bytes, int offset) {
    Objects.checkFromIndexSize(offset, 32, bytes.length);
    for (int k = 0; k < 32; k++) {
      bytes[offset + k] = keyByte(k);
    }
  }

  /**
   * Whether the 32 bytes of {@code bytes} from {@code offset} are this key's, as {@code
   * fromBytes(bytes, offset).equals(this)} but allocating nothing: a store asks it once a message.
   *
   * @throws IndexOutOfBoundsException if {@code bytes} holds fewer than 32 bytes from {@code
   *     offset}
   */
  public boolean matches(byte[] bytes, int offset) {
    Objects.checkFromIndexSize(offset, 32, bytes.length);
    for (int k = 0; k < 32; k++) {
      if (bytes[offset + k] != keyByte(k)) {
        return false;
      }
    }
    return true;
  }

  /** Byte {@code k} of the key, from its digits (lower-case hex, checked when the key was made). */
  private byte keyByte(int k) {
    return (byte) (digitValue(hex.charAt(2 * k)) << 4 | digitValue(hex.charAt(2 * k + 1)));
  }

  private static int digitValue(char c) {
    return c <= '9' ? c - '0' : c - 'a' + 10;
  }

  /** Reads back a key written by {@link #toString()} (for example from a file name). */
  public static DeliveryKey parse(String hex) {
    if (hex.length() != 64) {
      throw new IllegalArgumentException("a delivery key has 64 hex digits: " + hex.length());
    }
    for (int i = 0; i < 64; i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new IllegalArgumentException(
            "a delivery key has lower-case hex digits only: " + FetchException.escape(hex));
      }
    }
    return new DeliveryKey(hex);
  }

  private static String sha256Hex(String s) {
    return hex(Sha256.newDigest().digest(s.getBytes(StandardCharsets.UTF_8)), 0);
  }

  private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /**
   * The 64 lower-case hex digits of 32 bytes. By hand rather than through {@code HexFormat}: a
   * nothing-new run makes one key per listed UID (twice), mostly before the JIT has compiled
   * anything, and a Latin-1 string from a filled array costs a fraction of appending 64 chars.
   */
  private static String hex(byte[] b, int off) {
    byte[] d = new byte[64];
    for (int i = 0; i < 32; i++) {
      int v = b[off + i];
      d[2 * i] = DIGITS[(v >> 4) & 0xF];
      d[2 * i + 1] = DIGITS[v & 0xF];
    }
    return new String(d, StandardCharsets.ISO_8859_1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeliveryKey && ((DeliveryKey) o).hex.equals(hex);
  }

  @Override
  public int hashCode() {
    return hex.hashCode();
  }

  /** The 64 hex digits. */
  @Override
  public String toString() {
    return hex;
  }
}
