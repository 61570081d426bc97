package dev.mailfetch.api;

import static dev.mailfetch.api.MessageOutcome.Kind.ALREADY_SEEN;
import static dev.mailfetch.api.MessageOutcome.Kind.DELIVERED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
    assertEquals(
        String.format(STUB, "m2"), rig.sinkByUid().get("m2"), "the user sees what the server had");
    assertEquals(Set.of("m2", "m3"), rig.mailbox.uids(), "left on the server");
    assertEquals(FetchResult.Status.WARNING, r.status());
    assertEquals(2, r.warnings().size(), r.warnings()::toString);
    FetchException w = r.warnings().get(0);
    assertEquals(FetchError.PROTOCOL, w.error());
    assertTrue(
        w.detail()
            .startsWith("message 2 (uid m2) was served empty: only header fields a server adds"),
        w.detail());
    assertTrue(w.remedy().commandLine().contains("never deletes it"), w.remedy().commandLine());
    assertTrue(
        r.warnings().get(1).detail().startsWith("message 3 (uid m3) was served empty: not a byte"));

    FetchResult again = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    assertEquals(List.of(ALREADY_SEEN, ALREADY_SEEN), kinds(again), again::summary);
    assertEquals(Set.of("m2", "m3"), rig.mailbox.uids(), "not deleted by a later run either");
    assertEquals(UidRecord.State.DELIVERED, rig.store.inner.get("m2").orElseThrow().state());
    assertEquals(
        FetchError.PROTOCOL,
        rig.store.inner.get("m2").orElseThrow().lastError(),
        "the fault is remembered");
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
      assertTrue(
          w.remedy().commandLine().contains("checks it again at every run"),
          w.remedy().commandLine());
      assertEquals(ALREADY_SEEN, r.outcomes().get(0).kind());
      assertEquals(
          1,
          rig.sink.inner.messages().stream().filter(m -> "m2".equals(m.envelope().uid())).count(),
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
    List<InMemorySink.StoredMessage> m2 =
        rig.sink.inner.messages().stream().filter(m -> "m2".equals(m.envelope().uid())).toList();
    assertEquals(2, m2.size(), "the empty copy stored before, and the whole message once");
    InMemorySink.StoredMessage stored =
        m2.stream()
            .filter(m -> new String(m.content(), StandardCharsets.UTF_8).equals(whole))
            .findFirst()
            .orElseThrow();
    assertFalse(
        stored.key().equals(DeliveryKey.of(Rig.ACCOUNT, "m2")),
        "a key of its own: the stub holds the usual");
    assertEquals(1, r.warnings().size(), r.warnings()::toString);
    assertTrue(
        r.warnings()
            .get(0)
            .detail()
            .startsWith(
                "message 1 (uid m2), served empty by an earlier run, was"
                    + " served whole this time"),
        r.warnings().get(0).detail());
    assertEquals(Set.of(), rig.mailbox.uids(), "stored whole: deleted as any other");

    rig.mailbox.add("m3", Rig.message(3));
    FetchResult after = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    assertEquals(FetchResult.Status.OK, after.status(), after.warnings()::toString);
  }

  /**
   * Message 2 served empty in a first run, then served whole: a copy of message 1, which the
   * mailbox holds (the same Message-ID, or the same content).
   */
  private static FetchResult servedWholeAsACopyOfMessage1(
      Rig rig, DedupPolicy dedup, Retention retention) {
    rig.mailbox.add("m2", String.format(STUB, "m2"));
    String copyOf1 = "Received: from relay.test.invalid\r\n" + Rig.message(1);
    rig.mailbox.listedSize.put("m2", (long) copyOf1.length());
    FetchResult first = rig.fetcher(b -> b.retention(retention).dedupPolicy(dedup)).run();
    assertEquals(List.of(DELIVERED, DELIVERED), kinds(first), first::summary);
    rig.mailbox.remove("m2").add("m2", copyOf1); // the provider fixed the server
    return rig.fetcher(b -> b.retention(retention).dedupPolicy(dedup)).run();
  }

  @ParameterizedTest
  @ValueSource(strings = {"by Message-ID", "by content"})
  void Q53_aMessageServedWholeLater_thatIsACopyOfOneHeld_isSaid_andDeletedOnlyBecauseItIsHeldWhole(
      String by) {
    Rig rig = new Rig().withMessages(1);
    DedupPolicy dedup = by.equals("by content") ? new SameContent() : new MessageIdDedup();
    FetchResult r = servedWholeAsACopyOfMessage1(rig, dedup, Retention.DELETE_AFTER_DELIVERY);

    assertEquals(MessageOutcome.Kind.DUPLICATE, r.outcomes().get(0).kind(), r::summary);
    assertEquals(FetchResult.Status.WARNING, r.status(), "never in silence: " + r.summary());
    assertEquals(1, r.warnings().size(), r.warnings()::toString);
    FetchException w = r.warnings().get(0);
    assertEquals(FetchError.PROTOCOL, w.error());
    assertTrue(
        w.detail()
            .startsWith(
                "message 1 (uid m2), served empty by an earlier run, was served whole this"
                    + " time"),
        w.detail());
    assertTrue(w.detail().contains("a copy of a message the mailbox holds already"), w.detail());
    assertTrue(
        w.detail().contains("deleted from the server, which is safe: the mailbox holds it whole"),
        w.detail());
    assertTrue(
        w.detail().contains("the empty copy stored then is still in the mailbox"), w.detail());
    assertTrue(
        w.remedy().commandLine().contains("Delete the empty copy"), w.remedy().commandLine());
    assertEquals(Set.of(), rig.mailbox.uids(), "held whole: deleted as a duplicate is");
    assertEquals(
        2,
        rig.sink.inner.messages().size(),
        "message 1 and the empty copy; the copy not stored again");

    rig.mailbox.add("m3", Rig.message(3));
    FetchResult after =
        rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY).dedupPolicy(dedup)).run();
    assertEquals(FetchResult.Status.OK, after.status(), "said once: " + after.warnings());
  }

  @Test
  void Q53_inKeepMode_aMessageServedWholeLater_thatIsACopyOfOneHeld_isSaid_andStaysOnTheServer() {
    Rig rig = new Rig().withMessages(1);
    FetchResult r = servedWholeAsACopyOfMessage1(rig, new MessageIdDedup(), Retention.KEEP);
    assertEquals(List.of(ALREADY_SEEN, MessageOutcome.Kind.DUPLICATE), kinds(r), r::summary);
    assertEquals(1, r.warnings().size(), r.warnings()::toString);
    String said = r.warnings().get(0).detail();
    assertTrue(said.contains("a copy of a message the mailbox holds already"), said);
    assertFalse(said.contains("deleted"), "nothing is deleted in keep mode: " + said);
    assertEquals(Set.of("m1", "m2"), rig.mailbox.uids());
  }

  @Test
  void Q53_aMessageStillServedEmpty_isNeverDeleted_evenWhereAPolicyFindsItACopyOfOneHeld() {
    // One mailbox under two names, served empty under one (rig) and whole under the other; a policy
    // by unique id takes the two for one message.
    Rig rig = new Rig();
    rig.mailbox.add("m2", String.format(STUB, "m2"));
    TestMailbox other = new TestMailbox(rig.faults, rig.events).add("m2", Rig.message(2));
    SameUid byUid = new SameUid();
    rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY).dedupPolicy(byUid)).run();
    FetchResult whole =
        Fetcher.builder()
            .source(other.source("other@pop.test.invalid"))
            .sink(rig.sink)
            .uidStore(InMemoryUidStore.create())
            .dedupPolicy(byUid)
            .build()
            .run();
    assertEquals(List.of(DELIVERED), kinds(whole), "the stub is no first copy: " + whole.summary());

    FetchResult r =
        rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY).dedupPolicy(byUid)).run();
    assertEquals(List.of(ALREADY_SEEN), kinds(r), r::summary);
    assertEquals(Set.of("m2"), rig.mailbox.uids(), "served empty: never deleted");
    assertEquals(1, r.warnings().size(), r.warnings()::toString);
    assertTrue(
        r.warnings().get(0).detail().startsWith("message 1 (uid m2) is still served empty"),
        r.warnings().get(0).detail());
    assertTrue(
        EmptyMessageCheck.servedEmpty(rig.store.inner.get("m2").orElseThrow()),
        "checked again next run");
  }

  @ParameterizedTest
  @ValueSource(strings = {"by unique id", "by content"})
  void Q53_aPolicyThatRemembersTheEmptyCopy_neverMakesTheWholeMessageACopyOfIt(String by) {
    // A dedup store written before empty copies were kept out of it remembers the stub as the first
    // copy of message m2: served whole now, m2 would be discarded as a copy of its own stub and
    // deleted from the server, while the mailbox holds only the stub.
    Rig rig = new Rig();
    String whole = Rig.message(2);
    rig.mailbox.add("m2", String.format(STUB, "m2"));
    rig.mailbox.listedSize.put("m2", (long) whole.length()); // the listing gives the real size
    SameUid byUid = new SameUid();
    SameContent byContent = new SameContent();
    DedupPolicy policy = by.equals("by content") ? byContent : byUid;
    rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY).dedupPolicy(policy)).run();
    DeliveryKey stub = rig.store.inner.get("m2").orElseThrow().deliveryKey();
    byUid.seed("m2", stub);
    byContent.seed(stub);
    rig.mailbox.remove("m2").add("m2", whole);

    FetchResult r =
        rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY).dedupPolicy(policy)).run();
    assertEquals(List.of(DELIVERED), kinds(r), "not a copy of its own stub: " + r.summary());
    assertEquals(1, r.warnings().size(), r.warnings()::toString);
    assertTrue(
        r.warnings()
            .get(0)
            .detail()
            .startsWith(
                "message 1 (uid m2), served empty by an earlier run, was"
                    + " served whole this time and is stored"),
        r.warnings().get(0).detail());
    assertTrue(
        rig.sink.inner.messages().stream()
            .anyMatch(m -> new String(m.content(), StandardCharsets.UTF_8).equals(whole)),
        "held whole before it is deleted");
    assertEquals(Set.of(), rig.mailbox.uids(), "stored whole: deleted as any other");
  }

  @Test
  void Q53_aCheckThatFails_keepsTheRecordOfTheEmptyCopy_soTheWholeMessageIsNeverTakenForIt() {
    Rig rig = new Rig();
    String whole = Rig.message(1);
    rig.mailbox.add("m1", String.format(STUB, "m1"));
    rig.mailbox.listedSize.put("m1", (long) whole.length());
    rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    rig.faults.refuse.put(
        "m1", new FetchException(FetchError.SERVER_TEMPORARY, "the server refused message 1"));
    for (int run = 0; run < 3; run++) {
      assertEquals(
          MessageOutcome.Kind.FAILED,
          rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY).quarantineAfter(2))
              .run()
              .outcomes()
              .get(0)
              .kind());
    }
    assertTrue(
        EmptyMessageCheck.servedEmpty(rig.store.inner.get("m1").orElseThrow()),
        "still the empty copy's record");
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
    rig.mailbox
        .add("m1", String.format(STUB, "m1"))
        .add("m2", String.format(STUB, "m2"))
        .add("m3", "")
        .add("m4", "");
    List<String> asked = new ArrayList<>();
    FetchResult r =
        rig.fetcher(
                b ->
                    b.retention(Retention.DELETE_AFTER_DELIVERY)
                        .dedupPolicy(new EveryContentIsOne(rig.sink, asked)))
            .run();
    assertEquals(List.of(DELIVERED, DELIVERED, DELIVERED, DELIVERED), kinds(r), r::summary);
    assertEquals(List.of(), asked, "not even asked");
    assertEquals(Set.of("m1", "m2", "m3", "m4"), rig.mailbox.uids());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Subject: call me\r\n\r\n",
        "From: a@b.example\r\n",
        "Received: x\r\nContent-Type: text/plain\r\n\r\n",
        "Received: x\r\n\r\nok\r\n",
        "\r\nbody only\r\n",
        "text without a header\r\n",
        "Received: x\r\n  folded\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\n"
      })
  void aMessageWithAFieldOfItsAuthorsOrABody_hasContent(String message) {
    assertTrue(fed(message, 1).hasContent(), message);
    assertTrue(fed(message, 1000).hasContent(), message);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "\r\n",
        "Received: by pop.test.invalid\r\nX-UIDL: 7\r\n\r\n \r\n\r\n",
        "Return-Path: <>\r\nX-Mailbox-Error: message file missing\r\n\r\n",
        "Received: from a\n  by b\nStatus: RO\n\n",
        "Delivered-To: me\r\n"
      })
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
   * A policy by unique id, whatever account fetched it (as fetch-dedup's "uid"): one mailbox under
   * two names.
   */
  private static final class SameUid implements DedupPolicy {
    private final Map<String, DeliveryKey> seen = new HashMap<>();

    void seed(String uid, DeliveryKey key) {
      seen.put(uid, key);
    }

    @Override
    public DedupVerdict check(Envelope envelope, HeaderBlock headers) {
      DeliveryKey first = seen.get(envelope.uid());
      return first == null
          ? DedupVerdict.NEW
          : DedupVerdict.duplicateOf(first, "the same unique id");
    }

    @Override
    public void delivered(Envelope envelope, HeaderBlock headers, DeliveryKey key) {
      seen.putIfAbsent(envelope.uid(), key);
    }

    @Override
    public boolean needsHeaders() {
      return false;
    }
  }

  /**
   * A content policy that remembers the digests of what was delivered, as fetch-dedup's digest
   * policy does.
   */
  private static final class SameContent implements DedupPolicy {
    private final Map<String, DeliveryKey> seen = new HashMap<>();

    /** As if every content to come had been delivered under {@code key}. */
    private DeliveryKey seeded;

    void seed(DeliveryKey key) {
      seeded = key;
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
      DeliveryKey first = seeded != null ? seeded : seen.get(HexFormat.of().formatHex(digest));
      return first == null ? DedupVerdict.NEW : DedupVerdict.duplicateOf(first, "the same content");
    }

    @Override
    public void delivered(Envelope envelope, HeaderBlock headers, DeliveryKey key, byte[] digest) {
      if (digest != null) {
        seen.putIfAbsent(HexFormat.of().formatHex(digest), key);
      }
    }
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
      return held.isEmpty()
          ? DedupVerdict.NEW
          : DedupVerdict.duplicateOf(held.get(0).key(), "the same content");
    }
  }
}
