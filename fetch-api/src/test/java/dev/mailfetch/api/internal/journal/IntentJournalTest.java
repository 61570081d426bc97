package dev.mailfetch.api.internal.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal keeps what the destination has across a crash, reads a torn last record as absent,
 * refuses to guess past damage, keeps one sink at a time, and stays bounded (moved from
 * fetch-gmail's JournalTest and JournalCompactionFailureTest and fetch-imap's AppendJournalTest).
 */
class IntentJournalTest {
  private static final String ME = "me@example.org";

  @TempDir Path dir;

  private static DeliveryKey key(int i) {
    return DeliveryKey.of("a@example.org", "uid-" + i);
  }

  private static IntentJournal.Shape shape(String header, int keep) {
    return new IntentJournal.Shape(
        "test journal",
        "the test server",
        header,
        "D",
        keep,
        r -> !r.kind().equals("D") || (r.fields().size() == 1 && r.field(0) != null),
        () -> new FetchException(FetchError.CONFIGURATION, "another test sink holds it"),
        other -> new FetchException(FetchError.CONFIGURATION, "belongs to " + other));
  }

  private IntentJournal open(Path d, int keep) throws IOException {
    return open(d, ME, keep);
  }

  private IntentJournal open(Path d, String header, int keep) throws IOException {
    return IntentJournal.open(d.resolve("journal"), d.resolve("lock"), shape(header, keep));
  }

  private static void intend(IntentJournal j, int i, String... fields) throws IOException {
    j.intend(key(i), Arrays.asList(fields), true);
  }

  private static void done(IntentJournal j, int i, String id) throws IOException {
    j.done(key(i), List.of(id), true);
  }

  private static Optional<String> doneId(IntentJournal j, int i) {
    return j.done(key(i)).map(f -> f.get(0));
  }

  @Test
  void doneAndOpenIntents_surviveAReopen_andAnIntentWithoutDone_isInDoubt() throws IOException {
    try (IntentJournal j = open(dir, 100)) {
      intend(j, 1, "<one@example.org>", "10");
      done(j, 1, "18c0a1");
      intend(j, 2, "<two with space é@example.org>", "INBOX", "Lists.Work é");
      intend(j, 3, null, "30");
      intend(j, 4, "<four@x>", "40");
      j.withdraw(key(4));
      j.intend(key(5), List.of("-", "%"), false); // durable at the barrier
      j.force();
    }
    try (IntentJournal j = open(dir, 100)) {
      assertEquals(Optional.of("18c0a1"), doneId(j, 1));
      Map<DeliveryKey, List<String>> doubt = new LinkedHashMap<>();
      doubt.put(key(2), List.of("<two with space é@example.org>", "INBOX", "Lists.Work é"));
      doubt.put(key(3), Arrays.asList(null, "30"));
      doubt.put(key(5), List.of("-", "%"));
      assertEquals(doubt, j.inDoubtAtOpen());
      assertEquals(doubt, j.open());
      assertTrue(j.intent(key(2)).isPresent());
      assertFalse(j.intent(key(4)).isPresent(), "a withdrawn intent is not in doubt");
      assertTrue(j.done(key(4)).isEmpty());
      done(j, 2, "x");
      assertFalse(j.inDoubtAtOpen().containsKey(key(2)), "settled now");
      assertEquals(Optional.of(key(2)), j.findDone(f -> f.get(0).equals("x")));
    }
  }

