package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.RunItem.Phase;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RunItemTest {
  private static final MessageRef REF = new MessageRef(1, "u1", 10);
  private static final DeliveryKey KEY = DeliveryKey.of("acct", "u1");

  private static DeliveryReceipt receiptFromARealSink() throws Exception {
    InMemorySink sink = InMemorySink.create();
    Delivery d = sink.begin(new Envelope("acct", "u1", 10, Set.of(), false));
    d.write(ByteBuffer.wrap("A: b\r\n\r\nbody".getBytes(StandardCharsets.US_ASCII)));
    return d.complete(KEY);
  }

  @Test
  void aDeliveredMessageGoesPlannedReceivingReceivedSettled() throws Exception {
    RunItem item = new RunItem(REF, true);
    assertEquals(Phase.PLANNED, item.phase());
    assertFalse(item.retrieved);
    item.receiving();
    assertEquals(Phase.RECEIVING, item.phase());
    assertTrue(item.retrieved);
    DeliveryReceipt receipt = receiptFromARealSink();
    item.received(receipt);
    assertEquals(Phase.RECEIVED, item.phase());
    assertTrue(item.isHeld());
    assertSame(receipt, item.receipt());
    assertNull(item.outcome());
    item.settle(MessageOutcome.delivered(REF, KEY, receipt.bytes()));
    assertEquals(Phase.SETTLED, item.phase());
    assertFalse(item.isHeld());
    assertNull(item.receipt(), "a settled message holds no receipt");
    assertEquals(MessageOutcome.Kind.DELIVERED, item.outcome().kind());
  }

  @Test
  void aCopyIsHeldAsDuplicateUntilSettledAndCanStopBeingOne() {
    RunItem item = new RunItem(REF, true);
    item.receiving();
    DedupVerdict verdict = DedupVerdict.duplicateOf(KEY, "same Message-ID");
    item.duplicateOf(verdict);
    assertEquals(Phase.DUPLICATE, item.phase());
    assertTrue(item.isHeld());
    assertSame(verdict, item.duplicate());
    item.notDuplicate();
    assertEquals(Phase.RECEIVING, item.phase());
    assertNull(item.duplicate());
    item.duplicateOf(verdict);
    item.settle(MessageOutcome.duplicate(REF, KEY, verdict.reason(), 10));
    assertTrue(item.isSettled());
    assertNull(item.duplicate(), "a settled message holds no verdict");
  }

  @Test
  void aHandOverWithoutReceiptLeavesItPlannedAsIfNeverSent() {
    RunItem item = new RunItem(REF, true);
    item.receiving();
    item.received(null); // a sink that gave no receipt
    assertEquals(Phase.RECEIVING, item.phase());
    item.receivedNothing();
    assertEquals(Phase.PLANNED, item.phase());
    assertTrue(item.retrieved, "it was retrieved all the same");
  }

  @Test
  void receivedNothingLeavesEveryOtherPhaseAlone() throws Exception {
    RunItem received = new RunItem(REF, true);
    received.receiving();
    received.received(receiptFromARealSink());
    received.receivedNothing();
    assertEquals(Phase.RECEIVED, received.phase());

    RunItem settled = new RunItem(REF, true);
    settled.settle(MessageOutcome.skipped(REF, SkipReason.ONLY_NEW, null));
    settled.receivedNothing();
    assertEquals(Phase.SETTLED, settled.phase());
  }
}
