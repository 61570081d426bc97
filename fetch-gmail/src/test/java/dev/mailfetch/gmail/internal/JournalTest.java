package dev.mailfetch.gmail.internal;

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
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal keeps what Gmail has across a crash, reads a torn last record as absent, and stays
 * bounded.
 */
class JournalTest {
  private static final String ME = "me@gmail.com";

  @TempDir Path dir;

  private static DeliveryKey key(int i) {
    return DeliveryKey.of("a@example.org", "uid-" + i);
  }

  @Test
  void answersAndOpenIntents_surviveAReopen_andAnIntentWithoutAnswer_isInDoubt()
      throws IOException {
    try (Journal j = Journal.open(dir, ME, 100)) {
      j.intent(key(1), "<one@example.org>", 10);
      j.answered(key(1), "18c0a1");
      j.intent(key(2), "<two with space@example.org>", 20);
      j.intent(key(3), null, 30);
      j.intent(key(4), "<four@x>", 40);
      j.withdrawn(key(4));
    }
    try (Journal j = Journal.open(dir, ME, 100)) {
      assertEquals(Optional.of("18c0a1"), j.gmailId(key(1)));
      Map<DeliveryKey, Journal.Intent> doubt = j.inDoubtAtOpen();
      assertEquals(
          Map.of(
              key(2),
              new Journal.Intent("<two with space@example.org>", 20),
              key(3),
              new Journal.Intent(null, 30)),
          doubt);
      assertTrue(j.isOpen(key(2)));
      assertFalse(j.isOpen(key(4)), "a withdrawn intent is not in doubt");
    }
  }

  @Test
  void aTornLastRecord_isAbsent_andCutAway() throws IOException {
    try (Journal j = Journal.open(dir, ME, 100)) {
      j.intent(key(1), "<one@x>", 10);
      j.answered(key(1), "aa");
      j.intent(key(2), "<two@x>", 10);
    }
    Path file = dir.resolve(Journal.FILE);
    String whole = Files.readString(file);
    // The answer for key 2 was being written when the process died: half a line.
    String half = "A " + key(2) + " bb " + JournalLine.crc("A " + key(2) + " bb");
    Files.writeString(file, half.substring(0, half.length() - 5), StandardOpenOption.APPEND);
    try (Journal j = Journal.open(dir, ME, 100)) {
      assertEquals(Optional.empty(), j.gmailId(key(2)), "a torn answer is absent");
      assertTrue(j.inDoubtAtOpen().containsKey(key(2)), "so the import is in doubt");
      assertEquals(Optional.of("aa"), j.gmailId(key(1)));
    }
    assertEquals(whole, Files.readString(file), "the torn tail is cut away");
  }

  @Test
  void aJournalCutAtAnyByte_opensWithoutDamage_andKeepsEveryWholeRecordBeforeTheCut()
      throws IOException {
    Path full = dir.resolve("full");
    try (Journal j = Journal.open(full, ME, 100)) {
      for (int i = 0; i < 4; i++) {
        j.intent(key(i), "<m" + i + "@x>", i);
        j.answered(key(i), "id" + i);
      }
    }
    byte[] all = Files.readAllBytes(full.resolve(Journal.FILE));
    for (int cut = 0; cut <= all.length; cut++) {
      Path d = dir.resolve("cut" + cut);
      Files.createDirectories(d);
      Files.write(d.resolve(Journal.FILE), Arrays.copyOf(all, cut));
      int wholeLines = 0;
      for (int i = 0; i < cut; i++) {
        wholeLines += all[i] == '\n' ? 1 : 0;
      }
      try (Journal j = Journal.open(d, ME, 100)) {
        for (int i = 0; i < 4; i++) {
          boolean answerWhole =
              wholeLines >= 1 + 2 * (i + 1); // the header, then intent and answer of each
          assertEquals(
              answerWhole ? Optional.of("id" + i) : Optional.empty(),
              j.gmailId(key(i)),
              "cut at " + cut);
          boolean intentOnly = wholeLines == 1 + 2 * i + 1;
          assertEquals(intentOnly, j.inDoubtAtOpen().containsKey(key(i)), "cut at " + cut);
        }
      }
    }
  }

