package dev.mailfetch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a check's record says of itself. */
class CheckRecordTest {

  /** A poll check's log line says its size in the units of every report, never "4066668 bytes". */
  @Test
  void aChecksLogLine_saysTheSizeInWords() {
    CheckRecord r =
        new CheckRecord(
            "a",
            Instant.EPOCH,
            Duration.ZERO,
            CheckRecord.Outcome.NEW_MAIL,
            1,
            1,
            4_066_668,
            0,
            Optional.empty(),
            Optional.empty(),
            Duration.ZERO);
    assertEquals("a: 1 new message (4.1 MB)", r.summary());
  }
}
