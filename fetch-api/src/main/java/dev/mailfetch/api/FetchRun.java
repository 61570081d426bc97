package dev.mailfetch.api;

import dev.mailfetch.api.internal.Sizes;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a {@link Fetcher}: the flow of docs/architecture.md, in this order.
 *
 * <ol>
 *   <li>Open the session; refuse settings the server cannot honour (POLICY).
 *   <li>List ({@link ListingCollector}; the listing is capped by maxListing).
 *   <li>Plan ({@link Planner}): every message either gets its outcome now (already seen, skipped,
 *       recovered from the sink) or joins the work list. Records made here are synced before any
 *       download. What is decided for each message is kept in the {@link OutcomeLedger}.
 *   <li>For each batch of the work list: retrieve (the source may pipeline), streaming each message
 *       into the sink ({@link BatchReceiver}); then the {@link Barrier}: sink.sync, store.put,
 *       store.sync.
 *   <li>Keep what was retrieved but not stored, mark the messages due for deletion, QUIT, and
 *       record confirmed deletions ({@link DeletionCommit}).
 * </ol>
 *
 * <p>Errors a server, sink or store can cause never leave this class as exceptions: they end up as
 * outcomes and as the result's error. {@link Error}s pass through untouched, which is how the crash
 * tests simulate a process dying at any step.
 */
final class FetchRun {
  // Named after the public class, not this one: users configure logging by the names they know,
  // and every engine class logs under it.
  private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

  private final RunConfig config;
  private final BooleanSupplier stopRequested;
  private final FetchListener listener;
  private final Instant started;
  private RunSession session;
  private ListingCollector listed;
  private OutcomeLedger ledger;
  private boolean stableIds;
  private FetchException runError;
  private Set<QuirkId> quirks = Set.of();

  /** Quirks the engine itself noticed (Q26, Q51), added to the session's. */
  private final Set<QuirkId> engineQuirks = new LinkedHashSet<>();

  /** What did not stop the run but needs a person to know ({@link FetchResult#warnings()}). */
  private final List<FetchException> warnings = new ArrayList<>();

  /** Label and dedup policies that failed, said once per run as warnings. */
  private final PolicyTrouble policyTrouble = new PolicyTrouble();

  private DeletionCommit deletions;

  /** The session's mailbox marks, or null for a source without (or a retention with an age). */
  private MailboxMarks marks;

  /** The mark of this run's listing, or null. */
  private String listedMark;

  /** The store's mark at the start of the run, or null. */
  private String storedMark;

  /** The listing was incremental ({@link MailboxMarks#listedOnlyNew()}): absence is no sign. */
  private boolean incremental;

  /** The mailbox was unchanged since the last check: nothing was listed. */
  private boolean unchanged;

  FetchRun(RunConfig config, BooleanSupplier stopRequested) {
    this.config = config;
    this.stopRequested = stopRequested;
    this.listener = config.listener();
    this.started = config.clock().instant();
  }

