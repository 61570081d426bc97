package dev.mailfetch.api;

import static dev.mailfetch.api.MessageOutcome.Kind.DELIVERED;
import static dev.mailfetch.api.MessageOutcome.Kind.FAILED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A remote destination (the Gmail API) takes messages in the background and answers for them at the
 * barrier: one it refuses fails alone, stays on the server and counts towards its quarantine; one
 * whose failure is the destination's (a grant gone, a quota used up) stops the run without counting
 * against any message. Nothing refused is deleted.
 */
class DestinationRefusalTest {

  /** Takes every message, but at the barrier refuses the ones whose uid is in {@code refuse}. */
  static final class RefusingSink extends ForwardingMessageSink {
    final Set<String> refuse = new HashSet<>();
    FetchError refusal = FetchError.SINK_REJECTED;
    final Map<DeliveryKey, String> pending = new HashMap<>();
    final Set<DeliveryKey> refused = new HashSet<>();

    RefusingSink(MessageSink delegate) {
      super(delegate);
    }

    @Override
    public Delivery begin(Envelope envelope) throws IOException {
      if (!refuse.contains(envelope.uid())) {
        return delegate().begin(envelope);
      }
      return new Delivery() {
        long bytes;

        @Override
        public void write(ByteBuffer b) {
          bytes += b.remaining();
          b.position(b.limit());
        }

        @Override
        public DeliveryReceipt complete(DeliveryKey key) {
          pending.put(key, envelope.uid());
          return new DeliveryReceipt(key, bytes, false);
        }

        @Override
        public void abort() {}
      };
    }

    @Override
    public boolean contains(DeliveryKey key) throws IOException {
      return !refused.contains(key) && (pending.containsKey(key) || delegate().contains(key));
    }

    @Override
    public void sync() throws IOException {
      delegate().sync();
      if (pending.isEmpty()) {
        return;
      }
      Map<DeliveryKey, FetchException> failures = new HashMap<>();
      pending.forEach(
          (key, uid) ->
              failures.put(
                  key,
                  new FetchException(
                      refusal, "Gmail refused message " + uid + ": Invalid From header")));
      refused.addAll(pending.keySet());
      pending.clear();
      throw new DeliveriesFailed(failures);
    }
  }

  @Test
  void
      aMessageTheDestinationRefusesAtTheBarrier_failsAlone_staysOnTheServer_andCountsTowardsItsQuarantine() {
    Rig rig = new Rig().withMessages(6);
    RefusingSink sink = new RefusingSink(rig.sink);
    sink.refuse.add("m3");
    FetchResult r =
        Fetcher.builder()
            .source(rig.mailbox.source(Rig.ACCOUNT))
            .sink(sink)
            .uidStore(rig.store)
            .clock(rig.clock)
            .retention(Retention.DELETE_AFTER_DELIVERY)
            .batchSize(4)
            .build()
            .run();

    assertEquals(5, r.count(DELIVERED), r::summary);
    assertEquals(1, r.count(FAILED), r::summary);
    MessageOutcome refused = r.outcomes().get(2);
    assertEquals(FAILED, refused.kind());
    assertEquals(FetchError.SINK_REJECTED, refused.error().error());
    assertTrue(refused.error().detail().contains("Invalid From header"), refused.error().detail());
    assertTrue(r.error().isEmpty(), "one refused message does not stop the run");
    assertEquals(FetchResult.Status.ERROR, r.status());
    assertEquals(
        Set.of("m3"), rig.mailbox.uids(), "the refused message stays on the server, the others go");
    assertEquals(
        1,
        rig.store.inner.get("m3").orElseThrow().failures(),
        "a refusal counts towards quarantine");

    sink.refuse.clear();
    FetchResult next =
        Fetcher.builder()
            .source(rig.mailbox.source(Rig.ACCOUNT))
            .sink(sink)
            .uidStore(rig.store)
            .clock(rig.clock)
            .retention(Retention.DELETE_AFTER_DELIVERY)
            .build()
            .run();
    assertTrue(next.ok(), next::summary);
    assertEquals(6, rig.sinkByUid().size(), "each message once");
    assertEquals(Set.of(), rig.mailbox.uids());
  }

  @Test
  void aDestinationFailureAtTheBarrier_stopsTheRunAfterTheBatch_andCountsAgainstNoMessage() {
    Rig rig = new Rig().withMessages(10);
    RefusingSink sink = new RefusingSink(rig.sink);
    sink.refuse.add("m2");
    sink.refusal = FetchError.QUOTA_EXCEEDED;
    FetchResult r =
        Fetcher.builder()
            .source(rig.mailbox.source(Rig.ACCOUNT))
            .sink(sink)
            .uidStore(rig.store)
            .clock(rig.clock)
            .retention(Retention.DELETE_AFTER_DELIVERY)
            .batchSize(4)
            .build()
            .run();

    FetchException e = r.error().orElseThrow();
    assertEquals(FetchError.QUOTA_EXCEEDED, e.error());
    assertTrue(e.detail().contains("so the run stopped"), e.detail());
    assertEquals(3, r.count(DELIVERED), "the batch's other messages are delivered: " + r.summary());
    assertEquals(
        Set.of("m2", "m5", "m6", "m7", "m8", "m9", "m10"),
        rig.mailbox.uids(),
        "only what the destination holds is deleted");
    for (int i = 1; i <= 10; i++) {
      assertEquals(
          0,
          rig.store.inner.get("m" + i).map(UidRecord::failures).orElse(0),
          "counted against m" + i);
    }
  }

