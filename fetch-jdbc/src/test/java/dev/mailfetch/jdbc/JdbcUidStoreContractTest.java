package dev.mailfetch.jdbc;

import dev.mailfetch.api.UidStore;
import dev.mailfetch.testkit.UidStoreContract;
import org.junit.jupiter.api.BeforeAll;

/** The UID store contract, the one the file store passes, against a real PostgreSQL. */
class JdbcUidStoreContractTest extends UidStoreContract {
  private static JdbcState state;
  private static JdbcAccountLeases leases;

  @BeforeAll
  static void database() throws Exception {
    state = JdbcState.open(TestDatabase.create("uid_store_contract"));
    leases = JdbcAccountLeases.builder(state).owner("contract").build();
  }

  @Override
  protected UidStore open(String account) throws Exception {
    return JdbcUidStore.open(state, leases.take(account).orElseThrow());
  }

  @Override
  protected void close(UidStore store) throws Exception {
    JdbcUidStore s = (JdbcUidStore) store;
    s.close();
    leases.release(s.lease());
  }
}
