package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IMAP fields over the shared journal (whose torn tail, bound and lock
 * dev.mailfetch.api.internal.journal.IntentJournalTest proves) read back as written.
 */
class AppendJournalTest {
  @TempDir Path dir;

  private static DeliveryKey key(int i) {
    return DeliveryKey.of("a@example.org", "uid-" + i);
  }

  @Test
  void intendedButNotDone_isInDoubt_afterARestart() throws IOException {
    Path f = dir.resolve("journal");
    AppendJournal.Intent in = new AppendJournal.Intent(List.of("INBOX", "Lists.Work é"), "<m 1@x>");
    try (AppendJournal j = AppendJournal.open(f)) {
      j.intend(key(1), in);
      j.intend(key(2), in);
      j.done(key(2), new AppendJournal.Placed("INBOX", 7, 42));
      j.intend(key(3), in);
      j.withdraw(key(3));
      j.force();
    }
    try (AppendJournal j = AppendJournal.open(f)) {
      assertEquals(Map.of(key(1), in), j.inDoubt());
      assertEquals(new AppendJournal.Placed("INBOX", 7, 42), j.placed(key(2)).orElseThrow());
      assertTrue(j.placed(key(3)).isEmpty());
    }
  }
}
