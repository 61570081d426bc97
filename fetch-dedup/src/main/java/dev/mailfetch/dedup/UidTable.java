package dev.mailfetch.dedup;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.UidRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The records of one account in flat arrays, not objects: a million UIDs cost about 60 bytes each
 * plus the UID's own bytes, where a {@code HashMap<String, UidRecord>} costs over 300 (node,
 * string, record, instant, key and its hex). Records are rebuilt as {@link UidRecord} values only
 * when asked for.
 *
 * <p>Times are kept to the second (the engine counts retention in days). A failure count is kept up
 * to 127. The last error's words, which only failed messages (and messages a server served empty)
 * have, are kept aside by entry. Not thread-safe: {@link JournalUidStore} guards it.
 */
final class UidTable {
  private static final FetchError[] ERRORS = FetchError.values();
  private static final UidRecord.State[] STATES = UidRecord.State.values();
  private static final int HAS_KEY = 0x80;

  /** Each UID as a two-byte length and its UTF-8 bytes. */
  private byte[] arena = new byte[1 << 12];

  private int arenaUsed;
  private int[] uidAt = new int[16];
  private byte[] keys = new byte[16 * 32];

  /**
   * Epoch second as an unsigned int (1970 to 2106); {@link #FAR} sends it to {@link #farFirstSeen}.
   */
  private int[] firstSeen = new int[16];

  private static final int FAR = -1;

  /** First-seen seconds outside 1970–2106, by entry: none in practice, but kept exactly. */
  private final Map<Integer, Long> farFirstSeen = new HashMap<>();

  /**
   * Epoch minute since which the server no longer lists it (forgetting counts days); 0 while
   * listed.
   */
  private int[] goneSince = new int[16];

  /** State ordinal + 1 (0: forgotten), HAS_KEY when a delivery key is held. */
  private byte[] state = new byte[16];

  private byte[] failures = new byte[16];

  /** FetchError ordinal + 1, 0 for none. */
  private byte[] lastError = new byte[16];

  /** The last error's words, by entry: few entries have any. */
  private final Map<Integer, String> detail = new HashMap<>();

  /**
   * The listed size + 1 as an unsigned int; 0 unknown; {@link #FAR} sends it to {@link #farSize}.
   */
  private int[] listedSize = new int[16];

  /** Sizes of 4 GiB and more, by entry. */
  private final Map<Integer, Long> farSize = new HashMap<>();

  /** Entry index + 1 by UID hash, open addressing; 0 is empty. */
  private int[] table = new int[32];

  private int size;
  private int live;

  /** The account's mailbox mark (UidStore#mailboxMark), or null. */
  private String mailboxMark;

  /** The mailbox mark, or null for none. */
  String mailboxMark() {
    return mailboxMark;
  }

  /** Keeps {@code mark} (null forgets it); whether that changed anything. */
  boolean mailboxMark(String mark) {
    if (Objects.equals(mark, mailboxMark)) {
      return false;
    }
    mailboxMark = mark;
    return true;
  }

  /** How many UIDs are remembered (forgotten ones excluded). */
  int live() {
    return live;
  }

  UidRecord get(String uid) {
    int i = find(bytes(uid));
    return i < 0 || state[i] == 0 ? null : record(i);
  }

  /** Records {@code r}; false if the table already held exactly that (nothing to write). */
  boolean put(UidRecord r) {
    byte[] u = bytes(r.uid());
    int i = find(u);
    byte st = (byte) ((r.state().ordinal() + 1) | (r.deliveryKey() != null ? HAS_KEY : 0));
    long seen = r.firstSeen().getEpochSecond();
    byte fails = (byte) Math.min(127, r.failures());
    byte err = (byte) (r.lastError() == null ? 0 : r.lastError().ordinal() + 1);
    if (i >= 0
        && state[i] == st
        && seen(i) == seen
        && failures[i] == fails
        && lastError[i] == err
        && sameKey(i, r.deliveryKey())
        && size(i) == r.size()
        && Objects.equals(detail.get(i), r.lastErrorDetail())) {
      return false;
    }
    if (i < 0) {
      i = add(u);
    }
    if (state[i] == 0) {
      live++;
      goneSince[i] = 0; // remembered afresh; otherwise the gone mark is retainListed's alone
    }
    state[i] = st;
    setSeen(i, seen);
    failures[i] = fails;
    lastError[i] = err;
    setDetail(i, r.lastErrorDetail());
    setSize(i, r.size());
    if (r.deliveryKey() != null) {
      r.deliveryKey().copyTo(keys, i * 32);
    } else {
      Arrays.fill(keys, i * 32, i * 32 + 32, (byte) 0);
    }
    return true;
  }

