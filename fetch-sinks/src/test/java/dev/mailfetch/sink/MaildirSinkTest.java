package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.api.LineEnding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a Maildir holds, file by file, as Dovecot and mutt read it. */
class MaildirSinkTest {
  private static final String ACCOUNT = "alice@example.org";
  @TempDir Path tmp;

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static void deliver(
      MaildirSink sink, String uid, Set<String> labels, boolean archived, byte[] bytes)
      throws IOException {
    Delivery d = sink.begin(new Envelope(ACCOUNT, uid, bytes.length, labels, archived));
    d.write(ByteBuffer.wrap(bytes));
    d.complete(DeliveryKey.of(ACCOUNT, uid));
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void aMessage_isOneFileInNew_namedAfterItsKeyAndSize_andTmpIsLeftEmpty() throws IOException {
    Path root = tmp.resolve("Maildir");
    try (MaildirSink sink = MaildirSink.open(root)) {
      deliver(sink, "u1", Set.of(), false, ascii("Subject: a\n\nbody\n"));
      sink.sync();
    }
    DeliveryKey k = DeliveryKey.of(ACCOUNT, "u1");
    assertEquals(List.of(k + ",S=17"), names(root.resolve("new")));
    assertEquals(List.of(), names(root.resolve("tmp")));
    assertEquals(List.of(), names(root.resolve("cur")));
    assertArrayEquals(
        ascii("Subject: a\n\nbody\n"),
        Files.readAllBytes(root.resolve("new").resolve(k + ",S=17")));
  }

  /**
   * A completed message is held at once (the engine asks contains) but linked into new/ only at the
   * sync, after its file was flushed with the rest of the batch: a reader never sees a file whose
   * bytes might not be on the disk, and a batch costs one round of flushes, not one each.
   */
  @Test
  void aCompletedMessage_isHeldAtOnce_butAppearsInNewOnlyAtTheSync_withEveryOtherOfTheBatch()
      throws IOException {
    Path root = tmp.resolve("Maildir");
    try (MaildirSink sink = MaildirSink.builder(root).flushThreads(4).build()) {
      for (int i = 0; i < 25; i++) {
        deliver(sink, "u" + i, Set.of(), false, ascii("Subject: " + i + "\n\nbody\n"));
      }
      assertTrue(sink.contains(DeliveryKey.of(ACCOUNT, "u7")), "held from complete on");
      assertEquals(List.of(), names(root.resolve("new")), "nothing visible before the sync");
      assertEquals(25, names(root.resolve("tmp")).size());
      sink.sync();
      assertEquals(25, names(root.resolve("new")).size());
      assertEquals(List.of(), names(root.resolve("tmp")));
    }
    try (MaildirSink again = MaildirSink.open(root)) {
      for (int i = 0; i < 25; i++) {
        assertTrue(
            again.contains(DeliveryKey.of(ACCOUNT, "u" + i)), "u" + i + " survives the sink");
      }
    }
  }

  @Test
  void aSyncThatCannotFlushAFile_holdsNoneItDidNotPublish_soTheEngineDeliversThemAgain()
      throws IOException {
    Path root = tmp.resolve("Maildir");
    try (MaildirSink sink = MaildirSink.open(root)) {
      deliver(sink, "kept", Set.of(), false, ascii("Subject: k\n\nbody\n"));
      deliver(sink, "gone", Set.of(), false, ascii("Subject: g\n\nbody\n"));
      // Someone cleans tmp/ under the sink: the sync cannot flush what is not there.
      try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
        for (Path f : files.collect(Collectors.toList())) {
          Files.delete(f);
        }
      }
      IOException e = Assertions.assertThrows(IOException.class, sink::sync);
      assertTrue(e.getMessage().contains("cannot write"), e.getMessage());
      assertFalse(
          sink.contains(DeliveryKey.of(ACCOUNT, "kept")), "not held: delivered again next time");
      assertFalse(sink.contains(DeliveryKey.of(ACCOUNT, "gone")));
      assertEquals(List.of(), names(root.resolve("new")));
      deliver(sink, "kept", Set.of(), false, ascii("Subject: k\n\nbody\n"));
      sink.sync();
      assertEquals(List.of(DeliveryKey.of(ACCOUNT, "kept") + ",S=17"), names(root.resolve("new")));
    }
  }

  @Test
  void closingWithoutSync_dropsWhatWasCompleted_asACrashWould_andLeavesTmpEmpty()
      throws IOException {
    Path root = tmp.resolve("Maildir");
    try (MaildirSink sink = MaildirSink.open(root)) {
      deliver(sink, "u1", Set.of(), false, ascii("Subject: a\n\nbody\n"));
    }
    assertEquals(List.of(), names(root.resolve("tmp")));
    assertEquals(List.of(), names(root.resolve("new")));
    try (MaildirSink again = MaildirSink.open(root)) {
      assertFalse(again.contains(DeliveryKey.of(ACCOUNT, "u1")));
    }
  }

