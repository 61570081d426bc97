package dev.mailfetch.api;

import dev.mailfetch.api.internal.Listing;
import java.util.AbstractList;
import java.util.Optional;
import java.util.RandomAccess;

/**
 * A run's outcomes, one per listed message, without an object for each message that was merely
 * already seen or held back as old ("only new"): a poll of a million messages with nothing new
 * would otherwise keep a million outcomes, references and keys (docs/benchmarks.md, scale). Those
 * outcomes are made when asked for; they carry no delivery key (the state remembered the message,
 * this run did not look its key up). Immutable once the run has finished.
 */
final class ListedOutcomes extends AbstractList<MessageOutcome> implements RandomAccess {
  /** The message has an outcome of its own in {@link #full}. */
  static final byte OWN = 0;

  /** Already seen; kept by retention. */
  static final byte SEEN = 1;

  /** Already seen and due for deletion (not yet marked). */
  static final byte SEEN_DUE = 2;

  /** Already seen; marked for deletion in this session. */
  static final byte SEEN_MARKED = 3;

  /** On the server before the first run, and only new mail is fetched. */
  static final byte ONLY_NEW = 4;

  private final Listing listing;
  private final byte[] fate;
  private final MessageOutcome[] full;

  ListedOutcomes(Listing listing, byte[] fate, MessageOutcome[] full) {
    this.listing = listing;
    this.fate = fate;
    this.full = full;
  }

  /** The outcome a compact fate stands for. */
  static MessageOutcome of(MessageRef ref, byte fate) {
    return fate == ONLY_NEW
        ? MessageOutcome.skipped(ref, SkipReason.ONLY_NEW, null)
        : MessageOutcome.alreadySeen(ref, null, 0);
  }

  @Override
  public MessageOutcome get(int i) {
    MessageOutcome own = full[i];
    return own != null ? own : of(listing.ref(i), fate[i]);
  }

  @Override
  public int size() {
    return full.length;
  }

  int count(MessageOutcome.Kind kind) {
    int n = 0;
    for (int i = 0; i < full.length; i++) {
      MessageOutcome.Kind k =
          full[i] != null
              ? full[i].kind()
              : fate[i] == ONLY_NEW
                  ? MessageOutcome.Kind.SKIPPED
                  : MessageOutcome.Kind.ALREADY_SEEN;
      if (k == kind) {
        n++;
      }
    }
    return n;
  }

  long bytesDelivered() {
    long n = 0;
    for (MessageOutcome o : full) {
      if (o != null && o.kind() == MessageOutcome.Kind.DELIVERED) {
        n += o.bytes();
      }
    }
    return n;
  }

  /** Failed outcomes the run never tried: only messages with an outcome of their own can be one. */
  int notTried() {
    int n = 0;
    for (MessageOutcome o : full) {
      if (o != null && o.kind() == MessageOutcome.Kind.FAILED && !o.attempted()) {
        n++;
      }
    }
    return n;
  }

  Optional<FetchException> firstFailure() {
    for (MessageOutcome o : full) {
      if (o != null && o.kind() == MessageOutcome.Kind.FAILED) {
        return Optional.of(o.error());
      }
    }
    return Optional.empty();
  }
}
