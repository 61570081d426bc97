package dev.mailfetch.testkit;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.MessageSink;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The in-memory sink of fetch-api keeps the sink contract. */
class InMemorySinkContractTest extends MessageSinkContract {
  /** A "location" for an in-memory sink: the storage a reopened sink sees. */
  private final Map<Path, InMemorySink> locations = new HashMap<>();

  @Override
  protected SinkUnderTest open(Path location) {
    InMemorySink sink =
        locations.compute(location, (p, old) -> old == null ? InMemorySink.create() : old.reopen());
    return new SinkUnderTest() {
      @Override
      public MessageSink sink() {
        return sink;
      }

      @Override
      public Optional<byte[]> read(DeliveryKey key) {
        return find(key).map(InMemorySink.StoredMessage::content);
      }

      @Override
      public Optional<Set<String>> labels(DeliveryKey key) {
        return find(key).map(m -> m.envelope().labels());
      }

      private Optional<InMemorySink.StoredMessage> find(DeliveryKey key) {
        return sink.messages().stream().filter(m -> m.key().equals(key)).findFirst();
      }
    };
  }
}
