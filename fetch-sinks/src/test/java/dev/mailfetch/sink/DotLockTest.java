package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An mbox's dot-lock: taken and released; another's waited for; a crashed program's removed. */
class DotLockTest {
  @TempDir Path dir;

  @Test
  void takingAndReleasing_createsAndRemovesMboxDotLock() throws IOException {
    DotLock lock = new DotLock(dir.resolve("inbox"));
    lock.take();
    assertTrue(Files.exists(dir.resolve("inbox.lock")));
    lock.release();
    assertFalse(Files.exists(dir.resolve("inbox.lock")));
  }

  @Test
  void anotherProgramsFreshDotLock_isWaitedFor_thenNamed() throws IOException {
    Files.writeString(dir.resolve("inbox.lock"), "4242");
    DotLock lock = new DotLock(dir.resolve("inbox"), Duration.ofMillis(200));
    IOException e = assertThrows(IOException.class, lock::take);
    assertTrue(e.getMessage().contains("inbox.lock has been there for"), e.getMessage());
    assertTrue(e.getMessage().contains("another program is writing to it"), e.getMessage());
    assertTrue(Files.exists(dir.resolve("inbox.lock")), "another's lock is left alone");
  }

  @Test
  void aDotLockOlderThanFiveMinutes_isACrashedProgramsAndIsTaken() throws IOException {
    Path stale = dir.resolve("inbox.lock");
    Files.writeString(stale, "4242");
    Files.setLastModifiedTime(
        stale, FileTime.from(Instant.now().minus(DotLock.STALE).minusSeconds(10)));
    DotLock lock = new DotLock(dir.resolve("inbox"), Duration.ofMillis(200));
    lock.take();
    assertTrue(
        Files.readString(stale).equals(Long.toString(ProcessHandle.current().pid())), "now ours");
    lock.release();
  }
}