  /** The result of a run that could not start. */
  static FetchResult refused(RunConfig config, FetchException error) {
    Instant at = config.clock().instant();
    return new FetchResult(
        config.account(),
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
    listener.runStarted(config.account());
    log.info("{} - run started", config.account());
    try {
      session = RunSession.open(config.source(), config.account());
      try {
        Capabilities caps = session.describe();
        checkPolicy(caps);
        stableIds = caps.stableUids();
        unchanged = unchangedSinceLastCheck();
        if (unchanged) {
          listener.unchangedSinceLastCheck();
          log.debug("{} - unchanged since the last check; nothing listed", config.account());
        } else {
          list();
          Instant now = config.clock().instant();
          ledger = new OutcomeLedger(listed.listing(), stableIds);
          Planner.Plan plan =
              new Planner(
                      config,
                      ledger,
                      listed,
                      stableIds,
                      incremental,
                      now,
                      session,
                      engineQuirks,
                      warnings)
                  .plan();
          fetch(plan.work(), now);
        }
      } catch (FetchException e) {
        runError = e;
      }
      if (!session.broken()) {
        // A run refused by its policy check has no ledger, yet ends its session with QUIT.
        OutcomeLedger decided = ledger != null ? ledger : new OutcomeLedger(null, false);
        deletions = new DeletionCommit(config, session, decided, warnings);
        FetchException failed = deletions.commit();
        if (runError == null) {
          runError = failed;
        }
      }
      keepMark();
    } catch (FetchException e) {
      runError = e;
    } finally {
      if (session != null) {
        quirks = session.quirks(engineQuirks);
        session.warningsInto(warnings);
        session.close();
      }
    }
    return finish();
  }

  /** The sink's warnings, after its last sync; a sink that fails to say them is silent. */
  private void sinkWarnings() {
    try {
      for (FetchException w : config.sink().takeWarnings()) {
        if (w != null) {
          warnings.add(w);
        }
      }
    } catch (RuntimeException e) {
      log.warn("{} - the sink failed to say its warnings", config.account(), e);
    }
  }

  private void checkPolicy(Capabilities caps) throws FetchException {
    boolean leaves = config.retention().leavesMailOnServer();
    String server = session.server();
    if ((leaves || config.onlyNew()) && !caps.stableUids()) {
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

  /**
   * Whether the session says the mailbox is as the store's mark describes it, so that nothing need
   * be listed. Only where a run can leave nothing to do: a retention with an age has messages fall
   * due for deletion while the mailbox stays the same.
   */
  private boolean unchangedSinceLastCheck() throws FetchException {
    Retention retention = config.retention();
    if (!Retention.KEEP.equals(retention) && !Retention.DELETE_AFTER_DELIVERY.equals(retention)) {
      return false;
    }
    marks = session.mailboxMarks();
    if (marks == null) {
      return false;
    }
    Optional<String> mark;
    try {
      mark = config.uidStore().mailboxMark();
    } catch (IOException | RuntimeException e) {
      throw RunFailures.state(e);
    }
    storedMark = mark == null ? null : KeptMark.usable(mark.orElse(null), retention);
    return storedMark != null && session.unchangedSince(marks, storedMark);
  }

  /**
   * After a run that listed, keeps the listing's mark where the run left nothing to do (every
   * message settled for good and every deletion confirmed), and forgets any mark after any other
   * run, so that the next run lists.
   */
  private void keepMark() {
    if (marks == null || unchanged || listed == null) {
      return;
    }
    boolean deletes = !config.retention().leavesMailOnServer();
    boolean leftNothing =
        runError == null
            && ledger != null
            && deletions != null
            && deletions.unconfirmed() == 0
            && deletions.refused() == 0
            && ledger.leftNothing(deletes);
    Optional<String> keep =
        leftNothing && listedMark != null
            ? Optional.of(KeptMark.of(listedMark, deletes))
            : Optional.empty();
    try {
      config.uidStore().recordMailboxMark(keep);
      config.uidStore().sync();
    } catch (IOException | RuntimeException e) {
      if (runError == null) {
        runError = RunFailures.state(e);
      }
    }
  }

  private void list() throws FetchException {
    listed = new ListingCollector(config.limits().maxListing(), stableIds, listener);
    if (marks != null && storedMark != null && Retention.KEEP.equals(config.retention())) {
      // The mark was kept by a run that left nothing to do: what it covers is settled here.
      session.listOnlyNewSince(marks, storedMark);
    }
    session.list(listed);
    if (marks != null) {
      incremental = session.listedOnlyNew(marks);
      listedMark = session.listedMark(marks);
    }
    log.debug(
        "{} - {} listed{}",
        config.account(),
        Sizes.count(listed.listed(), "message"),
        incremental ? ", only what may be new since the last check" : "");
  }

  /**
   * Retrieves the work list batch by batch, each followed by its barrier. The source is told what
   * follows the batch, so that a pipelining one keeps its window of requests full across barriers.
   * DELE waits for the end of the run ({@link DeletionCommit}): POP3 deletes only at QUIT anyway,
   * and any call but the next retrieve makes such a source drop the session (a run that stops after
   * a barrier then commits no deletions; the next run does).
   */
  private void fetch(List<RunItem> work, Instant now) throws FetchException {
    HeaderHoldBack holdBack = new HeaderHoldBack(config.limits().maxHeaderBytes());
    DuplicateDecision decision =
        new DuplicateDecision(config, policyTrouble, session.sourceLabels());
    Barrier barrier = new Barrier(config, now, warnings);
    for (int from = 0; from < work.size(); from += config.batchSize()) {
      if (stopRequested.getAsBoolean()) {
        throw RunFailures.stopped();
      }
      int to = Math.min(work.size(), from + config.batchSize());
      List<RunItem> batchItems = work.subList(from, to);
      BatchReceiver batch =
          new BatchReceiver(
              config,
              batchItems,
              holdBack,
              decision,
              warnings,
              stopRequested,
              session.server(),
              now);
      // Not announced once a stop is asked for: requests sent ahead would cost this run its QUIT.
      List<MessageRef> next =
          stopRequested.getAsBoolean()
              ? List.of()
              : RunItem.refsView(work.subList(to, work.size()));
      Retrieval request =
          Retrieval.of(RunItem.refsOf(batchItems))
              .followedBy(next)
              .withLineEnding(config.sink().lineEnding());
      FetchException sessionError = session.retrieve(request, batch);
      batch.close(sessionError);
      try {
        sessionError = barrier.pass(batchItems, sessionError);
      } catch (FetchException e) {
        if (sessionError == null || sessionError.error() != FetchError.SINK_FAILED) {
          throw e;
        }
        // The place that failed is the run's one error; the store catches up next run (the sink
        // holds what it holds).
        log.warn(
            "{} - after the sink failed, the barrier failed too: {}",
            config.account(),
            e.getMessage());
      }
      if (sessionError != null) {
        throw sessionError;
      }
    }
  }

  private FetchResult finish() {
    policyTrouble.report(warnings);
    sinkWarnings();
    if (ledger == null) { // the run stopped before its plan (or during the listing)
      ledger = new OutcomeLedger(listed == null ? null : listed.listing(), stableIds);
    }
    List<MessageOutcome> outcomes = ledger.finish(runError, listener);
    FetchResult result =
        new FetchResult(
            config.account(),
            session == null ? null : session.server(),
            started,
            Duration.between(started, config.clock().instant()),
            outcomes,
            Optional.ofNullable(runError),
            quirks,
            deletions == null ? 0 : deletions.deleted(),
            deletions == null ? 0 : deletions.unconfirmed(),
            deletions == null ? 0 : deletions.refused(),
            Optional.ofNullable(session == null ? null : session.capabilities()),
            warnings,
            unchanged);
    if (result.ok()) {
      log.info("{}", result.summary()); // the summary names the account itself
    } else {
      log.warn("{}", result.summary());
    }
    listener.runFinished(result);
    return result;
  }

  /**
   * A message as a report names it: its number and, where it has one, its unique id as it is (a
   * unique id is printable ASCII, {@link MessageRef}, so there is nothing to escape).
   */
  static String describe(MessageRef ref) {
    return ref.number() + (ref.hasUid() ? " (uid " + ref.uid() + ")" : "");
  }
}
