package dev.mailfetch.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.UidRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mailbox mark in {@code uids.journal}: durable at sync, as the records it describes. */
class MailboxMarkJournalTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir Path tmp;

  private static UidRecord delivered(String uid) {
    return UidRecord.of(uid, UidRecord.State.DELIVERED, T0, DeliveryKey.of("acct", uid));
  }

  @Test
  void aJournalTornInItsLastWrite_keepsASavedMark_andEverySavedRecord() throws IOException {
    Path dir = tmp.resolve("acct");
    Path journal = dir.resolve("uids.journal");
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      for (int i = 0; i < 5; i++) {
        s.put(delivered("saved-" + i));
      }
      s.recordMailboxMark(Optional.of("m1"));
      s.sync();
    }
    long saved = Files.size(journal);
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      s.put(delivered("last"));
      s.recordMailboxMark(Optional.of("m2"));
      s.sync();
    }
    byte[] whole = Files.readAllBytes(journal);
    for (long cut = saved; cut < whole.length; cut++) {
      Path d = tmp.resolve("cut-" + cut);
      Files.createDirectories(d);
      Files.write(d.resolve("uids.journal"), Arrays.copyOf(whole, (int) cut));
      try (JournalUidStore s = JournalUidStore.open(d)) {
        // Whole records of a torn write stand, as they always have; the mark of the last write
        // only with the records written before it in that write.
        Optional<String> mark = s.mailboxMark();
        assertTrue(
            mark.equals(Optional.of("m1"))
                || (mark.equals(Optional.of("m2")) && s.get("last").isPresent()),
            "cut at " + cut + ": " + mark);
        for (int i = 0; i < 5; i++) {
          assertTrue(s.get("saved-" + i).isPresent(), "cut at " + cut + ": saved-" + i);
        }
      }
    }
  }

  @Test
  void compaction_keepsTheMark() throws IOException {
    Path dir = tmp.resolve("acct");
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      s.put(delivered("1"));
      s.recordMailboxMark(Optional.of("m1"));
      s.sync();
      s.compact();
      assertEquals(Optional.of("m1"), s.mailboxMark());
    }
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      assertEquals(Optional.of("m1"), s.mailboxMark());
      assertTrue(s.get("1").isPresent());
    }
  }

  @Test
  void theSameMarkAgain_writesNothing() throws IOException {
    Path dir = tmp.resolve("acct");
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      s.recordMailboxMark(Optional.of("m1"));
      s.sync();
    }
    byte[] before = Files.readAllBytes(dir.resolve("uids.journal"));
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      s.recordMailboxMark(Optional.of("m1"));
      s.sync();
    }
    assertTrue(Arrays.equals(before, Files.readAllBytes(dir.resolve("uids.journal"))));
  }

  @Test
  void aMarkThatCouldBreakALine_isRefused() throws IOException {
    try (JournalUidStore s = JournalUidStore.open(tmp.resolve("acct"))) {
      assertThrows(
          IllegalArgumentException.class, () -> s.recordMailboxMark(Optional.of("a\r\nb")));
      assertThrows(
          IllegalArgumentException.class, () -> s.recordMailboxMark(Optional.of("x".repeat(4001))));
    }
  }
}
