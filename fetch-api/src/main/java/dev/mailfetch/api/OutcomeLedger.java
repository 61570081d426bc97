package dev.mailfetch.api;

import dev.mailfetch.api.internal.Listing;
import java.util.List;

/**
 * What a run decided for each listed message, by listing position: a {@link RunItem}, or, for a
 * message the plan settled without one (already seen, or old under "only new"), a byte of {@link
 * ListedOutcomes}. A poll of a large mailbox keeps little per message this way. The one place that
 * answers whether a message is due for deletion, marked for it, and how it is named.
 */
final class OutcomeLedger {
  private final Listing listing;
  private final boolean stableIds;
  private RunItem[] itemAt;
  private final byte[] fate;
  private boolean settledReported;

  /** A ledger for every message of {@code listing} (null: the source listed nothing). */
  OutcomeLedger(Listing listing, boolean stableIds) {
    this.listing = listing;
    this.stableIds = stableIds;
    int n = listing == null ? 0 : listing.count();
    this.itemAt = new RunItem[n];
    this.fate = new byte[n];
  }

  int size() {
    return fate.length;
  }

  /** The message at {@code at}, as listed. */
  MessageRef ref(int at) {
    RunItem item = itemAt[at];
    return item == null ? listing.ref(at) : item.ref;
  }

  /** The unique id of the message at {@code at}, as listed. */
  String uid(int at) {
    RunItem item = itemAt[at];
    return item == null ? listing.uid(at) : item.ref.uid();
  }

  /** Its item, or null where the plan settled it by a byte (or has not come to it yet). */
  RunItem item(int at) {
    return itemAt[at];
  }

  /** A new item for the message at {@code at}, replacing any it had. */
  RunItem newItem(int at) {
    MessageRef ref = listing.ref(at);
    RunItem item = new RunItem(ref, stableIds && ref.hasUid());
    itemAt[at] = item;
    return item;
  }

  /** Settles the message at {@code at} by a {@link ListedOutcomes} byte, dropping its item. */
  void settle(int at, byte settled) {
    itemAt[at] = null;
    fate[at] = settled;
  }

  /** Whether the message is due for deletion and not yet marked. */
  boolean dueForDeletion(int at) {
    RunItem item = itemAt[at];
    return item == null
        ? fate[at] == ListedOutcomes.SEEN_DUE
        : item.deleteDue && !item.deleteMarked;
  }

  /** The server accepted the message's deletion (it goes at the end of the session). */
  void markDeleted(int at) {
    RunItem item = itemAt[at];
    if (item == null) {
      fate[at] = ListedOutcomes.SEEN_MARKED;
    } else {
      item.deleteMarked = true;
    }
  }

  /** Whether the server accepted the message's deletion in this session. */
  boolean markedDeleted(int at) {
    RunItem item = itemAt[at];
    return item == null ? fate[at] == ListedOutcomes.SEEN_MARKED : item.deleteMarked;
  }

  /**
   * Whether every message ended settled with nothing left for a later run: delivered, already seen,
   * a duplicate or old under "only new", and, where the retention deletes ({@code deletes}), marked
   * for deletion. A message failed, skipped for a limit, quarantined, served empty (checked again
   * each run) or not deleted leaves something to do, and so does a run that stopped before its
   * plan: the next run must list. Asked before {@link #finish}.
   */
  boolean leftNothing(boolean deletes) {
    if (itemAt == null) {
      return false;
    }
    for (int at = 0; at < fate.length; at++) {
      RunItem item = itemAt[at];
      if (item == null) {
        byte f = fate[at];
        if (!(f == ListedOutcomes.SEEN_MARKED
            || f == ListedOutcomes.ONLY_NEW
            || (f == ListedOutcomes.SEEN && !deletes))) {
          return false;
        }
      } else if (!item.isSettled() || !settledForGood(item, deletes)) {
        return false;
      }
    }
    return true;
  }

  private static boolean settledForGood(RunItem item, boolean deletes) {
    MessageOutcome outcome = item.outcome();
    switch (outcome.kind()) {
      case DELIVERED:
      case ALREADY_SEEN:
      case DUPLICATE:
        return (!deletes || item.deleteMarked) && !(item.recheckEmpty && item.servedEmpty);
      case SKIPPED:
        return outcome.skipReason() == SkipReason.ONLY_NEW;
      default:
        return false;
    }
  }

  /** Tells the listener every outcome the plan settled, in listing order; once. */
  void reportSettled(FetchListener listener) {
    if (settledReported) {
      return;
    }
    settledReported = true;
    for (int at = 0; at < itemAt.length; at++) {
      RunItem item = itemAt[at];
      if (item == null) {
        listener.messageFinished(ListedOutcomes.of(listing.ref(at), fate[at]));
      } else if (item.isSettled()) {
        report(item, listener);
      }
    }
  }

  /** Tells the listener the item's outcome, unless it heard it already. */
  static void report(RunItem item, FetchListener listener) {
    if (!item.reported) {
      item.reported = true;
      listener.messageFinished(item.outcome());
    }
  }

  /**
   * The run's outcomes, in listing order: a message the run did not reach fails with {@code
   * runError} (or as not reached); every outcome not yet told is told. The ledger is done after.
   */
  List<MessageOutcome> finish(FetchException runError, FetchListener listener) {
    int n = fate.length;
    MessageOutcome[] own = new MessageOutcome[n];
    for (int at = 0; at < n; at++) {
      RunItem item = itemAt[at];
      if (item == null && fate[at] == ListedOutcomes.OWN) {
        item = newItem(at); // never planned
      }
      if (item == null) {
        if (!settledReported) {
          listener.messageFinished(ListedOutcomes.of(listing.ref(at), fate[at]));
        }
        continue;
      }
      if (!item.isSettled()) {
        FetchException why =
            runError != null
                ? runError
                : new FetchException(FetchError.PROTOCOL, "the run ended before this message");
        item.settle(MessageOutcome.failed(item.ref, why, false, 0));
      }
      report(item, listener);
      own[at] = item.outcome();
    }
    settledReported = true;
    itemAt = null; // what the result needs is in its outcomes
    return n == 0 ? List.of() : new ListedOutcomes(listing, fate, own);
  }
}
