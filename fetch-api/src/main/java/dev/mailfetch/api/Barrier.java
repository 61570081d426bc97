package dev.mailfetch.api;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durability barrier of one batch (invariant 1 of docs/architecture.md): the sink's {@code
 * sync}, then the state's records and its {@code sync}, then the outcomes. Only a message whose
 * delivery passed both becomes due for deletion; the deletion itself waits for {@link
 * DeletionCommit}.
 */
final class Barrier {
  // Named after the public class: users configure logging by the names they know.
  private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

  private final RunConfig config;
  private final Instant now;
  private final List<FetchException> warnings;

  Barrier(RunConfig config, Instant now, List<FetchException> warnings) {
    this.config = config;
    this.now = now;
    this.warnings = warnings;
  }

  /**
   * Makes the batch durable: sink first, then the store, then the outcomes. Nothing of the batch is
   * deleted unless both succeeded. Returns {@code broke}, the failure that ended the batch (or
   * null), as the message it broke in says it once quarantined: one failure, said once.
   *
   * @throws FetchException the sink's place or the state failed: the run stops
   */
  FetchException pass(List<RunItem> batchItems, FetchException broke) throws FetchException {
    List<RunItem> held = new ArrayList<>();
    for (RunItem item : batchItems) {
      if (item.isHeld()) {
        held.add(item);
      }
    }
    FetchException stop = held.isEmpty() ? null : syncSink(held);
    boolean recorded = false;
    try {
      broke = record(batchItems, broke);
      recorded = true;
    } catch (IOException | RuntimeException e) {
      if (stop == null) {
        stop = RunFailures.state(e);
      }
    }
    for (RunItem item : held) {
      settleHeld(item, recorded);
    }
    for (RunItem item : batchItems) {
      OutcomeLedger.report(item, config.listener());
      // The header section and envelope served the policies; holding them longer would make a
      // long run's memory grow with every message.
      item.headers = null;
      item.envelope = null;
    }
    if (!held.isEmpty() && recorded) {
      config.listener().batchSynced(held.size());
    }
    if (stop != null) {
      throw stop;
    }
    return broke;
  }

  /**
   * The sink's sync. A delivery it names as not taken fails and leaves {@code held}; if it fails as
   * a whole, every held message fails. Returns the failure that stops the run, or null.
   */
  private FetchException syncSink(List<RunItem> held) {
    try {
      config.sink().sync();
      return null;
    } catch (DeliveriesFailed some) {
      return failHeldDeliveries(held, some);
    } catch (IOException | RuntimeException e) {
      FetchException stop =
          SinkPlace.stopping(RunFailures.sink("making the batch durable (sync)", e));
      for (RunItem item : held) {
        item.settle(MessageOutcome.failed(item.ref, stop, true, 0));
      }
      held.clear();
      return stop;
    }
  }

  /**
   * Records the batch in the state and syncs it: what was delivered or let go as a copy, and the
   * failures that count against their message (quarantining it after enough runs). Returns {@code
   * broke}, replaced by its quarantined words where its message was quarantined now.
   */
  private FetchException record(List<RunItem> batchItems, FetchException broke) throws IOException {
    UidStore store = config.uidStore();
    List<RunItem> quarantinedNow = new ArrayList<>();
    for (RunItem item : batchItems) {
      if (!item.byUid) {
        continue;
      }
      if (item.phase() == RunItem.Phase.RECEIVED) {
        item.record =
            item.servedEmpty
                ? base(item).deliveredWithServerFault(item.key, servedEmpty(item))
                : base(item).delivered(item.key);
        store.put(item.record);
        fingerprint(item);
      } else if (item.phase() == RunItem.Phase.DUPLICATE) {
        item.record =
            UidRecord.of(item.ref.uid(), UidRecord.State.DUPLICATE, item.firstSeen, null)
                .withSize(item.ref.size());
        store.put(item.record);
        fingerprint(item);
      } else if (countsAsFailure(item)) {
        UidRecord failed = base(item).failedOnce(item.outcome().error());
        store.put(failed);
        if (Quarantine.holds(failed, config.quarantineAfter())) {
          quarantinedNow.add(item);
        }
      }
    }
    store.sync();
    for (RunItem item : quarantinedNow) { // said once the state holds it
      FetchException was = item.outcome().error();
      item.settle(
          MessageOutcome.failed(
              item.ref,
              Quarantine.failed(
                  was,
                  item.record == null ? 1 : item.record.failures() + 1,
                  Quarantine.holds(item.record, config.quarantineAfter())),
              true,
              item.outcome().bytes()));
      broke = was == broke ? item.outcome().error() : broke;
    }
    return broke;
  }

  /**
   * Whether the message failed in a way its record keeps: tried, for a reason of its own. The
   * earlier message's record stays, so that the next run checks again (Q51); so does the empty
   * copy's (Q53): as a failure, the sink's copy would pass for the whole message.
   */
  private static boolean countsAsFailure(RunItem item) {
    MessageOutcome outcome = item.outcome();
    return outcome != null
        && outcome.kind() == MessageOutcome.Kind.FAILED
        && outcome.attempted()
        && countsAgainstMessage(outcome.error())
        && !item.reusedUid
        && !item.recheckEmpty;
  }

