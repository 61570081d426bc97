package dev.mailfetch.jdbc;

import dev.mailfetch.dedup.DedupStore;
import dev.mailfetch.testkit.DedupStoreContract;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;

/** The contract of first copies, the one the file store passes, against a real PostgreSQL. */
class JdbcDedupStoreContractTest extends DedupStoreContract {
  private static JdbcState state;
  private final String name = "contract-" + UUID.randomUUID();

  @BeforeAll
  static void database() throws Exception {
    state = JdbcState.open(TestDatabase.create("dedup_store_contract"));
  }

  @Override
  protected StoreUnderTest open(Duration maxAge, int maxEntries) throws Exception {
    JdbcDedupStore s = JdbcDedupStore.open(state, name, new DedupStore.Window(maxAge, maxEntries));
    return StoreUnderTest.of(s::firstCopy, s::remember, s::sync, s::size, s::close);
  }
}
