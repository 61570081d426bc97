package dev.mailfetch.dedup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mailfetch.api.DedupPolicy;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.HeaderBlock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's file is read at the first question, not at open: a run with nothing new (the cron
 * case) never reads a year of entries. Its lock is still taken at open.
 */
class DedupStoreReadingTest {
  @TempDir Path tmp;

  private static final DeliveryKey K1 = DeliveryKey.of("a", "1");

  /** A store file holding {@code mid <1@a>} as K1's, and one damaged line after it. */
  private byte[] storeWithADamagedLine(Path file) throws IOException {
    try (DedupStore s = DedupStore.open(file, DedupStore.Window.DEFAULT)) {
      s.remember("mid <1@a>", K1, Instant.now());
    }
    Files.writeString(file, Files.readString(file) + "0badc0de not a line\n");
    return Files.readAllBytes(file);
  }

  @Test
  void openedAndClosed_withoutAQuestion_theFileIsNotReadNorRewritten() throws IOException {
    Path file = tmp.resolve("dedup");
    byte[] before = storeWithADamagedLine(file);
    DedupStore opened = DedupStore.open(file, DedupStore.Window.DEFAULT);
    try {
      FetchException e =
          assertThrows(
              FetchException.class, () -> DedupStore.open(file, DedupStore.Window.DEFAULT));
      assertEquals(FetchError.LOCKED, e.error(), "the lock is taken at open, as before");
    } finally {
      opened.close();
    }
    // Read at open, the damaged line would have been dropped by a rewrite of the file.
    assertArrayEquals(before, Files.readAllBytes(file), "never read: the same bytes");

    try (DedupStore s = DedupStore.open(file, DedupStore.Window.DEFAULT)) {
      assertEquals(Optional.of(K1), s.firstCopy("mid <1@a>", Instant.now()), "read when asked");
    }
    String after = Files.readString(file);
    assertEquals(1, after.lines().count(), "read, the damaged line is dropped: " + after);
  }

  @Test
  void aFileWrittenAfterTheOpen_isWhatTheFirstQuestionReads() throws IOException {
    Path first = tmp.resolve("first/dedup");
    Path second = tmp.resolve("second/dedup");
    try (DedupStore s = DedupStore.open(first, DedupStore.Window.DEFAULT)) {
      s.remember("mid <1@a>", K1, Instant.now());
    }
    try (DedupStore s = DedupStore.open(second, DedupStore.Window.DEFAULT)) {
      Files.write(second, Files.readAllBytes(first)); // not read yet
      assertEquals(Optional.of(K1), s.firstCopy("mid <1@a>", Instant.now()));
      assertEquals(1, s.size());
      s.remember("mid <2@a>", DeliveryKey.of("a", "2"), Instant.now());
    }
    try (DedupStore s = DedupStore.open(second, DedupStore.Window.DEFAULT)) {
      assertEquals(2, s.size(), "the remembered one appended after the entries read");
    }
  }

  /** A file that cannot be read at the first question is an IOException to the engine. */
  @Test
  void aFileThatCannotBeRead_atTheFirstQuestion_isAnIoExceptionThroughThePolicy()
      throws IOException {
    Path file = tmp.resolve("dedup");
    try (DedupStore s = DedupStore.open(file, DedupStore.Window.DEFAULT)) {
      DedupPolicy policy = Dedup.byName("message-id", s);
      Files.delete(file);
      Files.createDirectory(file); // the path now names a directory: reading it fails
      HeaderBlock h =
          HeaderBlock.of("Message-ID: <1@a>\r\n\r\n".getBytes(StandardCharsets.US_ASCII), true);
      Envelope e = new Envelope("a", "1", 20, Set.of(), false);
      assertThrows(IOException.class, () -> policy.check(e, h));
      assertThrows(UncheckedIOException.class, () -> s.size());
      Files.delete(file);
    }
  }
}
