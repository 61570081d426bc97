package dev.mailfetch.gmail;

import static dev.mailfetch.api.MessageOutcome.Kind.DELIVERED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveriesFailed;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.api.LabelPolicy;
import dev.mailfetch.gmail.internal.Journal;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import dev.mailfetch.testkit.gmail.FaultRule;
import dev.mailfetch.testkit.gmail.GmailEndpoint;
import dev.mailfetch.testkit.gmail.GmailFault;
import dev.mailfetch.testkit.gmail.GmailLabel;
import dev.mailfetch.testkit.gmail.StoredMessage;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Gmail gets from the sink (labels, archive, dates, the import's flags), the account check,
 * and exactly-once across a crash: imports in doubt resolved by asking Gmail, and the window of a
 * message without a Message-ID.
 */
@Timeout(120)
class GmailImportSinkTest {
  @TempDir Path dir;

  private static Map<String, String> labelNames(GmailRig rig) {
    return rig.gmail.labels(GmailRig.ME).stream()
        .collect(Collectors.toMap(GmailLabel::id, GmailLabel::name));
  }

  private static Set<String> namesOf(GmailRig rig, StoredMessage m) {
    Map<String, String> names = labelNames(rig);
    return m.labelIds().stream().map(names::get).collect(Collectors.toSet());
  }

  @Test
  void byDefault_aMessageGoesToTheInboxUnread_datedByItsDateHeader_classifiedForSpam_noCalendar()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(1))) {
      assertTrue(rig.runOnce().ok());
      StoredMessage m = rig.inGmail().get(0);
      assertEquals(Set.of("INBOX", "UNREAD"), Set.copyOf(m.labelIds()));
      assertEquals("dateHeader", m.internalDateSource());
      assertEquals(Instant.parse("2026-12-01T10:00:01Z"), m.internalDate());
      assertFalse(m.neverMarkSpam());
      assertFalse(m.processForCalendar());
      assertEquals("multipart", m.uploadType());
      assertArrayEquals(GmailRig.message(1), m.bytes(), "byte for byte");
    }
  }

  @Test
  void theImportFlags_arePassedAsSet() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(1))) {
      FetchResult r;
      try (GmailImportSink sink =
          rig.sink()
              .neverMarkSpam(true)
              .processForCalendar(true)
              .internalDateSource(InternalDateSource.RECEIVED_TIME)
              .build()) {
        r = rig.run(sink);
      }
      assertTrue(r.ok(), r::summary);
      StoredMessage m = rig.inGmail().get(0);
      assertEquals("receivedTime", m.internalDateSource());
      assertTrue(m.neverMarkSpam());
      assertTrue(m.processForCalendar());
    }
  }

  @Test
  void labelsNested_areCreatedParentFirst_onceEach_evenWithParallelImports_andArchiveSkipsTheInbox()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(20))) {
      rig.labels = LabelPolicy.fixed(Set.of("Lists/Work", "Fetched"), true);
      FetchResult r;
      try (GmailImportSink sink = rig.sink().parallelism(8).build()) {
        r = rig.run(sink);
      }
      assertEquals(20, r.count(DELIVERED), r::summary);
      List<GmailLabel> user =
          rig.gmail.labels(GmailRig.ME).stream().filter(l -> !l.system()).toList();
      assertEquals(
          Set.of("Lists", "Lists/Work", "Fetched"),
          user.stream().map(GmailLabel::name).collect(Collectors.toSet()),
          "the parent was created too, and no label twice: " + user);
      assertEquals(3, rig.gmail.labelCreates(GmailRig.ME), "each label created once");
      assertEquals(
          1, rig.gmail.requests(GmailEndpoint.LABELS_LIST).size(), "labels listed once per run");
      for (StoredMessage m : rig.inGmail()) {
        assertEquals(
            Set.of("UNREAD", "Lists/Work", "Fetched"), namesOf(rig, m), "archived: no INBOX");
      }
    }
  }

  @Test
  void aLabelThatExistsInAnotherCase_isUsed_notCreated() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(2))) {
      rig.gmail.accessToken(GmailRig.ME, FakeGmailServer.SCOPE_MODIFY);
      try (GmailImportSink first = rig.sink().build()) {
        Delivery d = first.begin(new Envelope("x@y", "seed", 0, Set.of("work"), false));
        d.write(ByteBuffer.wrap(GmailRig.message(99)));
        d.complete(DeliveryKey.of("x@y", "seed"));
        first.sync();
      }
      rig.labels = LabelPolicy.fixed(Set.of("WORK"), false);
      assertTrue(rig.runOnce().ok());
      assertEquals(1, rig.gmail.labels(GmailRig.ME).stream().filter(l -> !l.system()).count());
      for (StoredMessage m : rig.inGmail()) {
        assertEquals(Set.of("INBOX", "UNREAD", "work"), namesOf(rig, m));
      }
    }
  }

  @Test
  void aLabelCreatedElsewhereAfterTheListing_meetsA409_andIsFoundByListingAgain()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(0))) {
      try (GmailImportSink sink = rig.sink().build()) {
        deliver(sink, "1", Set.of("Early")); // the sink lists the labels now
        try (GmailImportSink other = rig.sink().journalDirectory(dir.resolve("other")).build()) {
          deliver(other, "2", Set.of("Late")); // another client creates "Late" meanwhile
        }
        deliver(sink, "3", Set.of("Late"));
        sink.sync();
      }
      assertEquals(
          1, rig.gmail.labels(GmailRig.ME).stream().filter(l -> l.name().equals("Late")).count());
      assertEquals(3, rig.inGmail().size());
      assertTrue(namesOf(rig, rig.inGmail().get(2)).contains("Late"));
    }
  }

  @Test
  void aMessageItsSourceFiledAsJunk_goesToSpam_notTheInbox_andNoJunkLabelIsCreated()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(0))) {
      try (GmailImportSink sink = rig.sink().build()) {
        deliver(sink, "1", Set.of(LabelDecision.JUNK, "Newsletters"));
        deliver(sink, "2", Set.of("Newsletters"));
        assertTrue(
            sink.addLabels(DeliveryKey.of("x@y", "2"), Set.of(LabelDecision.JUNK, "Extra")),
            "a duplicate found in junk adds its user labels only");
      }
      List<StoredMessage> in = rig.inGmail();
      assertEquals(Set.of("SPAM", "UNREAD", "Newsletters"), namesOf(rig, in.get(0)));
      assertEquals(Set.of("INBOX", "UNREAD", "Newsletters", "Extra"), namesOf(rig, in.get(1)));
      assertEquals(
          Set.of("Newsletters", "Extra"),
          rig.gmail.labels(GmailRig.ME).stream()
              .filter(l -> !l.system())
              .map(GmailLabel::name)
              .collect(Collectors.toSet()),
          "no user label named \\Junk");
    }
  }

  @Test
  void addLabels_withTheNarrowScopes_answersFalse_andTheSinkGoesOn() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(0))) {
      rig.tokens =
          new FakeTokens(
              rig.gmail,
              GmailRig.ME,
              FakeGmailServer.SCOPE_INSERT,
              FakeGmailServer.SCOPE_LABELS,
              FakeGmailServer.SCOPE_READONLY);
      try (GmailImportSink sink = rig.sink().build()) {
        deliver(sink, "1", Set.of());
        assertFalse(
            sink.addLabels(DeliveryKey.of("x@y", "1"), Set.of("Extra")),
            "gmail.modify not granted: the labels are not added");
        deliver(sink, "2", Set.of()); // and the sink goes on
      }
      assertEquals(2, rig.inGmail().size());
    }
  }

  private static void deliver(GmailImportSink sink, String uid, Set<String> labels)
      throws IOException {
    Delivery d = sink.begin(new Envelope("x@y", uid, 0, labels, false));
    d.write(ByteBuffer.wrap(GmailRig.message(Integer.parseInt(uid))));
    d.complete(DeliveryKey.of("x@y", uid));
    sink.sync();
  }

  @Test
  void aTokenForAnotherAccount_isRefusedInWords_andNothingIsImportedOrDeleted() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(3))) {
      rig.gmail.addAccount("someone.else@gmail.com");
      rig.tokens = new FakeTokens(rig.gmail, "someone.else@gmail.com");
      FetchResult r = rig.runOnce();
      FetchException e = r.error().orElseThrow(() -> new AssertionError(r.summary()));
      assertEquals(FetchError.CONFIGURATION, e.error());
      assertEquals(
          Optional.of(OAuthFailure.Reason.ANOTHER_MAILBOX),
          OAuthFailure.reasonOf(e),
          "marked by its reason, for a caller that advises");
      assertTrue(
          e.getMessage().contains("someone.else@gmail.com") && e.getMessage().contains(GmailRig.ME),
          e.getMessage());
      assertTrue(
          e.remedy().library().contains("GmailImportSink.Builder.mailbox"), e.remedy().library());
      assertEquals(0, rig.gmail.messages("someone.else@gmail.com").size());
      assertEquals(0, rig.gmail.requests(GmailEndpoint.IMPORT).size(), "not one import was tried");
      assertEquals(3, rig.onServer().size());
    }
  }

  @Test
  void theAccountCheck_ignoresCase() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(1))) {
      FetchResult r;
      try (GmailImportSink sink = rig.sink().mailbox("Me@GMail.com").build()) {
        r = rig.run(sink);
      }
      assertTrue(r.ok(), r::summary);
    }
  }

  /** The journal a crash leaves: intents written, the process dead before Gmail's answers were. */
  private static void crashedWithIntents(GmailRig rig, Map<Integer, String> uidToMessageId)
      throws IOException {
    String account = rig.source().account();
    try (Journal j = Journal.open(rig.journal, GmailRig.ME, 20_000)) {
      for (Map.Entry<Integer, String> e : uidToMessageId.entrySet()) {
        j.intent(DeliveryKey.of(account, "u" + e.getKey()), e.getValue(), 100);
      }
    }
  }

  /** Puts message {@code i} into Gmail as an import before the crash would have. */
  private static void alreadyInGmail(GmailRig rig, byte[] message) throws IOException {
    try (GmailImportSink other =
        rig.sink().journalDirectory(rig.journal.resolveSibling("elsewhere")).build()) {
      Delivery d = other.begin(new Envelope("x@y", "pre", 0, Set.of(), false));
      d.write(ByteBuffer.wrap(message));
      d.complete(DeliveryKey.of("x@y", "pre"));
      other.sync();
    }
  }

  @Test
  void anImportInDoubtAfterACrash_isResolvedByAskingGmail_soAMessageGmailHasIsNotImportedTwice()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(4))) {
      alreadyInGmail(
          rig,
          GmailRig.message(1)); // Gmail stored m1; the crash came before its answer was journalled
      crashedWithIntents(rig, Map.of(1, "<m1@example.org>", 2, "<m2@example.org>"));
      FetchResult r = rig.runOnce();
      assertTrue(r.ok(), r::summary);
      assertEquals(
          GmailRig.once(1, 4), rig.copiesByMessageId(), "m1 not imported again, m2 imported once");
      assertEquals(Set.of(), rig.onServer());
      assertEquals(
          2,
          rig.gmail.requests(GmailEndpoint.MESSAGES_LIST).size(),
          "each import in doubt asked once");
    }
  }

  @Test
  void anImportInDoubtWithoutMessageId_isImportedAgain_theDocumentedWindow() throws IOException {
    FakeMailbox box =
        FakeMailbox.create()
            .add("u1", GmailRig.messageWithoutId(1))
            .add("u2", GmailRig.messageWithoutId(2));
    try (GmailRig rig = new GmailRig(dir, box)) {
      alreadyInGmail(
          rig, GmailRig.messageWithoutId(1)); // stored, answer lost in the crash: the window
      HashMap<Integer, String> intents = new HashMap<>();
      intents.put(1, null);
      intents.put(2, null); // intent written, never sent: importing it is right
      crashedWithIntents(rig, intents);
      FetchResult r = rig.runOnce();
      assertTrue(r.ok(), r::summary);
      assertEquals(Set.of(), rig.onServer());
      Map<String, Long> copies =
          rig.inGmail().stream()
              .collect(
                  Collectors.groupingBy(
                      m -> new String(m.bytes(), StandardCharsets.US_ASCII),
                      Collectors.counting()));
      assertEquals(
          2L,
          copies.get(new String(GmailRig.messageWithoutId(1), StandardCharsets.US_ASCII)),
          "Gmail cannot be asked for a message without a Message-ID: the one in the window is there twice");
      assertEquals(
          1L, copies.get(new String(GmailRig.messageWithoutId(2), StandardCharsets.US_ASCII)));
      assertEquals(0, rig.gmail.requests(GmailEndpoint.MESSAGES_LIST).size(), "nothing to ask");
    }
  }

  @Test
  void aDeliveryIsNotDurableBeforeGmailAnswered_syncWaitsForTheAnswer() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(0))) {
      rig.gmail.inject(FaultRule.of(GmailFault.SLOW_UPLOAD).delay(Duration.ofSeconds(1)));
      try (GmailImportSink sink = rig.sink().build()) {
        DeliveryKey k = DeliveryKey.of("x@y", "slow");
        Delivery d = sink.begin(new Envelope("x@y", "slow", 0, Set.of(), false));
        d.write(ByteBuffer.wrap(GmailRig.message(1)));
        d.complete(k);
        assertTrue(sink.contains(k), "on its way: contains is true");
        assertTrue(
            sink.gmailId(k).isEmpty(), "but not journalled as Gmail's before Gmail answered");
        sink.sync();
        assertTrue(
            sink.gmailId(k).isPresent(), "after sync, Gmail answered and the journal holds it");
        assertEquals(1, rig.inGmail().size());
      }
    }
  }

  @Test
  void onceTheDestinationIsKnownToFail_beginThrowsItAtOnce_withoutAskingGmail() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(0))) {
      rig.gmail.inject(FaultRule.of(GmailFault.DAILY_LIMIT_EXCEEDED_403).always());
      try (GmailImportSink sink = rig.sink().build()) {
        Delivery d = sink.begin(new Envelope("x@y", "1", 0, Set.of(), false));
        d.write(ByteBuffer.wrap(GmailRig.message(1)));
        d.complete(DeliveryKey.of("x@y", "1"));
        DeliveriesFailed failed = assertThrows(DeliveriesFailed.class, sink::sync);
        assertEquals(
            FetchError.QUOTA_EXCEEDED, failed.failures().get(DeliveryKey.of("x@y", "1")).error());
        int asked = rig.gmail.requests().size();
        FetchException e =
            assertThrows(
                FetchException.class,
                () -> sink.begin(new Envelope("x@y", "2", 0, Set.of(), false)));
        assertEquals(FetchError.QUOTA_EXCEEDED, e.error());
        assertEquals(asked, rig.gmail.requests().size(), "Gmail was not asked again");
        assertFalse(sink.contains(DeliveryKey.of("x@y", "1")), "a refused delivery is not held");
      }
    }
  }

  @Test
  void aDeliveryCompletedAfterTheSinkClosed_isRefused_andNothingIsImported() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(0))) {
      GmailImportSink sink = rig.sink().build();
      Delivery d = sink.begin(new Envelope("x@y", "late", 0, Set.of(), false));
      d.write(ByteBuffer.wrap(GmailRig.message(1)));
      sink.close();
      assertThrows(IllegalStateException.class, () -> d.complete(DeliveryKey.of("x@y", "late")));
      d.abort();
      assertEquals(0, rig.inGmail().size());
      try (GmailImportSink again = rig.sink().build()) {
        assertFalse(again.contains(DeliveryKey.of("x@y", "late")));
      }
    }
  }

  @Test
  void theBuilder_refusesBadSettingsEagerly_inWords() {
    GmailImportSink.Builder b = GmailImportSink.builder();
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> b.mailbox("not an address"))
            .getMessage()
            .contains("you@gmail.com"));
    assertThrows(IllegalArgumentException.class, () -> b.parallelism(0));
    assertThrows(IllegalArgumentException.class, () -> b.uploadChunkBytes(1000));
    assertThrows(IllegalArgumentException.class, () -> b.apiBase(URI.create("ftp://x/")));
    assertThrows(IllegalArgumentException.class, () -> b.quota(10, Duration.ofMinutes(1)));
    assertThrows(IllegalArgumentException.class, () -> b.quotaUnitsPerSecond(10));
    assertTrue(
        assertThrows(IllegalStateException.class, b::build).getMessage().contains("mailbox("));
    @SuppressWarnings("ObjectToString") // what is shown is the point: no token in it
    String shown =
        GmailImportSink.builder()
                .mailbox("me@gmail.com")
                .tokens(() -> "ya29.SECRET")
                .checkup()
                .toString()
            + GmailImportSink.builder()
                .mailbox("me@gmail.com")
                .tokens(() -> "ya29.SECRET")
                .toString();
    assertFalse(shown.contains("SECRET"));
  }

  @Test
  void aSettingSetTwice_isRefused_showingTheValueItHas_butNeverTheTokens() {
    IllegalStateException parallelism =
        assertThrows(
            IllegalStateException.class,
            () -> GmailImportSink.builder().parallelism(2).parallelism(8));
    assertEquals("parallelism was already set to 2", parallelism.getMessage());
    IllegalStateException quota =
        assertThrows(
            IllegalStateException.class,
            () ->
                GmailImportSink.builder()
                    .quota(300, Duration.ofSeconds(2))
                    .quotaUnitsPerSecond(100));
    assertEquals("quota was already set to 300 units in PT2S", quota.getMessage());
    IllegalStateException tokens =
        assertThrows(
            IllegalStateException.class,
            () -> GmailImportSink.builder().tokens(() -> "ya29.SECRET").tokens(() -> "other"));
    assertEquals("tokens was already set", tokens.getMessage());
  }
}
