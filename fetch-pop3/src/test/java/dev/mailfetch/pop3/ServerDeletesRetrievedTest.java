package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import dev.mailfetch.testkit.RecordedCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Quirk Q31, servers that delete what was retrieved: in keep mode mail must not vanish in silence.
 * Where RSET helps (RETR marks, MercuryP) it is sent and nothing vanishes; where nothing helps (the
 * server removes at QUIT whatever was retrieved) the run says so, and a message that was not stored
 * is kept by ending without QUIT. In delete mode, a DELE refused as "already deleted" is the
 * deletion asked for, not a false "it stays on the server".
 */
@Timeout(60)
class ServerDeletesRetrievedTest {
  private static final String PASSWORD = "pw";

  private static Pop3Source source(FakePop3Server s) {
    return Pop3Source.builder()
        .host("localhost")
        .port(s.port())
        .security(Security.NONE)
        .allowPlaintextAuthentication(true)
        .user("alice")
        .password(() -> PASSWORD)
        .limits(
            Pop3Limits.builder()
                .readTimeout(Duration.ofSeconds(5))
                .commandTimeout(Duration.ofSeconds(5))
                .build())
        .build();
  }

  private static FakePop3Server server(Quirk q) {
    return FakePop3Server.builder()
        .account("alice", PASSWORD, MailCorpus.generate(31, 3).toMailbox())
        .quirk(q)
        .start();
  }

  private static FetchResult run(
      FakePop3Server s, MessageSink sink, InMemoryUidStore store, Retention retention) {
    FetchResult r =
        Fetcher.builder()
            .source(source(s))
            .sink(sink)
            .uidStore(store)
            .retention(retention)
            .build()
            .run();
    s.awaitSessionsEnded(Duration.ofSeconds(10));
    return r;
  }

  @Test
  void Q31_RETR_MARKS_DELETED_keep_everyMessageStaysOnTheServer_asRsetUndoesTheMarks() {
    try (FakePop3Server s = server(Quirk.Q31_RETR_MARKS_DELETED)) {
      InMemoryUidStore store = InMemoryUidStore.create();
      FetchResult first = run(s, InMemorySink.create(), store, Retention.KEEP);
      assertEquals(3, first.count(MessageOutcome.Kind.DELIVERED), first::summary);
      assertEquals(List.of(), first.warnings());
      assertEquals(3, s.mailbox("alice").size(), "kept on the server");
      List<String> lines = s.session(1).commandLines();
      assertTrue(
          lines.contains("RSET") && lines.indexOf("RSET") < lines.indexOf("QUIT"), lines::toString);
      assertTrue(first.quirks().contains(QuirkId.Q31), () -> first.quirks().toString());
      FetchResult second = run(s, InMemorySink.create(), store, Retention.KEEP);
      assertEquals(3, second.listed(), second::summary);
      assertEquals(3, second.count(MessageOutcome.Kind.ALREADY_SEEN), second::summary);
      assertFalse(
          s.session(2).commandLines().contains("RSET"), "nothing retrieved, nothing to undo");
    }
  }

  @Test
  void Q31_RETR_MARKS_DELETED_keep_onAServerThatPipelines_statAndRsetGoTogether_quitWaitsForRset() {
    for (boolean pipelining : List.of(true, false)) {
      try (FakePop3Server s =
          FakePop3Server.builder()
              .account("alice", PASSWORD, MailCorpus.generate(31, 3).toMailbox())
              .quirk(Quirk.Q31_RETR_MARKS_DELETED)
              .pipelining(pipelining)
              .replyDelay(Duration.ofMillis(20)) // what went out before an answer shows
              .start()) {
        FetchResult r = run(s, InMemorySink.create(), InMemoryUidStore.create(), Retention.KEEP);
        assertEquals(3, r.count(MessageOutcome.Kind.DELIVERED), r::summary);
        assertEquals(3, s.mailbox("alice").size(), "kept on the server");
        assertTrue(r.quirks().contains(QuirkId.Q31), "STAT's count still read");
        List<RecordedCommand> all = s.session(1).commands();
        List<RecordedCommand> end = all.subList(all.size() - 3, all.size());
        assertEquals(
            List.of("STAT", "RSET", "QUIT"),
            end.stream().map(RecordedCommand::verb).toList(),
            all::toString);
        assertEquals(pipelining, end.get(1).pipelined(), "RSET sent with STAT: " + end);
        assertFalse(end.get(2).pipelined(), "QUIT only after RSET's answer: " + end);
      }
    }
  }