  /**
   * A PUT record straight from the journal's bytes, without a String or a record object per entry:
   * loading a million entries should take well under a second.
   *
   * @param keyOff where the 32 key bytes are in {@code b}, or -1 for none
   * @param words the last error's words, or null
   * @param listedSize the listed size, or {@link UidRecord#UNKNOWN_SIZE}
   */
  void putRaw(
      byte[] b,
      int uidOff,
      int uidLen,
      UidRecord.State st,
      long seen,
      int keyOff,
      int fails,
      FetchError err,
      String words,
      long listedSize) {
    int i = find(b, uidOff, uidLen);
    if (i < 0) {
      i = add(b, uidOff, uidLen);
    }
    if (state[i] == 0) {
      live++;
      goneSince[i] = 0;
    }
    state[i] = (byte) ((st.ordinal() + 1) | (keyOff >= 0 ? HAS_KEY : 0));
    setSeen(i, seen);
    failures[i] = (byte) Math.min(127, Math.max(0, fails));
    lastError[i] = (byte) (err == null ? 0 : err.ordinal() + 1);
    // Through the record's own rule, so that words read from a file are bounded and escaped.
    setDetail(i, err == null || words == null ? null : UidRecord.boundedDetail(words));
    setSize(i, listedSize);
    if (keyOff >= 0) {
      System.arraycopy(b, keyOff, keys, i * 32, 32);
    } else {
      Arrays.fill(keys, i * 32, i * 32 + 32, (byte) 0);
    }
  }

  /** A GONE record from the journal's bytes; unknown UIDs are ignored. */
  void goneRaw(byte[] b, int uidOff, int uidLen, long since) {
    int i = find(b, uidOff, uidLen);
    if (i >= 0 && state[i] != 0) {
      goneSince[i] = minutes(since);
    }
  }

  /** A FORGET record from the journal's bytes. */
  void forgetRaw(byte[] b, int uidOff, int uidLen) {
    int i = find(b, uidOff, uidLen);
    if (i >= 0 && state[i] != 0) {
      state[i] = 0;
      live--;
      detail.remove(i);
    }
  }

  /** Epoch second since which {@code uid} is gone from the server, 0 if listed, -1 if unknown. */
  long goneSince(String uid) {
    int i = find(bytes(uid));
    return i < 0 || state[i] == 0 ? -1 : goneSince[i] * 60L;
  }

