package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Capabilities;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.Retrieval;
import dev.mailfetch.api.RetrievalMarks;
import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.PollListener;
import dev.mailfetch.poll.PollSchedule;
import dev.mailfetch.poll.Poller;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.Fault;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The poller's load test (docs/polling.md): 2,000 accounts on ten testkit servers on loopback (six
 * ordinary with mail arriving, two slow, one that refuses every password, one whose sessions
 * break), polled for 30 seconds on a schedule scaled from minutes to seconds (1 s to 8 s), with at
 * most 32 checks at once and 4 per server. Every account checked, none more often than allowed,
 * none starved, the bounds held, every arriving message delivered once, the refused accounts paused
 * after one check. Prints the figures docs/polling.md reports (threads, heap, CPU, checks per
 * second, lateness).
 */
@Timeout(300)
class PollerLoadTest {
  private static final int SERVERS = 10;
  private static final int PER_SERVER = 200;
  private static final Duration MIN = Duration.ofSeconds(1);
  private static final Duration MAX = Duration.ofSeconds(8);
  private static final Duration POLLING = Duration.ofSeconds(30);
  private static final int MAX_CHECKS = 32;
  private static final int PER_HOST = 4;

  /** Counts sessions really open, overall and per server, around a real source. */
  private static final class CountingSource implements FetchSource {
    private final FetchSource inner;
    private final AtomicInteger host;
    private final AtomicInteger hostMost;
    private final AtomicInteger all;
    private final AtomicInteger allMost;

    CountingSource(
        FetchSource inner,
        AtomicInteger host,
        AtomicInteger hostMost,
        AtomicInteger all,
        AtomicInteger allMost) {
      this.inner = inner;
      this.host = host;
      this.hostMost = hostMost;
      this.all = all;
      this.allMost = allMost;
    }

    @Override
    public String account() {
      return inner.account();
    }

    @Override
    public FetchSession open() throws FetchException {
      hostMost.accumulateAndGet(host.incrementAndGet(), Math::max);
      allMost.accumulateAndGet(all.incrementAndGet(), Math::max);
      FetchSession s;
      try {
        s = inner.open();
      } catch (FetchException | RuntimeException e) {
        host.decrementAndGet();
        all.decrementAndGet();
        throw e;
      }
      return new FetchSession() {
        private boolean closed;

        @Override
        public Capabilities capabilities() {
          return s.capabilities();
        }

        @Override
        public String server() {
          return s.server();
        }

        @Override
        public void list(ListingHandler handler) throws FetchException {
          s.list(handler);
        }

        @Override
        public void retrieve(Retrieval request, MessageHandler handler) throws FetchException {
          s.retrieve(request, handler);
        }

        @Override
        public Optional<RetrievalMarks> retrievalMarks() {
          return s.retrievalMarks();
        }

        @Override
        public Set<MessageRef> delete(List<MessageRef> messages) throws FetchException {
          return s.delete(messages);
        }

        @Override
        public boolean quit() {
          return s.quit();
        }

        @Override
        public Set<QuirkId> quirksNoticed() {
          return s.quirksNoticed();
        }

        @Override
        public void close() {
          s.close();
          if (!closed) {
            closed = true;
            host.decrementAndGet();
            all.decrementAndGet();
          }
        }
      };
    }
  }