  @Test
  void aTornLastRecord_isAbsent_andCutAway() throws IOException {
    try (IntentJournal j = open(dir, 100)) {
      intend(j, 1, "<one@x>");
      done(j, 1, "aa");
      intend(j, 2, "<two@x>");
    }
    Path file = dir.resolve("journal");
    String whole = Files.readString(file);
    // The done record of key 2 was being written when the process died: half a line.
    String half = JournalLine.of("D", key(2), "bb").text();
    Files.writeString(file, half.substring(0, half.length() - 6), StandardOpenOption.APPEND);
    try (IntentJournal j = open(dir, 100)) {
      assertEquals(Optional.empty(), doneId(j, 2), "a torn record is absent");
      assertTrue(j.inDoubtAtOpen().containsKey(key(2)), "so the delivery is in doubt");
      assertEquals(Optional.of("aa"), doneId(j, 1));
    }
    assertEquals(whole, Files.readString(file), "the torn tail is cut away");
    // and cut at byte 30 of the line, as a crash can
    Files.writeString(
        file, half.substring(0, 30), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    try (IntentJournal j = open(dir, 100)) {
      assertEquals(1, j.inDoubtAtOpen().size(), "the torn 'done' never happened: still in doubt");
    }
    assertTrue(Files.readString(file).endsWith("\n"), "the torn tail was cut");
  }

  @Test
  void aJournalCutAtAnyByte_opensWithoutDamage_andKeepsEveryWholeRecordBeforeTheCut()
      throws IOException {
    Path full = dir.resolve("full");
    try (IntentJournal j = open(full, 100)) {
      for (int i = 0; i < 4; i++) {
        intend(j, i, "<m" + i + "@x>", Integer.toString(i));
        done(j, i, "id" + i);
      }
    }
    byte[] all = Files.readAllBytes(full.resolve("journal"));
    for (int cut = 0; cut <= all.length; cut++) {
      Path d = dir.resolve("cut" + cut);
      Files.createDirectories(d);
      Files.write(d.resolve("journal"), Arrays.copyOf(all, cut));
      int wholeLines = 0;
      for (int i = 0; i < cut; i++) {
        wholeLines += all[i] == '\n' ? 1 : 0;
      }
      try (IntentJournal j = open(d, 100)) {
        for (int i = 0; i < 4; i++) {
          boolean doneWhole = wholeLines >= 1 + 2 * (i + 1); // the header, then I and D of each
          assertEquals(
              doneWhole ? Optional.of("id" + i) : Optional.empty(), doneId(j, i), "cut at " + cut);
          boolean intentOnly = wholeLines == 1 + 2 * i + 1;
          assertEquals(intentOnly, j.inDoubtAtOpen().containsKey(key(i)), "cut at " + cut);
        }
      }
    }
  }

  @Test
  void aGarbledLastLine_orZerosAfterIt_isATornWrite_notDamage() throws IOException {
    try (IntentJournal j = open(dir, 100)) {
      intend(j, 1, "<one@x>");
    }
    Files.write(
        dir.resolve("journal"),
        "D 12zz garbage\n\0\0\0\0".getBytes(StandardCharsets.US_ASCII),
        StandardOpenOption.APPEND);
    try (IntentJournal j = open(dir, 100)) {
      assertTrue(j.inDoubtAtOpen().containsKey(key(1)));
    }
  }

  @Test
  void aDamagedRecordBeforeGoodOnes_isStateDamaged_inWords_namingTheFileAndLine()
      throws IOException {
    try (IntentJournal j = open(dir, 100)) {
      intend(j, 1, "<one@x>");
      done(j, 1, "aa");
      intend(j, 2, "<two@x>");
    }
    Path file = dir.resolve("journal");
    String s = Files.readString(file);
    Files.writeString(file, s.replaceFirst("D ", "D 0"));
    FetchException e = assertThrows(FetchException.class, () -> open(dir, 100));
    assertEquals(FetchError.STATE_DAMAGED, e.error());
    assertTrue(
        e.getMessage().contains(file.toString()) && e.getMessage().contains("line 3"),
        e.getMessage());
    assertEquals(s.replaceFirst("D ", "D 0"), Files.readString(file), "nothing is changed");
  }

  @Test
  void aJournalOfAnotherHeader_isRefused_andAJournalWithoutHeader_hasNone() throws IOException {
    try (IntentJournal j = open(dir, 100)) {
      intend(j, 1, (String) null);
    }
    FetchException e = assertThrows(FetchException.class, () -> open(dir, "other@x", 100));
    assertEquals(FetchError.CONFIGURATION, e.error());
    assertTrue(e.getMessage().contains("belongs to " + ME), e.getMessage());
    Path bare = dir.resolve("bare");
    try (IntentJournal j = open(bare, null, 100)) {
      intend(j, 1);
    }
    assertTrue(Files.readString(bare.resolve("journal")).startsWith("I "));
    try (IntentJournal j = open(bare, null, 100)) {
      assertEquals(Map.of(key(1), List.of()), j.inDoubtAtOpen());
    }
  }

  @Test
  void twoSinksOnOneJournal_areRefused_untilTheFirstCloses() throws IOException {
    try (IntentJournal j = open(dir, 100)) {
      assertTrue(j.inDoubtAtOpen().isEmpty());
      FetchException e = assertThrows(FetchException.class, () -> open(dir, 100));
      assertEquals(FetchError.CONFIGURATION, e.error());
      assertTrue(e.getMessage().contains("another test sink"), e.getMessage());
    }
    open(dir, 100).close(); // released on close
  }

  @Test
  void theJournalStaysBounded_keepingTheNewestDoneAndEveryOpenIntent() throws IOException {
    try (IntentJournal j = open(dir, 100)) {
      intend(j, -1, "<stuck@x>"); // open all along
      for (int i = 0; i < 1000; i++) {
        intend(j, i, "<m" + i + "@x>");
        done(j, i, "id" + i);
      }
      j.force();
      assertTrue(j.records() <= 2 * 100 + 1 + 16 + 1, "records: " + j.records());
      assertTrue(
          Files.size(dir.resolve("journal")) < 100_000,
          "bytes: " + Files.size(dir.resolve("journal")));
      assertEquals(Optional.of("id999"), doneId(j, 999));
      assertEquals(Optional.empty(), doneId(j, 0), "the oldest are forgotten");
    }
    try (IntentJournal j = open(dir, 100)) {
      assertEquals(Optional.of("id999"), doneId(j, 999));
      assertEquals(Optional.of("id900"), doneId(j, 900));
      assertEquals(Map.of(key(-1), List.of("<stuck@x>")), j.inDoubtAtOpen());
    }
  }

  @Test
  void intentsWithdrawnOverAndOver_areCompactedAway_soTheFileCannotGrowWithoutBound()
      throws IOException {
    try (IntentJournal j = open(dir, null, 500)) { // rewritten past 2 * 500 + 16 records
      for (int round = 0; round < 30; round++) {
        for (int i = 0; i < 100; i++) {
          j.intend(key(i), List.of("INBOX"), false);
          j.withdraw(key(i));
        }
        j.force();
      }
      assertTrue(j.records() < 1300, "records: " + j.records());
    }
    assertTrue(Files.readAllLines(dir.resolve("journal")).size() < 1300);
  }

  @Test
  void aRewriteThatCannotWriteItsNewFile_failsNoRecord_andTheJournalGoesOnAndCompactsLater()
      throws Exception {
    Path blocker = dir.resolve("journal.new");
    try (IntentJournal j = open(dir, 10)) {
      Files.createDirectory(blocker); // the rewrite's new file cannot be made
      Files.writeString(blocker.resolve("in-the-way"), "x");
      for (int i = 0; i < 100; i++) {
        intend(j, i, "<" + i + "@x>");
        done(j, i, "id" + i); // durable once forced: a failed compaction after it must not throw
        assertEquals(Optional.of("id" + i), doneId(j, i), "done " + i + " is remembered");
        j.force();
      }
      assertTrue(j.records() > 100, "no compaction could happen: " + j.records());
      Files.delete(blocker.resolve("in-the-way"));
      Files.delete(blocker); // the disk is fine again
      for (int i = 100; i < 200; i++) {
        intend(j, i, (String) null);
        done(j, i, "id" + i);
      }
      j.force();
      assertTrue(j.records() <= 2 * 10 + 16 + 64, "compacted again once it could: " + j.records());
    }
    try (IntentJournal again = open(dir, 10)) {
      for (int i = 190; i < 200; i++) {
        assertEquals(Optional.of("id" + i), doneId(again, i));
      }
      assertTrue(again.inDoubtAtOpen().isEmpty());
    }
  }

  @Test
  void aRewriteThatFailsMidRun_keepsTheOldFileInUse_andLosesNoRecord() throws Exception {
    try (IntentJournal j = open(dir, 5)) {
      for (int i = 0; i < 60; i++) {
        intend(j, i, "<" + i + "@x>");
        if (i == 30) {
          Files.createDirectory(dir.resolve("journal.new"));
          Files.writeString(dir.resolve("journal.new").resolve("in-the-way"), "x");
        }
        done(j, i, "id" + i);
      }
      intend(j, -2, "<open@x>");
      j.force();
    }
    try (IntentJournal again = open(dir, 5)) {
      assertEquals(Optional.of("id59"), doneId(again, 59));
      assertTrue(again.inDoubtAtOpen().containsKey(key(-2)), "the open intent survives");
    }
  }

  @Test
  void aJournalInMemory_keepsTheStatesForTheSinksLife() throws IOException {
    try (IntentJournal j = IntentJournal.inMemory(shape(null, 10))) {
      intend(j, 1, "a@x");
      assertEquals(Map.of(key(1), List.of("a@x")), j.open());
      j.done(key(1), List.of("-"), true);
      assertEquals(Optional.of(List.of("-")), j.done(key(1)));
      assertTrue(j.open().isEmpty());
      for (int i = 2; i < 100; i++) {
        done(j, i, "id");
      }
      j.force();
      assertEquals(Optional.empty(), j.done(key(1)), "bounded as on disk");
    }
  }
}