  /** A gone-since second as kept: to the minute, never 0 (which means listed). */
  static int minutes(long since) {
    return since == 0 ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, since / 60));
  }

  /** Sets when {@code uid} went missing (0: listed again); false if unknown or unchanged. */
  boolean gone(String uid, long since) {
    int i = find(bytes(uid));
    int m = minutes(since);
    if (i < 0 || state[i] == 0 || goneSince[i] == m) {
      return false;
    }
    goneSince[i] = m;
    return true;
  }

  /** Forgets {@code uid}; false if it was not remembered. */
  boolean forget(String uid) {
    int i = find(bytes(uid));
    if (i < 0 || state[i] == 0) {
      return false;
    }
    state[i] = 0;
    live--;
    detail.remove(i);
    return true;
  }

  /** Each remembered UID, in the order first recorded. */
  void forEachUid(Consumer<String> each) {
    for (int i = 0; i < size; i++) {
      if (state[i] != 0) {
        each.accept(uid(i));
      }
    }
  }

  /**
   * Each remembered record with its gone-since second (0 while listed), in the order first
   * recorded.
   */
  void forEach(RecordVisitor each) {
    for (int i = 0; i < size; i++) {
      if (state[i] != 0) {
        each.visit(record(i), goneSince[i] * 60L);
      }
    }
  }

  interface RecordVisitor {
    void visit(UidRecord record, long goneSince);
  }

  /** Shrinks every array to what it holds (after loading, where capacity would be wasted). */
  void trim() {
    resize(Math.max(size, 1));
    arena = Arrays.copyOf(arena, Math.max(arenaUsed, 1));
  }

  /** Every per-entry array at {@code n} entries. */
  private void resize(int n) {
    uidAt = Arrays.copyOf(uidAt, n);
    keys = Arrays.copyOf(keys, n * 32);
    firstSeen = Arrays.copyOf(firstSeen, n);
    goneSince = Arrays.copyOf(goneSince, n);
    state = Arrays.copyOf(state, n);
    failures = Arrays.copyOf(failures, n);
    lastError = Arrays.copyOf(lastError, n);
    listedSize = Arrays.copyOf(listedSize, n);
  }

  // ---------------------------------------------------------------- inside

  private UidRecord record(int i) {
    DeliveryKey key = (state[i] & HAS_KEY) != 0 ? DeliveryKey.fromBytes(keys, i * 32) : null;
    int e = lastError[i];
    return new UidRecord(
        uid(i),
        STATES[(state[i] & 0x7F) - 1],
        Instant.ofEpochSecond(seen(i)),
        key,
        failures[i],
        e == 0 ? null : ERRORS[e - 1],
        detail.get(i),
        size(i));
  }

  private void setDetail(int i, String words) {
    if (words == null) {
      detail.remove(i);
    } else {
      detail.put(i, words);
    }
  }

  private long size(int i) {
    int s = listedSize[i];
    return s == FAR ? farSize.get(i) : Integer.toUnsignedLong(s) - 1;
  }

  private void setSize(int i, long listed) {
    if (listed + 1 < 0xFFFF_FFFFL) {
      listedSize[i] = (int) (listed + 1); // UNKNOWN_SIZE (-1) is 0
      farSize.remove(i);
    } else {
      listedSize[i] = FAR;
      farSize.put(i, listed);
    }
  }

  private long seen(int i) {
    return firstSeen[i] == FAR ? farFirstSeen.get(i) : Integer.toUnsignedLong(firstSeen[i]);
  }

  private void setSeen(int i, long seconds) {
    if (seconds >= 0 && seconds < 0xFFFF_FFFFL) {
      firstSeen[i] = (int) seconds;
      farFirstSeen.remove(i);
    } else {
      firstSeen[i] = FAR;
      farFirstSeen.put(i, seconds);
    }
  }

  private boolean sameKey(int i, DeliveryKey key) {
    if (key == null) {
      return (state[i] & HAS_KEY) == 0;
    }
    return key.matches(keys, i * 32);
  }

  private String uid(int i) {
    int at = uidAt[i];
    int len = (arena[at] & 0xFF) << 8 | (arena[at + 1] & 0xFF);
    return new String(arena, at + 2, len, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String uid) {
    byte[] b = uid.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xFFFF) {
      throw new IllegalArgumentException(
          "a UID of " + b.length + " bytes is longer than any server sends");
    }
    return b;
  }

  private int find(byte[] u) {
    return find(u, 0, u.length);
  }

  private int find(byte[] b, int off, int len) {
    int mask = table.length - 1;
    for (int slot = hash(b, off, len) & mask; ; slot = (slot + 1) & mask) {
      int e = table[slot];
      if (e == 0) {
        return -1;
      }
      int at = uidAt[e - 1];
      int l = (arena[at] & 0xFF) << 8 | (arena[at + 1] & 0xFF);
      if (l == len && Arrays.equals(arena, at + 2, at + 2 + len, b, off, off + len)) {
        return e - 1;
      }
    }
  }

  private int add(byte[] u) {
    return add(u, 0, u.length);
  }

  private int add(byte[] u, int off, int ulen) {
    if (size == uidAt.length) {
      resize(size + (size >> 1) + 16); // 1.5x: less slack than doubling at a million entries
    }
    if (arenaUsed + 2 + ulen > arena.length) {
      arena =
          Arrays.copyOf(arena, Math.max(arenaUsed + 2 + ulen, arena.length + (arena.length >> 1)));
    }
    int i = size++;
    uidAt[i] = arenaUsed;
    arena[arenaUsed] = (byte) (ulen >>> 8);
    arena[arenaUsed + 1] = (byte) ulen;
    System.arraycopy(u, off, arena, arenaUsed + 2, ulen);
    arenaUsed += 2 + ulen;
    if (size * 3 > table.length * 2) { // load at most 2/3
      table = new int[table.length * 2];
      for (int j = 0; j < size - 1; j++) {
        place(j);
      }
    }
    place(i);
    return i;
  }

  private void place(int i) {
    int at = uidAt[i];
    int len = (arena[at] & 0xFF) << 8 | (arena[at + 1] & 0xFF);
    int mask = table.length - 1;
    int slot = hash(arena, at + 2, len) & mask;
    while (table[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    table[slot] = i + 1;
  }

  private static int hash(byte[] b, int from, int len) {
    int h = 0x811C9DC5; // FNV-1a, then a finaliser so that similar UIDs spread over the table
    for (int i = from; i < from + len; i++) {
      h = (h ^ (b[i] & 0xFF)) * 0x01000193;
    }
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    return h;
  }
}
