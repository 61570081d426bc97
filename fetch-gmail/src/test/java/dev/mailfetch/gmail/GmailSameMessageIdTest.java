package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.gmail.internal.Journal;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.gmail.FaultRule;
import dev.mailfetch.testkit.gmail.GmailFault;
import dev.mailfetch.testkit.gmail.InjectedFault;
import dev.mailfetch.testkit.gmail.StoredMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mailbox may hold two messages with one Message-ID (two different messages, or two copies of
 * one). With no dedup policy both are delivered, so an import in doubt is never settled by the
 * other one's Gmail message: not by a Gmail id the journal records for another delivery, nor by one
 * another import in doubt claimed, nor by a message whose bytes are not this one's.
 */
@Timeout(120)
class GmailSameMessageIdTest {
  @TempDir Path dir;

  private static final String ID = "<same@example.org>";

  private static byte[] withSharedId(String body) {
    return ("Message-ID: "
            + ID
            + "\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\nFrom: a@example.org\r\nSubject: "
            + body
            + "\r\n\r\n"
            + body
            + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static final byte[] A = withSharedId("body A");
  private static final byte[] B = withSharedId("body B");

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static Map<String, Long> copiesByBytes(GmailRig rig) {
    return rig.inGmail().stream()
        .collect(
            Collectors.groupingBy(
                m -> new String(m.bytes(), StandardCharsets.ISO_8859_1), Collectors.counting()));
  }

  private static long copies(GmailRig rig, byte[] message) {
    return copiesByBytes(rig).getOrDefault(new String(message, StandardCharsets.ISO_8859_1), 0L);
  }

  /**
   * Puts a message into Gmail as an import the crash interrupted would have; answers its Gmail id.
   */
  private static String storedBeforeTheCrash(GmailRig rig, byte[] message, String tag)
      throws IOException {
    try (GmailImportSink other =
        rig.sink().journalDirectory(rig.journal.resolveSibling("elsewhere-" + tag)).build()) {
      Delivery d = other.begin(new Envelope("x@y", tag, 0, Set.of(), false));
      d.write(ByteBuffer.wrap(message));
      d.complete(DeliveryKey.of("x@y", tag));
      other.sync();
      return other.gmailId(DeliveryKey.of("x@y", tag)).orElseThrow();
    }
  }

  private static Journal.Intent intent(byte[] message, long historyId) throws Exception {
    return new Journal.Intent(
        ID, message.length, historyId, sha256(message), System.currentTimeMillis());
  }

  @Test
  void aCrashInDoubt_whoseMessageIdGmailHoldsForAnotherDelivery_withOtherBytes_isImportedItself()
      throws Exception {
    FakeMailbox box = FakeMailbox.create().add("u1", A).add("u2", B);
    try (GmailRig rig = new GmailRig(dir, box)) {
      String account = rig.source().account();
      long before = rig.gmail.historyId(GmailRig.ME);
      String idOfA =
          storedBeforeTheCrash(rig, A, "a"); // u1 imported and answered; u2's import never left
      try (Journal j = Journal.open(rig.journal, GmailRig.ME, 20_000)) {
        j.intent(DeliveryKey.of(account, "u1"), intent(A, before));
        j.answered(DeliveryKey.of(account, "u1"), idOfA);
        j.intent(DeliveryKey.of(account, "u2"), intent(B, before));
      }
      FetchResult r = rig.runOnce();
      assertTrue(r.ok(), r::summary);
      assertEquals(1L, copies(rig, A), "A once");
      assertEquals(
          1L,
          copies(rig, B),
          "B is in Gmail: the crash did not make A's Gmail message pass for it");
      assertEquals(Set.of(), rig.onServer());
    }
  }

  @Test
  void aCrashInDoubt_ofACopy_whoseTwinGmailHoldsForAnotherDelivery_isImportedItself()
      throws Exception {
    FakeMailbox box = FakeMailbox.create().add("u1", A).add("u2", A); // two copies, byte for byte
    try (GmailRig rig = new GmailRig(dir, box)) {
      String account = rig.source().account();
      long before = rig.gmail.historyId(GmailRig.ME);
      String idOfFirst = storedBeforeTheCrash(rig, A, "a");
      try (Journal j = Journal.open(rig.journal, GmailRig.ME, 20_000)) {
        j.intent(DeliveryKey.of(account, "u1"), intent(A, before));
        j.answered(DeliveryKey.of(account, "u1"), idOfFirst);
        j.intent(DeliveryKey.of(account, "u2"), intent(A, before));
      }
      FetchResult r = rig.runOnce();
      assertTrue(r.ok(), r::summary);
      assertEquals(2L, copies(rig, A), "each copy in Gmail: the Gmail id of u1 is not u2's");
      assertEquals(Set.of(), rig.onServer());
    }
  }

  @Test
  void twoCopiesInDoubtAfterACrash_withOneInGmail_claimOneIdEach_soBothEndInGmail()
      throws Exception {
    FakeMailbox box = FakeMailbox.create().add("u1", A).add("u2", A);
    try (GmailRig rig = new GmailRig(dir, box)) {
      String account = rig.source().account();
      long before = rig.gmail.historyId(GmailRig.ME);
      storedBeforeTheCrash(
          rig, A, "a"); // one of the two imports reached Gmail, which one nobody knows
      try (Journal j = Journal.open(rig.journal, GmailRig.ME, 20_000)) {
        j.intent(DeliveryKey.of(account, "u1"), intent(A, before));
        j.intent(DeliveryKey.of(account, "u2"), intent(A, before));
      }
      FetchResult r = rig.runOnce();
      assertTrue(r.ok(), r::summary);
      assertEquals(
          2L, copies(rig, A), "the one Gmail message settled one of them; the other was imported");
      assertEquals(Set.of(), rig.onServer());
    }
  }

  @Test
  void
      BACKEND_ERROR_500_forAMessageWhoseMessageIdGmailHoldsForAnother_isImportedItself_notSettledByTheOther()
          throws IOException {
    FakeMailbox box = FakeMailbox.create().add("u1", A).add("u2", B);
    try (GmailRig rig = new GmailRig(dir, box)) {
      InjectedFault f =
          rig.gmail.inject(
              FaultRule.of(GmailFault.BACKEND_ERROR_500).forMessageContaining("body B"));
      FetchResult r;
      try (GmailImportSink sink = rig.sink().parallelism(1).build()) {
        r = rig.run(sink);
      }
      assertTrue(r.ok(), r::summary);
      assertEquals(1, f.hits());
      assertEquals(1L, copies(rig, A));
      assertEquals(
          1L,
          copies(rig, B),
          "after the 500 Gmail was asked for B, found A, and did not take it for B");
      assertEquals(Set.of(), rig.onServer());
      List<StoredMessage> all = rig.inGmail();
      assertEquals(2, all.size());
    }
  }
}
