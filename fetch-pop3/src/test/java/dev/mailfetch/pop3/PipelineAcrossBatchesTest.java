package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchLimits;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.RecordedSession;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine tells the source its next batch, and a pipelining session requests it before the
 * engine's barrier for this one, so that the pipeline never runs dry between batches (latency over
 * a slow link, docs/benchmarks.md). What was requested ahead is read by the next retrieve; if the
 * engine does something else first, the session is dropped without QUIT (a server that forgets
 * retrieved mail at QUIT, quirk Q31, must not forget mail never stored). No message is lost,
 * doubled or deleted unstored.
 */
@Timeout(60)
class PipelineAcrossBatchesTest {

  /** A sink that looks at the server at each sync, and may fail the first one. */
  private static final class WatchingSink implements MessageSink {
    final InMemorySink inner = InMemorySink.create();
    final List<List<String>> commandsAtSync = new ArrayList<>();
    Supplier<List<String>> commands;

    /** The command expected to have reached the server by the first barrier. */
    String expectedAhead = "RETR 5";

    boolean failFirstSync;

    @Override
    public Delivery begin(Envelope envelope) throws IOException {
      return inner.begin(envelope);
    }

    @Override
    public boolean contains(DeliveryKey key) throws IOException {
      return inner.contains(key);
    }

    @Override
    public void sync() throws IOException {
      // The RETRs sent ahead reach the server within moments; give them that, not more.
      long until = System.nanoTime() + 2_000_000_000L;
      List<String> seen = commands.get();
      while (expectedAhead != null && System.nanoTime() < until && !seen.contains(expectedAhead)) {
        sleep(5);
        seen = commands.get();
      }
      commandsAtSync.add(seen);
      if (failFirstSync && commandsAtSync.size() == 1) {
        throw new IOException("disk full (test)");
      }
      inner.sync();
    }

    @Override
    public void close() {}
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Supplier<List<String>> commandsOf(FakePop3Server s) {
    return () -> s.sessions().isEmpty() ? List.of() : s.lastSession().orElseThrow().commandLines();
  }

  @Test
  void theNextBatchIsRequested_beforeThisBatchsBarrier_andEveryMessageArrivesOnce() {
    MailCorpus corpus = MailCorpus.generate(8, 10);
    try (FakePop3Server s = Pop3SourceTest.server(corpus.toMailbox()).start()) {
      WatchingSink sink = new WatchingSink();
      sink.commands = commandsOf(s);
      FetchResult r =
          Fetcher.builder()
              .source(Pop3SourceTest.client(s, Security.NONE).build())
              .sink(sink)
              .uidStore(InMemoryUidStore.create())
              .retention(Retention.DELETE_AFTER_DELIVERY)
              .batchSize(4)
              .build()
              .run();

      assertTrue(r.ok(), r::summary);
      assertEquals(10, r.count(MessageOutcome.Kind.DELIVERED));
      assertTrue(
          sink.commandsAtSync.get(0).contains("RETR 5"),
          "the second batch was requested before the first one's barrier: "
              + sink.commandsAtSync.get(0));
      assertFalse(
          sink.commandsAtSync.get(0).stream().anyMatch(c -> c.startsWith("DELE")),
          "nothing deleted before its barrier");
      Map<String, byte[]> got = Pop3SourceTest.byUid(sink.inner);
      for (MailCorpus.Message m : corpus.messages()) {
        assertArrayEquals(m.content(), got.get(m.uid()), m.uid());
      }
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      RecordedSession session = s.session(1);
      assertEquals(
          10,
          session.commands("RETR").size(),
          "each message requested once: " + session.commandLines());
      assertEquals(1, session.commands("NOOP").size(), "one closing NOOP, not one per batch");
      assertEquals(10, session.commands("DELE").size());
      assertEquals(0, s.mailbox("alice").size());
    }
  }

  /**
   * The window of RETRs (128) is not cut at the next batch: with batches of 4, every message of a
   * 10-message run is requested before the first barrier, so a run of small batches keeps as many
   * requests in flight as one big batch (at 10 ms, batches of 50 had cost a round trip each).
   */
  @Test
  void theWindowSpansSeveralBatches_soSmallBatchesKeepItFull() {
    MailCorpus corpus = MailCorpus.generate(10, 10);
    try (FakePop3Server s = Pop3SourceTest.server(corpus.toMailbox()).start()) {
      WatchingSink sink = new WatchingSink();
      sink.commands = commandsOf(s);
      sink.expectedAhead = "RETR 10";
      FetchResult r =
          Fetcher.builder()
              .source(Pop3SourceTest.client(s, Security.NONE).build())
              .sink(sink)
              .uidStore(InMemoryUidStore.create())
              .retention(Retention.DELETE_AFTER_DELIVERY)
              .batchSize(4)
              .build()
              .run();

      assertTrue(r.ok(), r::summary);
      assertTrue(
          sink.commandsAtSync.get(0).contains("RETR 10"),
          "the third batch was requested before the first one's barrier: "
              + sink.commandsAtSync.get(0));
      assertEquals(3, sink.commandsAtSync.size(), "three barriers");
      Map<String, byte[]> got = Pop3SourceTest.byUid(sink.inner);
      assertEquals(10, got.size());
      for (MailCorpus.Message m : corpus.messages()) {
        assertArrayEquals(m.content(), got.get(m.uid()), m.uid());
      }
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      RecordedSession session = s.session(1);
      assertEquals(
          10,
          session.commands("RETR").size(),
          "each message requested once: " + session.commandLines());
      assertEquals(1, session.commands("NOOP").size(), "one closing NOOP");
      assertEquals(10, session.commands("DELE").size());
      assertEquals(0, s.mailbox("alice").size());
    }
  }

