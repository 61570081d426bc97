package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.PollSchedule;
import dev.mailfetch.poll.Poller;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapRecordedSession;
import dev.mailfetch.testkit.imap.ImapSeed;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 500 accounts on two servers in one JVM, each with IDLE: the watch connections each server holds
 * (counted by the server) never pass the poller's bound per host, also while the servers drop every
 * IDLE at once and the watches come back; the accounts beyond the bound are polled; threads and
 * heap are measured.
 */
@Timeout(90)
class ImapIdleManyAccountsTest {
  private static final int ON_A = 300;
  private static final int ON_B = 200;
  private static final int BOUND = 250;

  /**
   * A greeting that does not come in 5 s is a connection the server's full accept queue dropped
   * (450 watches come back at once here): given up and made again, not waited for 300 s.
   */
  private static final ImapLimits LIMITS =
      ImapLimits.builder()
          .connectTimeout(Duration.ofSeconds(5))
          .commandTimeout(Duration.ofSeconds(5))
          .build();

  @Test
  void fiveHundredAccountsInIdle_stayWithinThePerServerBound() throws Exception {
    FakeImapServer.Builder a = FakeImapServer.builder();
    FakeImapServer.Builder b = FakeImapServer.builder();
    for (int i = 0; i < ON_A; i++) {
      a.account("a" + i, "pw");
    }
    for (int i = 0; i < ON_B; i++) {
      b.account("b" + i, "pw");
    }
    Map<String, InMemorySink> sinks = new HashMap<>();
    AtomicInteger mostOnA = new AtomicInteger();
    AtomicInteger mostOnB = new AtomicInteger();
    AtomicBoolean sampling = new AtomicBoolean(true);
    try (FakeImapServer serverA = a.start();
        FakeImapServer serverB = b.start();
        Poller poller =
            Poller.builder()
                .schedule(PollSchedule.builder().minInterval(Duration.ofHours(1)).build())
                .maxWatchesPerHost(BOUND)
                .build()) {
      Thread sampler =
          new Thread(
              () -> {
                while (sampling.get()) {
                  mostOnA.accumulateAndGet(serverA.source().idling(), Math::max);
                  mostOnB.accumulateAndGet(serverB.source().idling(), Math::max);
                  try {
                    Thread.sleep(2);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      sampler.start();
      long t0 = System.nanoTime();
      add(poller, serverA, "a", ON_A, "imap-a.test", sinks);
      add(poller, serverB, "b", ON_B, "imap-b.test", sinks);
      poller.start();
      serverA.source().awaitIdling(BOUND, Duration.ofSeconds(40));
      serverB.source().awaitIdling(ON_B, Duration.ofSeconds(40));
      long upMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(BOUND, poller.watches("imap-a.test"));
      assertEquals(ON_B, poller.watches("imap-b.test"));

      System.gc();
      long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
      long watchThreads =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().startsWith("mailfetch-idle"))
              .count();
      int allThreads = Thread.getAllStackTraces().size();

      // Every IDLE dropped at once, silently: all come back, none beyond the bound.
      serverA.source().dropIdleSessions(false);
      serverB.source().dropIdleSessions(false);
      Thread.sleep(100);
      serverA.source().awaitIdling(BOUND, Duration.ofSeconds(40));
      serverB.source().awaitIdling(ON_B, Duration.ofSeconds(40));

      // A watched account hears of its mail and fetches it.
      long t1 = System.nanoTime();
      serverA.source().deliver("a7", "INBOX", ImapSeed.of("Subject: pushed\r\n\r\nhello\r\n"));
      InMemorySink a7 = sinks.get("a7");
      while (a7.size() == 0 && System.nanoTime() - t1 < TimeUnit.SECONDS.toNanos(20)) {
        Thread.sleep(5);
      }
      long pushMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
      assertEquals(1, a7.size(), "the watched account fetched its mail");
      // The check's record is kept once the check ended, a moment after its message is stored.
      long t2 = System.nanoTime();
      while (poller.history(account("a7", serverA)).stream()
              .noneMatch(r -> r.cause() == CheckRecord.Cause.PUSHED)
          && System.nanoTime() - t2 < TimeUnit.SECONDS.toNanos(10)) {
        Thread.sleep(5);
      }
      assertTrue(
          poller.history(account("a7", serverA)).stream()
              .anyMatch(r -> r.cause() == CheckRecord.Cause.PUSHED));
      sampling.set(false);
      sampler.join();

      System.out.printf(
          "500 accounts: %d + %d watches up in %d ms; %d watch threads, %d threads in the JVM"
              + " (the fake servers' own included); heap after GC %d MiB; most IDLE at once on"
              + " A %d, on B %d; pushed mail fetched in %d ms after 450 watches came back%n",
          BOUND,
          ON_B,
          upMillis,
          watchThreads,
          allThreads,
          heap >> 20,
          mostOnA.get(),
          mostOnB.get(),
          pushMillis);
      assertTrue(mostOnA.get() <= BOUND, "server A saw " + mostOnA.get() + " in IDLE at once");
      assertTrue(mostOnB.get() <= ON_B, "server B saw " + mostOnB.get());
      assertEquals(BOUND, mostOnA.get());
      if (Runtime.version().feature() >= 21) {
        // Watches run on virtual threads there, which Thread.getAllStackTraces() does not list.
        assertEquals(0, watchThreads, "no platform thread for a watch where virtual threads exist");
      } else {
        assertEquals(BOUND + ON_B, watchThreads, "one thread per watch, none for polled accounts");
      }
      for (ImapRecordedSession s : serverA.sessions()) {
        String user = s.loggedInUser().orElse("a0");
        if (Integer.parseInt(user.substring(1)) >= BOUND) {
          assertFalse(s.verbs().contains("IDLE"), user + " is beyond the bound: polled only");
        }
      }
    } finally {
      sampling.set(false);
    }
  }

  private static String account(String user, FakeImapServer server) {
    return ImapSource.accountName(user, server.host(), server.port());
  }

  private static void add(
      Poller poller,
      FakeImapServer server,
      String prefix,
      int n,
      String host,
      Map<String, InMemorySink> sinks) {
    for (int i = 0; i < n; i++) {
      InMemorySink sink = InMemorySink.create();
      sinks.put(prefix + i, sink);
      ImapSource source =
          ImapSource.builder()
              .host(server.host())
              .port(server.port())
              .security(ImapSecurity.NONE)
              .allowPlaintextAuthentication(true)
              .user(prefix + i)
              .password(() -> "pw")
              .limits(LIMITS)
              .build();
      poller.add(
          Fetcher.builder().source(source).sink(sink).uidStore(InMemoryUidStore.create()).build(),
          host);
    }
  }
}
