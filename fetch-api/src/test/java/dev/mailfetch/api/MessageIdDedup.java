package dev.mailfetch.api;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A minimal dedup policy by Message-ID, for testing the engine's duplicate path. */
final class MessageIdDedup implements DedupPolicy {
  private final Map<String, DeliveryKey> seen = new HashMap<>();

  @Override
  public synchronized DedupVerdict check(Envelope envelope, HeaderBlock headers) {
    Optional<String> id = headers.first("Message-ID");
    if (id.isEmpty() || !seen.containsKey(id.get())) {
      return DedupVerdict.NEW;
    }
    return DedupVerdict.duplicateOf(seen.get(id.get()), "Message-ID " + id.get());
  }

  @Override
  public synchronized void delivered(Envelope envelope, HeaderBlock headers, DeliveryKey key) {
    headers.first("Message-ID").ifPresent(id -> seen.putIfAbsent(id, key));
  }
}
