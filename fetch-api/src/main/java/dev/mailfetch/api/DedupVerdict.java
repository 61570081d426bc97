package dev.mailfetch.api;

import java.util.Objects;

/**
 * What a {@link DedupPolicy} says about one message: new, or a duplicate of a message the sink
 * already holds.
 *
 * @param firstCopy for a duplicate, the delivery key of the copy already held; null when new
 * @param reason for a duplicate, what matched, such as {@code "Message-ID <a@b>"}; null when new
 */
public record DedupVerdict(DeliveryKey firstCopy, String reason) {
  /** Not a duplicate: deliver it. */
  public static final DedupVerdict NEW = new DedupVerdict(null, null);

  /**
   * Checks that the verdict is one of the two kinds: both components for a duplicate, neither for a
   * new message ({@link #NEW}).
   *
   * @param firstCopy for a duplicate, the delivery key of the copy already held; null when new
   * @param reason for a duplicate, what matched, such as {@code "Message-ID <a@b>"}; null when new
   * @throws IllegalArgumentException if only one of {@code firstCopy} and {@code reason} is given
   */
  public DedupVerdict {
    if ((firstCopy == null) != (reason == null)) {
      throw new IllegalArgumentException("a duplicate needs both its first copy and a reason");
    }
  }

  /** A duplicate of the message delivered under {@code firstCopy}, matched by {@code reason}. */
  public static DedupVerdict duplicateOf(DeliveryKey firstCopy, String reason) {
    return new DedupVerdict(Objects.requireNonNull(firstCopy), Objects.requireNonNull(reason));
  }

  /** Whether the message should be discarded as a duplicate. */
  public boolean isDuplicate() {
    return firstCopy != null;
  }
}
