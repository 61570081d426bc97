package dev.mailfetch.sink;

import dev.mailfetch.api.DeliveryKey;

/**
 * The delivery keys a sink holds, 32 bytes each in a flat open-addressing table: about 64 bytes per
 * key at the worst load, where a {@code HashSet<String>} of the hex would cost three times that. A
 * Maildir of a million messages keeps its index in 64 MB, not 160.
 */
final class KeySet {
  private long[] slots = new long[4 * 64];
  private int size;
  private boolean holdsZero; // the all-zero key marks an empty slot, so it is kept aside

  synchronized boolean contains(DeliveryKey key) {
    long[] k = words(key);
    if (isZero(k)) {
      return holdsZero;
    }
    return find(slots, k) >= 0;
  }

  /** Adds {@code key}; false if it was there. */
  synchronized boolean add(DeliveryKey key) {
    long[] k = words(key);
    if (isZero(k)) {
      boolean added = !holdsZero;
      holdsZero = true;
      return added;
    }
    if (find(slots, k) >= 0) {
      return false;
    }
    if ((size + 1) * 2 > slots.length / 4) {
      grow();
    }
    insert(slots, k);
    size++;
    return true;
  }

  synchronized int size() {
    return size + (holdsZero ? 1 : 0);
  }

  private void grow() {
    long[] bigger = new long[slots.length * 2];
    for (int i = 0; i < slots.length; i += 4) {
      if ((slots[i] | slots[i + 1] | slots[i + 2] | slots[i + 3]) != 0) {
        insert(bigger, new long[] {slots[i], slots[i + 1], slots[i + 2], slots[i + 3]});
      }
    }
    slots = bigger;
  }

  private static int find(long[] table, long[] k) {
    int n = table.length / 4;
    int i = (int) (k[0] & (n - 1)); // the key is a SHA-256: its first word is already well mixed
    while (true) {
      int at = i * 4;
      if ((table[at] | table[at + 1] | table[at + 2] | table[at + 3]) == 0) {
        return -1;
      }
      if (table[at] == k[0]
          && table[at + 1] == k[1]
          && table[at + 2] == k[2]
          && table[at + 3] == k[3]) {
        return at;
      }
      i = (i + 1) & (n - 1);
    }
  }

  private static void insert(long[] table, long[] k) {
    int n = table.length / 4;
    int i = (int) (k[0] & (n - 1));
    while ((table[i * 4] | table[i * 4 + 1] | table[i * 4 + 2] | table[i * 4 + 3]) != 0) {
      i = (i + 1) & (n - 1);
    }
    System.arraycopy(k, 0, table, i * 4, 4);
  }

  private static boolean isZero(long[] k) {
    return (k[0] | k[1] | k[2] | k[3]) == 0;
  }

  private static long[] words(DeliveryKey key) {
    String hex = key.toString();
    long[] w = new long[4];
    for (int i = 0; i < 4; i++) {
      w[i] = Long.parseUnsignedLong(hex, i * 16, i * 16 + 16, 16);
    }
    return w;
  }
}
