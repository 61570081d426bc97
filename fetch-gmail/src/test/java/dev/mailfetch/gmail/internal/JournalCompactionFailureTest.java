package dev.mailfetch.gmail.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rewrite of the journal (its compaction) that fails must not break it: the records already
 * forced stay answered, later records are written, and the compaction is tried again later.
 */
class JournalCompactionFailureTest {
  @TempDir Path dir;

  @Test
  void aRewriteThatCannotWriteItsNewFile_failsNoRecord_andTheJournalGoesOnAndCompactsLater()
      throws Exception {
    Path blocker = dir.resolve(Journal.FILE + ".new");
    try (Journal j = Journal.open(dir, "me@gmail.com", 10)) {
      Files.createDirectory(blocker); // the rewrite's new file cannot be made
      Files.writeString(blocker.resolve("in-the-way"), "x");
      for (int i = 0; i < 100; i++) {
        DeliveryKey k = DeliveryKey.of("a@b", "u" + i);
        j.intent(k, "<" + i + "@x>", 10);
        j.answered(k, "id" + i); // durable once forced: a failed compaction after it must not throw
        assertEquals(Optional.of("id" + i), j.gmailId(k), "answered " + i + " is remembered");
        j.force();
      }
      assertTrue(j.records() > 100, "no compaction could happen: " + j.records());
      Files.delete(blocker.resolve("in-the-way"));
      Files.delete(blocker); // the disk is fine again
      for (int i = 100; i < 200; i++) {
        DeliveryKey k = DeliveryKey.of("a@b", "u" + i);
        j.intent(k, null, 10);
        j.answered(k, "id" + i);
      }
      j.force();
      assertTrue(j.records() <= 2 * 10 + 16 + 64, "compacted again once it could: " + j.records());
    }
    try (Journal again = Journal.open(dir, "me@gmail.com", 10)) {
      for (int i = 190; i < 200; i++) {
        assertEquals(Optional.of("id" + i), again.gmailId(DeliveryKey.of("a@b", "u" + i)));
      }
      assertTrue(again.inDoubtAtOpen().isEmpty());
    }
  }

  @Test
  void aRewriteThatFailsMidRun_keepsTheOldFileInUse_andLosesNoRecord() throws Exception {
    try (Journal j = Journal.open(dir, "me@gmail.com", 5)) {
      for (int i = 0; i < 60; i++) {
        DeliveryKey k = DeliveryKey.of("a@b", "u" + i);
        j.intent(k, "<" + i + "@x>", 10);
        if (i == 30) {
          Files.createDirectory(dir.resolve(Journal.FILE + ".new"));
          Files.writeString(dir.resolve(Journal.FILE + ".new").resolve("in-the-way"), "x");
        }
        j.answered(k, "id" + i);
      }
      DeliveryKey open = DeliveryKey.of("a@b", "open");
      j.intent(open, "<open@x>", 10);
      j.force();
    }
    try (Journal again = Journal.open(dir, "me@gmail.com", 5)) {
      assertEquals(Optional.of("id59"), again.gmailId(DeliveryKey.of("a@b", "u59")));
      assertTrue(
          again.inDoubtAtOpen().containsKey(DeliveryKey.of("a@b", "open")),
          "the open intent survives");
    }
  }

  @Test
  void anIntentOfAnEarlierVersion_withoutHistoryIdOrDigest_isReadInDoubt_andRewrittenInTheNewForm()
      throws Exception {
    DeliveryKey k = DeliveryKey.of("a@b", "u1");
    String head = "H me@gmail.com";
    String old = "I " + k + " 120 <old@x>";
    Files.writeString(
        dir.resolve(Journal.FILE),
        head + " " + JournalLine.crc(head) + "\n" + old + " " + JournalLine.crc(old) + "\n");
    try (Journal j = Journal.open(dir, "me@gmail.com", 100)) {
      Journal.Intent in = j.inDoubtAtOpen().get(k);
      assertEquals(new Journal.Intent("<old@x>", 120, -1, null, 0), in);
      j.intent(k, new Journal.Intent("<old@x>", 120, 5000, "ab".repeat(32), 1L));
      assertEquals(5000, j.openIntent(k).orElseThrow().historyId());
    }
    try (Journal again = Journal.open(dir, "me@gmail.com", 100)) {
      assertEquals(
          new Journal.Intent("<old@x>", 120, 5000, "ab".repeat(32), 1L),
          again.inDoubtAtOpen().get(k));
    }
  }
}
