package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.Fault;
import dev.mailfetch.testkit.MailCorpus;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Quirk Q43: a server that drops a session idle for a short while (Outlook.com: about 60 s) must
 * not cost a fetch whose sink takes that long to make its deliveries durable. The server here drops
 * after 1 s, the sink's barrier takes 2.5 s.
 */
@Timeout(60)
class KeepAliveTest {
  private static final Duration SERVER_IDLE = Duration.ofSeconds(1);
  private static final long SLOW_SYNC_MILLIS = 2_500;

  /** A sink whose {@code sync()} is as slow as a database commit on a loaded machine. */
  private static final class SlowSyncSink implements MessageSink {
    final InMemorySink inner = InMemorySink.create();

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
      try {
        Thread.sleep(SLOW_SYNC_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      inner.sync();
    }

    @Override
    public void close() {}
  }

  private static FetchResult fetch(FakePop3Server s, Duration keepAlive, SlowSyncSink sink) {
    Pop3Source source =
        Pop3SourceTest.client(s, Security.NONE, Pop3Limits.builder().keepAliveInterval(keepAlive))
            .build();
    return Fetcher.builder()
        .source(source)
        .sink(sink)
        .uidStore(InMemoryUidStore.create())
        .retention(Retention.DELETE_AFTER_DELIVERY)
        .batchSize(20)
        .build()
        .run();
  }

  @Test
  void Q43_noopKeepsTheSessionAlive_whileASlowSinkSyncs_soDeletionsHold() {
    try (FakePop3Server s =
        Pop3SourceTest.server(MailCorpus.generate(43, 3).toMailbox())
            .fault(Fault.idleTimeout(SERVER_IDLE))
            .start()) {
      SlowSyncSink sink = new SlowSyncSink();
      FetchResult r = fetch(s, Duration.ofMillis(300), sink);
      assertTrue(r.ok(), r::summary);
      assertEquals(3, r.count(MessageOutcome.Kind.DELIVERED));
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(0, s.mailbox("alice").size(), "every delivered message deleted");
      assertTrue(
          s.session(1).commands("NOOP").size() >= 3,
          "NOOPs sent during the 2.5 s barrier: " + s.session(1).commands("NOOP").size());
      assertEquals(3, s.session(1).commands("DELE").size());
    }
  }

  /**
   * The same with two batches: during the first barrier the second batch's RETRs are already in
   * flight (requested ahead), so the keepalive NOOPs queue behind them, and their answers come
   * after those messages. Everything must still arrive whole, once, and be deleted.
   */
  @Test
  void Q43_noopsBehindRetrsSentAhead_areReadInTheirPlace_andEveryMessageArrivesOnce() {
    MailCorpus corpus = MailCorpus.generate(44, 8);
    try (FakePop3Server s =
        Pop3SourceTest.server(corpus.toMailbox()).fault(Fault.idleTimeout(SERVER_IDLE)).start()) {
      List<String> commands = fetchInBatchesOfFour(s, corpus);
      assertTrue(
          commands.indexOf("NOOP") > commands.indexOf("RETR 8"),
          "the keepalive NOOPs came after the RETRs sent ahead: " + commands);
    }
  }

  /**
   * The same when the RETRs in flight reach several batches ahead (the window is 128 requests, the
   * batches 4 messages): keepalive NOOPs sent during the first barrier sit behind RETR 12, those of
   * the second barrier behind them, and each is read where the server answers it, two batches on.
   */
  @Test
  void Q43_noopsBehindRetrsSentSeveralBatchesAhead_areReadInTheirPlace() {
    MailCorpus corpus = MailCorpus.generate(45, 12);
    try (FakePop3Server s =
        Pop3SourceTest.server(corpus.toMailbox()).fault(Fault.idleTimeout(SERVER_IDLE)).start()) {
      List<String> commands = fetchInBatchesOfFour(s, corpus);
      assertTrue(
          commands.indexOf("NOOP") > commands.indexOf("RETR 12"),
          "every RETR was sent before the first barrier, the keepalive NOOPs after them: "
              + commands);
      assertTrue(
          s.session(1).commands("NOOP").size() >= 4, "NOOPs in two barriers at least: " + commands);
      assertTrue(commands.contains("QUIT"), "the session ended with QUIT: " + commands);
    }
  }

  /**
   * Fetches {@code corpus} with a slow barrier after every 4 messages and checks that every message
   * arrived whole, once, and was deleted; returns the session's commands.
   */
  private static List<String> fetchInBatchesOfFour(FakePop3Server s, MailCorpus corpus) {
    SlowSyncSink sink = new SlowSyncSink();
    Pop3Source source =
        Pop3SourceTest.client(
                s, Security.NONE, Pop3Limits.builder().keepAliveInterval(Duration.ofMillis(300)))
            .build();
    FetchResult r =
        Fetcher.builder()
            .source(source)
            .sink(sink)
            .uidStore(InMemoryUidStore.create())
            .retention(Retention.DELETE_AFTER_DELIVERY)
            .batchSize(4)
            .build()
            .run();
    assertTrue(r.ok(), r::summary);
    int n = corpus.messages().size();
    assertEquals(n, r.count(MessageOutcome.Kind.DELIVERED));
    Map<String, byte[]> got = Pop3SourceTest.byUid(sink.inner);
    for (MailCorpus.Message m : corpus.messages()) {
      Assertions.assertArrayEquals(m.content(), got.get(m.uid()), m.uid());
    }
    s.awaitSessionsEnded(Duration.ofSeconds(5));
    assertEquals(n, s.session(1).commands("RETR").size(), "each message requested once");
    assertEquals(0, s.mailbox("alice").size(), "every delivered message deleted");
    return s.session(1).commandLines();
  }

  @Test
  void Q43_withoutKeepAlive_theDroppedSessionLosesNothing_andTheRunSaysSo() {
    try (FakePop3Server s =
        Pop3SourceTest.server(MailCorpus.generate(43, 3).toMailbox())
            .fault(Fault.idleTimeout(SERVER_IDLE))
            .start()) {
      SlowSyncSink sink = new SlowSyncSink();
      FetchResult r = fetch(s, Duration.ofHours(1), sink);
      assertFalse(r.ok(), "a dropped session is reported: " + r.summary());
      assertEquals(3, sink.inner.size(), "delivered before the drop");
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(3, s.mailbox("alice").size(), "nothing deleted without a confirmed session");
    }
  }
}
