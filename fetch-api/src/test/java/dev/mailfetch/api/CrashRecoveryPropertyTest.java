package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The engine's central promise, as a property: whatever step fails or crashes, and however the runs
 * after it go, in the end the sink holds every message of the mailbox exactly once, and in a delete
 * mode the server holds none that was delivered.
 *
 * <p>A crash is an {@link Error} thrown at the N-th observable step of the source, sink or store
 * (opening, listing, any slice of any message, any sink or store operation, DELE, QUIT); after it
 * the sink and store keep only what they had synced, the session ends without QUIT, and a fresh
 * {@link Fetcher} runs over what is left, as a restarted process would.
 */
class CrashRecoveryPropertyTest {

  @Provide
  Arbitrary<Retention> retentions() {
    return Arbitraries.of(
        Retention.KEEP,
        Retention.DELETE_AFTER_DELIVERY,
        Retention.deleteAfter(Duration.ofHours(1)));
  }

  @Property(tries = 1000)
  void everyMessageEndsInTheSinkExactlyOnce_whateverStepFails(
      @ForAll @IntRange(min = 0, max = 12) int messages,
      @ForAll @IntRange(min = 0, max = 3) int arrivingLater,
      @ForAll("retentions") Retention retentionWanted,
      @ForAll boolean stableUids,
      @ForAll @IntRange(min = 1, max = 5) int batchSize,
      @ForAll @IntRange(min = 1, max = 64) int slice,
      @ForAll @IntRange(min = 1, max = 300) int faultStep,
      @ForAll Faults.Kind faultKind,
      @ForAll boolean headerPolicies,
      @ForAll long seed) {
    // Without stable ids only delete-after-delivery is allowed (the others are refused up front).
    Retention retention = stableUids ? retentionWanted : Retention.DELETE_AFTER_DELIVERY;
    Random random = new Random(seed);
    Rig rig = new Rig();
    rig.mailbox.stableUids = stableUids;
    rig.mailbox.slice = slice;
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      expected.add(add(rig, i, random));
    }
    rig.faults.arm(faultStep, faultKind);

    int crashes = 0;
    FetchResult last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      if (attempt == 1) {
        for (int i = 0; i < arrivingLater; i++) {
          expected.add(add(rig, messages + i, random));
        }
      }
      try {
        last = fetcher(rig, retention, batchSize, headerPolicies).run();
      } catch (Faults.SimulatedCrash crash) {
        crashes++;
        rig.crash();
        continue;
      }
      assertEquals(last.listed(), last.outcomes().size());
      if (attempt >= 1 && last.ok()) {
        break;
      }
    }
    assertTrue(
        last != null && last.ok(), () -> "never converged; fault at " + rig.faults.firedAt());
    rig.faults.disarm(); // a step beyond what the runs took never fires

    // One more run after the retention age has passed, so that every delete mode has deleted.
    rig.clock.advance(Duration.ofHours(2));
    FetchResult settle = fetcher(rig, retention, batchSize, headerPolicies).run();
    assertTrue(settle.ok(), settle::summary);
    assertEquals(
        0,
        settle.count(MessageOutcome.Kind.DELIVERED),
        "everything was delivered before: " + settle.summary());

    List<String> inSink = new ArrayList<>();
    for (InMemorySink.StoredMessage m : rig.sink.inner.messages()) {
      inSink.add(new String(m.content(), StandardCharsets.ISO_8859_1));
    }
    inSink.sort(null);
    expected.sort(null);
    assertEquals(
        expected,
        inSink,
        "fault " + faultKind + " at " + rig.faults.firedAt() + ", " + crashes + " crashes");
    if (retention.equals(Retention.KEEP)) {
      assertEquals(expected.size(), rig.mailbox.messages().size());
    } else {
      assertEquals(List.of(), rig.mailbox.messages(), "delivered messages left on the server");
    }
  }

  private static Fetcher fetcher(Rig rig, Retention retention, int batchSize, boolean headers) {
    return rig.fetcher(
        b -> {
          b.retention(retention).batchSize(batchSize);
          if (headers) {
            b.labelPolicy(
                (account, h) ->
                    new LabelDecision(
                        h.values("X-Seq").isEmpty() ? Set.of() : Set.of("seq"), false));
          }
        });
  }

  /** Adds a distinct message with random bytes, dot lines and bare line ends in its body. */
  private static String add(Rig rig, int i, Random random) {
    byte[] raw = new byte[random.nextInt(600)];
    random.nextBytes(raw);
    String body =
        Base64.getMimeEncoder().encodeToString(raw)
            + (random.nextBoolean() ? "\r\n.\r\n..\r\n.x\n\r" : "");
    String text = "X-Seq: " + i + "\r\nSubject: property " + i + "\r\n\r\n" + body;
    rig.mailbox.add("u" + i, text.getBytes(StandardCharsets.ISO_8859_1));
    return text;
  }
}
