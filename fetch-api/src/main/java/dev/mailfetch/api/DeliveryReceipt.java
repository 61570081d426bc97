package dev.mailfetch.api;

import java.util.Objects;

/**
 * What a sink reports when a delivery completes.
 *
 * @param key the delivery's key
 * @param bytes how many bytes the sink received for this delivery
 * @param alreadyHeld true when the sink already held a message with this key and so stored nothing
 *     new (a re-delivery after a crash, made harmless)
 */
public record DeliveryReceipt(DeliveryKey key, long bytes, boolean alreadyHeld) {
  /**
   * Checks the components.
   *
   * @param key the delivery's key
   * @param bytes how many bytes the sink received for this delivery
   * @param alreadyHeld true when the sink already held a message with this key and so stored
   *     nothing new (a re-delivery after a crash, made harmless)
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code bytes} is negative
   */
  public DeliveryReceipt {
    Objects.requireNonNull(key, "key");
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must not be negative: " + bytes);
    }
  }
}
