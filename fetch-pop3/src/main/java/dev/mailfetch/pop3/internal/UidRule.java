package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.MessageRef;

/**
 * What a valid unique id (UIDL) is: 1 or more characters, each 0x21..0x7E (RFC 1939 §7), and not
 * longer than a limit. Two limits, deliberately apart: the doctor reports conformance to the RFC,
 * and the client keys its state on any id it can keep stable, as real servers send longer ones
 * (quirk Q27). An id cut short by the listing reader ({@link Pop3Connection#TRUNCATED}, which
 * starts with a space) breaks the character rule, so it is never taken for a whole one (case U-01).
 */
final class UidRule {
  private UidRule() {}

  /** RFC 1939 §7: "1 to 70 characters". What the doctor holds a server to. */
  static final int RFC_MAX_LENGTH = 70;

  /**
   * What the client accepts and keys its state on ({@link MessageRef#MAX_UID_LENGTH}): longer than
   * the RFC's, because real servers send longer ids and they are stable all the same.
   */
  static final int CLIENT_MAX_LENGTH = MessageRef.MAX_UID_LENGTH;

  /** Whether {@code uid} keeps to RFC 1939 §7. */
  static boolean rfcValid(String uid) {
    return valid(uid, RFC_MAX_LENGTH);
  }

  /** Whether the client can key its state on {@code uid}. */
  static boolean clientValid(String uid) {
    return valid(uid, CLIENT_MAX_LENGTH);
  }

  private static boolean valid(String uid, int maxLength) {
    if (uid.isEmpty() || uid.length() > maxLength) {
      return false;
    }
    for (int i = 0; i < uid.length(); i++) {
      char c = uid.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }
}
