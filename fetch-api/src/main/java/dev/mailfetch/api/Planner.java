package dev.mailfetch.api;

import dev.mailfetch.api.internal.Listing;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides every listed message that needs no download, in the {@link OutcomeLedger}, and returns
 * the ones to download, in order. A message the state remembers as delivered (or as old, under
 * "only new") is settled by a byte of the ledger, without a {@link RunItem}. Records made here
 * (catch-up after a crash, baselines, quirks Q26 and Q51) are synced before any download.
 */
final class Planner {
  // Named after the public class: users configure logging by the names they know.
  private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

  /** The work list of a run and the bytes it announces. */
  record Plan(List<RunItem> work, long bytes) {}

  private final RunConfig config;
  private final UidStore store;
  private final OutcomeLedger ledger;
  private final ListingCollector listed;
  private final boolean stableIds;
  private final boolean incremental;
  private final Instant now;
  private final RunSession session;
  private final Set<QuirkId> engineQuirks;
  private final List<FetchException> warnings;

  /** Whether the sink passed a barrier before the plan first trusted it to hold a message. */
  private boolean sinkSettled;

  Planner(
      RunConfig config,
      OutcomeLedger ledger,
      ListingCollector listed,
      boolean stableIds,
      boolean incremental,
      Instant now,
      RunSession session,
      Set<QuirkId> engineQuirks,
      List<FetchException> warnings) {
    this.config = config;
    this.store = config.uidStore();
    this.ledger = ledger;
    this.listed = listed;
    this.stableIds = stableIds;
    this.incremental = incremental;
    this.now = now;
    this.session = session;
    this.engineQuirks = engineQuirks;
    this.warnings = warnings;
  }

