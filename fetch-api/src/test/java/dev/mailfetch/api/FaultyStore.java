package dev.mailfetch.api;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** An {@link InMemoryUidStore} whose operations count as fault steps and can fail on demand. */
final class FaultyStore implements UidStore {
  InMemoryUidStore inner;
  private final Faults faults;
  private final List<String> events;

  FaultyStore(InMemoryUidStore inner, Faults faults, List<String> events) {
    this.inner = inner;
    this.faults = faults;
    this.events = events;
  }

  void crash() {
    inner = inner.reopen();
  }

  @Override
  public Optional<UidRecord> get(String uid) throws IOException {
    if (faults.step("store.get")) {
      throw new IOException("test: state file unreadable");
    }
    return inner.get(uid);
  }

  @Override
  public void put(UidRecord record) throws IOException {
    if (faults.step("store.put")) {
      throw new IOException("test: state write failed");
    }
    inner.put(record);
  }

  @Override
  public Optional<Instant> firstRun() throws IOException {
    return inner.firstRun();
  }

  @Override
  public void recordFirstRun(Instant at) throws IOException {
    inner.recordFirstRun(at);
  }

  @Override
  public boolean keepsFingerprints() {
    return inner.keepsFingerprints();
  }

  @Override
  public void recordFingerprint(String uid, byte[] fingerprint) {
    inner.recordFingerprint(uid, fingerprint);
  }

  @Override
  public Map<String, byte[]> fingerprints(Set<String> uids) {
    return inner.fingerprints(uids);
  }

  @Override
  public void sync() throws IOException {
    if (faults.storeSyncFails || faults.step("store.sync")) {
      throw new IOException("test: state fsync failed");
    }
    inner.sync();
    events.add("store.sync");
  }
}