  /**
   * The run's closing NOOP goes out in the write of its last RETR, not once the engine comes to the
   * last batch: its answer travels while the last messages are read instead of a round trip after
   * them. Here every RETR and the NOOP are in flight before the first barrier, and the NOOP, the
   * proof that message 10 ended where its terminator said, is sent and read once.
   */
  @Test
  void theClosingNoop_goesOutWithTheLastRetr_beforeTheFirstBarrier() {
    MailCorpus corpus = MailCorpus.generate(12, 10);
    try (FakePop3Server s = Pop3SourceTest.server(corpus.toMailbox()).start()) {
      WatchingSink sink = new WatchingSink();
      sink.commands = commandsOf(s);
      sink.expectedAhead = "NOOP";
      FetchResult r =
          Fetcher.builder()
              .source(Pop3SourceTest.client(s, Security.NONE).build())
              .sink(sink)
              .uidStore(InMemoryUidStore.create())
              .retention(Retention.KEEP)
              .batchSize(4)
              .build()
              .run();

      assertTrue(r.ok(), r::summary);
      assertEquals(10, r.count(MessageOutcome.Kind.DELIVERED));
      List<String> atFirstBarrier = sink.commandsAtSync.get(0);
      assertEquals(
          atFirstBarrier.indexOf("RETR 10") + 1,
          atFirstBarrier.indexOf("NOOP"),
          "the NOOP right behind the last RETR, before the first barrier: " + atFirstBarrier);
      Map<String, byte[]> got = Pop3SourceTest.byUid(sink.inner);
      for (MailCorpus.Message m : corpus.messages()) {
        assertArrayEquals(m.content(), got.get(m.uid()), m.uid());
      }
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      List<String> lines = s.session(1).commandLines();
      assertEquals(1, s.session(1).commands("NOOP").size(), "one closing NOOP: " + lines);
      assertEquals(
          List.of("NOOP", "STAT", "RSET", "QUIT"),
          lines.subList(lines.size() - 4, lines.size()),
          "kept mail: the session ends as before, RSET before QUIT");
      assertEquals(10, s.mailbox("alice").size());
    }
  }

  @Test
  void aRunThatStopsAtABarrier_dropsTheSessionWithoutQuit_soNothingRequestedAheadIsForgotten() {
    MailCorpus corpus = MailCorpus.generate(9, 11);
    try (FakePop3Server s = Pop3SourceTest.server(corpus.toMailbox()).start()) {
      // A first run stores the first three; the other eight are new to the second.
      InMemoryUidStore store = InMemoryUidStore.create();
      InMemorySink kept = InMemorySink.create();
      Pop3Source source = Pop3SourceTest.client(s, Security.NONE).build();
      FetchResult first =
          Fetcher.builder()
              .source(source)
              .sink(kept)
              .uidStore(store)
              .retention(Retention.KEEP)
              .limits(FetchLimits.builder().maxMessagesPerRun(3).build())
              .build()
              .run();
      assertEquals(3, first.count(MessageOutcome.Kind.DELIVERED), first::summary);

      WatchingSink sink = new WatchingSink();
      sink.commands = commandsOf(s);
      sink.failFirstSync = true;
      sink.expectedAhead = "RETR 8";
      FetchResult r =
          Fetcher.builder()
              .source(source)
              .sink(sink)
              .uidStore(store)
              .retention(Retention.DELETE_AFTER_DELIVERY)
              .batchSize(4)
              .build()
              .run();

      assertEquals(FetchError.SINK_FAILED, r.error().orElseThrow().error(), r::summary);
      assertTrue(
          sink.commandsAtSync.get(0).contains("RETR 8"),
          "the second batch had been requested ahead");
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      RecordedSession session = s.lastSession().orElseThrow();
      assertFalse(
          session.commandLines().contains("QUIT"),
          "no QUIT after messages requested ahead: " + session.commandLines());
      assertFalse(session.commandLines().stream().anyMatch(c -> c.startsWith("DELE")));
      assertEquals(0, r.deleted());
      assertEquals(11, s.mailbox("alice").size(), "nothing deleted, nothing forgotten");

      // The next run, with a sink that works, finishes the job: every message stored once, all
      // deleted.
      sink.expectedAhead = null;
      FetchResult next =
          Fetcher.builder()
              .source(source)
              .sink(sink)
              .uidStore(store)
              .retention(Retention.DELETE_AFTER_DELIVERY)
              .batchSize(4)
              .build()
              .run();
      assertTrue(next.ok(), next::summary);
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(0, s.mailbox("alice").size());
      Map<String, byte[]> got = Pop3SourceTest.byUid(kept);
      got.putAll(Pop3SourceTest.byUid(sink.inner));
      assertEquals(11, kept.size() + sink.inner.size(), "each message once");
      for (MailCorpus.Message m : corpus.messages()) {
        assertArrayEquals(m.content(), got.get(m.uid()), m.uid());
      }
    }
  }
}
