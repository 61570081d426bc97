package dev.mailfetch.sink;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.testkit.MessageSinkContract;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** The sink contract, on a real mbox file. */
class MboxSinkContractTest extends MessageSinkContract {
  @Override
  protected SinkUnderTest open(Path location) throws IOException {
    MboxSink sink = MboxSink.open(location.resolve("inbox.mbox"));
    return new SinkUnderTest() {
      @Override
      public MboxSink sink() {
        return sink;
      }

      @Override
      public Optional<byte[]> read(DeliveryKey key) throws IOException {
        return sink.read(key);
      }

      @Override
      public boolean fileBased() {
        return true;
      }
    };
  }
}
