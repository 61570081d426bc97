package dev.mailfetch.api;

import dev.mailfetch.api.internal.Require;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link UidStore} in memory: for tests, and for embedders that keep state elsewhere between
 * runs. Like {@link InMemorySink} it models durability: records are pending until {@link #sync()},
 * and {@link #reopen()} shows what a restart after a crash would find. Safe for concurrent use.
 *
 * <p>{@link #create()} keeps no header fingerprints, as a store an embedder writes may not; {@link
 * #keepingFingerprints()} keeps them as the durable store does, so that the engine can recognise
 * messages under changed (quirk Q26) or reused (quirk Q51) unique ids by their headers.
 */
public final class InMemoryUidStore implements UidStore {
  private static final class Storage {
    final Map<String, UidRecord> durable = new HashMap<>();
    final Map<String, byte[]> fingerprints = new HashMap<>();
    final boolean keepsFingerprints;
    Instant firstRun;
    String mailboxMark;

    Storage(boolean keepsFingerprints) {
      this.keepsFingerprints = keepsFingerprints;
    }
  }

  private final Storage storage;
  private final Map<String, UidRecord> pending = new HashMap<>();
  private final Map<String, byte[]> pendingFingerprints = new HashMap<>();
  private Instant pendingFirstRun;

  /** The mark recorded since the last sync: null for none, empty for "forget the mark". */
  private Optional<String> pendingMark;

  private InMemoryUidStore(Storage storage) {
    this.storage = storage;
  }

  /** An empty store that keeps no header fingerprints: an account never fetched. */
  public static InMemoryUidStore create() {
    return new InMemoryUidStore(new Storage(false));
  }

  /** An empty store that keeps a header fingerprint of each delivered message. */
  public static InMemoryUidStore keepingFingerprints() {
    return new InMemoryUidStore(new Storage(true));
  }

  /** A new store over the same storage, holding only what was synced. */
  public InMemoryUidStore reopen() {
    return new InMemoryUidStore(storage);
  }

  @Override
  public boolean keepsFingerprints() {
    return storage.keepsFingerprints;
  }

  @Override
  public void recordFingerprint(String uid, byte[] fingerprint) {
    Objects.requireNonNull(uid, "uid");
    if (storage.keepsFingerprints) {
      synchronized (storage) {
        pendingFingerprints.put(uid, fingerprint.clone());
      }
    }
  }

  @Override
  public Map<String, byte[]> fingerprints(Set<String> uids) {
    Map<String, byte[]> out = new HashMap<>();
    synchronized (storage) {
      Map<String, byte[]> all = new HashMap<>(storage.fingerprints);
      all.putAll(pendingFingerprints);
      for (Map.Entry<String, byte[]> e : all.entrySet()) {
        if (uids.contains(e.getKey())) {
          out.put(e.getKey(), e.getValue().clone());
        }
      }
    }
    return out;
  }

  @Override
  public Optional<UidRecord> get(String uid) {
    synchronized (storage) {
      UidRecord r = pending.get(uid);
      return Optional.ofNullable(r != null ? r : storage.durable.get(uid));
    }
  }

  @Override
  public void put(UidRecord record) {
    Objects.requireNonNull(record, "record");
    synchronized (storage) {
      pending.put(record.uid(), record);
    }
  }

  @Override
  public Optional<Instant> firstRun() {
    synchronized (storage) {
      return Optional.ofNullable(pendingFirstRun != null ? pendingFirstRun : storage.firstRun);
    }
  }

  @Override
  public void recordFirstRun(Instant at) {
    Objects.requireNonNull(at, "at");
    synchronized (storage) {
      if (storage.firstRun == null && pendingFirstRun == null) {
        pendingFirstRun = at;
      }
    }
  }

  @Override
  public Optional<String> mailboxMark() {
    synchronized (storage) {
      return pendingMark != null ? pendingMark : Optional.ofNullable(storage.mailboxMark);
    }
  }

  @Override
  public void recordMailboxMark(Optional<String> mark) {
    Require.mailboxMark(mark);
    synchronized (storage) {
      pendingMark = mark;
    }
  }

  @Override
  public void sync() {
    synchronized (storage) {
      if (pendingMark != null) {
        storage.mailboxMark = pendingMark.orElse(null);
        pendingMark = null;
      }
      storage.durable.putAll(pending);
      pending.clear();
      storage.fingerprints.putAll(pendingFingerprints);
      pendingFingerprints.clear();
      if (pendingFirstRun != null) {
        storage.firstRun = pendingFirstRun;
        pendingFirstRun = null;
      }
    }
  }

  /** How many unique ids the store knows, synced or not. */
  public int size() {
    synchronized (storage) {
      Map<String, UidRecord> all = new HashMap<>(storage.durable);
      all.putAll(pending);
      return all.size();
    }
  }
}
