package dev.mailfetch.api;

import java.time.Clock;
import java.time.Instant;

/**
 * The settings one {@link FetchRun} reads, copied from its {@link Fetcher} when the run starts, so
 * that the engine's classes share one immutable value instead of reading the fetcher's fields.
 */
record RunConfig(
    String account,
    FetchSource source,
    MessageSink sink,
    UidStore uidStore,
    DedupPolicy dedupPolicy,
    LabelPolicy labelPolicy,
    Retention retention,
    boolean onlyNew,
    FetchLimits limits,
    int batchSize,
    int quarantineAfter,
    boolean retryQuarantined,
    FetchListener listener,
    Clock clock,
    boolean provenanceHeader) {

  static RunConfig of(Fetcher f) {
    return new RunConfig(
        f.account,
        f.source,
        f.sink,
        f.uidStore,
        f.dedupPolicy,
        f.labelPolicy,
        f.retention,
        f.onlyNew,
        f.limits,
        f.batchSize,
        f.quarantineAfter,
        f.retryQuarantined,
        f.listener,
        f.clock,
        f.provenanceHeader);
  }

  /** Whether a message's header section must be held back until the policies have seen it. */
  boolean needsHeaders() {
    return labelPolicy.needsHeaders() || dedupPolicy.needsHeaders() || uidStore.keepsFingerprints();
  }

  /**
   * Whether the retention deletes this settled message at {@code now}: never one the server served
   * empty.
   */
  boolean deletionDue(UidRecord rec, Instant now) {
    return retention.deletionDue(rec.firstSeen(), now)
        && !(rec.state() == UidRecord.State.DELIVERED && rec.lastError() != null);
  }
}
