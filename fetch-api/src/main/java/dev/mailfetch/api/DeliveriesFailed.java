package dev.mailfetch.api;

import java.io.IOException;
import java.util.Map;

/**
 * Thrown by {@link MessageSink#sync()} of a sink whose deliveries finish after {@link
 * Delivery#complete} returned (a remote store that takes messages in the background, several at a
 * time, such as the Gmail API): some deliveries completed since the last barrier did not become
 * part of the sink. Every other delivery completed before the call is durable, as after a normal
 * return.
 *
 * <p>The engine fails each message named here with its own error and leaves it on the server; the
 * rest of the batch goes on to the state store and to deletion. An error of {@link
 * FetchError#SINK_REJECTED} is the message's own (the destination refused this message): it fails
 * alone and counts towards its quarantine. Any other code (an expired grant, a quota, an
 * unreachable destination) is the destination's and stops the run after this batch.
 *
 * <p>Keys not completed since the last barrier, or not completed by this engine, are ignored, so a
 * sink shared by several fetchers may name them all.
 */
public final class DeliveriesFailed extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Map<DeliveryKey, FetchException> failures;

  /**
   * Names the deliveries that failed, each with its error.
   *
   * @param failures the failed deliveries' keys, each with what went wrong
   * @throws IllegalArgumentException if {@code failures} is empty
   * @throws NullPointerException if {@code failures}, a key or an error is null
   */
  public DeliveriesFailed(Map<DeliveryKey, FetchException> failures) {
    super(
        failures.size()
            + (failures.size() == 1 ? " delivery" : " deliveries")
            + " did not become part of the sink; the first: "
            + first(failures));
    if (failures.isEmpty()) {
      throw new IllegalArgumentException("no failed delivery named");
    }
    this.failures = Map.copyOf(failures);
  }

  private static String first(Map<DeliveryKey, FetchException> failures) {
    return failures.isEmpty() ? "" : failures.values().iterator().next().getMessage();
  }

  /** The failed deliveries' keys, each with what went wrong. */
  public Map<DeliveryKey, FetchException> failures() {
    return failures;
  }
}