  Plan plan() throws FetchException {
    Listing listing = listed.listing();
    int n = ledger.size();
    List<RunItem> work = new ArrayList<>();
    long plannedBytes = 0;
    FetchException runLimit = null;
    FetchLimits limits = config.limits();
    try {
      boolean firstRun = store.firstRun().isEmpty();
      List<RunItem> unknown = new ArrayList<>();
      List<ReusedUids.Suspect> suspects = new ArrayList<>();
      int knownListed = 0;
      for (int at = 0; at < n; at++) {
        if (listed.repeatedUid(at)) {
          RunItem item = ledger.newItem(at);
          item.settle(
              MessageOutcome.failed(
                  item.ref,
                  new FetchException(
                      FetchError.PROTOCOL,
                      "the source listed unique id " + item.ref.uid() + " twice"),
                  false,
                  0));
        } else if (stableIds && listing.hasUid(at)) {
          UidRecord known = store.get(listing.uid(at)).orElse(null);
          if (known == null) {
            unknown.add(ledger.newItem(at));
          } else {
            knownListed++; // looked up again below: holding a record each would cost the heap
            ReusedUids.Why why =
                ReusedUids.suspicion(
                    known, listing.size(at), deletionDue(known), store.keepsFingerprints());
            if (why != null) {
              suspects.add(new ReusedUids.Suspect(at, listing.ref(at), known, why));
            } else if (!known.knowsSize() && known.state().isSettled()) {
              store.put(known.withSize(listing.size(at))); // a record from before sizes were kept
            }
          }
        } else {
          ledger.newItem(at);
        }
      }
      // After an incremental listing an id it lacks is no sign of anything (MailboxMarks): nothing
      // is gone, so nothing is forgotten, renumbered or taken for changed ids (Q26).
      Set<String> gone =
          incremental
              ? new HashSet<>()
              : new HashSet<>(
                  store.retainListed(
                      stableIds && listing != null ? listing.uids() : Set.of(), now));
      if (!suspects.isEmpty()) {
        checkReusedUids(suspects, gone);
      }
      Renumbering renumbering = session.renumbering();
      if (renumbering != null && !gone.isEmpty() && !unknown.isEmpty()) {
        Set<String> renumbered = session.renumbered(renumbering, gone);
        if (!renumbered.isEmpty()) {
          Map<MessageRef, UidRecord> recognised =
              RenumberedMailboxes.recognise(
                  config,
                  renumbering,
                  renumbered,
                  RunItem.refsOf(unknown),
                  this::readHeaders,
                  warnings);
          for (RunItem item : unknown) {
            item.record = recognised.getOrDefault(item.ref, item.record);
          }
          // Known now, or renumbered: no sign of a server that changed its ids on its own (Q26).
          unknown.removeIf(item -> recognised.containsKey(item.ref));
          gone.removeAll(renumbered);
        }
      }
      if (!firstRun) {
        Map<MessageRef, UidRecord> moved =
            ChangedUids.recognise(
                config,
                ChangedUids.vanishedUnexpectedly(config, gone, now),
                RunItem.refsOf(unknown),
                knownListed,
                this::readHeaders,
                engineQuirks);
        for (RunItem item : unknown) {
          item.record = moved.getOrDefault(item.ref, item.record);
        }
      }
      for (int at = 0; at < n; at++) {
        RunItem item = ledger.item(at);
        if (item == null) {
          UidRecord known = store.get(listing.uid(at)).orElse(null);
          byte settled = known == null ? ListedOutcomes.OWN : settle(known);
          if (settled != ListedOutcomes.OWN) {
            ledger.settle(at, settled);
            continue;
          }
          item = ledger.newItem(at);
          item.record = known;
        }
        if (item.isSettled()) {
          continue;
        }
        MessageRef ref = item.ref;
        item.firstSeen = now;
        if (item.byUid) {
          if (item.key == null) {
            item.key = DeliveryKey.of(config.account(), ref.uid());
          }
          UidRecord rec = item.record;
          if (rec != null) {
            item.firstSeen = rec.firstSeen();
            if (decideKnown(item, rec)) {
              continue;
            }
          } else if (firstRun && config.onlyNew()) {
            store.put(
                UidRecord.of(ref.uid(), UidRecord.State.BASELINE, now, null).withSize(ref.size()));
            ledger.settle(at, ListedOutcomes.ONLY_NEW);
            continue;
          }
          if (!item.recheckEmpty && sinkContains(item.key)) {
            // The sink made it durable but the store never heard: a crash between the two.
            UidRecord recovered =
                (rec == null
                        ? UidRecord.of(ref.uid(), UidRecord.State.DELIVERED, now, item.key)
                        : rec.delivered(item.key))
                    .withSize(ref.size());
            store.put(recovered);
            item.record = recovered;
            item.settle(MessageOutcome.alreadySeen(ref, item.key, 0));
            item.deleteDue = config.retention().deletionDue(item.firstSeen, now);
            log.info(
                "{} - message {} was already in the sink; state caught up",
                config.account(),
                ref.uid());
            continue;
          }
        }
        if (ref.size() > limits.maxMessageSize()) {
          item.settle(
              MessageOutcome.skipped(
                  ref,
                  SkipReason.MESSAGE_SIZE_LIMIT,
                  LimitAdvice.tooLargeListed(ref, limits.maxMessageSize())));
        } else if (work.size() >= limits.maxMessagesPerRun()
            || plannedBytes >= limits.maxBytesPerRun()) {
          if (runLimit == null) { // one for all: a run that leaves thousands for later makes one
            runLimit = LimitAdvice.runLimit(limits, work.size(), plannedBytes);
          }
          item.settle(MessageOutcome.skipped(ref, SkipReason.RUN_LIMIT, runLimit));
        } else {
          work.add(item);
          plannedBytes += ref.size();
        }
      }
      if (firstRun) {
        store.recordFirstRun(now);
      }
      store.sync();
    } catch (FetchException e) {
      throw e; // typed where it happened: the sink's, the source's (reading headers) or the store's
    } catch (IOException | RuntimeException e) {
      throw RunFailures.state(e);
    }
    ledger.reportSettled(config.listener());
    config.listener().planned(work.size(), plannedBytes);
    return new Plan(work, plannedBytes);
  }

