package dev.mailfetch.api;

/** Receives a mailbox listing from {@link FetchSession#list}, as it streams in. */
public interface ListingHandler {
  /**
   * The number of messages and their total size, as the server states them before the listing (POP3
   * {@code STAT}); called once, first.
   *
   * @throws FetchException to stop the listing, for example when it would be too long
   */
  void count(int messages, long octets) throws FetchException;

  /** One message; called once per message, in ascending number. */
  void message(MessageRef ref) throws FetchException;
}
