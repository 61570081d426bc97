package dev.mailfetch.api;

import dev.mailfetch.api.internal.Sizes;

/**
 * What the engine says when a {@link FetchLimits} limit holds a message back or stops a listing:
 * the limit and the size in words a person reads, and a {@link Remedy} that names the {@code
 * mailfetch fetch} option for the command and the builder call for the library. No Java name ever
 * reaches the words a person at the command line reads.
 */
final class LimitAdvice {
  private LimitAdvice() {}

  /** The listing holds more messages than {@link FetchLimits#maxListing()}. */
  static FetchException tooManyListed(int listed, int max) {
    return new FetchException(
        FetchError.TOO_MANY_MESSAGES,
        "the server lists " + listed + " messages, more than the listing limit of " + max,
        null,
        null,
        Remedy.of(
            "Delete or move some mail out of the inbox on the server, or raise the limit with --max-listing N"
                + " (N at least "
                + listed
                + ") if this machine can afford it.",
            "Delete or move some mail out of the inbox on the server, or raise the limit with"
                + " FetchLimits.Builder.maxListing(int) (at least "
                + listed
                + ") if this machine can afford it."));
  }

  /** A message the listing announces larger than {@link FetchLimits#maxMessageSize()}: skipped. */
  static FetchException tooLargeListed(MessageRef ref, long max) {
    return new FetchException(
        FetchError.LIMIT_EXCEEDED,
        "message "
            + FetchRun.describe(ref)
            + " is "
            + human(ref.size())
            + ", larger than the message size limit of "
            + human(max)
            + "; it stays on the server and is not fetched until the limit is raised",
        null,
        null,
        raise(ref.size()));
  }

  /** A message that turned out larger than {@link FetchLimits#maxMessageSize()} as it arrived. */
  static FetchException tooLargeReceived(MessageRef ref, long max) {
    return new FetchException(
        FetchError.LIMIT_EXCEEDED,
        "message "
            + FetchRun.describe(ref)
            + " turned out larger"
            + " than the message size limit of "
            + human(max)
            + " as it arrived (the server announced "
            + human(ref.size())
            + "); it stays on the server",
        null,
        null,
        raise(max + 1));
  }

  /**
   * The run reached {@link FetchLimits#maxMessagesPerRun()} or {@link
   * FetchLimits#maxBytesPerRun()}.
   */
  static FetchException runLimit(FetchLimits limits, int planned, long plannedBytes) {
    boolean byCount = planned >= limits.maxMessagesPerRun();
    return new FetchException(
        FetchError.LIMIT_EXCEEDED,
        "this run reached its limit of "
            + (byCount
                ? Sizes.count(limits.maxMessagesPerRun(), "message")
                : human(limits.maxBytesPerRun()))
            + "; the message waits on the server for the next run",
        null,
        null,
        byCount
            ? Remedy.of(
                "Nothing to do: the next run fetches more. To fetch more in one run, raise --max-messages N.",
                "Nothing to do: the next run fetches more. To fetch more in one run, raise"
                    + " FetchLimits.Builder.maxMessagesPerRun(int).")
            : Remedy.of(
                "Nothing to do: the next run fetches more.",
                "Nothing to do: the next run fetches more. To"
                    + " fetch more in one run, raise FetchLimits.Builder.maxBytesPerRun(long)."));
  }

  private static Remedy raise(long atLeast) {
    return Remedy.of(
        "If the message is expected, fetch it with --max-message-size "
            + Sizes.sizeOption(atLeast)
            + " (or more); otherwise the server may be misbehaving.",
        "If the message is expected, raise FetchLimits.Builder.maxMessageSize(long) to at least "
            + atLeast
            + " ("
            + human(atLeast)
            + "); otherwise the server may be misbehaving.");
  }

  /** A size as a person reads it, in the units every report of mailfetch uses. */
  static String human(long bytes) {
    return Sizes.size(bytes);
  }
}