  @Test
  void labelsAddedBeforeTheSync_areLinkedWithTheMessage() throws IOException {
    Path root = tmp.resolve("Maildir");
    DeliveryKey k = DeliveryKey.of(ACCOUNT, "u1");
    try (MaildirSink sink = MaildirSink.open(root)) {
      deliver(sink, "u1", Set.of("Work"), false, ascii("Subject: a\n\nbody\n"));
      assertTrue(sink.addLabels(k, Set.of("Lists/Java")));
      sink.sync();
    }
    assertEquals(List.of(k + ",S=17"), names(root.resolve("new")));
    assertEquals(List.of(k + ",S=17"), names(root.resolve(".Work").resolve("new")));
    assertEquals(List.of(k + ",S=17"), names(root.resolve(".Lists.Java").resolve("new")));
  }

  @Test
  void flushThreads_isFromOneTo64() {
    Assertions.assertThrows(
        IllegalArgumentException.class, () -> MaildirSink.builder(tmp).flushThreads(0));
    Assertions.assertThrows(
        IllegalArgumentException.class, () -> MaildirSink.builder(tmp).flushThreads(65));
  }

  @Test
  void labels_areMaildirPlusPlusFolders_hardLinkedToOneFile_andArchiveSkipsTheInbox()
      throws IOException {
    Path root = tmp.resolve("Maildir");
    try (MaildirSink sink = MaildirSink.open(root)) {
      deliver(sink, "labelled", Set.of("Work", "Lists/Java"), false, ascii("Subject: l\n\nl\n"));
      deliver(sink, "archived", Set.of("Receipts"), true, ascii("Subject: r\n\nr\n"));
      deliver(sink, "archived-bare", Set.of(), true, ascii("Subject: b\n\nb\n"));
      sink.sync();
    }
    String l = DeliveryKey.of(ACCOUNT, "labelled") + ",S=14";
    assertEquals(
        List.of(l), names(root.resolve("new")), "only the unarchived message is in the inbox");
    Path work = root.resolve(".Work/new").resolve(l);
    Path java = root.resolve(".Lists.Java/new").resolve(l);
    assertTrue(Files.exists(work) && Files.exists(java), names(root).toString());
    assertTrue(
        Files.isSameFile(work, root.resolve("new").resolve(l)),
        "hard links: one file, three names");
    assertTrue(Files.exists(root.resolve(".Work/maildirfolder")), "Maildir++ marks folders");
    assertEquals(1, names(root.resolve(".Receipts/new")).size());
    assertEquals(
        1,
        names(root.resolve(".Archive/new")).size(),
        "archived without labels: the archive folder");
  }

  @Test
  void aMessageItsSourceFiledAsJunk_goesToTheJunkFolderAlone_neverAFolderNamedAfterTheLabel()
      throws IOException {
    Path root = tmp.resolve("Maildir");
    try (MaildirSink sink = MaildirSink.open(root)) {
      deliver(sink, "junk", Set.of(LabelDecision.JUNK, "Work"), false, ascii("Subject: j\n\nj\n"));
      deliver(sink, "work", Set.of("Work"), false, ascii("Subject: w\n\nw\n"));
      sink.sync();
      assertTrue(sink.addLabels(DeliveryKey.of(ACCOUNT, "work"), Set.of(LabelDecision.JUNK)));
      sink.sync();
    }
    String j = DeliveryKey.of(ACCOUNT, "junk") + ",S=14";
    String w = DeliveryKey.of(ACCOUNT, "work") + ",S=14";
    assertEquals(List.of(j), names(root.resolve(".Junk/new")), "a copy found in junk stays put");
    assertEquals(List.of(w), names(root.resolve("new")), "junk is not in the inbox");
    assertEquals(List.of(w), names(root.resolve(".Work/new")), "nor in a folder a person reads");
    assertEquals(
        List.of(".Junk", ".Work", "cur", "new", "tmp"),
        names(root),
        "no folder named after the label \\Junk");
  }

  @Test
  void folderNames_followMaildirPlusPlus_andModifiedUtf7() {
    assertEquals(".Work", MaildirNames.folderName("Work"));
    assertEquals(".Lists.Java", MaildirNames.folderName("Lists/Java"));
    assertEquals(".example.com", MaildirNames.folderName("example.com"));
    assertEquals(".Gr&APwA3w-e", MaildirNames.folderName("Grüße"));
    assertEquals(".R&-D", MaildirNames.folderName("R&D"));
    assertEquals(".&ZeVnLIqe-", MaildirNames.folderName("日本語"));
    assertEquals("._.x", MaildirNames.folderName("/x"), "an empty level is never '..'");
  }

