package dev.mailfetch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the poller does with an account whose source can push. */
@Timeout(30)
class PollerPushTest {
  private static final String HOST = "imap.example.org";
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T09:00:00Z"));
  private final List<String> heard = Collections.synchronizedList(new ArrayList<>());
  private final PollListener listener =
      new PollListener() {
        @Override
        public void pushEnded(String account, String mailbox, FetchException why) {
          heard.add("ended " + account + " " + mailbox + " " + why.error());
        }
      };

  private Poller.Builder poller() {
    return Poller.builder().clock(clock).listener(listener);
  }

  private Fetcher fetcher(
      ScriptedServer server, ScriptedPush push, String account, InMemorySink sink) {
    return Fetcher.builder()
        .source(push.on(server.source(account)))
        .sink(sink)
        .uidStore(InMemoryUidStore.create())
        .clock(clock)
        .build();
  }

  @Test
  void mailPushed_isFetchedAtOnce_andTheRecordSaysPushed() {
    ScriptedServer server = new ScriptedServer();
    ScriptedPush push = new ScriptedPush("INBOX");
    InMemorySink sink = InMemorySink.create();
    try (Poller p = poller().executor(Runnable::run).build()) {
      p.add(fetcher(server, push, "alice", sink), HOST);
      assertEquals(1, push.open(), "one watch for the one mailbox");
      assertEquals(1, p.watches(HOST));
      server.arrive(2);
      push.arrive(); // long before the first scheduled check is due
      assertEquals(1, server.sessions.get());
      assertEquals(2, sink.size());
      CheckRecord r = p.history("alice").get(0);
      assertEquals(CheckRecord.Cause.PUSHED, r.cause());
      assertEquals(2, r.delivered());
      p.checkNow("alice").join();
      assertEquals(CheckRecord.Cause.ASKED, p.history("alice").get(1).cause());
    }
    assertEquals(0, push.open(), "closing the poller closes its watches");
  }

  @Test
  void aBurstMakesOneCheck_mailDuringACheckMakesOneAfterIt_neverTwoAtOnce() throws Exception {
    ScriptedServer server = new ScriptedServer();
    ScriptedPush push = new ScriptedPush("INBOX");
    InMemorySink sink = InMemorySink.create();
    try (Poller p = poller().build()) {
      p.add(fetcher(server, push, "bob", sink), HOST);
      CountDownLatch hold = new CountDownLatch(1);
      server.hold = hold;
      server.arrive(1);
      push.arrive();
      await(() -> server.sessions.get() == 1);
      server.arrive(1); // came after the running check listed
      for (int i = 0; i < 5; i++) {
        push.arrive();
      }
      server.hold = null;
      hold.countDown();
      await(() -> p.history("bob").size() == 2);
      Thread.sleep(200); // a third check would start now
      assertEquals(2, server.sessions.get(), "the burst made one check after the running one");
      assertEquals(1, server.mostOpen.get(), "never two sessions of one account");
      assertEquals(2, sink.size());
      for (CheckRecord r : p.history("bob")) {
        assertEquals(CheckRecord.Cause.PUSHED, r.cause());
      }
    }
  }

  @Test
  void watchesPerHostAreBounded_andAnAccountBeyondGetsTheRoomFreed() {
    ScriptedServer server = new ScriptedServer();
    List<ScriptedPush> pushes = new ArrayList<>();
    try (Poller p = poller().executor(Runnable::run).maxWatchesPerHost(3).build()) {
      for (int i = 0; i < 5; i++) {
        ScriptedPush push = new ScriptedPush("INBOX");
        pushes.add(push);
        p.add(fetcher(server, push, "user" + i, InMemorySink.create()), HOST);
      }
      ScriptedPush elsewhere = new ScriptedPush("INBOX", "Lists");
      p.add(fetcher(server, elsewhere, "other", InMemorySink.create()), "mail.example.net");
      assertEquals(3, p.watches(HOST));
      assertEquals(List.of(1, 1, 1, 0, 0), opened(pushes), "beyond the bound, accounts poll");
      assertEquals(2, elsewhere.open(), "another host has its own room; a watch per mailbox");
      assertEquals(2, p.watches("mail.example.net"));

      p.remove("user1");
      assertEquals(List.of(1, 0, 1, 1, 0), open(pushes), "the first waiting account got the room");
      pushes.get(0).end(new FetchException(FetchError.SERVER_PERMANENT, "no IDLE here"));
      assertEquals(List.of(0, 0, 1, 1, 1), open(pushes));
      assertEquals(3, p.watches(HOST));
      assertEquals(List.of("ended user0 INBOX SERVER_PERMANENT"), heard);
    }
  }

  @Test
  void pushThatEnded_leavesTheSchedule_andIsTriedAgainAfterACheckThatWorked() {
    ScriptedServer server = new ScriptedServer();
    ScriptedPush push = new ScriptedPush("INBOX");
    try (Poller p = poller().executor(Runnable::run).build()) {
      p.add(fetcher(server, push, "carol", InMemorySink.create()), HOST);
      push.end(new FetchException(FetchError.CONNECTION_RESET, "kept failing"));
      assertEquals(0, p.watches(HOST));
      clock.set(p.status("carol").next().orElseThrow());
      p.tick();
      assertEquals(1, server.sessions.get(), "the schedule goes on");
      assertEquals(1, push.opened(), "not tried again at once");
      clock.advance(PushWatches.RETRY_AFTER);
      p.checkNow("carol").join();
      assertEquals(2, push.opened(), "tried again after a check that worked");
      assertEquals(1, p.watches(HOST));
    }
  }

  @Test
  void pushTurnedOff_opensNoWatch() {
    ScriptedServer server = new ScriptedServer();
    ScriptedPush push = new ScriptedPush("INBOX");
    try (Poller p = poller().executor(Runnable::run).push(false).build()) {
      p.add(fetcher(server, push, "dave", InMemorySink.create()), HOST);
      assertEquals(0, push.opened());
      assertEquals(0, p.watches(HOST));
    }
  }

  private static List<Integer> opened(List<ScriptedPush> pushes) {
    return pushes.stream().map(ScriptedPush::opened).toList();
  }

  private static List<Integer> open(List<ScriptedPush> pushes) {
    return pushes.stream().map(ScriptedPush::open).toList();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out");
      Thread.sleep(5);
    }
  }
}
