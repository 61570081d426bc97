package dev.mailfetch.api;

import dev.mailfetch.api.internal.Listing;
import java.util.BitSet;

/**
 * Keeps what the source lists, flat (a million messages must fit a small heap), within the listing
 * cap, and notes every position listed under a unique id the source had already listed.
 */
final class ListingCollector implements ListingHandler {
  private final int maxListing;
  private final boolean stableIds;
  private final FetchListener listener;

  /** Null until the source counted (or listed a first message). */
  private Listing listing;

  /** Positions the source listed under a UID it had already listed. */
  private final BitSet repeatedUid = new BitSet();

  ListingCollector(int maxListing, boolean stableIds, FetchListener listener) {
    this.maxListing = maxListing;
    this.stableIds = stableIds;
    this.listener = listener;
  }

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

  /** What was listed (so far, while listing); null if nothing was. */
  Listing listing() {
    return listing;
  }

  /** How many messages the source listed (so far, while listing). */
  int listed() {
    return listing == null ? 0 : listing.count();
  }

  /** Whether the message at {@code at} came under a unique id listed before it. */
  boolean repeatedUid(int at) {
    return repeatedUid.get(at);
  }
}