  @Test
  void Q31_RETR_MARKS_DELETED_delete_aDeleAnsweredAlreadyDeleted_isADeletion_notARefusal() {
    try (FakePop3Server s = server(Quirk.Q31_RETR_MARKS_DELETED)) {
      FetchResult r =
          run(s, InMemorySink.create(), InMemoryUidStore.create(), Retention.DELETE_AFTER_DELIVERY);
      assertTrue(r.ok(), r::summary);
      assertEquals(List.of(), r.warnings(), "no false \"stays on the server\"");
      assertEquals(0, r.deletionsRefused());
      assertEquals(3, r.deleted(), r::summary);
      assertEquals(0, s.mailbox("alice").size());
    }
  }

  @Test
  void Q31_AUTO_DELETE_ON_RETR_keep_isAPolicyWarning_namingWhatTheServerRemoved() {
    try (FakePop3Server s = server(Quirk.Q31_AUTO_DELETE_ON_RETR)) {
      FetchResult r = run(s, InMemorySink.create(), InMemoryUidStore.create(), Retention.KEEP);
      assertEquals(3, r.count(MessageOutcome.Kind.DELIVERED), r::summary);
      assertEquals(FetchResult.Status.WARNING, r.status(), r::summary);
      assertEquals(1, r.warnings().size(), () -> r.warnings().toString());
      FetchException w = r.warnings().get(0);
      assertEquals(FetchError.POLICY, w.error(), w.getMessage());
      assertTrue(
          w.detail().contains("3 messages deleted") && w.detail().contains("messages 1, 2 and 3"),
          w.detail());
      assertTrue(
          w.remedy().commandLine().contains("--delete")
              && w.remedy().commandLine().contains("doctor --deep"),
          w.remedy().commandLine());
      assertTrue(
          w.remedy().library().contains("Retention.DELETE_AFTER_DELIVERY"), w.remedy().library());
    }
  }

  @Test
  void Q31_AUTO_DELETE_ON_RETR_keep_aMessageNotStored_staysOnTheServer() {
    try (FakePop3Server s = server(Quirk.Q31_AUTO_DELETE_ON_RETR)) {
      String refused = new ArrayList<>(s.mailbox("alice").uids()).get(1);
      FetchResult r = run(s, new RefusingSink(refused), InMemoryUidStore.create(), Retention.KEEP);
      assertEquals(1, r.count(MessageOutcome.Kind.FAILED), r::summary);
      assertTrue(
          s.mailbox("alice").uids().contains(refused),
          "the message not stored is still on the server");
      assertFalse(
          s.session(1).commandLines().contains("QUIT"),
          "ended without QUIT, which commits nothing");
    }
  }

  @Test
  void anOrdinaryServer_delete_getsNoRset() {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(31, 3).toMailbox())
            .start()) {
      FetchResult r =
          run(s, InMemorySink.create(), InMemoryUidStore.create(), Retention.DELETE_AFTER_DELIVERY);
      assertTrue(r.ok(), r::summary);
      assertFalse(
          s.session(1).commandLines().contains("RSET"),
          () -> s.session(1).commandLines().toString());
    }
  }

  /** A sink that cannot store one message (by its UID), as a full disk refuses one. */
  private static final class RefusingSink implements MessageSink {
    private final InMemorySink inner = InMemorySink.create();
    private final String refused;

    RefusingSink(String refused) {
      this.refused = refused;
    }

    @Override
    public Delivery begin(Envelope envelope) throws IOException {
      if (refused.equals(envelope.uid())) {
        throw new IOException(
            "the destination refused this message (test)"); // its own failure: the run goes on
      }
      return inner.begin(envelope);
    }

    @Override
    public boolean contains(DeliveryKey key) throws IOException {
      return inner.contains(key);
    }

    @Override
    public void sync() throws IOException {
      inner.sync();
    }

    @Override
    public void close() {}
  }
}