  @Test
  void twoThousandAccounts_polledWithinTheirBounds_everyMessageOnce() throws Exception {
    List<FakePop3Server> servers = new ArrayList<>();
    ExecutorService threads =
        Executors.newFixedThreadPool(
            MAX_CHECKS,
            r -> {
              Thread t = new Thread(r, "poll-check");
              t.setDaemon(true);
              return t;
            });
    Map<String, InMemorySink> sinks = new HashMap<>();
    Map<String, Fetcher> fetchers = new HashMap<>();
    Map<String, FakeMailbox> boxes = new HashMap<>();
    Map<String, Integer> kindOf = new HashMap<>();
    @SuppressWarnings("UnnecessaryAsync") // filled before the arrival threads start, read by them
    Map<String, AtomicInteger> arrived = new ConcurrentHashMap<>();
    Map<String, List<CheckRecord>> checks = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> pauses = new ConcurrentHashMap<>();
    AtomicInteger all = new AtomicInteger();
    AtomicInteger allMost = new AtomicInteger();
    AtomicInteger[] hostMost = new AtomicInteger[SERVERS];
    int peakThreads = 0;
    long cpu0 = cpuNanos();
    try {
      for (int k = 0; k < SERVERS; k++) {
        FakePop3Server.Builder b = FakePop3Server.builder().maxSessions(64);
        for (int i = 0; i < PER_SERVER; i++) {
          FakeMailbox box = FakeMailbox.create();
          String user = "u" + k + "-" + i;
          b.account(user, "pw-" + user, box);
          boxes.put(user, box);
        }
        if (k == 6 || k == 7) {
          b.replyDelay(Duration.ofMillis(15)); // slow
        } else if (k == 9) {
          b.fault(Fault.resetAtCommand("UIDL", 1)); // every session breaks: transient errors
        }
        servers.add(b.start());
        hostMost[k] = new AtomicInteger();
      }
      PollListener listener =
          new PollListener() {
            @Override
            public void checkFinished(CheckRecord r) {
              checks
                  .computeIfAbsent(
                      r.account(), a -> Collections.synchronizedList(new ArrayList<>()))
                  .add(r);
            }

            @Override
            public void accountPaused(String account, FetchException why) {
              pauses.computeIfAbsent(account, a -> new AtomicInteger()).incrementAndGet();
            }
          };
      Poller poller =
          Poller.builder()
              .executor(threads)
              .maxChecks(MAX_CHECKS)
              .maxChecksPerHost(PER_HOST)
              .schedule(
                  PollSchedule.builder()
                      .bounds(MIN, MAX)
                      .riseTime(Duration.ofSeconds(5))
                      .decayTime(Duration.ofSeconds(30))
                      .build())
              .historySize(5)
              .listener(listener)
              .build();
      for (int k = 0; k < SERVERS; k++) {
        AtomicInteger open = new AtomicInteger();
        for (int i = 0; i < PER_SERVER; i++) {
          String user = "u" + k + "-" + i;
          Pop3Source src =
              Pop3Source.builder()
                  .host("127.0.0.1")
                  .port(servers.get(k).port())
                  .user(user)
                  .password(k == 8 ? () -> "wrong" : () -> "pw-" + user)
                  .security(Security.NONE)
                  .allowPlaintextAuthentication(true)
                  .build();
          InMemorySink sink = InMemorySink.create();
          sinks.put(src.account(), sink);
          boxes.put(src.account(), boxes.get(user));
          kindOf.put(src.account(), k);
          arrived.put(src.account(), new AtomicInteger());
          Fetcher f =
              Fetcher.builder()
                  .source(new CountingSource(src, open, hostMost[k], all, allMost))
                  .sink(sink)
                  .uidStore(InMemoryUidStore.create())
                  .retention(Retention.DELETE_AFTER_DELIVERY)
                  .build();
          poller.add(f, "server-" + k);
          fetchers.put(src.account(), f);
        }
      }
      assertEquals(SERVERS * PER_SERVER, poller.accounts().size());
      long start = System.nanoTime();
      poller.start();
      // Mail arrives at the six ordinary and the two slow servers, at random accounts, for most of
      // the run.
      Random random = new Random(9);
      List<String> receiving = new ArrayList<>();
      kindOf.forEach(
          (a, k) -> {
            if (k < 8) {
              receiving.add(a);
            }
          });
      receiving.sort(null);
      int sent = 0;
      while (System.nanoTime() - start < POLLING.minusSeconds(5).toNanos()) {
        for (int j = 0; j < 4; j++) {
          String a = receiving.get(random.nextInt(receiving.size()));
          int n = arrived.get(a).incrementAndGet();
          boxes
              .get(a)
              .add(
                  ("Subject: " + a + " #" + n + "\r\n\r\nbody " + n + "\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
          sent++;
        }
        peakThreads = Math.max(peakThreads, Thread.getAllStackTraces().size());
        Thread.sleep(100);
      }
      Thread.sleep(POLLING.toMillis() - (System.nanoTime() - start) / 1_000_000);
      long heapAtEnd = heapUsedAfterGc();
      assertTrue(poller.close(Duration.ofSeconds(30)), "every check ended at close");
      long elapsed = System.nanoTime() - start;
      long cpu = cpuNanos() - cpu0;
      // The bounds are the poller's: measured up to its close, before the sweep below opens its own
      // sessions.
      int mostAtOnce = allMost.get();
      int[] mostPerHost = new int[SERVERS];
      for (int k = 0; k < SERVERS; k++) {
        mostPerHost[k] = hostMost[k].get();
      }
      // What arrived since each account's last check: one more run of each, outside the poller.
      List<Callable<Object>> sweep = new ArrayList<>();
      for (String a : receiving) {
        sweep.add(() -> fetchers.get(a).run());
      }
      for (Future<Object> f : threads.invokeAll(sweep)) {
        f.get();
      }

      // Every arriving message delivered once.
      int delivered = 0;
      for (String a : receiving) {
        InMemorySink sink = sinks.get(a);
        Set<String> contents = new HashSet<>();
        for (InMemorySink.StoredMessage m : sink.messages()) {
          contents.add(new String(m.content(), StandardCharsets.US_ASCII));
        }
        assertEquals(arrived.get(a).get(), sink.size(), a + ": every arrival delivered");
        assertEquals(sink.size(), contents.size(), a + ": none twice");
        delivered += sink.size();
      }
      assertEquals(sent, delivered);

      // The schedule held: never sooner than the minimum after the last check ended, never starved.
      int scheduledChecks = 0;
      long worstGapMs = 0;
      List<Long> lateness = new ArrayList<>();
      for (String a : kindOf.keySet()) {
        List<CheckRecord> h = new ArrayList<>(checks.getOrDefault(a, List.of()));
        h.sort(Comparator.comparing(CheckRecord::started));
        assertTrue(!h.isEmpty(), a + " was checked");
        if (kindOf.get(a) == 8) {
          assertEquals(
              1, h.size(), a + ": a refused password is tried once, then the account is paused");
          assertEquals(1, pauses.get(a).get(), a + ": and that is said once");
          continue;
        }
        for (int i = 1; i < h.size(); i++) {
          CheckRecord prev = h.get(i - 1);
          CheckRecord cur = h.get(i);
          Instant prevEnd = prev.started().plus(prev.duration());
          scheduledChecks++;
          long sinceEnd = Duration.between(prevEnd, cur.started()).toMillis();
          assertTrue(
              sinceEnd >= MIN.toMillis() - 5,
              a + ": checked " + sinceEnd + " ms after the last ended");
          long late = Duration.between(prev.next().orElseThrow(), cur.started()).toMillis();
          lateness.add(late);
          worstGapMs = Math.max(worstGapMs, Duration.between(prevEnd, cur.started()).toMillis());
        }
      }
      lateness.sort(null);
      long p50 = lateness.get(lateness.size() / 2);
      long p99 = lateness.get((int) (lateness.size() * 0.99));
      long maxLate = lateness.get(lateness.size() - 1);
      assertTrue(
          worstGapMs <= MAX.toMillis() * 11 / 10 + 5_000,
          "none starved: the longest gap between two checks of an account was "
              + worstGapMs
              + " ms");

      // The bounds held.
      assertTrue(
          mostAtOnce <= MAX_CHECKS, "at most " + MAX_CHECKS + " sessions at once: " + mostAtOnce);
      for (int k = 0; k < SERVERS; k++) {
        assertTrue(
            mostPerHost[k] <= PER_HOST,
            "server " + k + ": at most " + PER_HOST + " at once: " + mostPerHost[k]);
      }

      int total = checks.values().stream().mapToInt(List::size).sum();
      System.out.printf(
          Locale.ROOT,
          "poller load: %d accounts on %d servers, %.1f s (%d s polling and the close),"
              + " %d checks (%.0f a second), %d messages arrived and delivered once; at most %d sessions at once"
              + " (bound %d), at most %d per server (bound %d); lateness after the due time p50 %d ms, p99 %d ms,"
              + " max %d ms; longest gap between two checks of an account %d ms (max interval %d ms); most"
              + " threads seen %d (check threads: %d; the fake servers run a thread per session); heap after GC at the end %.1f MB (the ten fake servers with every"
              + " session's record included); process CPU %.1f s of %.1f s on %d cores%n",
          kindOf.size(),
          SERVERS,
          elapsed / 1e9,
          POLLING.toSeconds(),
          total,
          total / (elapsed / 1e9),
          sent,
          mostAtOnce,
          MAX_CHECKS,
          Arrays.stream(mostPerHost).max().orElse(0),
          PER_HOST,
          p50,
          p99,
          maxLate,
          worstGapMs,
          MAX.toMillis(),
          peakThreads,
          MAX_CHECKS,
          heapAtEnd / 1048576.0,
          cpu / 1e9,
          elapsed / 1e9,
          Runtime.getRuntime().availableProcessors());
      assertTrue(
          scheduledChecks > kindOf.size(),
          "accounts were checked again and again: " + scheduledChecks);
    } finally {
      threads.shutdownNow();
      for (FakePop3Server s : servers) {
        s.close();
      }
    }
  }

  private static long heapUsedAfterGc() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }
}
