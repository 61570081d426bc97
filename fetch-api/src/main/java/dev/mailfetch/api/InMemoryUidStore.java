package dev.mailfetch.api;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link UidStore} in memory: for tests, and for embedders that keep state elsewhere between
 * runs. Like {@link InMemorySink} it models durability: records are pending until {@link #sync()},
 * and {@link #reopen()} shows what a restart after a crash would find. Safe for concurrent use.
 */
public final class InMemoryUidStore implements UidStore {
  private static final class Storage {
    final Map<String, UidRecord> durable = new HashMap<>();
    Instant firstRun;
  }

  private final Storage storage;
  private final Map<String, UidRecord> pending = new HashMap<>();
  private Instant pendingFirstRun;

  private InMemoryUidStore(Storage storage) {
    this.storage = storage;
  }

  /** An empty store: an account never fetched. */
  public static InMemoryUidStore create() {
    return new InMemoryUidStore(new Storage());
  }

  /** A new store over the same storage, holding only what was synced. */
  public InMemoryUidStore reopen() {
    return new InMemoryUidStore(storage);
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
  public void sync() {
    synchronized (storage) {
      storage.durable.putAll(pending);
      pending.clear();
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
