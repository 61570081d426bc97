package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ListingCollectorTest {

  @Test
  void aUidListedAgainIsNotedAtItsLaterPositionsOnly() throws Exception {
    ListingCollector listed = new ListingCollector(100, true, FetchListener.NONE);
    listed.count(4, 400);
    listed.message(new MessageRef(1, "a", 100));
    listed.message(new MessageRef(2, "b", 100));
    listed.message(new MessageRef(3, "a", 100));
    listed.message(new MessageRef(4, "a", 100));
    assertEquals(4, listed.listed());
    assertFalse(listed.repeatedUid(0));
    assertFalse(listed.repeatedUid(1));
    assertTrue(listed.repeatedUid(2));
    assertTrue(listed.repeatedUid(3));
  }

  @Test
  void withoutStableIdsNoUidIsARepeat() throws Exception {
    ListingCollector listed = new ListingCollector(100, false, FetchListener.NONE);
    listed.message(new MessageRef(1, "a", 100)); // a source that did not count first
    listed.message(new MessageRef(2, "a", 100));
    assertEquals(2, listed.listed());
    assertFalse(listed.repeatedUid(1));
  }

  @Test
  void theListingCapHoldsForTheCountAndForTheMessagesListed() throws Exception {
    ListingCollector counted = new ListingCollector(2, true, FetchListener.NONE);
    FetchException tooMany = assertThrows(FetchException.class, () -> counted.count(3, 300));
    assertEquals(FetchError.TOO_MANY_MESSAGES, tooMany.error());
    assertNull(counted.listing());

    ListingCollector uncounted = new ListingCollector(2, true, FetchListener.NONE);
    uncounted.message(new MessageRef(1, "a", 1));
    uncounted.message(new MessageRef(2, "b", 1));
    assertThrows(FetchException.class, () -> uncounted.message(new MessageRef(3, "c", 1)));
    assertEquals(2, uncounted.listed());
  }

  @Test
  void aNegativeCountIsTheServersMistake() {
    ListingCollector listed = new ListingCollector(100, true, FetchListener.NONE);
    FetchException e = assertThrows(FetchException.class, () -> listed.count(-1, 0));
    assertEquals(FetchError.PROTOCOL, e.error());
  }
}
