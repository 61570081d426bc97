package dev.mailfetch.api.internal;

import dev.mailfetch.api.MessageRef;
import java.nio.charset.StandardCharsets;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A mailbox listing in flat arrays: each listed message's number, announced size and unique id,
 * with no object per message. A poll of a million messages holds its listing while it plans; as
 * {@code MessageRef}s in a list with a {@code HashSet} of their UIDs that costs some 200 bytes a
 * message, here about 50 (the UID's bytes, 16 for number, size and offset, 8 of hash table). {@link
 * MessageRef}s and UID strings are made on demand and are garbage at once.
 *
 * <p>UIDs are what {@link MessageRef} allows (printable ASCII, at most {@link
 * MessageRef#MAX_UID_LENGTH}), so one byte per character. Not thread-safe; append-only.
 */
public final class Listing {
  private int[] numbers;
  private long[] sizes;

  /**
   * Where each UID starts: page index × {@link #PAGE} + offset, its length in the two bytes before;
   * -1 for none. UIDs live in pages that are never copied, so a growing listing never holds two
   * copies of its UIDs at once.
   */
  private int[] uidAt;

  private static final int PAGE = 1 << 16;
  private byte[][] pages = new byte[1][];
  private int pageCount;
  private int pageUsed = PAGE;

  /** Entry + 1 by UID hash, open addressing, load at most 2/3; 0 is empty. */
  private int[] table;

  private int count;
  private int uids;

  /**
   * An empty listing sized for {@code expected} messages, a server's claim: trusted only up to
   * {@link #PRESIZE}, beyond which the listing grows as messages come.
   */
  public Listing(int expected) {
    int n = Math.max(16, Math.min(expected, PRESIZE));
    numbers = new int[n];
    sizes = new long[n];
    uidAt = new int[n];
    table = new int[tableSizeFor(n)];
  }

  /** The most a claimed count allocates ahead: what a hostile STAT can cost is bounded. */
  static final int PRESIZE = 1 << 16;

  /**
   * Appends a message and returns its position. A UID already held is not held twice: the caller
   * checks {@link #indexOf} first when that matters.
   */
  public int add(int number, String uid, long size) {
    if (count == numbers.length) {
      int n = count + (count >> 1) + 16; // 1.5x: less slack than doubling at a million entries
      numbers = Arrays.copyOf(numbers, n);
      sizes = Arrays.copyOf(sizes, n);
      uidAt = Arrays.copyOf(uidAt, n);
    }
    int i = count++;
    numbers[i] = number;
    sizes[i] = size;
    if (uid == null) {
      uidAt[i] = -1;
      return i;
    }
    int len = uid.length();
    if (len > MessageRef.MAX_UID_LENGTH) {
      throw new IllegalArgumentException("a UID of " + len + " characters");
    }
    if (pageUsed + 2 + len > PAGE) {
      if (pageCount == Integer.MAX_VALUE / PAGE) {
        throw new IllegalStateException("a listing with more than 2 GB of unique ids");
      }
      if (pageCount == pages.length) {
        pages = Arrays.copyOf(pages, pageCount * 2);
      }
      pages[pageCount++] = new byte[PAGE];
      pageUsed = 0;
    }
    byte[] page = pages[pageCount - 1];
    page[pageUsed] = (byte) (len >>> 8);
    page[pageUsed + 1] = (byte) len;
    for (int c = 0; c < len; c++) {
      page[pageUsed + 2 + c] = (byte) uid.charAt(c);
    }
    uidAt[i] = (pageCount - 1) * PAGE + pageUsed + 2;
    pageUsed += 2 + len;
    if (indexOf(uid) < 0) {
      uids++;
      if (uids * 3 > table.length * 2) {
        table = new int[table.length * 2];
        for (int j = 0; j < i; j++) {
          if (uidAt[j] >= 0) {
            place(j);
          }
        }
      }
      place(i);
    }
    return i;
  }

  /** How many messages are listed. */
  public int count() {
    return count;
  }

  public int number(int i) {
    check(i);
    return numbers[i];
  }

  public long size(int i) {
    check(i);
    return sizes[i];
  }

  public boolean hasUid(int i) {
    check(i);
    return uidAt[i] >= 0;
  }

  /** The message's UID, a new string each time; null when it has none. */
  public String uid(int i) {
    check(i);
    int at = uidAt[i];
    return at < 0
        ? null
        : new String(pages[at / PAGE], at % PAGE, length(at), StandardCharsets.ISO_8859_1);
  }

  /** The message as a {@link MessageRef}, made now. */
  public MessageRef ref(int i) {
    return new MessageRef(number(i), uid(i), sizes[i]);
  }

  /** The position of the first message listed with this UID, or -1. */
  public int indexOf(String uid) {
    int mask = table.length - 1;
    for (int slot = hash(uid) & mask; ; slot = (slot + 1) & mask) {
      int e = table[slot];
      if (e == 0) {
        return -1;
      }
      if (sameUid(uidAt[e - 1], uid)) {
        return e - 1;
      }
    }
  }

  /** The listed UIDs as a read-only set view (for {@code UidStore.retainListed}). */
  public Set<String> uids() {
    return new AbstractSet<>() {
      @Override
      public boolean contains(Object o) {
        return o instanceof String && indexOf((String) o) >= 0;
      }

      @Override
      public int size() {
        return uids;
      }

      @Override
      public Iterator<String> iterator() {
        return new Iterator<>() {
          private int next = advance(0);

          private int advance(int from) {
            int i = from;
            while (i < count && (uidAt[i] < 0 || indexOf(uid(i)) != i)) {
              i++; // no UID, or a second listing of one already given
            }
            return i;
          }

          @Override
          public boolean hasNext() {
            return next < count;
          }

          @Override
          public String next() {
            if (next >= count) {
              throw new NoSuchElementException();
            }
            String uid = uid(next);
            next = advance(next + 1);
            return uid;
          }
        };
      }
    };
  }

  // ---------------------------------------------------------------- inside

  private void check(int i) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException(i + " of " + count);
    }
  }

  private int length(int at) {
    byte[] page = pages[at / PAGE];
    int off = at % PAGE;
    return (page[off - 2] & 0xFF) << 8 | (page[off - 1] & 0xFF);
  }

  private boolean sameUid(int at, String uid) {
    int len = length(at);
    if (len != uid.length()) {
      return false;
    }
    byte[] page = pages[at / PAGE];
    int off = at % PAGE;
    for (int c = 0; c < len; c++) {
      if ((page[off + c] & 0xFF) != uid.charAt(c)) {
        return false;
      }
    }
    return true;
  }

  private void place(int i) {
    int at = uidAt[i];
    byte[] page = pages[at / PAGE];
    int off = at % PAGE;
    int h = 0x811C9DC5;
    for (int c = 0, len = length(at); c < len; c++) {
      h = (h ^ (page[off + c] & 0xFF)) * 0x01000193;
    }
    int mask = table.length - 1;
    int slot = finish(h) & mask;
    while (table[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    table[slot] = i + 1;
  }

  private static int hash(String uid) {
    int h = 0x811C9DC5; // FNV-1a, then a finaliser so that similar UIDs spread over the table
    for (int c = 0; c < uid.length(); c++) {
      h = (h ^ (uid.charAt(c) & 0xFF)) * 0x01000193;
    }
    return finish(h);
  }

  private static int finish(int h) {
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    return h;
  }

  private static int tableSizeFor(int n) {
    long want = (long) n * 3 / 2 + 1;
    int size = 32;
    while (size < want && size < (1 << 30)) {
      size <<= 1;
    }
    return size;
  }
}