  @Test
  void aGarbledLastLine_orZerosAfterIt_isATornWrite_notDamage() throws IOException {
    try (Journal j = Journal.open(dir, ME, 100)) {
      j.intent(key(1), "<one@x>", 10);
    }
    Path file = dir.resolve(Journal.FILE);
    Files.write(
        file,
        "A 12zz garbage\n\0\0\0\0".getBytes(StandardCharsets.US_ASCII),
        StandardOpenOption.APPEND);
    try (Journal j = Journal.open(dir, ME, 100)) {
      assertTrue(j.inDoubtAtOpen().containsKey(key(1)));
    }
  }

  @Test
  void aDamagedRecordBeforeGoodOnes_isStateDamaged_inWords_namingTheFileAndLine()
      throws IOException {
    try (Journal j = Journal.open(dir, ME, 100)) {
      j.intent(key(1), "<one@x>", 10);
      j.answered(key(1), "aa");
      j.intent(key(2), "<two@x>", 10);
    }
    Path file = dir.resolve(Journal.FILE);
    String s = Files.readString(file);
    Files.writeString(file, s.replaceFirst("A ", "A 0"));
    FetchException e = assertThrows(FetchException.class, () -> Journal.open(dir, ME, 100));
    assertEquals(FetchError.STATE_DAMAGED, e.error());
    assertTrue(
        e.getMessage().contains(file.toString()) && e.getMessage().contains("line 3"),
        e.getMessage());
    assertEquals(s.replaceFirst("A ", "A 0"), Files.readString(file), "nothing is changed");
  }

  @Test
  void aJournalOfAnotherMailbox_isRefused() throws IOException {
    try (Journal j = Journal.open(dir, ME, 100)) {
      j.intent(key(1), null, 1);
    }
    FetchException e =
        assertThrows(FetchException.class, () -> Journal.open(dir, "other@gmail.com", 100));
    assertEquals(FetchError.CONFIGURATION, e.error());
    assertTrue(e.getMessage().contains("belongs to me@gmail.com"), e.getMessage());
  }

  @Test
  void twoSinksOnOneDirectory_areRefused() throws IOException {
    try (Journal j = Journal.open(dir, ME, 100)) {
      assertTrue(j.inDoubtAtOpen().isEmpty());
      FetchException e = assertThrows(FetchException.class, () -> Journal.open(dir, ME, 100));
      assertEquals(FetchError.CONFIGURATION, e.error());
      assertTrue(e.getMessage().contains("another Gmail sink"), e.getMessage());
    }
    Journal.open(dir, ME, 100).close(); // released on close
  }

  @Test
  void theJournalStaysBounded_keepingTheNewestAnswersAndEveryOpenIntent() throws IOException {
    try (Journal j = Journal.open(dir, ME, 100)) {
      j.intent(key(-1), "<stuck@x>", 5); // open all along
      for (int i = 0; i < 1000; i++) {
        j.intent(key(i), "<m" + i + "@x>", i);
        j.answered(key(i), "id" + i);
      }
      j.force();
      assertTrue(j.records() <= 2 * 100 + 1 + 16 + 1, "records: " + j.records());
      assertTrue(
          Files.size(dir.resolve(Journal.FILE)) < 100_000,
          "bytes: " + Files.size(dir.resolve(Journal.FILE)));
      assertEquals(Optional.of("id999"), j.gmailId(key(999)));
      assertEquals(Optional.empty(), j.gmailId(key(0)), "the oldest answers are forgotten");
    }
    try (Journal j = Journal.open(dir, ME, 100)) {
      assertEquals(Optional.of("id999"), j.gmailId(key(999)));
      assertEquals(Optional.of("id900"), j.gmailId(key(900)));
      assertEquals(Map.of(key(-1), new Journal.Intent("<stuck@x>", 5)), j.inDoubtAtOpen());
    }
  }
}
