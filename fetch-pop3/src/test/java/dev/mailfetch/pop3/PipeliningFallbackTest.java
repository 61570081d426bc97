package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.Fault;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Quirk Q21 past the listing: a server whose listing pipelines fine but which stalls on, or drops,
 * RETRs or DELEs queued behind another. The same run connects again, one command at a time, and
 * finishes: every message stored byte for byte, and, deleting, every one deleted (the old
 * connection's DELEs are void without its QUIT, so they are sent again). Each case runs several
 * times ({@code -Dmailfetch.q21.repeat=20}), as whether the server sees commands together is
 * timing.
 */
@Timeout(600)
class PipeliningFallbackTest {
  private static final String PASSWORD = "pw";

  @TestFactory
  Stream<DynamicTest> Q21_aPipelinedRetrievalOrDeletion_leftUnanswered_fallsBackWithinTheRun() {
    int times = Integer.getInteger("mailfetch.q21.repeat", 2);
    List<DynamicTest> tests = new ArrayList<>();
    for (Quirk q : List.of(Quirk.Q21_PIPELINING_DROPS_QUEUED, Quirk.Q21_PIPELINING_STALLS)) {
      for (String verb : List.of("RETR", "DELE")) {
        IntStream.rangeClosed(1, times)
            .forEach(
                i ->
                    tests.add(
                        DynamicTest.dynamicTest(
                            q.name() + " at " + verb + " #" + i, () -> run(q, verb))));
      }
    }
    return tests.stream();
  }

  /**
   * In keep mode the session ends with STAT and RSET sent together, then QUIT once RSET is
   * answered: a server silent after STAT's answer gets no QUIT, which commits nothing (where RETR
   * marks, Q31, QUIT would remove what RSET did not unmark), and is not sent pipelined commands
   * again (RFC 2449 P6).
   */
  @Test
  void theRsetSentWithStat_leftUnanswered_endsWithoutQuit_keepingEveryMessage() {
    try (FakePop3Server server =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(41, 4).toMailbox())
            .fault(Fault.stallAtCommand("RSET", 1, Duration.ofSeconds(20)))
            .start()) {
      Pop3Source source = source(server);
      InMemoryUidStore store = InMemoryUidStore.create();
      InMemorySink sink = InMemorySink.create();
      FetchResult r = Pop3SourceTest.fetch(source, sink, store, Retention.KEEP);
      assertEquals(4, r.count(MessageOutcome.Kind.DELIVERED), r::summary);
      server.awaitSessionsEnded(Duration.ofSeconds(30));
      assertEquals(4, server.mailbox("alice").size(), "every message still on the server");
      List<String> lines = server.session(1).commandLines();
      assertTrue(lines.contains("RSET"), lines::toString);
      assertFalse(lines.contains("QUIT"), "no QUIT without RSET's answer: " + lines);
      assertTrue(r.quirks().contains(QuirkId.Q21), () -> r.quirks().toString());
      FetchResult again = Pop3SourceTest.fetch(source, sink, store, Retention.KEEP);
      assertEquals(4, again.count(MessageOutcome.Kind.ALREADY_SEEN), again::summary);
      assertEquals(4, sink.messages().size(), "each message stored once");
    }
  }

  private static Pop3Source source(FakePop3Server server) {
    return Pop3Source.builder()
        .host("localhost")
        .port(server.port())
        .security(Security.NONE)
        .allowPlaintextAuthentication(true)
        .user("alice")
        .password(() -> PASSWORD)
        .limits(
            Pop3Limits.builder()
                .readTimeout(Duration.ofSeconds(2))
                .commandTimeout(Duration.ofSeconds(10))
                .build())
        .build();
  }

  private static void run(Quirk quirk, String verb) throws Exception {
    FakeMailbox box = MailCorpus.generate(41, 9).toMailbox();
    try (FakePop3Server server =
        FakePop3Server.builder()
            .account("alice", PASSWORD, box)
            .quirk(quirk)
            .pipeliningFaultsOnlyAt(verb)
            .start()) {
      List<String> want = new ArrayList<>();
      for (FakeMailbox.Message m : server.mailbox("alice").messages()) {
        want.add(new String(m.content(), StandardCharsets.ISO_8859_1));
      }
      Pop3Source source = source(server);
      InMemorySink sink = InMemorySink.create();
      long t0 = System.nanoTime();
      FetchResult r =
          Fetcher.builder()
              .source(source)
              .sink(sink)
              .uidStore(InMemoryUidStore.create())
              .retention(Retention.DELETE_AFTER_DELIVERY)
              .batchSize(3)
              .build()
              .run();
      long took = Duration.ofNanos(System.nanoTime() - t0).toSeconds();
      assertTrue(r.ok(), () -> quirk + " at " + verb + ": " + r.summary());
      assertEquals(9, r.count(MessageOutcome.Kind.DELIVERED), r::summary);
      List<String> got = new ArrayList<>();
      for (InMemorySink.StoredMessage m : sink.messages()) {
        got.add(new String(m.content(), StandardCharsets.ISO_8859_1));
      }
      want.sort(null);
      got.sort(null);
      assertEquals(want, got, "every message byte for byte, once");
      server.awaitSessionsEnded(Duration.ofSeconds(30));
      assertEquals(
          0,
          server.mailbox("alice").size(),
          "every message deleted in the same run: " + r.summary());
      assertTrue(took < 60, "one fallback, not a wait per command: " + took + " s");
    }
  }
}
