package dev.mailfetch.api;

import dev.mailfetch.api.internal.Listing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a {@link Fetcher}: the flow of docs/architecture.md, in this order.
 *
 * <ol>
 *   <li>Open the session; refuse settings the server cannot honour (POLICY).
 *   <li>List, keeping one {@link RunItem} per message (the listing is capped by maxListing).
 *   <li>Plan: every message either gets its outcome now (already seen, skipped, recovered from the
 *       sink) or joins the work list. Records made here are synced before any download.
 *   <li>For each batch of the work list: retrieve (the source may pipeline), streaming each message
 *       into the sink; then the barrier: sink.sync, store.put, store.sync; only then DELE for the
 *       batch's messages that are due.
 *   <li>Mark old messages that are due for deletion, QUIT, and record confirmed deletions.
 * </ol>
 *
 * <p>Errors a server, sink or store can cause never leave this class as exceptions: they end up as
 * outcomes and as the result's error. {@link Error}s pass through untouched, which is how the crash
 * tests simulate a process dying at any step.
 */
final class FetchRun {
  private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

  private final Fetcher f;
  private final java.util.function.BooleanSupplier stopRequested;
  private Capabilities capabilities;
  private final FetchListener listener;
  private final Instant started;

  /**
   * The listing, flat (a million messages must fit a small heap); null until the source counted.
   */
  private Listing listing;

  /** Positions the source listed under a UID it had already listed. */
  private final java.util.BitSet repeatedUid = new java.util.BitSet();

  /**
   * By listing position: the message's {@link RunItem}, or null where the plan settled it without
   * one (already seen, or old under "only new"), which {@link #fate} then tells.
   */
  private RunItem[] itemAt = new RunItem[0];

  private byte[] fate = new byte[0];
  private boolean fatesReported;

  /** Whether the sink passed a barrier before the plan first trusted it to hold a message. */
  private boolean sinkSettled;

  private Instant now;
  private String server;
  private boolean stableIds;
  private boolean sessionBroken;
  private FetchException runError;
  private Set<QuirkId> quirks = Set.of();

  /** Quirks the engine itself noticed (Q26), added to the session's. */
  private final Set<QuirkId> engineQuirks = new java.util.LinkedHashSet<>();

  private int deleted;
  private int deletionsUnconfirmed;
  private int deletionsRefused;

  /** What did not stop the run but needs a person to know ({@link FetchResult#warnings()}). */
  private final List<FetchException> warnings = new ArrayList<>();

  /** Label and dedup policies that failed, said once per run as warnings. */
  private final PolicyTrouble policyTrouble = new PolicyTrouble();

  /** The header buffer, reused for every message of the run. */
  private byte[] headerBuf = new byte[4096];

  FetchRun(Fetcher fetcher, java.util.function.BooleanSupplier stopRequested) {
    this.f = fetcher;
    this.stopRequested = stopRequested;
    this.listener = fetcher.listener;
    this.started = fetcher.clock.instant();
  }

  /** The result of a run that could not start. */
  static FetchResult refused(Fetcher fetcher, FetchException error) {
    Instant at = fetcher.clock.instant();
    return new FetchResult(
        fetcher.account,
        null,
        at,
        Duration.ZERO,
        List.of(),
        Optional.of(error),
        Set.of(),
        0,
        0,
        Optional.empty());
  }

  FetchResult run() {
    listener.runStarted(f.account);
    log.info("{} - run started", f.account);
    FetchSession session = null;
    try {
      session = open();
      try {
        Capabilities caps = describe(session);
        checkPolicy(caps);
        stableIds = caps.stableUids();
        list(session);
        List<RunItem> work = plan(session);
        fetch(session, work);
      } catch (FetchException e) {
        runError = e;
      }
      if (!sessionBroken) {
        commitDeletions(session);
      }
    } catch (FetchException e) {
      runError = e;
    } finally {
      if (session != null) {
        quirks = quirksOf(session);
        warningsOf(session);
        session.close();
      }
    }
    return finish();
  }

  // ---------------------------------------------------------------- session steps

  private FetchSession open() throws FetchException {
    try {
      FetchSession session = f.source.open();
      if (session == null) {
        throw new FetchException(FetchError.PROTOCOL, "the source returned no session");
      }
      return session;
    } catch (RuntimeException e) {
      throw new FetchException(FetchError.PROTOCOL, "the source failed to open: " + e, e);
    }
  }

  /** Reads the server's name and capabilities, which a faulty source might fail to give. */
  private Capabilities describe(FetchSession session) throws FetchException {
    try {
      server = session.server();
      Capabilities caps = session.capabilities();
      if (server == null || caps == null) {
        throw new IllegalStateException("no server name or capabilities");
      }
      capabilities = caps;
      return caps;
    } catch (RuntimeException e) {
      sessionBroken = true;
      throw new FetchException(
          FetchError.PROTOCOL, "the source failed to describe its session: " + e, e);
    }
  }

  private void checkPolicy(Capabilities caps) throws FetchException {
    boolean leaves = f.retention.leavesMailOnServer();
    if ((leaves || f.onlyNew) && !caps.stableUids()) {
      throw new FetchException(
          FetchError.POLICY,
          (leaves ? "Leaving mail on the server" : "Fetching only new mail")
              + " needs unique ids that stay the same between sessions (POP3 UIDL), and "
              + server
              + " does not"
              + " provide them: every message would be fetched again each time",
          null,
          null,
          leaves
              ? Remedy.of(
                  "Delete messages once they are stored (--delete), or ask the provider to enable UIDL.",
                  "Use Retention.DELETE_AFTER_DELIVERY, or ask the provider to enable UIDL.")
              : Remedy.of(
                  "Run without --only-new and with --delete, or ask the provider to enable UIDL.",
                  "Use onlyNew(false) and Retention.DELETE_AFTER_DELIVERY, or ask the provider to enable UIDL."));
    }
    if (leaves && !caps.allowsLeavingMail()) {
      throw new FetchException(
          FetchError.POLICY,
          server
              + " announces EXPIRE 0: it does not allow mail to be left"
              + " on it after retrieval, so keeping mail there cannot be honoured",
          null,
          null,
          Remedy.of(
              "Delete messages once they are stored (--delete).",
              "Use Retention.DELETE_AFTER_DELIVERY."));
    }
  }

