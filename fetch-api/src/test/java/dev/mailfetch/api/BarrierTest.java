package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Invariant 1 on the barrier alone: nothing is due for deletion unless sink and state both held.
 */
class BarrierTest {
  private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
  private final Faults faults = new Faults();
  private final List<String> events = new ArrayList<>();
  private final FaultySink sink = new FaultySink(InMemorySink.create(), faults, events);
  private final FaultyStore store = new FaultyStore(InMemoryUidStore.create(), faults, events);
  private final List<FetchException> warnings = new ArrayList<>();
  private final Barrier barrier =
      new Barrier(
          new RunConfig(
              "acct",
              null,
              sink,
              store,
              DedupPolicy.none(),
              LabelPolicy.none(),
              Retention.DELETE_AFTER_DELIVERY,
              false,
              FetchLimits.defaults(),
              50,
              5,
              false,
              FetchListener.NONE,
              Clock.fixed(NOW, ZoneOffset.UTC),
              false),
          NOW,
          warnings);

  /** A message the sink completed, as the receiver leaves it for the barrier. */
  private RunItem received(int number) throws Exception {
    MessageRef ref = new MessageRef(number, "u" + number, 12);
    RunItem item = new RunItem(ref, true);
    item.firstSeen = NOW;
    item.key = DeliveryKey.of("acct", ref.uid());
    item.receiving();
    Delivery d = sink.begin(new Envelope("acct", ref.uid(), 12, Set.of(), false));
    d.write(ByteBuffer.wrap("A: b\r\n\r\nbody".getBytes(StandardCharsets.US_ASCII)));
    item.received(d.complete(item.key));
    return item;
  }

  @Test
  void deliveredMessagesAreRecordedAfterTheSinkSyncAndOnlyThenDue() throws Exception {
    RunItem one = received(1);
    RunItem two = received(2);
    assertNull(barrier.pass(List.of(one, two), null));
    assertEquals(List.of("sink.sync", "store.sync"), syncs());
    for (RunItem item : List.of(one, two)) {
      assertEquals(MessageOutcome.Kind.DELIVERED, item.outcome().kind());
      assertEquals(UidRecord.State.DELIVERED, store.inner.get(item.ref.uid()).get().state());
      assertTrue(item.deleteDue);
      assertTrue(item.reported);
    }
  }

  @Test
  void aStateThatCannotSyncLeavesNothingDue() throws Exception {
    faults.storeSyncFails = true;
    RunItem one = received(1);
    FetchException e = assertThrows(FetchException.class, () -> barrier.pass(List.of(one), null));
    assertEquals(FetchError.STATE_FAILED, e.error());
    assertEquals(MessageOutcome.Kind.DELIVERED, one.outcome().kind(), "the sink holds it");
    assertFalse(one.deleteDue);
  }

  @Test
  void aSinkThatCannotSyncFailsEveryHeldMessageAndRecordsNoDelivery() throws Exception {
    faults.sinkSyncFails = true;
    RunItem one = received(1);
    FetchException e = assertThrows(FetchException.class, () -> barrier.pass(List.of(one), null));
    assertEquals(FetchError.SINK_FAILED, e.error());
    assertEquals(MessageOutcome.Kind.FAILED, one.outcome().kind());
    assertFalse(one.deleteDue);
    assertTrue(store.inner.get("u1").isEmpty(), "not recorded as delivered");
  }

  @Test
  void onlyTheMessagesOwnFailuresCountTowardsItsQuarantine() {
    assertTrue(
        Barrier.countsAgainstMessage(new FetchException(FetchError.PROTOCOL, "bad message")));
    for (FetchError notItsOwn :
        List.of(
            FetchError.SINK_FAILED,
            FetchError.STATE_FAILED,
            FetchError.STOPPED,
            FetchError.AUTH_FAILED,
            FetchError.AUTH_TOKEN_EXPIRED,
            FetchError.QUOTA_EXCEEDED,
            FetchError.CONFIGURATION)) {
      assertFalse(
          Barrier.countsAgainstMessage(new FetchException(notItsOwn, "x")), notItsOwn.name());
    }
  }

  private List<String> syncs() {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      if (e.endsWith(".sync")) {
        out.add(e);
      }
    }
    return out;
  }
}