  /** A message the state remembers, settled without a RunItem where its record allows. */
  private byte settle(UidRecord rec) {
    switch (rec.state()) {
      case BASELINE:
        return ListedOutcomes.ONLY_NEW;
      case DELIVERED:
      case DUPLICATE:
      case DELETED:
        if (EmptyMessageCheck.servedEmpty(rec)) {
          return ListedOutcomes.OWN; // checked again, with its record
        }
        return deletionDue(rec) ? ListedOutcomes.SEEN_DUE : ListedOutcomes.SEEN;
      default:
        return ListedOutcomes.OWN; // a failed message: tried again or quarantined, with its record
    }
  }

  /** Decides a message the store knows; returns false if it must still be downloaded. */
  private boolean decideKnown(RunItem item, UidRecord rec) {
    switch (rec.state()) {
      case BASELINE:
        item.settle(MessageOutcome.skipped(item.ref, SkipReason.ONLY_NEW, null));
        return true;
      case DELIVERED:
      case DUPLICATE:
      case DELETED:
        if (EmptyMessageCheck.servedEmpty(rec)) {
          item.recheckEmpty = true; // does the server serve it whole now?
          return false;
        }
        item.settle(MessageOutcome.alreadySeen(item.ref, rec.deliveryKey(), 0));
        item.deleteDue = deletionDue(rec);
        return true;
      case FAILED:
        if (Quarantine.holds(rec, config.quarantineAfter()) && !config.retryQuarantined()) {
          item.settle(
              MessageOutcome.skipped(
                  item.ref, SkipReason.QUARANTINED, Quarantine.skipped(item.ref, rec)));
          return true;
        }
        return false;
      default:
        throw new AssertionError(rec.state());
    }
  }

  /** Whether the retention deletes this settled message now: never one the server served empty. */
  private boolean deletionDue(UidRecord rec) {
    return config.deletionDue(rec, now);
  }

  /**
   * Quirk Q51: settles or re-keys each message whose record may describe another one (ReusedUids).
   */
  private void checkReusedUids(List<ReusedUids.Suspect> suspects, Set<String> gone)
      throws IOException, FetchException {
    ReusedUids reused = new ReusedUids(config, listed.listing());
    reused.decide(suspects, gone, this::readHeaders);
    for (ReusedUids.Suspect s : suspects) {
      RunItem item = ledger.item(s.at) != null ? ledger.item(s.at) : ledger.newItem(s.at);
      switch (s.verdict) {
        case SAME:
        case MOVED:
          item.record = s.settled;
          break;
        case NEW:
          item.key = s.key;
          item.reusedUid = true;
          break;
        default: // KEEP: as seen, and not deleted
          item.record = s.record;
          item.firstSeen = s.record.firstSeen();
          item.settle(MessageOutcome.alreadySeen(item.ref, s.record.deliveryKey(), 0));
      }
    }
    reused.report(suspects, engineQuirks, warnings);
  }

  /** The header sections of {@code refs}, or null if the source cannot read them alone. */
  private Map<MessageRef, HeaderBlock> readHeaders(List<MessageRef> refs) throws FetchException {
    return session.headers(refs, config.limits().maxHeaderBytes());
  }

  /**
   * Whether the sink holds {@code key} durably, as the plan's catch-up needs it: a sink whose
   * destination answers later may count a delivery still on its way (another run's, interrupted
   * before its barrier, or another fetcher's), so the first key a run finds held is asked again
   * after a barrier; a delivery the destination then refuses is no longer held. A run that finds
   * none (every run but one after a crash) passes no extra barrier: a slow one would keep the
   * server waiting.
   */
  private boolean sinkContains(DeliveryKey key) throws FetchException {
    MessageSink sink = config.sink();
    try {
      if (!sink.contains(key)) {
        return false;
      }
      if (!sinkSettled) {
        sinkSettled = true;
        try {
          sink.sync();
        } catch (DeliveriesFailed refusedElsewhere) {
          log.debug(
              "{} - deliveries refused before this run: {}",
              config.account(),
              refusedElsewhere.getMessage());
        }
      }
      return sink.contains(key);
    } catch (IOException | RuntimeException e) {
      throw SinkPlace.stopping(RunFailures.sink("checking whether the sink holds a message", e));
    }
  }
}