  private void list(FetchSession session) throws FetchException {
    int maxListing = f.limits.maxListing();
    ListingHandler handler =
        new ListingHandler() {
          @Override
          public void count(int messages, long octets) throws FetchException {
            if (messages < 0 || octets < 0) {
              throw new FetchException(
                  FetchError.PROTOCOL,
                  "the server announced " + messages + " messages of " + octets + " octets");
            }
            if (messages > maxListing) {
              throw LimitAdvice.tooManyListed(messages, maxListing);
            }
            if (listing == null) {
              listing = new Listing(messages);
            }
            listener.listed(messages, octets);
          }

          @Override
          public void message(MessageRef ref) throws FetchException {
            if (listing == null) {
              listing = new Listing(16); // a source that did not count first
            }
            if (listing.count() >= maxListing) {
              throw LimitAdvice.tooManyListed(listing.count() + 1, maxListing);
            }
            int at = listing.add(ref.number(), ref.uid(), ref.size());
            if (stableIds && ref.hasUid() && listing.indexOf(ref.uid()) != at) {
              repeatedUid.set(at);
            }
          }
        };
    try {
      session.list(handler);
    } catch (FetchException e) {
      sessionBroken = true;
      throw e;
    } catch (RuntimeException e) {
      sessionBroken = true;
      throw new FetchException(FetchError.PROTOCOL, "the source failed while listing: " + e, e);
    }
    log.debug(
        "{} - {} listed", f.account, dev.mailfetch.api.internal.Sizes.count(listed(), "message"));
  }

  /** How many messages the source listed (so far, while listing). */
  private int listed() {
    return listing == null ? 0 : listing.count();
  }

  private RunItem newItem(int at) {
    MessageRef ref = listing.ref(at);
    RunItem item = new RunItem(ref, stableIds && ref.hasUid());
    itemAt[at] = item;
    return item;
  }

  /**
   * Decides every message that needs no download; returns the ones to download, in order. A message
   * the state remembers as delivered (or as old, under "only new") is settled by a byte in {@link
   * #fate}, without a {@link RunItem}: a poll of a large mailbox keeps little per message.
   */
  private List<RunItem> plan(FetchSession session) throws FetchException {
    now = f.clock.instant();
    int n = listed();
    itemAt = new RunItem[n];
    fate = new byte[n];
    List<RunItem> work = new ArrayList<>();
    long plannedBytes = 0;
    FetchException runLimit = null;
    boolean firstRun;
    try {
      firstRun = f.uidStore.firstRun().isEmpty();
      List<RunItem> unknown = new ArrayList<>();
      List<ReusedUids.Suspect> suspects = new ArrayList<>();
      int knownListed = 0;
      for (int at = 0; at < n; at++) {
        if (repeatedUid.get(at)) {
          RunItem item = newItem(at);
          item.outcome =
              MessageOutcome.failed(
                  item.ref,
                  new FetchException(
                      FetchError.PROTOCOL,
                      "the source listed unique id " + item.ref.uid() + " twice"),
                  false,
                  0);
        } else if (stableIds && listing.hasUid(at)) {
          UidRecord known = f.uidStore.get(listing.uid(at)).orElse(null);
          if (known == null) {
            unknown.add(newItem(at));
          } else {
            knownListed++; // looked up again below: holding a record each would cost the heap
            ReusedUids.Why why =
                ReusedUids.suspicion(
                    known, listing.size(at), deletionDue(known), f.uidStore.keepsFingerprints());
            if (why != null) {
              suspects.add(new ReusedUids.Suspect(at, listing.ref(at), known, why));
            } else if (!known.knowsSize() && known.state().isSettled()) {
              f.uidStore.put(
                  known.withSize(listing.size(at))); // a record from before sizes were kept
            }
          }
        } else {
          newItem(at);
        }
      }
      java.util.Set<String> gone =
          new java.util.HashSet<>(
              f.uidStore.retainListed(
                  stableIds && listing != null ? listing.uids() : Set.of(), now));
      if (!suspects.isEmpty()) {
        checkReusedUids(session, suspects, gone);
      }
      if (!firstRun) {
        java.util.Map<MessageRef, UidRecord> moved =
            ChangedUids.recognise(
                f,
                vanishedUnexpectedly(gone),
                RunItem.refsOf(unknown),
                knownListed,
                refs -> readHeaders(session, refs),
                engineQuirks);
        for (RunItem item : unknown) {
          item.record = moved.getOrDefault(item.ref, item.record);
        }
      }
      for (int at = 0; at < n; at++) {
        RunItem item = itemAt[at];
        if (item == null) {
          UidRecord known = f.uidStore.get(listing.uid(at)).orElse(null);
          byte settled = known == null ? ListedOutcomes.OWN : settle(known);
          if (settled != ListedOutcomes.OWN) {
            fate[at] = settled;
            continue;
          }
          item = newItem(at);
          item.record = known;
        }
        if (item.outcome != null) {
          continue;
        }
        MessageRef ref = item.ref;
        item.firstSeen = now;
        if (item.byUid) {
          if (item.key == null) {
            item.key = DeliveryKey.of(f.account, ref.uid());
          }
          UidRecord rec = item.record;
          if (rec != null) {
            item.firstSeen = rec.firstSeen();
            if (decideKnown(item, rec)) {
              continue;
            }
          } else if (firstRun && f.onlyNew) {
            f.uidStore.put(
                UidRecord.of(ref.uid(), UidRecord.State.BASELINE, now, null).withSize(ref.size()));
            itemAt[at] = null;
            fate[at] = ListedOutcomes.ONLY_NEW;
            continue;
          }
          if (!item.recheckEmpty && sinkContains(item.key)) {
            // The sink made it durable but the store never heard: a crash between the two.
            UidRecord recovered =
                (rec == null
                        ? UidRecord.of(ref.uid(), UidRecord.State.DELIVERED, now, item.key)
                        : rec.delivered(item.key))
                    .withSize(ref.size());
            f.uidStore.put(recovered);
            item.record = recovered;
            item.outcome = MessageOutcome.alreadySeen(ref, item.key, 0);
            item.deleteDue = f.retention.deletionDue(item.firstSeen, now);
            log.info(
                "{} - message {} was already in the sink; state caught up", f.account, ref.uid());
            continue;
          }
        }
        if (ref.size() > f.limits.maxMessageSize()) {
          item.outcome =
              MessageOutcome.skipped(
                  ref,
                  SkipReason.MESSAGE_SIZE_LIMIT,
                  LimitAdvice.tooLargeListed(ref, f.limits.maxMessageSize()));
        } else if (work.size() >= f.limits.maxMessagesPerRun()
            || plannedBytes >= f.limits.maxBytesPerRun()) {
          if (runLimit == null) { // one for all: a run that leaves thousands for later makes one
            runLimit = LimitAdvice.runLimit(f.limits, work.size(), plannedBytes);
          }
          item.outcome = MessageOutcome.skipped(ref, SkipReason.RUN_LIMIT, runLimit);
        } else {
          work.add(item);
          plannedBytes += ref.size();
        }
      }
      if (firstRun) {
        f.uidStore.recordFirstRun(now);
      }
      f.uidStore.sync();
    } catch (FetchException e) {
      throw e; // typed where it happened: the sink's, the source's (reading headers) or the store's
      // own
    } catch (IOException | RuntimeException e) {
      throw stateFailed(e);
    }
    reportSettled();
    listener.planned(work.size(), plannedBytes);
    return work;
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

  /**
   * The gone UIDs whose going says something (quirk Q26): not those this fetcher deleted, or asked
   * the server to delete, itself. Those are expected to vanish, so they are no sign of a server
   * that numbered its mailbox anew, and a later message with the same headers (the same message
   * sent twice) must never be taken for one of them: it would be deleted without being delivered.
   */
  private Set<String> vanishedUnexpectedly(Set<String> gone) throws IOException {
    Set<String> unexpected = new java.util.HashSet<>();
    for (String uid : gone) {
      UidRecord rec = f.uidStore.get(uid).orElse(null);
      boolean expected =
          rec != null
              && (rec.state() == UidRecord.State.DELETED
                  || (rec.state() == UidRecord.State.DELIVERED
                          || rec.state() == UidRecord.State.DUPLICATE)
                      && deletionDue(rec));
      if (!expected) {
        unexpected.add(uid);
      }
    }
    return unexpected;
  }

  /** Whether the retention deletes this settled message now: never one the server served empty. */
  private boolean deletionDue(UidRecord rec) {
    return f.retention.deletionDue(rec.firstSeen(), now)
        && !(rec.state() == UidRecord.State.DELIVERED && rec.lastError() != null);
  }

  /** Tells the listener every outcome the plan settled, in listing order; once. */
  private void reportSettled() {
    if (fatesReported) {
      return;
    }
    fatesReported = true;
    for (int at = 0; at < itemAt.length; at++) {
      RunItem item = itemAt[at];
      if (item == null) {
        listener.messageFinished(ListedOutcomes.of(listing.ref(at), fate[at]));
      } else if (item.outcome != null) {
        report(item);
      }
    }
  }

  /**
   * Quirk Q51: settles or re-keys each message whose record may describe another one (ReusedUids).
   */
  private void checkReusedUids(
      FetchSession session, List<ReusedUids.Suspect> suspects, java.util.Set<String> gone)
      throws IOException, FetchException {
    ReusedUids reused = new ReusedUids(f, listing);
    reused.decide(suspects, gone, refs -> readHeaders(session, refs));
    for (ReusedUids.Suspect s : suspects) {
      RunItem item = itemAt[s.at] != null ? itemAt[s.at] : newItem(s.at);
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
          item.outcome = MessageOutcome.alreadySeen(item.ref, s.record.deliveryKey(), 0);
      }
    }
    reused.report(suspects, engineQuirks, warnings);
  }

