package dev.mailfetch.api;

import dev.mailfetch.api.internal.Sizes;

/**
 * What the engine says about a message that fails run after run (docs/engine.md, "Failures and
 * quarantine"): after {@code quarantineAfter} failed runs it is no longer tried and stays on the
 * server until someone asks for it to be tried again. The words say so in every run that lists it,
 * in the run that quarantines it, and in a run that tried it once more and saw it fail again: never
 * "the next run tries it again", which would not be true.
 */
final class Quarantine {
  private static final Remedy RETRY =
      Remedy.of(
          "Fix the cause its last error names, then run once with --retry-quarantined to try it again.",
          "Fix the cause its last error names, then run once with Fetcher.Builder.retryQuarantined(true) to try it"
              + " again.");

  private Quarantine() {}

  /** Whether a message with this record is quarantined: it failed in {@code after} runs or more. */
  static boolean holds(UidRecord rec, int after) {
    return rec != null && rec.state() == UidRecord.State.FAILED && rec.failures() >= after;
  }

  /** A quarantined message the run did not try: its last error, from the state, in words. */
  static FetchException skipped(MessageRef ref, UidRecord rec) {
    return new FetchException(
        rec.lastError() == null ? FetchError.PROTOCOL : rec.lastError(),
        "message "
            + FetchRun.describe(ref)
            + " is quarantined: it failed in "
            + runs(rec.failures())
            + " and is no longer tried; it stays on the server"
            + (rec.lastErrorDetail() == null ? "" : ". Its last error: " + rec.lastErrorDetail()),
        null,
        null,
        RETRY);
  }

  /**
   * A message that failed in this run, and whose failures now reach {@code after}: its error,
   * followed by what became of it. {@code wasQuarantined}: it had been, and this run tried it once
   * more because it was asked to.
   */
  static FetchException failed(FetchException error, int failures, boolean wasQuarantined) {
    return error.withConsequence(
        wasQuarantined
            ? "it failed again when tried once more, in "
                + runs(failures)
                + " in all, and stays quarantined: later runs"
                + " do not try it"
            : "it has now failed in "
                + runs(failures)
                + " and is quarantined: later runs do not try it",
        RETRY);
  }

  private static String runs(int n) {
    return Sizes.count(n, "run");
  }
}
