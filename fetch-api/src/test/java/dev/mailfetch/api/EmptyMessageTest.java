package dev.mailfetch.api;

import static dev.mailfetch.api.MessageOutcome.Kind.ALREADY_SEEN;
import static dev.mailfetch.api.MessageOutcome.Kind.DELIVERED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Quirk Q53: a server that serves a message empty, or with only the header fields it adds. The
 * message is stored as served, reported as the server's fault, never deleted, and never taken for a
 * duplicate by its content digest (which every empty message shares).
 */
class EmptyMessageTest {
  private static final String STUB = "Received: by pop.test.invalid\r\nX-UIDL: %s\r\n\r\n";

  private static List<MessageOutcome.Kind> kinds(FetchResult r) {
    return r.outcomes().stream().map(MessageOutcome::kind).collect(Collectors.toList());
  }

  @Test
  void Q53_aMessageServedEmpty_isStored_reportedAsTheServersFault_andNeverDeleted() {
    Rig rig = new Rig().withMessages(1);
    rig.mailbox.add("m2", String.format(STUB, "m2")).add("m3", "");
    FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();

    assertEquals(List.of(DELIVERED, DELIVERED, DELIVERED), kinds(r), r::summary);
    assertEquals(String.format(STUB, "m2"), rig.sinkByUid().get("m2"), "the user sees what the server had");
    assertEquals(Set.of("m2", "m3"), rig.mailbox.uids(), "left on the server");
    assertEquals(FetchResult.Status.WARNING, r.status());
    assertEquals(2, r.warnings().size(), r.warnings()::toString);
    FetchException w = r.warnings().get(0);
    assertEquals(FetchError.PROTOCOL, w.error());
    assertTrue(w.detail().startsWith("message 2 (uid m2) was served empty: only header fields a server adds"),
        w.detail());
    assertTrue(w.remedy().commandLine().contains("never deletes it"), w.remedy().commandLine());
    assertTrue(r.warnings().get(1).detail().startsWith("message 3 (uid m3) was served empty: not a byte"));

    FetchResult again = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    assertEquals(List.of(ALREADY_SEEN, ALREADY_SEEN), kinds(again), again::summary);
    assertEquals(Set.of("m2", "m3"), rig.mailbox.uids(), "not deleted by a later run either");
    assertEquals(UidRecord.State.DELIVERED, rig.store.inner.get("m2").orElseThrow().state());
    assertEquals(FetchError.PROTOCOL, rig.store.inner.get("m2").orElseThrow().lastError(), "the fault is remembered");
  }

  @Test
  void Q53_aMessageStillServedEmpty_isSaidInEveryRunThatListsIt_untilItIsGone() {
    Rig rig = new Rig().withMessages(1);
    rig.mailbox.add("m2", String.format(STUB, "m2"));
    rig.mailbox.listedSize.put("m2", 2048L); // the listing gives the real size
    rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    for (int run = 2; run <= 3; run++) {
      FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertEquals(FetchResult.Status.WARNING, r.status(), "run " + run + ": " + r.summary());
      assertEquals(1, r.warnings().size(), r.warnings()::toString);
      FetchException w = r.warnings().get(0);
      assertEquals(FetchError.PROTOCOL, w.error());
      assertTrue(w.detail().startsWith("message 1 (uid m2) is still served empty"), w.detail());
      assertTrue(w.detail().contains("2 kB"), "the listed size in words: " + w.detail());
      assertFalse(w.detail().contains("2048"), "no raw byte count: " + w.detail());
      assertTrue(w.remedy().commandLine().contains("checks it again at every run"), w.remedy().commandLine());
      assertEquals(ALREADY_SEEN, r.outcomes().get(0).kind());
      assertEquals(1, rig.sink.inner.messages().stream().filter(m -> "m2".equals(m.envelope().uid())).count(),
          "no second stub");
      assertEquals(Set.of("m2"), rig.mailbox.uids());
    }
    rig.mailbox.remove("m2"); // deleted on the server by the person
    FetchResult gone = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    assertEquals(FetchResult.Status.OK, gone.status(), gone.warnings()::toString);
  }

  @Test
  void Q53_aMessageTheServerServesWholeLater_isStoredUnderAKeyOfItsOwn_andTheRunsAfterAreSilent() {
    Rig rig = new Rig().withMessages(1);
    String whole = Rig.message(2);
    rig.mailbox.add("m2", String.format(STUB, "m2"));
    rig.mailbox.listedSize.put("m2", (long) whole.length());
    rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    rig.mailbox.remove("m2").add("m2", whole); // the provider fixed the server

    rig.faults.storeSyncFails = true; // a crash after the sink stored it, before the state did
    rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    rig.crash();
    rig.faults.storeSyncFails = false;
    FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    assertTrue(r.ok(), r::summary);
    List<InMemorySink.StoredMessage> m2 = rig.sink.inner.messages().stream()
        .filter(m -> "m2".equals(m.envelope().uid())).toList();
    assertEquals(2, m2.size(), "the empty copy stored before, and the whole message once");
    InMemorySink.StoredMessage stored = m2.stream().filter(m -> new String(m.content(), StandardCharsets.UTF_8)
        .equals(whole)).findFirst().orElseThrow();
    assertFalse(stored.key().equals(DeliveryKey.of(Rig.ACCOUNT, "m2")), "a key of its own: the stub holds the usual");
    assertEquals(1, r.warnings().size(), r.warnings()::toString);
    assertTrue(r.warnings().get(0).detail().startsWith("message 1 (uid m2), served empty by an earlier run, was"
        + " served whole this time"), r.warnings().get(0).detail());
    assertEquals(Set.of(), rig.mailbox.uids(), "stored whole: deleted as any other");

    rig.mailbox.add("m3", Rig.message(3));
    FetchResult after = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    assertEquals(FetchResult.Status.OK, after.status(), after.warnings()::toString);
  }

