package dev.mailfetch.dedup;

import dev.mailfetch.api.DeliveryKey;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * What the dedup policies of {@link Dedup} remember: for each dedup key (a Message-ID, a content
 * digest, a UID), the delivery key of the first copy. The first copy wins: a key remembered is
 * never replaced, by this process or, for a shared store, by another.
 *
 * <p>{@link DedupStore} keeps them in a file; {@code fetch-jdbc}'s {@code JdbcDedupStore} in a
 * database shared by several instances. The behaviour both pass is the testkit's {@code
 * DedupStoreContract}.
 *
 * <p><b>Deadlines.</b> The policies call a store while the source reads a message (see {@link
 * dev.mailfetch.api.DedupPolicy}): a store over a network bounds each call with a timeout of its
 * own and throws {@link IOException} past it, which costs a duplicate at worst.
 */
public interface FirstCopies {
  /**
   * The first copy remembered under {@code dedupKey}, if within the store's window at {@code now}.
   */
  Optional<DeliveryKey> firstCopy(String dedupKey, Instant now) throws IOException;

  /**
   * Remembers {@code key} as the first copy under {@code dedupKey}, unless one is remembered; seen
   * by {@link #firstCopy} at once, durable at {@link #sync()} at the latest.
   */
  void remember(String dedupKey, DeliveryKey key, Instant at) throws IOException;

  /** Makes what was remembered durable (and, for a shared store, seen by the others). */
  void sync() throws IOException;
}
