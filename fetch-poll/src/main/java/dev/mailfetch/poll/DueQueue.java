package dev.mailfetch.poll;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The accounts that wait for a check, in the order they start: those asked for by {@link
 * Poller#checkNow} first, then by when they are due, then in the order they were added. A round
 * costs what it starts (and the due accounts it passes because their host is busy), not what the
 * poller holds; the time to the next due check is a lookup. Not thread-safe: the {@link Poller}
 * guards it.
 *
 * <p>An account's place is filed under a key copied from it; after any change of what it is ordered
 * by ({@link AccountState#next}, {@link AccountState#wanted}, {@link AccountState#pausedBy}, {@link
 * AccountState#current}, {@link AccountState#removed}) the poller files it again ({@link #file}).
 */
final class DueQueue {
  /** Where an account stands in the queue, copied from it when it was filed. */
  private record Place(boolean wanted, Instant next, long order) {
    static final Comparator<Place> ORDER =
        Comparator.comparing((Place p) -> !p.wanted)
            .thenComparing(Place::next)
            .thenComparingLong(Place::order);

    boolean dueAt(Instant now) {
      return wanted || !next.isAfter(now);
    }
  }

  private final TreeMap<Place, AccountState> queue = new TreeMap<>(Place.ORDER);
  private final IdentityHashMap<AccountState, Place> places = new IdentityHashMap<>();

  /** Puts the account in its place if it {@linkplain AccountState#waiting waits}, else out. */
  void file(AccountState a) {
    drop(a);
    if (a.waiting()) {
      Place p = new Place(a.wanted != null, a.next, a.order);
      queue.put(p, a);
      places.put(a, p);
    }
  }

  /** Takes the account out, if it is in. */
  void drop(AccountState a) {
    Place p = places.remove(a);
    if (p != null) {
      queue.remove(p);
    }
  }

  /**
   * Takes out the accounts due at {@code now}, in order, for which {@code slots} grant a permit,
   * until none is free overall. A due account whose host has no permit free stays in its place.
   */
  List<AccountState> takeDue(Instant now, Slots slots) {
    List<AccountState> taken = new ArrayList<>();
    Iterator<Map.Entry<Place, AccountState>> it = queue.entrySet().iterator();
    while (it.hasNext() && !slots.full()) {
      Map.Entry<Place, AccountState> e = it.next();
      if (!e.getKey().dueAt(now)) {
        break; // the rest are due later still
      }
      AccountState a = e.getValue();
      if (slots.tryAcquire(a.host)) {
        it.remove();
        places.remove(a);
        taken.add(a);
      }
    }
    return taken;
  }

  /**
   * When the first account that is not due at {@code now} falls due; empty if none waits. Those due
   * at {@code now} are not counted: they wait for a slot, which a finishing check frees.
   */
  Optional<Instant> nextDueAfter(Instant now) {
    Place after = queue.higherKey(new Place(false, now, Long.MAX_VALUE));
    return after == null ? Optional.empty() : Optional.of(after.next());
  }

  /** Whether the account waits in the queue. */
  boolean contains(AccountState a) {
    return places.containsKey(a);
  }

  int size() {
    return queue.size();
  }
}
