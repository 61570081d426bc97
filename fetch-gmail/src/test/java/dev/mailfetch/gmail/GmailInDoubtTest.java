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
import dev.mailfetch.testkit.gmail.GmailEndpoint;
import dev.mailfetch.testkit.gmail.GmailFault;
import dev.mailfetch.testkit.gmail.InjectedFault;
import dev.mailfetch.testkit.gmail.StoredMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An import in doubt (its answer lost, or a crash before the answer reached the journal) is settled
 * through the mailbox's history, not the search, which may lag: with a search that does not yet see
 * the new message, nothing is imported twice, with or without a Message-ID.
 */
@Timeout(120)
class GmailInDoubtTest {
  @TempDir Path dir;

  private static final Duration LAG = Duration.ofMinutes(10);

  private static Map<String, Long> copiesByBytes(GmailRig rig) {
    return rig.inGmail().stream()
        .collect(
            Collectors.groupingBy(
                m -> new String(m.bytes(), StandardCharsets.ISO_8859_1), Collectors.counting()));
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void RESPONSE_LOST_withASearchThatLags_isSettledByTheHistory_andImportedOnce()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(4))) {
      rig.gmail.searchLag(LAG);
      InjectedFault f = rig.gmail.inject(FaultRule.of(GmailFault.RESPONSE_LOST).times(2));
      FetchResult r = rig.runOnce();
      assertTrue(r.ok(), r::summary);
      assertEquals(2, f.hits());
      assertEquals(
          GmailRig.once(1, 4),
          rig.copiesByMessageId(),
          "each once, though the search did not see them");
      assertEquals(Set.of(), rig.onServer());
      assertTrue(rig.gmail.requests(GmailEndpoint.HISTORY_LIST).size() >= 2, "asked the history");
    }
  }

  @Test
  void RESPONSE_LOST_withoutMessageId_withASearchThatLags_isMatchedByItsBytes_andImportedOnce()
      throws IOException {
    FakeMailbox box =
        FakeMailbox.create()
            .add("u1", GmailRig.messageWithoutId(1))
            .add("u2", GmailRig.messageWithoutId(2));
    try (GmailRig rig = new GmailRig(dir, box)) {
      rig.gmail.searchLag(LAG);
      InjectedFault f =
          rig.gmail.inject(
              FaultRule.of(GmailFault.RESPONSE_LOST).forMessageContaining("Subject: no id 1"));
      FetchResult r = rig.runOnce();
      assertTrue(r.ok(), r::summary);
      assertEquals(1, f.hits());
      assertEquals(
          2,
          rig.inGmail().size(),
          "the lost answer's import was found by its bytes, not done again");
      assertEquals(
          1L,
          copiesByBytes(rig)
              .get(new String(GmailRig.messageWithoutId(1), StandardCharsets.ISO_8859_1)));
      assertEquals(Set.of(), rig.onServer());
      assertTrue(
          rig.gmail.requests(GmailEndpoint.MESSAGES_GET).stream()
              .anyMatch(q -> q.query().getOrDefault("format", List.of()).contains("raw")),
          "compared the raw bytes");
    }
  }

  /** Puts a message into Gmail as the import the crash interrupted would have. */
  private static void storedBeforeTheCrash(GmailRig rig, byte[] message) throws IOException {
    try (GmailImportSink other =
        rig.sink().journalDirectory(rig.journal.resolveSibling("elsewhere")).build()) {
      Delivery d = other.begin(new Envelope("x@y", "pre", 0, Set.of(), false));
      d.write(ByteBuffer.wrap(message));
      d.complete(DeliveryKey.of("x@y", "pre"));
      other.sync();
    }
  }

  private static void crashedWithIntents(
      GmailRig rig, long historyId, Map<String, byte[]> byUid, boolean withIds) throws Exception {
    String account = rig.source().account();
    try (Journal j = Journal.open(rig.journal, GmailRig.ME, 20_000)) {
      for (Map.Entry<String, byte[]> e : byUid.entrySet()) {
        String text = new String(e.getValue(), StandardCharsets.ISO_8859_1);
        String msgid = withIds ? text.substring(text.indexOf('<'), text.indexOf('>') + 1) : null;
        j.intent(
            DeliveryKey.of(account, e.getKey()),
            new Journal.Intent(
                msgid,
                e.getValue().length,
                historyId,
                sha256(e.getValue()),
                System.currentTimeMillis()));
      }
    }
  }

  @Test
  void
      aCrashInDoubt_withASearchThatLags_isSettledByTheHistory_soAMessageGmailHasIsNotImportedTwice()
          throws Exception {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(3))) {
      rig.gmail.searchLag(LAG);
      long before = rig.gmail.historyId(GmailRig.ME); // the sink took it before the import
      storedBeforeTheCrash(
          rig, GmailRig.message(1)); // Gmail stored m1; the crash came before its answer
      crashedWithIntents(
          rig, before, Map.of("u1", GmailRig.message(1), "u2", GmailRig.message(2)), true);
      FetchResult r = rig.runOnce();
      assertTrue(r.ok(), r::summary);
      assertEquals(GmailRig.once(1, 3), rig.copiesByMessageId(), "m1 not imported again, m2 once");
      assertEquals(Set.of(), rig.onServer());
    }
  }

  @Test
  void aCrashInDoubt_withoutMessageId_isSettledByTheHistoryAndTheBytes_andImportedOnce()
      throws Exception {
    FakeMailbox box =
        FakeMailbox.create()
            .add("u1", GmailRig.messageWithoutId(1))
            .add("u2", GmailRig.messageWithoutId(2));
    try (GmailRig rig = new GmailRig(dir, box)) {
      rig.gmail.searchLag(LAG);
      long before = rig.gmail.historyId(GmailRig.ME);
      storedBeforeTheCrash(rig, GmailRig.messageWithoutId(1));
      crashedWithIntents(
          rig,
          before,
          Map.of("u1", GmailRig.messageWithoutId(1), "u2", GmailRig.messageWithoutId(2)),
          false);
      FetchResult r = rig.runOnce();
      assertTrue(r.ok(), r::summary);
      Map<String, Long> copies = copiesByBytes(rig);
      assertEquals(
          1L,
          copies.get(new String(GmailRig.messageWithoutId(1), StandardCharsets.ISO_8859_1)),
          "the import the crash left in doubt was found by its bytes");
      assertEquals(
          1L, copies.get(new String(GmailRig.messageWithoutId(2), StandardCharsets.ISO_8859_1)));
      assertEquals(Set.of(), rig.onServer());
    }
  }

  @Test
  void aCrashInDoubt_whoseHistoryExpired_fallsBackToTheSearch_andWaitsForItToSettle()
      throws Exception {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(2))) {
      rig.gmail.searchLag(Duration.ofSeconds(3));
      long before = rig.gmail.historyId(GmailRig.ME);
      storedBeforeTheCrash(rig, GmailRig.message(1));
      crashedWithIntents(rig, before, Map.of("u1", GmailRig.message(1)), true);
      rig.gmail.expireHistory(GmailRig.ME); // the history no longer reaches back to the intent
      FetchResult r;
      try (GmailImportSink sink = rig.sink().searchSettleTime(Duration.ofSeconds(8)).build()) {
        r = rig.run(sink);
      }
      assertTrue(r.ok(), r::summary);
      assertEquals(
          GmailRig.once(1, 2),
          rig.copiesByMessageId(),
          "not found at first, found once the search caught up");
      assertTrue(
          rig.gmail.requests(GmailEndpoint.MESSAGES_LIST).size() >= 2, "asked the search again");
      StoredMessage m1 = rig.gmail.messagesWithMessageId(GmailRig.ME, "<m1@example.org>").get(0);
      assertEquals("multipart", m1.uploadType());
    }
  }

  @Test
  void settlingNeedsNoMoreThanTheImportPresetsScopes_insertLabelsReadonly() throws IOException {
    FakeMailbox box =
        FakeMailbox.create().add("u1", GmailRig.messageWithoutId(1)).add("u2", GmailRig.message(2));
    try (GmailRig rig = new GmailRig(dir, box)) {
      rig.tokens =
          new FakeTokens(rig.gmail, GmailRig.ME, OAuthScopes.GMAIL_IMPORT.toArray(new String[0]));
      rig.gmail.searchLag(LAG);
      rig.gmail.inject(FaultRule.of(GmailFault.RESPONSE_LOST).times(2));
      FetchResult r = rig.runOnce();
      assertTrue(r.ok(), r::summary);
      assertEquals(
          2,
          rig.inGmail().size(),
          "history.list and messages.get (raw too) are allowed by gmail.readonly");
      assertEquals(Set.of(), rig.onServer());
    }
  }
}
