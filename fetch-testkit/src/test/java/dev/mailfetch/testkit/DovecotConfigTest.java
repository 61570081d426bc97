package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only a benchmark's {@link PrivateDovecot.Saving#NO_FSYNC} instance turns Dovecot's fsync off;
 * every other keeps Dovecot's durable defaults (the crash tests depend on them).
 */
class DovecotConfigTest {
  @TempDir Path folder;

  private List<String> written(PrivateDovecot.Saving saving) throws Exception {
    DovecotConfig.write(
        folder,
        EnumSet.of(PrivateDovecot.Service.POP3, PrivateDovecot.Service.IMAP),
        new DovecotConfig.Ports(1, 2, 3, 4, 0, folder.resolve("lmtp")),
        1000,
        false,
        saving);
    return Files.readAllLines(folder.resolve("dovecot.conf"));
  }

  @Test
  void aDurableInstanceLeavesDovecotsFsyncSettingsAlone() throws Exception {
    List<String> lines = written(PrivateDovecot.Saving.DURABLE);
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("mail_fsync")), lines.toString());
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("maildir_very_dirty")), lines.toString());
  }

  @Test
  void aNoFsyncInstanceNeverFsyncsAndSkipsTheMaildirRescan() throws Exception {
    List<String> lines = written(PrivateDovecot.Saving.NO_FSYNC);
    assertTrue(lines.contains("mail_fsync = never"), lines.toString());
    assertTrue(lines.contains("maildir_very_dirty_syncs = yes"), lines.toString());
  }
}
