package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void aTornLastLine_isDropped_andTheRestKept() throws IOException {
    Path f = dir.resolve("journal");
    try (AppendJournal j = AppendJournal.open(f)) {
      j.intend(key(1), new AppendJournal.Intent(List.of("INBOX"), null));
      j.force();
    }
    String whole = AppendJournalLine.done(key(1), new AppendJournal.Placed("INBOX", 1, 1));
    Files.writeString(f, whole.substring(0, 30), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    try (AppendJournal j = AppendJournal.open(f)) {
      assertEquals(1, j.inDoubt().size(), "the torn 'done' never happened: still in doubt");
    }
    assertTrue(Files.readString(f).endsWith("\n"), "the torn tail was cut");
  }

  @Test
  void theFile_isCompacted_soItCannotGrowWithoutBound() throws IOException {
    Path f = dir.resolve("journal");
    try (AppendJournal j = AppendJournal.open(f)) {
      for (int round = 0; round < 30; round++) {
        for (int i = 0; i < 100; i++) {
          j.intend(key(i), new AppendJournal.Intent(List.of("INBOX"), null));
          j.withdraw(key(i));
        }
        j.force();
      }
      assertTrue(j.lines() < 1300, "lines: " + j.lines());
    }
    assertTrue(Files.readAllLines(f).size() < 1300);
  }

  @Test
  void aSecondSinkOnTheSameJournal_isRefused() throws IOException {
    Path f = dir.resolve("journal");
    try (AppendJournal first = AppendJournal.open(f)) {
      assertTrue(first.inDoubt().isEmpty());
      FetchException e = assertThrows(FetchException.class, () -> AppendJournal.open(f));
      assertEquals(FetchError.CONFIGURATION, e.error());
    }
  }
}
