package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run keeps under the per-user quota by itself: set to the fake's quota, the sink meets not one
 * quota error, whatever its parallelism. (The 2,000-message measurement is the proofs' job.)
 */
@Timeout(120)
class QuotaTest {
  @TempDir Path dir;

  @Test
  void aRunUnderTheFakesQuota_breachesNothing_andTakesAboutWhatTheQuotaAllows() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(24))) {
      rig.gmail.perUserQuota(300, Duration.ofSeconds(2)); // 6 imports in any 2 seconds
      long t0 = System.nanoTime();
      FetchResult r;
      try (GmailImportSink sink =
          rig.sink().quota(300, Duration.ofSeconds(2)).parallelism(8).build()) {
        r = rig.run(sink);
      }
      double took = (System.nanoTime() - t0) / 1e9;
      assertTrue(r.ok(), r::summary);
      assertEquals(0, rig.gmail.quotaBreaches(), "not one request over the quota");
      assertEquals(GmailRig.once(1, 24), rig.copiesByMessageId());
      assertEquals(Set.of(), rig.onServer());
      // 24 imports plus a profile read and a label listing, 602 units at 300 in any 2 seconds: a
      // window's worth at once, then one more each time the window has moved on, 2 windows in all.
      double floor = (Math.ceil((24 * 25 + 2) / 300.0) - 1) * 2;
      assertTrue(
          took >= floor && took < floor * 1.5 + 3,
          "took " + took + " s, the quota allows " + floor);
    }
  }

  @Test
  void quotaUnitsPerSecond_keepsEverySecondUnderTheQuota() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(12))) {
      rig.gmail.perUserQuota(100, Duration.ofSeconds(1)); // 4 imports in any second
      FetchResult r;
      try (GmailImportSink sink = rig.sink().quotaUnitsPerSecond(100).parallelism(8).build()) {
        r = rig.run(sink);
      }
      assertTrue(r.ok(), r::summary);
      assertEquals(0, rig.gmail.quotaBreaches(), "not one request over the quota");
      assertEquals(GmailRig.once(1, 12), rig.copiesByMessageId());
    }
  }
}
