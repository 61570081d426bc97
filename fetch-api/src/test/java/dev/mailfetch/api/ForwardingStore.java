package dev.mailfetch.api;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A state store that forwards every call; tests override the one they want to misbehave. */
class ForwardingStore implements UidStore {
  final UidStore delegate;

  ForwardingStore(UidStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public Optional<UidRecord> get(String uid) throws IOException {
    return delegate.get(uid);
  }

  @Override
  public void put(UidRecord record) throws IOException {
    delegate.put(record);
  }

  @Override
  public Optional<Instant> firstRun() throws IOException {
    return delegate.firstRun();
  }

  @Override
  public void recordFirstRun(Instant at) throws IOException {
    delegate.recordFirstRun(at);
  }

  @Override
  public Set<String> retainListed(Set<String> listed, Instant now) throws IOException {
    return delegate.retainListed(listed, now);
  }

  @Override
  public boolean keepsFingerprints() {
    return delegate.keepsFingerprints();
  }

  @Override
  public void recordFingerprint(String uid, byte[] fingerprint) throws IOException {
    delegate.recordFingerprint(uid, fingerprint);
  }

  @Override
  public Map<String, byte[]> fingerprints(Set<String> uids) throws IOException {
    return delegate.fingerprints(uids);
  }

  @Override
  public Optional<String> mailboxMark() throws IOException {
    return delegate.mailboxMark();
  }

  @Override
  public void recordMailboxMark(Optional<String> mark) throws IOException {
    delegate.recordMailboxMark(mark);
  }

  @Override
  public void sync() throws IOException {
    delegate.sync();
  }
}
