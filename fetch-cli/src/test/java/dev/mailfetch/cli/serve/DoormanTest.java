package dev.mailfetch.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password file rotated in place: the stamp (time, size, inode) that tells a change cannot tell a
 * rewrite with as many bytes within one tick of the file system's clock, so a file read while its
 * time is recent is read again until the time settles. The tests set the file's time themselves, to
 * be the same tick whatever this file system's tick is.
 */
class DoormanTest {
  @TempDir Path dir;

  @Test
  void aPasswordRewrittenInPlace_withTheSameSizeAndTime_replacesTheOldOne() throws IOException {
    Path file = dir.resolve("serve-password");
    FileTime tick = FileTime.from(Instant.now());
    write(file, "first pw\n", tick);
    Doorman doorman = Doorman.ofFile(file);
    assertEquals(Doorman.Verdict.ADMITTED, doorman.admits(basic("first pw")));

    // The operator rotates it because it leaked: same length, same inode, and, as far as the file
    // system can tell within its tick, the same time.
    write(file, "other pw\n", tick);

    assertEquals(Doorman.Verdict.ADMITTED, doorman.admits(basic("other pw")));
    assertEquals(
        Doorman.Verdict.ASKED, doorman.admits(basic("first pw")), "the leaked one no longer opens");
  }

  @Test
  void aFileWhoseTimeHasSettled_isReadAgainOnlyWhenItsStampChanges() throws IOException {
    Path file = dir.resolve("serve-password");
    FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
    write(file, "first pw\n", old);
    Doorman doorman = Doorman.ofFile(file);
    assertEquals(Doorman.Verdict.ADMITTED, doorman.admits(basic("first pw")));

    // Nothing a real rewrite can do after the file's time has settled (the rewrite gets a time of
    // its own), forged here to show that a settled file costs a stat per request, not a read.
    write(file, "other pw\n", old);
    assertEquals(Doorman.Verdict.ADMITTED, doorman.admits(basic("first pw")));

    Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
    assertEquals(Doorman.Verdict.ADMITTED, doorman.admits(basic("other pw")));
    assertEquals(Doorman.Verdict.ASKED, doorman.admits(basic("first pw")));
  }

  /** Writes the file in place (the same inode) and gives it {@code time}. */
  private static void write(Path file, String text, FileTime time) throws IOException {
    Files.writeString(
        file,
        text,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);
    Files.setLastModifiedTime(file, time);
  }

  private static String basic(String password) {
    return "Basic "
        + Base64.getEncoder().encodeToString(("any:" + password).getBytes(StandardCharsets.UTF_8));
  }
}
