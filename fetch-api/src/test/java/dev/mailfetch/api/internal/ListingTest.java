package dev.mailfetch.api.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.MessageRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ListingTest {

  /**
   * Whatever is added, the listing answers as a list of MessageRefs with a first-index map would.
   */
  @Property(tries = 300)
  // contains(42) is the point: the view answers a query of another type as a Set must, with false.
  @SuppressWarnings("CollectionIncompatibleType")
  void listingAnswersAsTheListOfRefsItHolds(
      @ForAll("refs") List<MessageRef> refs, @ForAll @IntRange(min = 0, max = 40) int expected) {
    Listing listing = new Listing(expected);
    Map<String, Integer> first = new HashMap<>();
    Set<String> uids = new LinkedHashSet<>();
    for (MessageRef ref : refs) {
      int at = listing.add(ref.number(), ref.uid(), ref.size());
      if (ref.hasUid()) {
        first.putIfAbsent(ref.uid(), at);
        uids.add(ref.uid());
      }
    }
    assertEquals(refs.size(), listing.count());
    for (int i = 0; i < refs.size(); i++) {
      assertEquals(refs.get(i), listing.ref(i));
      assertEquals(refs.get(i).hasUid(), listing.hasUid(i));
    }
    for (Map.Entry<String, Integer> e : first.entrySet()) {
      assertEquals(e.getValue(), listing.indexOf(e.getKey()));
    }
    assertEquals(-1, listing.indexOf("never-listed"));
    assertEquals(uids, listing.uids());
    assertEquals(new ArrayList<>(uids), new ArrayList<>(listing.uids()));
    assertFalse(listing.uids().contains(42));
  }

  @Provide
  Arbitrary<List<MessageRef>> refs() {
    // A small UID alphabet so that repeats, near-repeats and hash collisions all happen.
    Arbitrary<String> uid =
        Arbitraries.strings().withChars("ab#~!Z09").ofMinLength(1).ofMaxLength(6).injectNull(0.2);
    Arbitrary<MessageRef> ref =
        Combinators.combine(
                Arbitraries.integers().between(1, 1_000_000),
                uid,
                Arbitraries.longs().between(0, 1L << 40))
            .as(MessageRef::new);
    return ref.list().ofMaxSize(200);
  }

  @Test
  void longestUidKeepsEveryCharacter() {
    String uid = "x".repeat(MessageRef.MAX_UID_LENGTH - 1) + "~";
    Listing listing = new Listing(1);
    listing.add(7, uid, 3);
    assertEquals(uid, listing.uid(0));
    assertEquals(0, listing.indexOf(uid));
  }

  @Test
  void aServersClaimedCount_allocatesLittle_andTheListingGrowsAcrossPages() {
    Listing listing = new Listing(Integer.MAX_VALUE); // a hostile STAT (case R-07)
    int n = 20_000; // 100-character UIDs: 2 MB, some thirty pages of UIDs
    for (int i = 0; i < n; i++) {
      listing.add(i + 1, String.format(Locale.ROOT, "%0100d", i), i);
    }
    assertEquals(n, listing.count());
    for (int i = 0; i < n; i += 997) {
      String uid = String.format(Locale.ROOT, "%0100d", i);
      assertEquals(uid, listing.uid(i));
      assertEquals(i, listing.indexOf(uid));
      assertEquals(i, listing.size(i));
    }
    assertEquals(n, listing.uids().size());
  }

  @Test
  void aMessageWithoutUidHasNone() {
    Listing listing = new Listing(0);
    listing.add(1, null, 10);
    assertNull(listing.uid(0));
    assertTrue(listing.uids().isEmpty());
    assertThrows(IndexOutOfBoundsException.class, () -> listing.number(1));
  }
}
