package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The deliveries Gmail did not take, for the barrier to name. Several fetchers may share a sink,
 * each calling {@code sync} from its own thread: each {@code sync} reports every refusal recorded
 * since the same thread's previous one (a thread's first, those since it first began a delivery; a
 * thread that never did, all that are kept), so no fetcher misses one of its own, and the engine
 * ignores the keys it did not complete. A key completed again is forgotten (its new try answers for
 * it). At most {@link #KEEP} are kept. Thread-safe.
 */
final class Refusals {
  static final int KEEP = 10_000;

  private record Entry(long seq, DeliveryKey key, FetchException error) {}

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final Map<Thread, Long> lastSeen = new WeakHashMap<>();
  private long seq;

  synchronized void startThread() {
    lastSeen.putIfAbsent(Thread.currentThread(), seq);
  }

  synchronized void add(DeliveryKey key, FetchException error) {
    entries.addLast(new Entry(++seq, key, error));
    while (entries.size() > KEEP) {
      entries.removeFirst();
    }
  }

  synchronized void forget(DeliveryKey key) {
    entries.removeIf(e -> e.key().equals(key));
  }

  synchronized Map<DeliveryKey, FetchException> sinceLastSync() {
    long from = lastSeen.getOrDefault(Thread.currentThread(), 0L);
    Map<DeliveryKey, FetchException> out = new LinkedHashMap<>();
    for (Iterator<Entry> it = entries.descendingIterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.seq() <= from) {
        break;
      }
      out.putIfAbsent(e.key(), e.error());
    }
    lastSeen.put(Thread.currentThread(), seq);
    return out;
  }
}
