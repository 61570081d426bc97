package dev.mailfetch.api;

import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/** One listed message of a {@link FetchRun} and what the run knows and decides about it. */
final class RunItem {
  final MessageRef ref;

  /** Identity by unique id (stable ids) rather than by content digest. */
  final boolean byUid;

  UidRecord record;
  Instant firstSeen;
  DeliveryKey key;
  MessageOutcome outcome;

  /** Set once a delivery completed, until the barrier decides the outcome. */
  DeliveryReceipt receipt;

  Envelope envelope;
  HeaderBlock headers;
  DedupVerdict duplicate;

  /** The message's ContentDigest, when the dedup policy judges by content. */
  byte[] contentDigest;

  /** The labels decided for it, for a duplicate found after its body. */
  LabelDecision labels;

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
