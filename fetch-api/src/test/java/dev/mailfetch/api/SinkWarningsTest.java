package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a sink warns of ({@link MessageSink#takeWarnings}) reaches the run's result, once. */
class SinkWarningsTest {
  @Test
  void aSinksWarning_reachesTheResult_afterTheLastSync_andOnlyOnce() {
    FetchException altered =
        new FetchException(
            FetchError.SINK_ALTERED, "the server stored 1 message with its header changed");
    Rig rig = new Rig().withMessages(2);
    List<String> calls = new ArrayList<>();
    MessageSink sink =
        new ForwardingMessageSink(rig.sink) {
          private boolean said;

          @Override
          public void sync() throws IOException {
            calls.add("sync");
            super.sync();
          }

          @Override
          public List<FetchException> takeWarnings() {
            calls.add("take");
            if (said) {
              return List.of();
            }
            said = true;
            return List.of(altered);
          }
        };
    FetchResult first = run(rig, sink);
    assertEquals(2, first.count(MessageOutcome.Kind.DELIVERED), first.summary());
    assertEquals(List.of(altered), first.warnings());
    assertEquals(FetchResult.Status.WARNING, first.status());
    assertTrue(calls.contains("sync"), calls.toString());
    assertEquals("take", calls.get(calls.size() - 1), "taken after the last sync: " + calls);
    assertEquals(1, calls.stream().filter("take"::equals).count(), calls.toString());

    FetchResult second = run(rig, sink);
    assertTrue(second.warnings().isEmpty(), second.warnings().toString());
    assertEquals(FetchResult.Status.OK, second.status());
  }

  @Test
  void aSinkThatFailsToSayItsWarnings_failsNoRun() {
    Rig rig = new Rig().withMessages(1);
    MessageSink sink =
        new ForwardingMessageSink(rig.sink) {
          @Override
          public List<FetchException> takeWarnings() {
            throw new IllegalStateException("a bug in the sink");
          }
        };
    FetchResult r = run(rig, sink);
    assertEquals(1, r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    assertEquals(FetchResult.Status.OK, r.status(), r.summary());
  }

  private static FetchResult run(Rig rig, MessageSink sink) {
    return Fetcher.builder()
        .source(rig.mailbox.source(Rig.ACCOUNT))
        .sink(sink)
        .uidStore(rig.store)
        .clock(rig.clock)
        .build()
        .run();
  }
}