  /**
   * The header sections of {@code refs} (POP3 TOP n 0), or null if the source cannot read them
   * alone.
   */
  private java.util.Map<MessageRef, HeaderBlock> readHeaders(
      FetchSession session, List<MessageRef> refs) throws FetchException {
    HeaderCollector collected = new HeaderCollector(f.limits.maxHeaderBytes());
    try {
      Optional<HeaderReading> reading = session.headerReading();
      if (reading.isEmpty()) {
        return null;
      }
      reading.get().readHeaders(refs, collected);
    } catch (FetchException e) {
      sessionBroken = true;
      throw e;
    } catch (RuntimeException e) {
      sessionBroken = true;
      throw new FetchException(
          FetchError.PROTOCOL, "the source failed while reading header sections: " + e, e);
    }
    return collected.headers;
  }

  /** Decides a message the store knows; returns false if it must still be downloaded. */
  private boolean decideKnown(RunItem item, UidRecord rec) {
    switch (rec.state()) {
      case BASELINE:
        item.outcome = MessageOutcome.skipped(item.ref, SkipReason.ONLY_NEW, null);
        return true;
      case DELIVERED:
      case DUPLICATE:
      case DELETED:
        if (EmptyMessageCheck.servedEmpty(rec)) {
          item.recheckEmpty = true; // does the server serve it whole now?
          return false;
        }
        item.outcome = MessageOutcome.alreadySeen(item.ref, rec.deliveryKey(), 0);
        item.deleteDue = deletionDue(rec);
        return true;
      case FAILED:
        if (Quarantine.holds(rec, f.quarantineAfter) && !f.retryQuarantined) {
          item.outcome =
              MessageOutcome.skipped(
                  item.ref, SkipReason.QUARANTINED, Quarantine.skipped(item.ref, rec));
          return true;
        }
        return false;
      default:
        throw new AssertionError(rec.state());
    }
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
    try {
      if (!f.sink.contains(key)) {
        return false;
      }
      if (!sinkSettled) {
        sinkSettled = true;
        try {
          f.sink.sync();
        } catch (DeliveriesFailed refusedElsewhere) {
          log.debug(
              "{} - deliveries refused before this run: {}",
              f.account,
              refusedElsewhere.getMessage());
        }
      }
      return f.sink.contains(key);
    } catch (IOException | RuntimeException e) {
      throw SinkPlace.stopping(sinkFailed("checking whether the sink holds a message", e));
    }
  }

  /**
   * Retrieves the work list batch by batch, each followed by its barrier. The source is told what
   * follows the batch, so that a pipelining one keeps its window of requests full across barriers.
   * DELE waits for the end of the run ({@link #commitDeletions}): POP3 deletes only at QUIT anyway,
   * and any call but the next retrieve makes such a source drop the session (a run that stops after
   * a barrier then commits no deletions; the next run does).
   */
  private void fetch(FetchSession session, List<RunItem> work) throws FetchException {
    for (int from = 0; from < work.size(); from += f.batchSize) {
      if (stopRequested.getAsBoolean()) {
        throw stopped();
      }
      int to = Math.min(work.size(), from + f.batchSize);
      List<RunItem> batchItems = work.subList(from, to);
      Batch batch = new Batch(batchItems);
      List<MessageRef> refs = RunItem.refsOf(batchItems);
      // Not announced once a stop is asked for: requests sent ahead would cost this run its QUIT.
      List<MessageRef> next =
          stopRequested.getAsBoolean()
              ? List.of()
              : RunItem.refsView(work.subList(to, work.size()));
      FetchException sessionError = null;
      try {
        session.retrieve(
            Retrieval.of(refs).followedBy(next).withLineEnding(f.sink.lineEnding()), batch);
      } catch (FetchException e) {
        sessionError = e;
      } catch (StopInBatch e) {
        // The session is dropped mid-batch: nothing deleted this time. A place that failed stops
        // the
        // run at once; what follows would fail alike (SinkPlace).
        sessionError = e.placeFailed != null ? e.placeFailed : stopped();
      } catch (RuntimeException e) {
        sessionError =
            new FetchException(FetchError.PROTOCOL, "the source failed while retrieving: " + e, e);
      }
      if (sessionError != null) {
        sessionBroken = true;
      }
      batch.close(sessionError);
      try {
        sessionError = barrier(batchItems, sessionError);
      } catch (FetchException e) {
        if (sessionError == null || sessionError.error() != FetchError.SINK_FAILED) {
          throw e;
        }
        // The place that failed is the run's one error; the store catches up next run (the sink
        // holds what it holds).
        log.warn(
            "{} - after the sink failed, the barrier failed too: {}", f.account, e.getMessage());
      }
      if (sessionError != null) {
        throw sessionError;
      }
    }
  }

