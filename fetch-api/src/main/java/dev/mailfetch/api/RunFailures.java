package dev.mailfetch.api;

/** How the engine words a failure that is not a message's own: a sink's, the state's, a stop. */
final class RunFailures {
  private RunFailures() {}

  /**
   * A sink's failure, said once: a typed one keeps its code and words, with what the run was doing.
   */
  static FetchException sink(String doing, Throwable e) {
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
  static FetchException state(Throwable e) {
    if (e instanceof FetchException) {
      return (FetchException) e;
    }
    return new FetchException(FetchError.STATE_FAILED, "state store failed: " + IoWords.of(e), e);
  }

  /** The run was asked to stop. */
  static FetchException stopped() {
    return new FetchException(
        FetchError.STOPPED,
        "the run was asked to stop; what was delivered is kept,"
            + " the rest stays on the server for the next run");
  }
}