  @Test
  void aKeyAMailReaderMovedToCur_withFlags_isStillHeld_andNotStoredAgain() throws IOException {
    Path root = tmp.resolve("Maildir");
    DeliveryKey k = DeliveryKey.of(ACCOUNT, "read-already");
    try (MaildirSink sink = MaildirSink.open(root)) {
      deliver(sink, "read-already", Set.of(), false, ascii("Subject: r\n\nr\n"));
      sink.sync();
    }
    Path inNew = root.resolve("new").resolve(k + ",S=14");
    Files.move(
        inNew, root.resolve("cur").resolve(k + ",S=14:2,S")); // what mutt does when it is read
    try (MaildirSink sink = MaildirSink.open(root)) {
      assertTrue(sink.contains(k));
      Delivery d = sink.begin(new Envelope(ACCOUNT, "read-already", 12, Set.of(), false));
      d.write(ByteBuffer.wrap(ascii("Subject: r\n\nr\n")));
      assertTrue(d.complete(k).alreadyHeld());
      sink.sync();
    }
    assertEquals(List.of(), names(root.resolve("new")));
    assertEquals(List.of(), names(root.resolve("tmp")));
  }

  @Test
  void leftOversOfACrashInTmp_areClearedAfter36Hours_andFreshOnesAreNot() throws IOException {
    Path root = tmp.resolve("Maildir");
    MaildirSink.open(root).close();
    Path old = Files.write(root.resolve("tmp/1.P1Q1.mailfetch"), ascii("half a mess"));
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(37))));
    Path fresh =
        Files.write(root.resolve("tmp/2.P2Q2.mailfetch"), ascii("another process, writing"));
    Path foreign = Files.write(root.resolve("tmp/3.other-mda"), ascii("not ours"));
    Files.setLastModifiedTime(foreign, FileTime.from(Instant.now().minus(Duration.ofHours(37))));
    MaildirSink.open(root).close();
    assertFalse(Files.exists(old));
    assertTrue(Files.exists(fresh), "it may be another fetcher's message in the making");
    assertTrue(Files.exists(foreign), "another program's file is not ours to remove");
  }

  @Test
  void crlf_canBeChosen_andIsThenWhatTheEngineHandsOver() throws IOException {
    try (MaildirSink lf = MaildirSink.open(tmp.resolve("a"));
        MaildirSink crlf =
            MaildirSink.builder(tmp.resolve("b")).lineEnding(LineEnding.CRLF).build()) {
      assertEquals(LineEnding.LF, lf.lineEnding());
      assertEquals(LineEnding.CRLF, crlf.lineEnding());
    }
  }

  /**
   * The Maildir's file names are read at the first question (or delivery), not at open: a run with
   * nothing new, which never asks, does not list a Maildir of thousands of files. Shown by a file
   * that arrives between the open and the first question: it is held, as it would not be had the
   * names been read at open; and a key that arrives after the first question is found by the
   * delivery itself (its publish), never stored twice.
   */
  @Test
  void theNamesAreReadAtTheFirstQuestion_notAtOpen() throws IOException {
    Path root = tmp.resolve("Maildir");
    DeliveryKey early = DeliveryKey.of(ACCOUNT, "early");
    try (MaildirSink sink = MaildirSink.open(root)) {
      // another run's message, linked into new/ after this sink was opened
      Files.write(root.resolve("new").resolve(early + ",S=5"), ascii("a\n\nb\n"));
      assertTrue(sink.contains(early), "read at the first question: the file is held");
      assertFalse(sink.contains(DeliveryKey.of(ACCOUNT, "other")));
      deliver(sink, "early", Set.of(), false, ascii("a\n\nb\n"));
      sink.sync();
    }
    assertEquals(List.of(early + ",S=5"), names(root.resolve("new")), "not stored twice");
    assertEquals(List.of(), names(root.resolve("tmp")));
  }

  /** The first delivery reads the names too: a message held already is not stored again. */
  @Test
  void aFirstDelivery_withoutAQuestion_findsTheMessageHeld() throws IOException {
    Path root = tmp.resolve("Maildir");
    DeliveryKey k = DeliveryKey.of(ACCOUNT, "u1");
    try (MaildirSink sink = MaildirSink.open(root)) {
      Files.write(root.resolve("cur").resolve(k + ",S=5:2,S"), ascii("a\n\nb\n"));
      deliver(sink, "u1", Set.of(), false, ascii("a\n\nb\n"));
      sink.sync();
    }
    assertEquals(List.of(), names(root.resolve("new")), "held in cur/: not stored again");
    assertEquals(List.of(k + ",S=5:2,S"), names(root.resolve("cur")));
    assertEquals(List.of(), names(root.resolve("tmp")));
  }
}
