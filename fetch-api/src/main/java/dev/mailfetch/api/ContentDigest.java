package dev.mailfetch.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A message's identity by content, the same for two copies of one message that travelled different
 * ways (forwarded and fetched, or moved to another server): the SHA-256 of the message without the
 * header fields that each hop adds or rewrites.
 *
 * <p>What goes in: each header field not in {@link #VOLATILE} (and not starting with one of its
 * prefixes), as its lower-case name, ':', its unfolded value with outer spaces removed, and a line
 * end; then an empty line; then the body with every CR removed, so that the digest does not depend
 * on whether the bytes have CRLF or LF line ends.
 *
 * <p>Feed it with {@link #headers} once and {@link #body} any number of times, then {@link
 * #digest}; or use {@link #of(byte[])} for a whole message.
 */
public final class ContentDigest {
  /**
   * Fields left out: trace fields every hop adds (RFC 5321 §4.4, RFC 5322 §3.6.7), delivery and
   * authentication results, spam and virus verdicts, mail readers' status fields, POP3 servers'
   * X-UIDL, and the fetchers' own provenance fields. A name ending in '-' is a prefix.
   */
  public static final Set<String> VOLATILE =
      Set.of(
          "received",
          "return-path",
          "delivered-to",
          "x-original-to",
          "x-received",
          "envelope-to",
          "x-envelope-from",
          "x-envelope-to",
          "authentication-results",
          "received-spf",
          "arc-seal",
          "arc-message-signature",
          "arc-authentication-results",
          "x-spam-",
          "x-virus-",
          "x-gm-",
          "x-google-",
          "x-gmail-fetch-info",
          "status",
          "x-status",
          "x-keywords",
          "x-uid",
          "x-uidl",
          "x-mozilla-",
          "content-length",
          "lines",
          "x-mailfetch-");

  private final MessageDigest sha;

  private ContentDigest() {
    sha = Sha256.newDigest();
  }

  /** An empty digest, to be fed. */
  public static ContentDigest start() {
    return new ContentDigest();
  }

  /** The digest of a whole message (header section, empty line, body). */
  public static byte[] of(byte[] message) {
    int end = headerEnd(message);
    ContentDigest d = start();
    d.headers(HeaderBlock.of(Arrays.copyOf(message, end), true));
    d.body(ByteBuffer.wrap(message, end, message.length - end));
    return d.digest();
  }

  /**
   * The fingerprint of a header section: the SHA-256 of its fields that are not volatile, as {@link
   * #headers} feeds them. The same for a message's RETR and its TOP (servers that add a different
   * trace header to each, quirk Q44, included), so that a message can be recognised from its
   * headers alone.
   */
  public static byte[] ofHeaders(HeaderBlock headers) {
    return start().headers(headers).digest();
  }

  /** The prefixes among {@link #VOLATILE}: every field of every message is checked against them. */
  private static final List<String> VOLATILE_PREFIXES = prefixes();

  private static List<String> prefixes() {
    List<String> p = new ArrayList<>();
    for (String v : VOLATILE) {
      if (v.endsWith("-")) {
        p.add(v);
      }
    }
    return List.copyOf(p);
  }

  /** Whether a field of this name is left out. */
  public static boolean isVolatile(String name) {
    return isVolatileLowerCase(name.toLowerCase(Locale.ROOT));
  }

  private static boolean isVolatileLowerCase(String n) {
    if (VOLATILE.contains(n)) {
      return true;
    }
    for (String prefix : VOLATILE_PREFIXES) {
      if (n.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** Adds the header section: its fields that are not volatile, then the empty line. */
  public ContentDigest headers(HeaderBlock headers) {
    for (HeaderBlock.Field f : headers.fields()) {
      String name = f.name().toLowerCase(Locale.ROOT);
      if (!isVolatileLowerCase(name)) {
        sha.update((name + ":" + f.value() + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    sha.update((byte) '\n');
    return this;
  }

  /** Adds body bytes (the buffer's position is left where it was), without their CRs. */
  public ContentDigest body(ByteBuffer bytes) {
    int p = bytes.position();
    int end = bytes.limit();
    if (bytes.hasArray()) {
      // A heap buffer (the spool's, the pipeline's): the runs go straight from its array, with no
      // position and limit set per line.
      byte[] a = bytes.array();
      int off = bytes.arrayOffset();
      int from = off + p;
      for (int i = from, last = off + end; i < last; i++) {
        if (a[i] == '\r') {
          if (i > from) {
            sha.update(a, from, i - from);
          }
          from = i + 1;
        }
      }
      if (off + end > from) {
        sha.update(a, from, off + end - from);
      }
      return this;
    }
    int start = p;
    // The runs between CRs go to the digest as views of the same buffer: nothing is allocated
    // per line on this path, which sees every byte of every message under a digest policy.
    for (int i = p; i < end; i++) {
      if (bytes.get(i) == '\r') {
        if (i > start) {
          bytes.limit(i).position(start);
          sha.update(bytes);
          bytes.limit(end);
        }
        start = i + 1;
      }
    }
    if (end > start) {
      bytes.position(start);
      sha.update(bytes);
    }
    bytes.limit(end).position(p);
    return this;
  }

  /** The 32 bytes; the digest cannot be fed after this. */
  public byte[] digest() {
    return sha.digest();
  }

  /** Where the body starts: after the first empty line (CRLF or LF), or the end. */
  private static int headerEnd(byte[] m) {
    if (m.length > 0 && m[0] == '\n') {
      return 1;
    }
    if (m.length > 1 && m[0] == '\r' && m[1] == '\n') {
      return 2;
    }
    for (int i = 0; i < m.length; i++) {
      if (m[i] != '\n') {
        continue;
      }
      if (i + 1 < m.length && m[i + 1] == '\n') {
        return i + 2;
      }
      if (i + 2 < m.length && m[i + 1] == '\r' && m[i + 2] == '\n') {
        return i + 3;
      }
    }
    return m.length;
  }
}
