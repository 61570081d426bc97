package dev.mailfetch.dedup;

import dev.mailfetch.testkit.DedupStoreContract;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store of first copies passes the testkit's contract (locks and torn lines: DedupTest).
 */
class DedupStoreContractTest extends DedupStoreContract {
  @TempDir Path tmp;

  @Override
  protected StoreUnderTest open(Duration maxAge, int maxEntries) throws Exception {
    DedupStore s = DedupStore.open(tmp.resolve("dedup"), new DedupStore.Window(maxAge, maxEntries));
    return StoreUnderTest.of(s::firstCopy, s::remember, s::sync, s::size, s::close);
  }
}
