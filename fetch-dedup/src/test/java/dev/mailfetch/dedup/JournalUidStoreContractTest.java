package dev.mailfetch.dedup;

import dev.mailfetch.api.UidStore;
import dev.mailfetch.testkit.UidStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The file store passes the testkit's UID store contract (its file-level tests are its own). */
class JournalUidStoreContractTest extends UidStoreContract {
  @TempDir Path root;

  @Override
  protected UidStore open(String account) throws Exception {
    return JournalUidStore.open(JournalUidStore.directoryFor(root, account));
  }
}