  /** A held message's outcome, once the barrier passed (or not: then it is not due). */
  private void settleHeld(RunItem item, boolean recorded) {
    DeliveryReceipt receipt = item.receipt();
    DedupVerdict duplicate = item.duplicate();
    if (receipt != null) {
      item.settle(
          receipt.alreadyHeld()
              ? MessageOutcome.alreadySeen(item.ref, item.key, receipt.bytes())
              : MessageOutcome.delivered(item.ref, item.key, receipt.bytes()));
    } else {
      item.settle(
          MessageOutcome.duplicate(
              item.ref, duplicate.firstCopy(), duplicate.reason(), item.bytesSeen));
    }
    item.deleteDue =
        recorded && config.retention().deletionDue(item.firstSeen, now) && !item.servedEmpty;
    if (item.servedEmpty && receipt != null) {
      warnings.add(servedEmpty(item));
      log.warn("{} - {}", config.account(), servedEmpty(item).getMessage());
    } else if (item.recheckEmpty) {
      // A copy of one held (duplicate) is said too: the empty copy is still there.
      warnings.add(
          receipt != null
              ? EmptyMessageCheck.servedWhole(item.ref)
              : EmptyMessageCheck.servedWholeAsCopy(item.ref, duplicate.reason(), item.deleteDue));
    }
  }

  /**
   * The deliveries a sink named at its barrier as not part of it (a remote store refused them after
   * they completed): each fails with its own error and leaves {@code held}; the others stay held.
   * Returns the failure that stops the run (the destination's, not a message's), or null.
   */
  private static FetchException failHeldDeliveries(List<RunItem> held, DeliveriesFailed some) {
    FetchException stop = null;
    for (Iterator<RunItem> it = held.iterator(); it.hasNext(); ) {
      RunItem item = it.next();
      DeliveryReceipt receipt = item.receipt();
      FetchException e = receipt == null ? null : some.failures().get(item.key);
      if (e == null) {
        continue;
      }
      FetchException failure = RunFailures.sink("delivering message " + item.ref.number(), e);
      if (stop == null && failure.error() != FetchError.SINK_REJECTED) {
        stop = failure = SinkPlace.stopping(failure);
      }
      item.settle(MessageOutcome.failed(item.ref, failure, true, receipt.bytes()));
      it.remove();
    }
    // A duplicate was let go because its first copy was on its way: with that copy refused, the
    // duplicate is all there is of the message, so it stays on the server too.
    for (Iterator<RunItem> it = held.iterator(); it.hasNext(); ) {
      RunItem item = it.next();
      DedupVerdict duplicate = item.duplicate();
      FetchException firstCopyFailed =
          duplicate == null ? null : some.failures().get(duplicate.firstCopy());
      if (firstCopyFailed == null) {
        continue;
      }
      item.settle(
          MessageOutcome.failed(
              item.ref,
              new FetchException(
                  FetchError.SINK_FAILED,
                  "message "
                      + item.ref.number()
                      + " is a copy ("
                      + duplicate.reason()
                      + ") of a message the destination did not"
                      + " take ("
                      + firstCopyFailed.detail()
                      + "); it stays on the server and is tried again at the next run",
                  firstCopyFailed),
              true,
              item.bytesSeen));
      it.remove();
    }
    return stop;
  }

  /**
   * Whether a failure is the message's own (and so counts towards its quarantine): not the sink's
   * place or its destination's account (a refused or expired grant, a quota), not the state's, not
   * a stop.
   */
  static boolean countsAgainstMessage(FetchException e) {
    switch (e.error()) {
      case SINK_FAILED:
      case STATE_FAILED:
      case STOPPED:
      case AUTH_FAILED:
      case AUTH_TOKEN_EXPIRED:
      case QUOTA_EXCEEDED:
      case CONFIGURATION:
        return false;
      default:
        return true;
    }
  }

  private static FetchException servedEmpty(RunItem item) {
    return EmptyMessageCheck.fault(item.ref, item.bytesSeen);
  }

  /** The message's record to build on, with the size the listing gives it now. */
  private static UidRecord base(RunItem item) {
    return (item.record != null
            ? item.record
            : UidRecord.of(item.ref.uid(), UidRecord.State.FAILED, item.firstSeen, null))
        .withSize(item.ref.size());
  }

  /**
   * Records the message's header fingerprint where the store keeps them (for the Q26 and Q51
   * checks). Header fields a server adds alone identify nothing: every message served empty would
   * share one.
   */
  private void fingerprint(RunItem item) throws IOException {
    UidStore store = config.uidStore();
    if (store.keepsFingerprints() && item.headers != null && item.headers.hasMessageFields()) {
      store.recordFingerprint(item.ref.uid(), ContentDigest.ofHeaders(item.headers));
    }
  }
}
