package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DuplicateDecisionTest {
  private static final DeliveryKey FIRST = DeliveryKey.of("acct", "first");
  private final Faults faults = new Faults();
  private final FaultySink sink = new FaultySink(InMemorySink.create(), faults, new ArrayList<>());
  private final PolicyTrouble trouble = new PolicyTrouble();
  private final RunItem item = new RunItem(new MessageRef(2, "second", 10), true);
  private final Envelope envelope = new Envelope("acct", "second", 10, Set.of("work"), false);

  private DuplicateDecision decision(DedupPolicy dedup, LabelPolicy labels) {
    item.key = DeliveryKey.of("acct", "second");
    item.receiving();
    return new DuplicateDecision(
        new RunConfig(
            "acct",
            null,
            sink,
            InMemoryUidStore.create(),
            dedup,
            labels,
            Retention.KEEP,
            false,
            FetchLimits.defaults(),
            50,
            5,
            false,
            FetchListener.NONE,
            Clock.systemUTC(),
            false),
        trouble,
        null);
  }

  private void holdFirstCopy() throws IOException {
    Delivery d = sink.begin(new Envelope("acct", "first", 10, Set.of(), false));
    d.write(ByteBuffer.wrap("A: b\r\n\r\nx".getBytes(StandardCharsets.US_ASCII)));
    d.complete(FIRST);
  }

  private static DedupPolicy saying(DedupVerdict verdict) {
    return (envelope, headers) -> verdict;
  }

  @Test
  void aCopyOfAMessageTheSinkHoldsIsLetGoWithItsLabelsOnTheFirstCopy() throws Exception {
    holdFirstCopy();
    DedupVerdict copy = DedupVerdict.duplicateOf(FIRST, "same Message-ID");
    DuplicateDecision decision = decision(saying(copy), LabelPolicy.none());
    assertSame(copy, decision.firstLook(item, envelope, HeaderBlock.empty()));
    decision.accept(item, copy, envelope.labels());
    assertEquals(RunItem.Phase.DUPLICATE, item.phase());
  }

  @Test
  void aCopyOfAMessageTheSinkDoesNotHoldIsDelivered() throws Exception {
    DuplicateDecision decision =
        decision(saying(DedupVerdict.duplicateOf(FIRST, "same Message-ID")), LabelPolicy.none());
    assertNull(decision.firstLook(item, envelope, HeaderBlock.empty()));
  }

  @Test
  void aVerdictNamingTheMessageItselfIsNoDuplicate() throws Exception {
    holdFirstCopy();
    DuplicateDecision decision =
        decision(saying(DedupVerdict.duplicateOf(FIRST, "itself")), LabelPolicy.none());
    item.key = FIRST;
    assertNull(decision.firstLook(item, envelope, HeaderBlock.empty()));
  }

  @Test
  void aPolicyThatAnswersNothingMeansNew() throws Exception {
    holdFirstCopy();
    assertNull(
        decision(saying(null), LabelPolicy.none()).firstLook(item, envelope, HeaderBlock.empty()));
  }

  @Test
  void failingPoliciesCostNoMessageAndAreSaidOnceAsWarnings() throws Exception {
    DedupPolicy throwing =
        (envelope, headers) -> {
          throw new IOException("dedup index unreadable");
        };
    LabelPolicy broken =
        (account, headers) -> {
          throw new IllegalStateException("rule file broken");
        };
    DuplicateDecision decision = decision(throwing, broken);
    assertSame(LabelDecision.INBOX, decision.labels(item, HeaderBlock.empty()));
    assertNull(decision.firstLook(item, envelope, HeaderBlock.empty()));
    List<FetchException> warnings = new ArrayList<>();
    trouble.report(warnings);
    assertEquals(2, warnings.size(), warnings::toString);
  }

  @Test
  void aSinkThatCannotAddTheLabelsLeavesTheMessageNoDuplicate() throws Exception {
    holdFirstCopy();
    faults.addLabelsFails = true;
    DedupVerdict copy = DedupVerdict.duplicateOf(FIRST, "same Message-ID");
    DuplicateDecision decision = decision(saying(copy), LabelPolicy.none());
    FetchException e =
        assertThrows(FetchException.class, () -> decision.accept(item, copy, Set.of("work")));
    assertEquals(FetchError.SINK_FAILED, e.error());
    assertEquals(RunItem.Phase.RECEIVING, item.phase());
  }
}
