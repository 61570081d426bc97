package dev.mailfetch.api;

import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * One listed message of a {@link FetchRun} and what the run knows and decides about it. Where it
 * stands is its {@link Phase}; the outcome, the receipt and the duplicate verdict belong to one
 * phase each and are set only with it.
 */
final class RunItem {
  /** Where a message stands in the run. */
  enum Phase {
    /** To be retrieved (or not yet decided): nothing of it has reached the sink. */
    PLANNED,
    /** The source is handing it over; it streams into the sink once the policies have decided. */
    RECEIVING,
    /** The sink completed its delivery ({@link #receipt()}); the barrier decides its outcome. */
    RECEIVED,
    /**
     * A copy of a message the sink holds ({@link #duplicate()}): nothing of it goes to the sink,
     * and the barrier decides its outcome. Set while the rest of it is still being handed over.
     */
    DUPLICATE,
    /** It has its {@link #outcome()}. */
    SETTLED
  }

  final MessageRef ref;

  /** Identity by unique id (stable ids) rather than by content digest. */
  final boolean byUid;

  private Phase phase = Phase.PLANNED;
  private MessageOutcome outcome;
  private DeliveryReceipt receipt;
  private DedupVerdict duplicate;

  UidRecord record;
  Instant firstSeen;
  DeliveryKey key;

  /** As the policies decided it (its labels too, for a duplicate found after its body). */
  Envelope envelope;

  HeaderBlock headers;

  /** The message's ContentDigest, when the dedup policy judges by content. */
  byte[] contentDigest;

  long bytesSeen;
  boolean deleteDue;
  boolean deleteMarked;

  /** Whether the listener has heard this message's outcome. */
  boolean reported;

  /** Whether the source began to hand this message over (it was retrieved, in POP3 terms). */
  boolean retrieved;

  /** New mail under a unique id the state knows for another message (quirk Q51): see ReusedUids. */
  boolean reusedUid;

  /** The server served it without content of its own (EmptyMessageCheck): stored, never deleted. */
  boolean servedEmpty;

  /**
   * Served empty in an earlier run: fetched again to see whether the server now serves it whole.
   */
  boolean recheckEmpty;

  RunItem(MessageRef ref, boolean byUid) {
    this.ref = ref;
    this.byUid = byUid;
  }

  Phase phase() {
    return phase;
  }

  boolean isSettled() {
    return phase == Phase.SETTLED;
  }

  /** Whether the sink holds it, or a copy of it, until the barrier says whether durably. */
  boolean isHeld() {
    return phase == Phase.RECEIVED || phase == Phase.DUPLICATE;
  }

  /** Its outcome once {@link Phase#SETTLED}, else null. */
  MessageOutcome outcome() {
    return outcome;
  }

  /** The sink's receipt while {@link Phase#RECEIVED}, else null. */
  DeliveryReceipt receipt() {
    return receipt;
  }

  /** The verdict that made it a copy while {@link Phase#DUPLICATE}, else null. */
  DedupVerdict duplicate() {
    return duplicate;
  }

  /** Gives it its outcome (again, where a later step says more): whatever it held is let go. */
  void settle(MessageOutcome outcome) {
    this.outcome = outcome;
    this.receipt = null;
    this.duplicate = null;
    this.phase = Phase.SETTLED;
  }

  /** The source began to hand it over. */
  void receiving() {
    retrieved = true;
    phase = Phase.RECEIVING;
  }

  /** The sink completed its delivery; a sink that gave no receipt leaves it receiving. */
  void received(DeliveryReceipt receipt) {
    if (receipt != null) {
      this.receipt = receipt;
      this.phase = Phase.RECEIVED;
    }
  }

  /** It is a copy of one the sink holds. */
  void duplicateOf(DedupVerdict verdict) {
    this.duplicate = verdict;
    this.phase = Phase.DUPLICATE;
  }

  /** Not a copy after all (the first copy could not be told, or it is still served empty). */
  void notDuplicate() {
    this.duplicate = null;
    this.phase = Phase.RECEIVING;
  }

  /**
   * The hand-over ended without a delivery, a verdict or an outcome (a sink that gave no receipt):
   * as if the source had not sent it, so that it may still come or fail as not returned.
   */
  void receivedNothing() {
    if (phase == Phase.RECEIVING) {
      phase = Phase.PLANNED;
    }
  }

  /**
   * The rest of the work list as the source sees it: a view, as the source reads only its window of
   * it.
   */
  static List<MessageRef> refsView(List<RunItem> items) {
    return new AbstractList<MessageRef>() {
      @Override
      public MessageRef get(int index) {
        return items.get(index).ref;
      }

      @Override
      public int size() {
        return items.size();
      }
    };
  }

  /** The messages of these items, in their order. */
  static List<MessageRef> refsOf(List<RunItem> items) {
    List<MessageRef> refs = new ArrayList<>(items.size());
    for (RunItem item : items) {
      refs.add(item.ref);
    }
    return refs;
  }
}
