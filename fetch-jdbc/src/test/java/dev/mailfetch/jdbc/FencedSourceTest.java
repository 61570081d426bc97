package dev.mailfetch.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.RecordedSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A source fenced by a lease opens no session, sends no DELE and no QUIT once the lease is not
 * sure: an instance paused past its lease deletes nothing the new holder did not decide. Against
 * the testkit's POP3 server, which records every command.
 */
class FencedSourceTest {
  private static final String PW = "secret";
  private FakePop3Server server;

  @BeforeEach
  void start() {
    server =
        FakePop3Server.builder()
            .account("alice", PW, MailCorpus.generate(7, 3).toMailbox())
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A hold that says the lease is sure for its first {@code sureCalls} questions, then not. */
  private static FencedSource.Hold sureFor(int sureCalls, List<String> asked) {
    AtomicInteger n = new AtomicInteger();
    return () -> {
      asked.add("asked");
      if (n.incrementAndGet() > sureCalls) {
        throw new FetchException(FetchError.LOCKED, "the lease of alice is not sure any more");
      }
    };
  }

  private FetchResult run(FencedSource.Hold hold) {
    Pop3Source pop3 =
        Pop3Source.builder()
            .host("127.0.0.1")
            .port(server.port())
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .user("alice")
            .password(() -> PW)
            .build();
    return Fetcher.builder()
        .source(FencedSource.of(pop3, hold))
        .sink(InMemorySink.create())
        .uidStore(InMemoryUidStore.create())
        .retention(Retention.DELETE_AFTER_DELIVERY)
        .build()
        .run();
  }

  private List<String> verbs() {
    server.awaitSessionsEnded(Duration.ofSeconds(5));
    List<String> out = new ArrayList<>();
    for (RecordedSession s : server.sessions()) {
      for (String line : s.commandLines()) {
        out.add(line.split(" ")[0]);
      }
    }
    return out;
  }

  @Test
  void whileTheLeaseIsSure_theRunDeletesAsAlways() {
    List<String> asked = new ArrayList<>();
    FetchResult r = run(sureFor(Integer.MAX_VALUE, asked));
    assertTrue(r.ok(), r.summary());
    assertEquals(3, r.count(MessageOutcome.Kind.DELIVERED));
    assertEquals(0, server.mailbox("alice").size(), "deleted");
    assertEquals(3, asked.size(), "asked before the session, the deletions and the QUIT");
  }

  @Test
  void unsureBeforeTheSession_opensNone_andSaysLocked() {
    FetchResult r = run(sureFor(0, new ArrayList<>()));
    assertEquals(FetchError.LOCKED, r.firstError().orElseThrow().error(), r.summary());
    assertEquals(List.of(), server.sessions(), "no session opened");
    assertEquals(3, server.mailbox("alice").size());
  }

  @Test
  void unsureBeforeTheDeletions_sendsNoDele_andNoQuit() {
    FetchResult r = run(sureFor(1, new ArrayList<>()));
    assertEquals(3, r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    assertEquals(FetchError.LOCKED, r.firstError().orElseThrow().error(), r.summary());
    List<String> verbs = verbs();
    assertFalse(verbs.contains("DELE"), verbs.toString());
    assertFalse(verbs.contains("QUIT"), verbs.toString());
    assertEquals(3, server.mailbox("alice").size(), "every message still on the server");
  }

  @Test
  void unsureBeforeTheQuit_endsWithoutQuit_soTheDelesAreNotCommitted() {
    FetchResult r = run(sureFor(2, new ArrayList<>()));
    assertEquals(3, r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    List<String> verbs = verbs();
    assertTrue(verbs.contains("DELE"), verbs.toString());
    assertFalse(verbs.contains("QUIT"), verbs.toString());
    assertEquals(3, server.mailbox("alice").size(), "a POP3 session without QUIT deletes nothing");
    assertTrue(
        r.warnings().stream().anyMatch(w -> w.error() == FetchError.DELETION_UNCONFIRMED),
        "the deletions are said unconfirmed: " + r.warnings());
  }
}