  @Test
  void aDestinationFailureAtTheStartOfAMessage_stopsTheRunAtOnce() {
    Rig rig = new Rig().withMessages(10);
    MessageSink sink =
        new ForwardingMessageSink(rig.sink) {
          int begun;

          @Override
          public Delivery begin(Envelope envelope) throws IOException {
            if (++begun == 3) {
              throw new FetchException(
                  FetchError.AUTH_FAILED, "Google refused the refresh token (invalid_grant)");
            }
            return super.begin(envelope);
          }
        };
    FetchResult r =
        Fetcher.builder()
            .source(rig.mailbox.source(Rig.ACCOUNT))
            .sink(sink)
            .uidStore(rig.store)
            .clock(rig.clock)
            .retention(Retention.DELETE_AFTER_DELIVERY)
            .batchSize(5)
            .build()
            .run();

    FetchException e = r.error().orElseThrow();
    assertEquals(FetchError.AUTH_FAILED, e.error());
    assertTrue(
        e.detail().contains("invalid_grant") && e.detail().contains("so the run stopped"),
        e.detail());
    assertEquals(2, r.count(DELIVERED), r::summary);
    assertEquals(
        1,
        r.outcomes().stream().filter(o -> o.kind() == FAILED && o.attempted()).count(),
        "no message after the failure was downloaded to fail alike");
    assertTrue(
        rig.mailbox.uids().contains("m3"), "the message the failure met stays on the server");
    for (int i = 3; i <= 10; i++) {
      assertTrue(rig.mailbox.uids().contains("m" + i), "nothing not delivered is deleted: m" + i);
    }
    for (int i = 1; i <= 10; i++) {
      assertEquals(
          0,
          rig.store.inner.get("m" + i).map(UidRecord::failures).orElse(0),
          "counted against m" + i);
    }
  }

  @Test
  void aCopyOfAMessageOnItsWay_staysOnTheServer_whenTheDestinationRefusesTheFirstCopy() {
    Rig rig = new Rig().withMessages(4);
    rig.mailbox.add("m5", Rig.message(3)); // the same message again, by its Message-ID
    RefusingSink sink = new RefusingSink(rig.sink);
    sink.refuse.add("m3");
    FetchResult r =
        Fetcher.builder()
            .source(rig.mailbox.source(Rig.ACCOUNT))
            .sink(sink)
            .uidStore(rig.store)
            .clock(rig.clock)
            .dedupPolicy(new MessageIdDedup())
            .retention(Retention.DELETE_AFTER_DELIVERY)
            .batchSize(10)
            .build()
            .run();

    assertEquals(3, r.count(DELIVERED), r::summary);
    assertEquals(
        0, r.count(MessageOutcome.Kind.DUPLICATE), "no copy of a refused message is a duplicate");
    MessageOutcome copy = r.outcomes().get(4);
    assertEquals(FAILED, copy.kind(), r::summary);
    assertTrue(
        copy.error().detail().contains("a copy")
            && copy.error().detail().contains("Invalid From header"),
        copy.error().detail());
    assertEquals(
        Set.of("m3", "m5"),
        rig.mailbox.uids(),
        "neither copy is deleted: the destination holds none");
    assertEquals(
        0,
        rig.store.inner.get("m5").map(UidRecord::failures).orElse(0),
        "the copy is not at fault");
  }

  @Test
  void aDeliveryStillOnItsWayFromAnEarlierRun_isNotTakenAsHeld_untilTheDestinationAnswered()
      throws Exception {
    Rig rig = new Rig().withMessages(3);
    RefusingSink sink = new RefusingSink(rig.sink);
    sink.refuse.add("m2");
    // An earlier run handed m2 over and died before its barrier: the destination has not answered.
    Delivery d = sink.begin(new Envelope(Rig.ACCOUNT, "m2", 10, Set.of(), false));
    d.write(ByteBuffer.wrap(Rig.message(2).getBytes(StandardCharsets.UTF_8)));
    d.complete(DeliveryKey.of(Rig.ACCOUNT, "m2"));

    FetchResult r =
        Fetcher.builder()
            .source(rig.mailbox.source(Rig.ACCOUNT))
            .sink(sink)
            .uidStore(rig.store)
            .clock(rig.clock)
            .retention(Retention.DELETE_AFTER_DELIVERY)
            .build()
            .run();

    assertEquals(0, r.count(MessageOutcome.Kind.ALREADY_SEEN), "m2 was not held: " + r.summary());
    assertTrue(
        rig.mailbox.uids().contains("m2"), "a message the destination never took is not deleted");
  }
}
