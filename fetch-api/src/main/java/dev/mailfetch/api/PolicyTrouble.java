package dev.mailfetch.api;

import java.util.List;

/**
 * A policy that failed during a run: the label policy (a message then goes to the inbox without
 * labels) or the dedup policy (a message is then stored as new, or not remembered for later
 * copies). Neither loses a message, so the run goes on; but a person must hear of it, once per run
 * and kind rather than once per message, since a broken dedup store fails for every message.
 */
final class PolicyTrouble {
  /** What failed, and what that did to the messages it concerned. */
  enum Kind {
    LABELS(
        FetchError.CONFIGURATION,
        "the label rules failed for %s; %s filed in the inbox without labels",
        Remedy.of(
            "Check the --label-rule patterns (docs/dedup.md); run with --verbose to see each failure.",
            "Check the LabelPolicy: it threw, or returned null (the log has each failure).")),
    DEDUP_CHECK(
        FetchError.STATE_FAILED,
        "the duplicate check failed for %s; %s stored as new, so a copy of a"
            + " message already held may now be stored twice",
        Remedy.of(
            "Check the dedup store (mailfetch-state/dedup beside the mail, or --state DIR): its disk's free"
                + " space and permissions; run with --verbose to see each failure. Nothing was lost.",
            "Check the DedupPolicy and its store (disk space, permissions, or its code); the log has each"
                + " failure. Nothing was lost.")),
    DEDUP_RECORD(
        FetchError.STATE_FAILED,
        "the dedup store could not record %s; a later copy of %s may be" + " stored again",
        Remedy.of(
            "Check the dedup store (mailfetch-state/dedup beside the mail, or --state DIR): its disk's free"
                + " space and permissions. Nothing was lost.",
            "Check the DedupPolicy and its store (disk space, permissions, or its code). Nothing was lost."));

    private final FetchError error;
    private final String words;
    private final Remedy remedy;

    Kind(FetchError error, String words, Remedy remedy) {
      this.error = error;
      this.words = words;
      this.remedy = remedy;
    }
  }

  private final int[] count = new int[Kind.values().length];
  private final String[] first = new String[Kind.values().length];

  /** Notes one failure of {@code kind} for {@code ref}. */
  void failed(Kind kind, MessageRef ref, Exception e) {
    if (count[kind.ordinal()]++ == 0) {
      // A typed failure is said by its words (its code would come twice); any other by its message,
      // which a policy may have built from a header: kept printable, not cut to ASCII.
      String why =
          e instanceof FetchException
              ? ((FetchException) e).detail()
              : e.getMessage() == null || e.getMessage().isBlank()
                  ? "no reason given"
                  : PrintableWords.of(e.getMessage(), FetchException.MAX_REPLY_CHARS);
      first[kind.ordinal()] = "message " + FetchRun.describe(ref) + ": " + why;
    }
  }

  /** One warning per kind that failed, in the order of the kinds. */
  void report(List<FetchException> warnings) {
    for (Kind k : Kind.values()) {
      int n = count[k.ordinal()];
      if (n == 0) {
        continue;
      }
      String which =
          n == 1 ? first[k.ordinal()] : n + " messages (the first, " + first[k.ordinal()] + ")";
      String verb = n == 1 ? "it was" : "they were";
      String pronoun = n == 1 ? "it" : "them";
      String text =
          k == Kind.DEDUP_RECORD
              ? String.format(k.words, which, pronoun)
              : String.format(k.words, which, verb);
      warnings.add(new FetchException(k.error, text, null, null, k.remedy));
    }
  }
}
