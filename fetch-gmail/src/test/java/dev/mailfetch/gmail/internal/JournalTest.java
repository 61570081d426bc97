package dev.mailfetch.gmail.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.journal.JournalLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Gmail journal keeps over the shared intent journal (whose states, torn tail, damage,
 * lock and bound dev.mailfetch.api.internal.journal.IntentJournalTest proves): its records' fields
 * read back as written, journals of earlier versions are read, and one of another mailbox or
 * directory held by another sink is refused in Gmail's words.
 */
class JournalTest {
  private static final String ME = "me@gmail.com";
  private static final DeliveryKey KEY = DeliveryKey.of("a@example.org", "uid-1");
  private static final String SHA = "0123456789abcdef".repeat(4);

  @TempDir Path dir;

  private static DeliveryKey key(int i) {
    return DeliveryKey.of("a@example.org", "uid-" + i);
  }

  private static JournalLine read(String body) {
    String line = JournalLine.framed(body);
    return Journal.record(line.substring(0, line.length() - 1));
  }

  private static JournalLine read(JournalLine rec) {
    String line = rec.text();
    return Journal.record(line.substring(0, line.length() - 1));
  }

  @Test
  void anIntent_readsBackAsWritten_evenWithSpacesAndNonAsciiInItsMessageId() {
    Journal.Intent in = new Journal.Intent("<tw o\u00e9%@example.org>", 42, 7, SHA, 1234);
    JournalLine rec = read(new JournalLine("I", KEY, in.fields()));
    assertEquals(7, 2 + rec.fields().size());
    assertEquals(in, Journal.Intent.of(rec.fields()));
    Journal.Intent none = new Journal.Intent(null, 0, -1, null, 0);
    assertEquals(none, Journal.Intent.of(read(new JournalLine("I", KEY, none.fields())).fields()));
  }

  @Test
  void anIntentOfAnOlderJournal_withoutHistoryIdOrDigest_isRead() {
    assertEquals(
        new Journal.Intent("<a@b>", 10),
        Journal.Intent.of(read("I " + KEY + " 10 <a@b>").fields()));
  }

  @Test
  void answersWithdrawalsAndTheHeader_keepTheirFields() throws IOException {
    JournalLine answer = read(JournalLine.of("A", KEY, "18c0"));
    assertEquals("A", answer.kind());
    assertEquals(List.of("18c0"), answer.fields());
    assertEquals(List.of(), read(JournalLine.of("W", KEY)).fields());
    Journal.open(dir, ME, 100).close();
    assertEquals(
        JournalLine.framed("H me@gmail.com"),
        Files.readString(dir.resolve(Journal.FILE)),
        "the first line names the mailbox");
  }

  @Test
  void aRecordOfNoKnownShape_isNothing() {
    assertNull(read("X " + KEY), "no known kind");
    assertNull(read("A " + KEY + " "), "an answer without an id");
    assertNull(read("I " + KEY + " -1 -"), "a negative size");
    assertNull(read("I " + KEY + " 1 - 5 NOTHEX 0"), "a digest that is not hex");
    assertNull(read("I " + KEY + " 1 - 5"), "five fields");
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
}
