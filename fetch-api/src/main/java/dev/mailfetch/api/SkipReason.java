package dev.mailfetch.api;

/** Why a listed message was not downloaded in a run, by the policy that decided it. */
public enum SkipReason {
  /** It was on the server before the first run, and the fetcher takes only new mail. */
  ONLY_NEW,
  /** The listing announced it larger than {@link FetchLimits#maxMessageSize()}; it stays there. */
  MESSAGE_SIZE_LIMIT,
  /** The run reached its message or byte limit; it waits for the next run. */
  RUN_LIMIT,
  /**
   * It failed in as many runs as {@code Fetcher.Builder.quarantineAfter} allows and is no longer
   * tried; the outcome carries the last error. It stays on the server.
   */
  QUARANTINED
}
