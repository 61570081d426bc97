package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.gmail.FaultRule;
import dev.mailfetch.testkit.gmail.GmailEndpoint;
import dev.mailfetch.testkit.gmail.GmailFault;
import dev.mailfetch.testkit.gmail.InjectedFault;
import dev.mailfetch.testkit.gmail.StoredMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large message goes up in a resumable upload, chunk by chunk from the spool file; a cut
 * connection resumes where Gmail's session says it stopped, and a lost last answer is asked of the
 * session, so even a message without a Message-ID is not imported twice.
 */
@Timeout(120)
class ResumableUploadTest {
  @TempDir Path dir;

  /** About 700 KB: three chunks of 256 KiB. */
  private static byte[] large(boolean withMessageId) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    String head =
        (withMessageId ? "Message-ID: <big@example.org>\r\n" : "") + "Subject: large\r\n\r\n";
    b.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    Random r = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      StringBuilder line = new StringBuilder();
      for (int j = 0; j < 68; j++) {
        line.append((char) ('A' + r.nextInt(26)));
      }
      b.writeBytes((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
    return b.toByteArray();
  }

  private static FetchResult run(GmailRig rig) throws IOException {
    try (GmailImportSink sink =
        rig.sink()
            .memorySpoolBytes(64 * 1024)
            .resumableAbove(256 * 1024)
            .uploadChunkBytes(256 * 1024)
            .build()) {
      return rig.run(sink);
    }
  }

  @Test
  void aLargeMessage_goesUpInChunks_byteForByte() throws IOException {
    byte[] m = large(true);
    try (GmailRig rig = new GmailRig(dir, FakeMailbox.create().add("u1", m))) {
      FetchResult r = run(rig);
      assertTrue(r.ok(), r::summary);
      StoredMessage s = rig.inGmail().get(0);
      assertEquals("resumable", s.uploadType());
      assertArrayEquals(m, s.bytes());
      assertEquals(
          3,
          rig.gmail.requests(GmailEndpoint.UPLOAD_CHUNK).size() + 1,
          "two chunks, then the last");
    }
  }

  @Test
  void CONNECTION_CUT_MID_UPLOAD_ofAChunk_resumesWhereTheSessionStopped() throws IOException {
    byte[] m = large(true);
    try (GmailRig rig = new GmailRig(dir, FakeMailbox.create().add("u1", m))) {
      InjectedFault f =
          rig.gmail.inject(FaultRule.of(GmailFault.CONNECTION_CUT_MID_UPLOAD).afterBytes(300_000));
      FetchResult r = run(rig);
      assertTrue(r.ok(), r::summary);
      assertEquals(1, f.hits());
      assertEquals(1, rig.inGmail().size());
      assertArrayEquals(m, rig.inGmail().get(0).bytes());
      assertEquals(
          1, rig.gmail.requests(GmailEndpoint.UPLOAD_SESSION).size(), "one session, resumed");
      assertEquals(Set.of(), rig.onServer());
    }
  }

  @Test
  void
      RESPONSE_LOST_onTheLastChunk_isAskedOfTheSession_soEvenWithoutMessageIdNothingIsImportedTwice()
          throws IOException {
    byte[] m = large(false);
    try (GmailRig rig = new GmailRig(dir, FakeMailbox.create().add("u1", m))) {
      InjectedFault f = rig.gmail.inject(FaultRule.of(GmailFault.RESPONSE_LOST));
      FetchResult r = run(rig);
      assertTrue(r.ok(), r::summary);
      assertEquals(1, f.hits());
      assertEquals(1, rig.inGmail().size(), "the session answered with the message it holds");
      assertArrayEquals(m, rig.inGmail().get(0).bytes());
      assertEquals(Set.of(), rig.onServer());
    }
  }

  @Test
  void aBareRangeWithoutBytesEquals_isReadAsWell_theUploadMovesOnByteForByte() throws IOException {
    byte[] m = large(true);
    try (GmailRig rig = new GmailRig(dir, FakeMailbox.create().add("u1", m))) {
      rig.gmail.bareUploadRange(true);
      FetchResult r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(rig));
      assertTrue(r.ok(), r::summary);
      assertArrayEquals(m, rig.inGmail().get(0).bytes());
      assertEquals(
          2, rig.gmail.requests(GmailEndpoint.UPLOAD_CHUNK).size(), "each chunk sent once");
    }
  }

  @Test
  void aSessionWhoseRangeNeverMovesForward_failsInWords_afterAFewAnswers_insteadOfLoopingForEver()
      throws IOException {
    byte[] m = large(true);
    try (GmailRig rig = new GmailRig(dir, FakeMailbox.create().add("u1", m))) {
      rig.gmail.stuckUploadRange(true);
      FetchResult r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(rig));
      assertFalse(r.ok(), r::summary);
      FetchException e = r.firstError().orElseThrow();
      assertEquals(FetchError.SINK_FAILED, e.error(), e.getMessage());
      assertTrue(e.getMessage().contains("does not move forward"), e.getMessage());
      assertTrue(
          rig.gmail.requests(GmailEndpoint.UPLOAD_CHUNK).size() <= 10,
          rig.gmail.requests(GmailEndpoint.UPLOAD_CHUNK).size() + " chunks sent");
      assertEquals(Set.of("u1"), rig.onServer(), "the message stays on the server");
      assertEquals(0, rig.inGmail().size());
    }
  }
}
