package dev.mailfetch.gmail;

/**
 * Where Gmail takes a message's date from when it imports it (the import's {@code
 * internalDateSource}): the date Gmail sorts by and shows in the inbox.
 */
public enum InternalDateSource {
  /**
   * The message's own {@code Date:} header, as Gmail's Mail Fetcher kept it: a message fetched a
   * week late still sorts where it was sent. Gmail falls back to the time it received the message
   * where the header is missing or unreadable. The default.
   */
  DATE_HEADER("dateHeader"),
  /** The moment Gmail imported the message: everything fetched sorts as new. */
  RECEIVED_TIME("receivedTime");

  private final String apiValue;

  InternalDateSource(String apiValue) {
    this.apiValue = apiValue;
  }

  /** The value of the import's {@code internalDateSource} query parameter. */
  public String apiValue() {
    return apiValue;
  }
}