  private FetchException stopped() {
    return new FetchException(
        FetchError.STOPPED,
        "the run was asked to stop; what was delivered is kept,"
            + " the rest stays on the server for the next run");
  }

  /**
   * Thrown from the handler, through the source, to leave a batch: after the message in progress
   * when a stop is asked for, or at once when the sink's place failed ({@code placeFailed}).
   */
  private static final class StopInBatch extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient FetchException placeFailed;

    StopInBatch(FetchException placeFailed) {
      super("stop requested", null, false, false);
      this.placeFailed = placeFailed;
    }
  }

  /**
   * The durability barrier of one batch: sink first, then the store, then the outcomes. Nothing of
   * the batch is deleted unless both succeeded. Returns {@code broke}, the failure that ended the
   * batch (or null), as the message it broke in says it once quarantined: one failure, said once.
   */
  private FetchException barrier(List<RunItem> batchItems, FetchException broke)
      throws FetchException {
    List<RunItem> held = new ArrayList<>();
    for (RunItem item : batchItems) {
      if (item.receipt != null || item.duplicate != null) {
        held.add(item);
      }
    }
    FetchException stop = null;
    if (!held.isEmpty()) {
      try {
        f.sink.sync();
      } catch (DeliveriesFailed some) {
        stop = failHeldDeliveries(held, some);
      } catch (IOException | RuntimeException e) {
        stop = SinkPlace.stopping(sinkFailed("making the batch durable (sync)", e));
        for (RunItem item : held) {
          item.receipt = null;
          item.duplicate = null;
          item.outcome = MessageOutcome.failed(item.ref, stop, true, 0);
        }
        held.clear();
      }
    }
    boolean recorded = false;
    List<RunItem> quarantinedNow = new ArrayList<>();
    try {
      for (RunItem item : batchItems) {
        if (!item.byUid) {
          continue;
        }
        if (item.receipt != null) {
          item.record =
              item.servedEmpty
                  ? base(item).deliveredWithServerFault(item.key, servedEmpty(item))
                  : base(item).delivered(item.key);
          f.uidStore.put(item.record);
          fingerprint(item);
        } else if (item.duplicate != null) {
          item.record =
              UidRecord.of(item.ref.uid(), UidRecord.State.DUPLICATE, item.firstSeen, null)
                  .withSize(item.ref.size());
          f.uidStore.put(item.record);
          fingerprint(item);
        } else if (item.outcome != null
            && item.outcome.kind() == MessageOutcome.Kind.FAILED
            && item.outcome.attempted()
            && countsAgainstMessage(item.outcome.error())
            // The earlier message's record stays, so that the next run checks again (Q51); so does
            // the
            // empty copy's (Q53): as a failure, the sink's copy would pass for the whole message.
            && !item.reusedUid
            && !item.recheckEmpty) {
          UidRecord failed = base(item).failedOnce(item.outcome.error());
          f.uidStore.put(failed);
          if (Quarantine.holds(failed, f.quarantineAfter)) {
            quarantinedNow.add(item);
          }
        }
      }
      f.uidStore.sync();
      recorded = true;
      for (RunItem item : quarantinedNow) { // said once the state holds it
        FetchException was = item.outcome.error();
        item.outcome =
            MessageOutcome.failed(
                item.ref,
                Quarantine.failed(
                    was,
                    item.record == null ? 1 : item.record.failures() + 1,
                    Quarantine.holds(item.record, f.quarantineAfter)),
                true,
                item.outcome.bytes());
        broke = was == broke ? item.outcome.error() : broke;
      }
    } catch (IOException | RuntimeException e) {
      if (stop == null) {
        stop = stateFailed(e);
      }
    }
    for (RunItem item : held) {
      if (item.receipt != null) {
        item.outcome =
            item.receipt.alreadyHeld()
                ? MessageOutcome.alreadySeen(item.ref, item.key, item.receipt.bytes())
                : MessageOutcome.delivered(item.ref, item.key, item.receipt.bytes());
      } else {
        item.outcome =
            MessageOutcome.duplicate(
                item.ref, item.duplicate.firstCopy(), item.duplicate.reason(), item.bytesSeen);
      }
      item.deleteDue =
          recorded && f.retention.deletionDue(item.firstSeen, now) && !item.servedEmpty;
      if (item.servedEmpty && item.receipt != null) {
        warnings.add(servedEmpty(item));
        log.warn("{} - {}", f.account, servedEmpty(item).getMessage());
      } else if (item.recheckEmpty) { // a copy of one held (duplicate) is said too: the empty copy
        // is still there
        warnings.add(
            item.receipt != null
                ? EmptyMessageCheck.servedWhole(item.ref)
                : EmptyMessageCheck.servedWholeAsCopy(
                    item.ref, item.duplicate.reason(), item.deleteDue));
      }
    }
    for (RunItem item : batchItems) {
      report(item);
      // The header section and envelope served the policies; holding them longer would make a
      // long run's memory grow with every message.
      item.headers = null;
      item.envelope = null;
    }
    if (!held.isEmpty() && recorded) {
      listener.batchSynced(held.size());
    }
    if (stop != null) {
      throw stop;
    }
    return broke;
  }

  private static FetchException servedEmpty(RunItem item) {
    return EmptyMessageCheck.fault(item.ref, item.bytesSeen);
  }

  /**
   * Records the message's header fingerprint where the store keeps them (for the Q26 and Q51
   * checks).
   */
  private void fingerprint(RunItem item) throws IOException {
    // Header fields a server adds alone identify nothing: every message served empty would share
    // one.
    if (f.uidStore.keepsFingerprints() && item.headers != null && item.headers.hasMessageFields()) {
      f.uidStore.recordFingerprint(item.ref.uid(), ContentDigest.ofHeaders(item.headers));
    }
  }

  /**
   * The deliveries a sink named at its barrier as not part of it (a remote store refused them after
   * they completed): each fails with its own error and leaves {@code held}; the others stay held.
   * Returns the failure that stops the run (the destination's, not a message's), or null.
   */
  private FetchException failHeldDeliveries(List<RunItem> held, DeliveriesFailed some) {
    FetchException stop = null;
    for (java.util.Iterator<RunItem> it = held.iterator(); it.hasNext(); ) {
      RunItem item = it.next();
      FetchException e = item.receipt == null ? null : some.failures().get(item.key);
      if (e == null) {
        continue;
      }
      FetchException failure = sinkFailed("delivering message " + item.ref.number(), e);
      if (stop == null && failure.error() != FetchError.SINK_REJECTED) {
        stop = failure = SinkPlace.stopping(failure);
      }
      item.outcome = MessageOutcome.failed(item.ref, failure, true, item.receipt.bytes());
      item.receipt = null;
      it.remove();
    }
    // A duplicate was let go because its first copy was on its way: with that copy refused, the
    // duplicate is all there is of the message, so it stays on the server too.
    for (java.util.Iterator<RunItem> it = held.iterator(); it.hasNext(); ) {
      RunItem item = it.next();
      FetchException firstCopyFailed =
          item.duplicate == null ? null : some.failures().get(item.duplicate.firstCopy());
      if (firstCopyFailed == null) {
        continue;
      }
      item.outcome =
          MessageOutcome.failed(
              item.ref,
              new FetchException(
                  FetchError.SINK_FAILED,
                  "message "
                      + item.ref.number()
                      + " is a copy ("
                      + item.duplicate.reason()
                      + ") of a message the destination did not"
                      + " take ("
                      + firstCopyFailed.detail()
                      + "); it stays on the server and is tried again at the next run",
                  firstCopyFailed),
              true,
              item.bytesSeen);
      item.duplicate = null;
      it.remove();
    }
    return stop;
  }

  /**
   * Whether a failure is the message's own (and so counts towards its quarantine): not the sink's
   * place or its destination's account (a refused or expired grant, a quota), not the state's, not
   * a stop.
   */
  private static boolean countsAgainstMessage(FetchException e) {
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

  /** The message's record to build on, with the size the listing gives it now. */
  private UidRecord base(RunItem item) {
    return (item.record != null
            ? item.record
            : UidRecord.of(item.ref.uid(), UidRecord.State.FAILED, item.firstSeen, null))
        .withSize(item.ref.size());
  }

  private void rememberForDedup(RunItem item) {
    try {
      f.dedupPolicy.delivered(item.envelope, item.headers, item.key, item.contentDigest);
    } catch (IOException | RuntimeException e) {
      // Forgetting costs at worst a later duplicate, never a message.
      log.warn(
          "{} - dedup policy could not record message {}: {}",
          f.account,
          item.ref.number(),
          e.toString());
      policyTrouble.failed(PolicyTrouble.Kind.DEDUP_RECORD, item.ref, e);
    }
  }

  /**
   * A message as a report names it: its number and, where it has one, its unique id as it is (a
   * unique id is printable ASCII, {@link MessageRef}, so there is nothing to escape).
   */
  static String describe(MessageRef ref) {
    return ref.number() + (ref.hasUid() ? " (uid " + ref.uid() + ")" : "");
  }

  /** Marks {@code due} for deletion; returns the ones the server accepted. */
  private Set<MessageRef> sendDeletions(FetchSession session, List<MessageRef> due)
      throws FetchException {
    if (due.isEmpty()) {
      return Set.of();
    }
    Set<MessageRef> accepted;
    String earlier = DeletionWords.lastRefusal(session);
    try {
      accepted = session.delete(due);
    } catch (FetchException e) {
      sessionBroken = true;
      throw e;
    } catch (RuntimeException e) {
      sessionBroken = true;
      throw new FetchException(FetchError.PROTOCOL, "the source failed while deleting: " + e, e);
    }
    int refused = 0;
    MessageRef first = null;
    for (MessageRef ref : due) {
      if (!accepted.contains(ref)) {
        log.info(
            "{} - the server refused to delete message {}; it stays there",
            f.account,
            ref.number());
        refused++;
        first = first == null ? ref : first;
      }
    }
    deletionsRefused += refused;
    if (refused > 0) {
      warnings.add(DeletionWords.refused(refused, first, DeletionWords.since(earlier, session)));
    }
    return accepted;
  }

  private void commitDeletions(FetchSession session) {
    List<MessageRef> notStored = new ArrayList<>();
    for (RunItem item : itemAt) {
      if (item != null
          && item.retrieved
          && item.outcome != null
          && item.outcome.kind() == MessageOutcome.Kind.FAILED) {
        notStored.add(item.ref);
      }
    }
    if (!notStored.isEmpty()) {
      try {
        Optional<RetrievalMarks> marks = session.retrievalMarks();
        if (marks.isPresent()) {
          marks.get().unmark(notStored);
        }
      } catch (FetchException | RuntimeException e) {
        // Without the undo, QUIT could remove them: end without QUIT, nothing is deleted this time.
        log.warn(
            "{} - could not keep {} retrieved but unstored messages on the server ({}); ending the session"
                + " without QUIT",
            f.account,
            notStored.size(),
            e.toString());
        if (runError == null) {
          runError =
              e instanceof FetchException
                  ? (FetchException) e
                  : new FetchException(
                      FetchError.PROTOCOL, "the source failed to keep messages: " + e, e);
        }
        return;
      }
    }
    // Every message due: delivered in this run (deleteDue is set only once its barrier held), met
    // in the sink, or old ones settled without a RunItem.
    List<MessageRef> old = new ArrayList<>();
    for (int at = 0; at < itemAt.length; at++) {
      RunItem item = itemAt[at];
      if (item == null
          ? fate[at] == ListedOutcomes.SEEN_DUE
          : item.deleteDue && !item.deleteMarked) {
        old.add(item == null ? listing.ref(at) : item.ref);
      }
    }
    try {
      Set<MessageRef> accepted = sendDeletions(session, old);
      for (int at = 0; at < itemAt.length && !accepted.isEmpty(); at++) {
        RunItem item = itemAt[at];
        if (item == null
            ? fate[at] == ListedOutcomes.SEEN_DUE && accepted.contains(listing.ref(at))
            : !item.deleteMarked && accepted.contains(item.ref)) {
          if (item == null) {
            fate[at] = ListedOutcomes.SEEN_MARKED;
          } else {
            item.deleteMarked = true;
          }
        }
      }
    } catch (FetchException e) {
      if (runError == null) {
        runError = e;
      }
      return;
    }
    int marked = 0;
    for (int at = 0; at < itemAt.length; at++) {
      RunItem item = itemAt[at];
      if (item == null ? fate[at] == ListedOutcomes.SEEN_MARKED : item.deleteMarked) {
        marked++;
      }
    }
    boolean confirmed;
    String earlier = DeletionWords.lastRefusal(session);
    try {
      confirmed = session.quit();
    } catch (RuntimeException e) {
      log.warn("{} - the source failed at quit: {}", f.account, e.toString());
      confirmed = false;
    }
    if (marked == 0) {
      return;
    }
    listener.deletionsCommitted(marked, confirmed);
    if (!confirmed) {
      deletionsUnconfirmed = marked;
      log.info(
          "{} - the server did not confirm the end of the session; {} not confirmed, retried next run",
          f.account,
          dev.mailfetch.api.internal.Sizes.count(marked, "deletion"));
      warnings.add(DeletionWords.unconfirmed(marked, DeletionWords.since(earlier, session)));
      return;
    }
    deleted = marked;
    try {
      for (int at = 0; at < itemAt.length; at++) {
        RunItem item = itemAt[at];
        if (item == null) {
          if (fate[at] == ListedOutcomes.SEEN_MARKED) {
            UidRecord rec = f.uidStore.get(listing.uid(at)).orElse(null);
            if (rec != null) {
              f.uidStore.put(rec.deleted());
            }
          }
        } else if (item.deleteMarked && item.byUid && item.record != null) {
          f.uidStore.put(item.record.deleted());
        }
      }
      f.uidStore.sync();
    } catch (IOException | RuntimeException e) {
      // The messages are gone from the server either way; the store catches up when it can.
      if (runError == null) {
        runError = stateFailed(e);
      }
    }
  }

  private FetchResult finish() {
    policyTrouble.report(warnings);
    int n = listed();
    if (itemAt.length < n) { // the run stopped before its plan (or during the listing)
      itemAt = Arrays.copyOf(itemAt, n);
      fate = Arrays.copyOf(fate, n);
    }
    MessageOutcome[] own = new MessageOutcome[n];
    for (int at = 0; at < n; at++) {
      RunItem item = itemAt[at];
      if (item == null && fate[at] == ListedOutcomes.OWN) {
        item = newItem(at); // never planned
      }
      if (item == null) {
        if (!fatesReported) {
          listener.messageFinished(ListedOutcomes.of(listing.ref(at), fate[at]));
        }
        continue;
      }
      if (item.outcome == null) {
        FetchException why =
            runError != null
                ? runError
                : new FetchException(FetchError.PROTOCOL, "the run ended before this message");
        item.outcome = MessageOutcome.failed(item.ref, why, false, 0);
      }
      report(item);
      own[at] = item.outcome;
    }
    fatesReported = true;
    itemAt = null; // what the result needs is in its outcomes
    FetchResult result =
        new FetchResult(
            f.account,
            server,
            started,
            Duration.between(started, f.clock.instant()),
            n == 0 ? List.of() : new ListedOutcomes(listing, fate, own),
            Optional.ofNullable(runError),
            quirks,
            deleted,
            deletionsUnconfirmed,
            deletionsRefused,
            Optional.ofNullable(capabilities),
            warnings);
    if (result.ok()) {
      log.info("{}", result.summary()); // the summary names the account itself
    } else {
      log.warn("{}", result.summary());
    }
    listener.runFinished(result);
    return result;
  }

  private void report(RunItem item) {
    if (!item.reported) {
      item.reported = true;
      listener.messageFinished(item.outcome);
    }
  }

  private void warningsOf(FetchSession session) {
    try {
      for (FetchException w : session.warnings()) {
        if (w != null) {
          warnings.add(w);
        }
      }
    } catch (RuntimeException e) {
      log.debug("{} - the session could not say what it warns of: {}", f.account, e.toString());
    }
  }

  private Set<QuirkId> quirksOf(FetchSession session) {
    Set<QuirkId> all = new java.util.LinkedHashSet<>();
    try {
      all.addAll(session.quirksNoticed());
    } catch (RuntimeException e) {
      log.debug(
          "{} - the session could not say which quirks it noticed: {}", f.account, e.toString());
    }
    all.addAll(engineQuirks);
    return Set.copyOf(all);
  }

  /**
   * A sink's failure, said once: a typed one keeps its code and words, with what the run was doing.
   */
  private FetchException sinkFailed(String doing, Throwable e) {
    if (e instanceof FetchException) {
      return ((FetchException) e).inContext("sink failed " + doing);
    }
    return new FetchException(
        FetchError.SINK_FAILED, "sink failed " + doing + ": " + IoWords.of(e), e);
  }

  /**
   * The state store's failure, said once: a typed one (STATE_FAILED, STATE_DAMAGED) is passed on as
   * it is.
   */
  private FetchException stateFailed(Throwable e) {
    if (e instanceof FetchException) {
      return (FetchException) e;
    }
    return new FetchException(FetchError.STATE_FAILED, "state store failed: " + IoWords.of(e), e);
  }

  // ---------------------------------------------------------------- streaming one batch

  /**
   * Receives the bytes of one batch and streams each message into the sink. Until the policies have
   * decided, a message's header section is held back (at most maxHeaderBytes); after that the
   * source's slices go to the sink as they are, without a copy.
   */
  private final class Batch implements MessageHandler {
    private final List<RunItem> batchItems;
    private final boolean needsHeaders =
        f.labelPolicy.needsHeaders()
            || f.dedupPolicy.needsHeaders()
            || f.uidStore.keepsFingerprints();
    private int next;
    private RunItem current;
    private Delivery delivery;
    private boolean inHeaders;
    private int headerLen;
    private int headerScan;
    private long bytes;
    private MessageDigest digest;

    /** Fed with the body when the dedup policy judges by content. */
    private ContentDigest content;

    private final EmptyMessageCheck emptiness = new EmptyMessageCheck();
    private FetchException failure;

    /** The sink's place failed (SinkPlace): the batch is left at once, and the run stops. */
    private FetchException placeFailed;

    Batch(List<RunItem> batchItems) {
      this.batchItems = batchItems;
    }

    @Override
    public void start(MessageRef ref) {
      leaveIfPlaceFailed();
      if (current == null && stopRequested.getAsBoolean()) {
        throw new StopInBatch(null);
      }
      if (current != null) {
        fail(
            new FetchException(
                FetchError.PROTOCOL, "the source started a message before ending the last"));
        settleCurrent();
      }
      RunItem item = find(ref);
      if (item == null || item.outcome != null || item.receipt != null || item.duplicate != null) {
        log.warn(
            "{} - the source sent message {} that this batch did not ask for, or twice; ignored",
            f.account,
            ref.number());
        current = null;
        return;
      }
      current = item;
      item.retrieved = true;
      bytes = 0;
      failure = null;
      delivery = null;
      headerLen = 0;
      headerScan = 0;
      digest = item.byUid ? null : newDigest();
      content = f.dedupPolicy.needsContentDigest() ? ContentDigest.start() : null;
      emptiness.reset();
      listener.messageStarted(ref);
      inHeaders = needsHeaders;
      if (!inHeaders) {
        decide(HeaderBlock.empty());
      }
      leaveIfPlaceFailed();
    }

    /** Leaves the batch once the sink's place failed: the messages after it would fail alike. */
    private void leaveIfPlaceFailed() {
      if (placeFailed != null) {
        throw new StopInBatch(placeFailed);
      }
    }

    @Override
    public void data(ByteBuffer slice) {
      RunItem item = current;
      if (item == null || failure != null) {
        return; // discarding: a message we did not ask for, a failed or a duplicate one
      }
      int n = slice.remaining();
      bytes += n;
      item.bytesSeen = bytes;
      if (bytes > f.limits.maxMessageSize()) {
        fail(LimitAdvice.tooLargeReceived(item.ref, f.limits.maxMessageSize()));
        return;
      }
      if (!emptiness.hasContent()) {
        emptiness.feed(slice);
      }
      if (digest != null) {
        int p = slice.position();
        digest.update(slice);
        slice.position(p);
      }
      if (inHeaders) {
        holdHeader(slice);
      } else if (item.duplicate == null) {
        if (content != null) {
          content.body(slice);
        }
        write(slice);
      }
      leaveIfPlaceFailed();
    }

    @Override
    public void end() {
      RunItem item = current;
      if (item == null) {
        return;
      }
      listener.messageReceived(item.ref, bytes);
      if (inHeaders && failure == null) {
        // The message ended inside its header section (quirk Q09): all of it is headers.
        decide(HeaderBlock.wrap(Arrays.copyOf(headerBuf, headerLen), false));
        flushHeader();
      }
      if (item.recheckEmpty && item.duplicate != null && emptiness.isEmpty()) {
        item.duplicate =
            null; // still served empty: no verdict makes it safe to delete (said below, as still
        // empty)
      }
      if (failure == null && item.duplicate == null) {
        if (item.key == null) {
          item.key = DeliveryKey.ofContent(f.account, digest.digest());
        }
        // Every empty message has one digest: never judged by it, or each would be a copy of the
        // first.
        item.servedEmpty = emptiness.isEmpty();
        if (item.recheckEmpty) {
          if (item.servedEmpty) { // as before: the copy stored then stays the only one
            if (delivery != null) {
              delivery.abort();
            }
            delivery = null;
            item.outcome = MessageOutcome.alreadySeen(item.ref, item.record.deliveryKey(), bytes);
            warnings.add(EmptyMessageCheck.stillEmpty(item.ref, bytes));
            settleCurrent();
            return;
          }
          item.key = EmptyMessageCheck.wholeKey(f.account, item.ref);
        }
        if (content != null && !item.servedEmpty && secondLook(item)) {
          settleCurrent(); // a duplicate by content: aborted in the sink, never stored
          return;
        }
        try {
          item.receipt = delivery.complete(item.key);
          delivery = null;
        } catch (IOException | RuntimeException e) {
          fail(sinkFailed("completing message " + item.ref.number(), e), true);
        }
        if (item.receipt != null && !item.receipt.alreadyHeld() && !item.servedEmpty) {
          // Remembered now, not at the barrier, so that a second copy in the same batch is caught;
          // a verdict is acted on only while the sink holds the first copy, so this costs nothing
          // if a crash loses it. An empty copy is never a first copy: its copies would be deleted
          // from the server while only the stub is held.
          rememberForDedup(item);
        }
      }
      settleCurrent();
      leaveIfPlaceFailed();
    }

    @Override
    public void failed(MessageRef ref, FetchException error) {
      RunItem item = current != null && current.ref.equals(ref) ? current : find(ref);
      if (item == null || item.outcome != null) {
        return;
      }
      if (item == current) {
        fail(error);
        settleCurrent();
      } else {
        item.outcome = MessageOutcome.failed(ref, error, true, 0);
      }
    }

    /** After retrieve returned or threw: whatever is unfinished fails. */
    void close(FetchException sessionError) {
      if (current != null) {
        fail(
            sessionError != null
                ? sessionError
                : new FetchException(
                    FetchError.PROTOCOL,
                    "the source did not finish message " + current.ref.number()));
        settleCurrent();
      }
      for (RunItem item : batchItems) {
        if (item.outcome == null && item.receipt == null && item.duplicate == null) {
          item.outcome =
              sessionError != null
                  ? MessageOutcome.failed(item.ref, sessionError, false, 0)
                  : MessageOutcome.failed(
                      item.ref,
                      new FetchException(
                          FetchError.PROTOCOL,
                          "the source did not return message " + item.ref.number()),
                      true,
                      0);
        }
      }
    }

    private RunItem find(MessageRef ref) {
      if (next < batchItems.size() && batchItems.get(next).ref.equals(ref)) {
        return batchItems.get(next++);
      }
      for (RunItem item : batchItems) {
        if (item.ref.equals(ref)) {
          return item;
        }
      }
      return null;
    }

    private void fail(FetchException e) {
      fail(e, false);
    }

    /**
     * As {@link #fail(FetchException)}; {@code fromSink} when the sink said it, whose place may
     * stop the run.
     */
    private void fail(FetchException e, boolean fromSink) {
      if (failure == null) {
        FetchException stops = fromSink && placeFailed == null ? SinkPlace.stopping(e) : e;
        failure = stops == e ? e : (placeFailed = stops);
      }
      if (delivery != null) {
        delivery.abort();
        delivery = null;
      }
    }

    private void settleCurrent() {
      RunItem item = current;
      if (failure != null) {
        item.receipt = null;
        item.duplicate = null;
        item.outcome = MessageOutcome.failed(item.ref, failure, true, bytes);
        log.warn("{} - message {} failed: {}", f.account, item.ref.number(), failure.getMessage());
      }
      current = null;
      failure = null;
      delivery = null;
      digest = null;
    }

    private void holdHeader(ByteBuffer slice) {
      int n = slice.remaining();
      if (headerLen + n > headerBuf.length) {
        headerBuf = Arrays.copyOf(headerBuf, Math.max(headerLen + n, headerBuf.length * 2));
      }
      slice.get(headerBuf, headerLen, n);
      headerLen += n;
      int end = headerEnd();
      if (end >= 0) {
        decide(HeaderBlock.wrap(Arrays.copyOf(headerBuf, end), true));
        if (content != null) {
          content.body(
              ByteBuffer.wrap(
                  headerBuf,
                  end,
                  headerLen - end)); // body bytes that came with the end of the headers
        }
        flushHeader();
      } else if (headerLen >= f.limits.maxHeaderBytes()) {
        decide(HeaderBlock.wrap(Arrays.copyOf(headerBuf, f.limits.maxHeaderBytes()), false));
        if (content != null) {
          content.body(
              ByteBuffer.wrap(
                  headerBuf, f.limits.maxHeaderBytes(), headerLen - f.limits.maxHeaderBytes()));
        }
        flushHeader();
      }
    }

    /** Where the empty line that ends the header section ends, or -1 if not seen yet. */
    private int headerEnd() {
      int end = HeaderBlock.sectionEnd(headerBuf, headerLen, headerScan);
      if (end < 0) {
        headerScan = -end - 1; // resume at the LF that may begin the empty line
      }
      return end < 0 ? -1 : end;
    }

    /** Decides labels and duplicates, then opens the delivery (or not, for a duplicate). */
    private void decide(HeaderBlock headers) {
      RunItem item = current;
      inHeaders = false;
      LabelDecision labels;
      try {
        labels = f.labelPolicy.decide(f.account, headers);
        if (labels == null) {
          throw new IllegalStateException("the label policy returned null");
        }
      } catch (RuntimeException e) {
        log.warn(
            "{} - label policy threw for message {}; filed in the inbox: {}",
            f.account,
            item.ref.number(),
            e.toString());
        policyTrouble.failed(PolicyTrouble.Kind.LABELS, item.ref, e);
        labels = LabelDecision.INBOX;
      }
      item.labels = labels;
      if (content != null) {
        content.headers(headers);
      }
      Envelope envelope =
          new Envelope(
              f.account,
              item.byUid ? item.ref.uid() : null,
              item.ref.size(),
              labels.labels(),
              labels.archived());
      item.envelope = envelope;
      item.headers = headers;
      DedupVerdict verdict = DedupVerdict.NEW;
      try {
        verdict = f.dedupPolicy.check(envelope, headers);
        if (verdict == null) {
          verdict = DedupVerdict.NEW;
          throw new IllegalStateException("the dedup policy returned null");
        }
      } catch (IOException | RuntimeException e) {
        log.warn(
            "{} - dedup policy failed for message {}; delivered as new: {}",
            f.account,
            item.ref.number(),
            e.toString());
        policyTrouble.failed(PolicyTrouble.Kind.DEDUP_CHECK, item.ref, e);
      }
      if (verdict.isDuplicate()
          && !verdict.firstCopy().equals(item.key)
          && !EmptyMessageCheck.copyOfItsEmptyCopy(item, verdict)) {
        boolean held;
        try {
          held = f.sink.contains(verdict.firstCopy());
        } catch (IOException | RuntimeException e) {
          fail(sinkFailed("checking a duplicate's first copy", e), true);
          return;
        }
        if (held) {
          acceptDuplicate(item, verdict, labels);
          return;
        }
        log.info(
            "{} - message {} matched {} but the sink does not hold that copy; delivered",
            f.account,
            item.ref.number(),
            verdict.reason());
      }
      try {
        delivery = f.sink.begin(envelope);
        if (f.provenanceHeader) {
          delivery.write(
              ByteBuffer.wrap(
                  new ProvenanceHeader(f.account, server, item.byUid ? item.ref.uid() : null, now)
                      .toBytes()));
        }
      } catch (IOException | RuntimeException e) {
        fail(sinkFailed("starting message " + item.ref.number(), e), true);
      }
    }

    /** The message is a duplicate of one the sink holds: keep the labels it would have had. */
    private void acceptDuplicate(RunItem item, DedupVerdict verdict, LabelDecision labels) {
      item.duplicate = verdict;
      if (labels.labels().isEmpty()) {
        return;
      }
      // Gmail dropped the labels of the copy it discarded; here they join the first copy's.
      try {
        if (f.sink.addLabels(verdict.firstCopy(), labels.labels())) {
          log.info(
              "{} - message {} is a duplicate ({}); its labels {} were added to the first copy",
              f.account,
              item.ref.number(),
              verdict.reason(),
              labels.labels());
        }
      } catch (IOException | RuntimeException e) {
        item.duplicate = null;
        fail(sinkFailed("adding a duplicate's labels to its first copy", e), true);
      }
    }

    /**
     * The dedup policy's look at the content, once the body is in: true if the message turned out a
     * duplicate of a copy the sink holds (its delivery is then aborted).
     */
    private boolean secondLook(RunItem item) {
      item.contentDigest = content.digest();
      content = null;
      DedupVerdict verdict;
      try {
        verdict = f.dedupPolicy.checkContent(item.envelope, item.headers, item.contentDigest);
      } catch (IOException | RuntimeException e) {
        log.warn(
            "{} - dedup policy failed for message {}; delivered as new: {}",
            f.account,
            item.ref.number(),
            e.toString());
        policyTrouble.failed(PolicyTrouble.Kind.DEDUP_CHECK, item.ref, e);
        return false;
      }
      if (verdict == null
          || !verdict.isDuplicate()
          || verdict.firstCopy().equals(item.key)
          || EmptyMessageCheck.copyOfItsEmptyCopy(item, verdict)) {
        return false;
      }
      try {
        if (!f.sink.contains(verdict.firstCopy())) {
          log.info(
              "{} - message {} matched {} but the sink does not hold that copy; delivered",
              f.account,
              item.ref.number(),
              verdict.reason());
          return false;
        }
      } catch (IOException | RuntimeException e) {
        fail(sinkFailed("checking a duplicate's first copy", e), true);
        return true;
      }
      delivery.abort();
      delivery = null;
      acceptDuplicate(item, verdict, item.labels);
      return true;
    }

    private void flushHeader() {
      if (failure == null && current.duplicate == null && headerLen > 0) {
        write(ByteBuffer.wrap(headerBuf, 0, headerLen));
      }
      headerLen = 0;
    }

    private void write(ByteBuffer slice) {
      try {
        delivery.write(slice);
      } catch (IOException | RuntimeException e) {
        fail(sinkFailed("writing message " + current.ref.number(), e), true);
      }
    }
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