  @Test
  void Q53_aCheckThatFails_keepsTheRecordOfTheEmptyCopy_soTheWholeMessageIsNeverTakenForIt() {
    Rig rig = new Rig();
    String whole = Rig.message(1);
    rig.mailbox.add("m1", String.format(STUB, "m1"));
    rig.mailbox.listedSize.put("m1", (long) whole.length());
    rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    rig.faults.refuse.put("m1", new FetchException(FetchError.SERVER_TEMPORARY, "the server refused message 1"));
    for (int run = 0; run < 3; run++) {
      assertEquals(MessageOutcome.Kind.FAILED, rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)
          .quarantineAfter(2)).run().outcomes().get(0).kind());
    }
    assertTrue(EmptyMessageCheck.servedEmpty(rig.store.inner.get("m1").orElseThrow()), "still the empty copy's record");
    rig.faults.refuse.clear();
    rig.mailbox.remove("m1").add("m1", whole);
    FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    assertEquals(List.of(DELIVERED), kinds(r), r::summary);
    assertEquals(Set.of(), rig.mailbox.uids());
    assertEquals(2, rig.sink.inner.messages().size(), "the empty copy and the whole message");
  }

  @Test
  void Q53_withoutUniqueIds_twoEmptyMessages_areNotOneMessage_andNeitherIsDeleted() {
    Rig rig = new Rig().withMessages(1);
    rig.mailbox.add("e1", "").add("e2", "");
    rig.mailbox.stableUids = false;
    FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    assertEquals(Set.of("e1", "e2"), rig.mailbox.uids(), r::summary);
    assertEquals(2, r.warnings().size(), r.warnings()::toString);
  }

  @Test
  void aContentDedupPolicy_neverDiscardsAnEmptyMessage() {
    Rig rig = new Rig();
    rig.mailbox.add("m1", String.format(STUB, "m1")).add("m2", String.format(STUB, "m2")).add("m3", "")
        .add("m4", "");
    List<String> asked = new java.util.ArrayList<>();
    FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)
        .dedupPolicy(new EveryContentIsOne(rig.sink, asked))).run();
    assertEquals(List.of(DELIVERED, DELIVERED, DELIVERED, DELIVERED), kinds(r), r::summary);
    assertEquals(List.of(), asked, "not even asked");
    assertEquals(Set.of("m1", "m2", "m3", "m4"), rig.mailbox.uids());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Subject: call me\r\n\r\n",
      "From: a@b.example\r\n",
      "Received: x\r\nContent-Type: text/plain\r\n\r\n",
      "Received: x\r\n\r\nok\r\n",
      "\r\nbody only\r\n",
      "text without a header\r\n",
      "Received: x\r\n  folded\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\n"})
  void aMessageWithAFieldOfItsAuthorsOrABody_hasContent(String message) {
    assertTrue(fed(message, 1).hasContent(), message);
    assertTrue(fed(message, 1000).hasContent(), message);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "\r\n",
      "Received: by pop.test.invalid\r\nX-UIDL: 7\r\n\r\n \r\n\r\n",
      "Return-Path: <>\r\nX-Mailbox-Error: message file missing\r\n\r\n",
      "Received: from a\n  by b\nStatus: RO\n\n",
      "Delivered-To: me\r\n"})
  void onlyFieldsAServerAdds_andNoBody_isEmpty(String message) {
    assertFalse(fed(message, 1).hasContent(), message);
    assertFalse(fed(message, 1000).hasContent(), message);
  }

  @Test
  void aLegitimateMessageWithoutABody_isDeletedAsUsual_withoutAWord() {
    Rig rig = new Rig();
    rig.mailbox.add("m1", "From: a@b.example\r\nSubject: call me\r\n\r\n");
    FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    assertEquals(List.of(), r.warnings());
    assertEquals(Set.of(), rig.mailbox.uids());
  }

  private static EmptyMessageCheck fed(String message, int slice) {
    EmptyMessageCheck c = new EmptyMessageCheck();
    byte[] b = message.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < b.length; i += slice) {
      ByteBuffer s = ByteBuffer.wrap(b, i, Math.min(slice, b.length - i));
      int p = s.position();
      c.feed(s);
      assertEquals(p, s.position(), "the slice is not moved");
    }
    return c;
  }

  /**
   * The worst content policy: every message is a copy of the first one the sink holds. Only the
   * engine's own rule can keep empty messages from being discarded by it.
   */
  private static final class EveryContentIsOne implements DedupPolicy {
    private final FaultySink sink;
    private final List<String> asked;

    EveryContentIsOne(FaultySink sink, List<String> asked) {
      this.sink = sink;
      this.asked = asked;
    }

    @Override
    public DedupVerdict check(Envelope envelope, HeaderBlock headers) {
      return DedupVerdict.NEW;
    }

    @Override
    public boolean needsContentDigest() {
      return true;
    }

    @Override
    public DedupVerdict checkContent(Envelope envelope, HeaderBlock headers, byte[] digest) {
      asked.add(envelope.uid());
      List<InMemorySink.StoredMessage> held = sink.inner.messages();
      return held.isEmpty() ? DedupVerdict.NEW : DedupVerdict.duplicateOf(held.get(0).key(), "the same content");
    }
  }
}
