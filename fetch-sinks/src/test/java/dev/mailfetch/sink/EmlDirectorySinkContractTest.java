package dev.mailfetch.sink;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.testkit.MessageSinkContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The sink contract, on a real directory of .eml files. */
class EmlDirectorySinkContractTest extends MessageSinkContract {
  @Override
  protected SinkUnderTest open(Path location) throws IOException {
    EmlDirectorySink sink = EmlDirectorySink.open(location);
    return new SinkUnderTest() {
      @Override
      public EmlDirectorySink sink() {
        return sink;
      }

      @Override
      public Optional<byte[]> read(DeliveryKey key) throws IOException {
        Path f = sink.fileOf(key);
        return Files.exists(f) ? Optional.of(Files.readAllBytes(f)) : Optional.empty();
      }

      @Override
      public boolean fileBased() {
        return true;
      }
    };
  }
}
