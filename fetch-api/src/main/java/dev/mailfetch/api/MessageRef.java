package dev.mailfetch.api;

import java.util.Objects;

/**
 * One message as a source listed it: its number in this session, its unique id, and the size the
 * server announced.
 *
 * <p>The number is valid only inside the session that listed it (RFC 1939 §4); never store it. The
 * unique id is what identifies the message across sessions. It is {@code null} when the source has
 * no stable unique ids ({@link Capabilities#stableUids()} is false). Within one listing no two
 * references share a unique id: a source whose server repeats one makes them distinct (RFC 1939 §7
 * allows identical copies with the same id).
 *
 * <p>The size is the server's claim, a hint for progress and planning only: servers get it wrong
 * (quirk Q32), and the engine never trusts it to frame or truncate a message.
 *
 * @param number the message number in this session, from 1
 * @param uid the unique id, 1 to 1,000 printable characters, or null where the source has none
 * @param size the announced size in octets, 0 or more
 */
public record MessageRef(int number, String uid, long size) {
  /** Longest unique id accepted; RFC 1939 allows 70, real servers send more (quirk Q27). */
  public static final int MAX_UID_LENGTH = 1000;

  /**
   * Checks the components.
   *
   * @param number the message number in this session, from 1
   * @param uid the unique id, 1 to 1,000 printable characters, or null where the source has none
   * @param size the announced size in octets, 0 or more
   * @throws IllegalArgumentException if {@code number} is less than 1, {@code size} is negative, or
   *     {@code uid} is empty, longer than 1,000 characters, or holds anything but printable ASCII
   *     without spaces
   */
  public MessageRef {
    if (number < 1) {
      throw new IllegalArgumentException("number must be 1 or more: " + number);
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative: " + size);
    }
    if (uid != null) {
      if (uid.isEmpty() || uid.length() > MAX_UID_LENGTH) {
        throw new IllegalArgumentException(
            "uid must have 1 to " + MAX_UID_LENGTH + " characters: " + uid.length());
      }
      for (int i = 0; i < uid.length(); i++) {
        char c = uid.charAt(i);
        if (c <= 0x20 || c >= 0x7f) {
          throw new IllegalArgumentException(
              "uid must be printable ASCII without spaces: " + FetchException.escape(uid));
        }
      }
    }
  }

  /** Whether this message has a unique id that stays the same across sessions. */
  public boolean hasUid() {
    return uid != null;
  }

  // equals and hashCode as the record's own would be, written out: a record's are
  // invokedynamic call sites (ObjectMethods) whose method-handle chain runs cold in a run of
  // seconds, and the engine compares and hashes a reference several times per message (26 ms of
  // the 1,000 small messages' run: docs/benchmarks.md, "A short run's time, profiled").

  /** Equal when number, unique id and size are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof MessageRef other
        && number == other.number
        && size == other.size
        && Objects.equals(uid, other.uid);
  }

  @Override
  public int hashCode() {
    return (31 * number + Objects.hashCode(uid)) * 31 + Long.hashCode(size);
  }
}
