package dev.mailfetch.api;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The engine's SHA-256 digests (delivery keys, content digests, header fingerprints), several per
 * message: each a copy of one digest made once. {@link MessageDigest#getInstance} searches the
 * security providers at every call; a copy costs a few arrays. In a cold JVM, 1,000 keys took 29–32
 * ms with a look-up each and 17–19 ms with copies (docs/benchmarks.md, "A short run's time,
 * profiled").
 */
final class Sha256 {
  private static final MessageDigest PROTOTYPE = lookUp();

  private Sha256() {}

  /** A new, empty SHA-256 digest; safe from any thread (the prototype is never fed). */
  static MessageDigest newDigest() {
    try {
      return (MessageDigest) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return lookUp(); // a provider whose digests cannot be copied
    }
  }

  private static MessageDigest lookUp() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256 (java.security.MessageDigest).
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
