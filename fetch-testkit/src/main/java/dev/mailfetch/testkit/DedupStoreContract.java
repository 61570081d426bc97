package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every store of first copies keeps (what fetch-dedup's policies remember: {@code
 * DedupStore}, {@code JdbcDedupStore}), as tests: extend this class and implement {@link
 * #open(Duration, int)} to open the test's store (the same place at every call) with a window.
 *
 * <pre>{@code
 * class MyDedupStoreContractTest extends DedupStoreContract {
 *   @TempDir Path tmp;
 *
 *   @Override
 *   protected StoreUnderTest open(Duration maxAge, int maxEntries) throws Exception {
 *     DedupStore s = DedupStore.open(tmp.resolve("dedup"), new DedupStore.Window(maxAge, maxEntries));
 *     return StoreUnderTest.of(s::firstCopy, s::remember, s::sync, s::size, s::close);
 *   }
 * }
 * }</pre>
 *
 * <p>What it checks: the first copy wins and is seen at once; it survives a reopen within the
 * window's age and is not answered beyond it; beyond the window's count the newest are kept; a key
 * is kept as it was (unicode, long), with line breaks in it taken as spaces; and many threads
 * remembering the same keys leave one first copy per key, the same before and after a reopen.
 */
@Timeout(120)
public abstract class DedupStoreContract {
  /** A store of first copies as the contract sees it. */
  public interface StoreUnderTest extends AutoCloseable {
    /** The first copy under {@code dedupKey} within the window at {@code now}. */
    Optional<DeliveryKey> firstCopy(String dedupKey, Instant now) throws IOException;

    /** Remembers {@code key} under {@code dedupKey} unless a first copy is remembered. */
    void remember(String dedupKey, DeliveryKey key, Instant at) throws IOException;

    /** Makes what was remembered durable. */
    void sync() throws IOException;

    /** How many entries the store holds. */
    long size() throws IOException;

    /** Closes the store; what it remembered is durable after. */
    @Override
    void close() throws IOException;

    /** A store under test made of its operations. */
    static StoreUnderTest of(
        Lookup firstCopy, Remember remember, Action sync, Count size, Action close) {
      return new StoreUnderTest() {
        @Override
        public Optional<DeliveryKey> firstCopy(String dedupKey, Instant now) throws IOException {
          return firstCopy.firstCopy(dedupKey, now);
        }

        @Override
        public void remember(String dedupKey, DeliveryKey key, Instant at) throws IOException {
          remember.remember(dedupKey, key, at);
        }

        @Override
        public void sync() throws IOException {
          sync.run();
        }

        @Override
        public long size() throws IOException {
          return size.size();
        }

        @Override
        public void close() throws IOException {
          close.run();
        }
      };
    }
  }

  /** {@link StoreUnderTest#firstCopy}. */
  public interface Lookup {
    /** As {@link StoreUnderTest#firstCopy}. */
    Optional<DeliveryKey> firstCopy(String dedupKey, Instant now) throws IOException;
  }

  /** {@link StoreUnderTest#remember}. */
  public interface Remember {
    /** As {@link StoreUnderTest#remember}. */
    void remember(String dedupKey, DeliveryKey key, Instant at) throws IOException;
  }

  /** {@link StoreUnderTest#size}. */
  public interface Count {
    /** As {@link StoreUnderTest#size}. */
    long size() throws IOException;
  }

  /** {@link StoreUnderTest#sync} or {@link StoreUnderTest#close}. */
  public interface Action {
    /** Does it. */
    void run() throws IOException;
  }

  /** For a subclass that names the store under test. */
  protected DedupStoreContract() {}

  /** Opens the test's store: the same place at every call, remembering within the window. */
  protected abstract StoreUnderTest open(Duration maxAge, int maxEntries) throws Exception;

  private static final DeliveryKey K1 = DeliveryKey.of("a", "1");
  private static final DeliveryKey K2 = DeliveryKey.of("a", "2");

  @Test
  void theFirstCopyWins_andIsSeenAtOnce() throws Exception {
    Instant now = Instant.now();
    try (StoreUnderTest s = open(Duration.ofDays(30), 1000)) {
      assertEquals(Optional.empty(), s.firstCopy("mid <1@a>", now));
      s.remember("mid <1@a>", K1, now);
      assertEquals(Optional.of(K1), s.firstCopy("mid <1@a>", now), "seen before any sync");
      s.remember("mid <1@a>", K2, now);
      assertEquals(Optional.of(K1), s.firstCopy("mid <1@a>", now), "the first copy wins");
      s.sync();
      s.remember("mid <1@a>", K2, now);
      assertEquals(Optional.of(K1), s.firstCopy("mid <1@a>", now), "also after a sync");
    }
    try (StoreUnderTest s = open(Duration.ofDays(30), 1000)) {
      s.remember("mid <1@a>", K2, now);
      s.sync();
      assertEquals(Optional.of(K1), s.firstCopy("mid <1@a>", now), "and after a reopen");
    }
  }

  @Test
  void whatIsRemembered_survivesAReopen_withinTheWindowsAge_andNotBeyond() throws Exception {
    Instant now = Instant.now();
    try (StoreUnderTest s = open(Duration.ofDays(30), 1000)) {
      s.remember("mid <old@a>", K1, now.minus(Duration.ofDays(40)));
      s.remember("mid <new@a>", K2, now.minus(Duration.ofDays(20)));
      assertEquals(Optional.empty(), s.firstCopy("mid <old@a>", now), "older than the window");
      s.sync();
    }
    try (StoreUnderTest s = open(Duration.ofDays(30), 1000)) {
      assertEquals(Optional.empty(), s.firstCopy("mid <old@a>", now), "older than the window");
      assertEquals(Optional.of(K2), s.firstCopy("mid <new@a>", now));
      assertEquals(
          Optional.empty(),
          s.firstCopy("mid <new@a>", now.plus(Duration.ofDays(11))),
          "the window moves with the time asked about");
    }
  }

  @Test
  void beyondTheWindowsCount_theNewestAreKept() throws Exception {
    Instant now = Instant.now();
    try (StoreUnderTest s = open(Duration.ofDays(30), 1000)) {
      for (int i = 0; i < 10; i++) {
        s.remember("mid <" + i + "@a>", DeliveryKey.of("a", "" + i), now.minusSeconds(100 - i));
      }
      s.sync();
    }
    try (StoreUnderTest s = open(Duration.ofDays(30), 3)) {
      assertTrue(s.size() <= 3, "at most maxEntries: " + s.size());
      assertEquals(Optional.of(DeliveryKey.of("a", "9")), s.firstCopy("mid <9@a>", now));
      assertEquals(Optional.empty(), s.firstCopy("mid <0@a>", now), "the oldest went first");
    }
  }

  @Test
  void aKey_isKeptAsItWas_withLineBreaksTakenAsSpaces() throws Exception {
    Instant now = Instant.now();
    List<String> keys =
        List.of(
            "mid <ünïcødé@exämple.org> Thu, 1 Jan 2026 00:00:00 +0000",
            "sha " + "ab".repeat(32),
            "uid " + "x".repeat(900),
            "mid <a@b> \u00e9\u4e2d\ud83d\udce7");
    try (StoreUnderTest s = open(Duration.ofDays(30), 1000)) {
      for (int i = 0; i < keys.size(); i++) {
        s.remember(keys.get(i), DeliveryKey.of("a", "" + i), now);
      }
      s.remember("mid <broken@a>\r\nX-Injected: yes", K1, now);
      s.sync();
    }
    try (StoreUnderTest s = open(Duration.ofDays(30), 1000)) {
      for (int i = 0; i < keys.size(); i++) {
        assertEquals(Optional.of(DeliveryKey.of("a", "" + i)), s.firstCopy(keys.get(i), now));
      }
      assertEquals(Optional.of(K1), s.firstCopy("mid <broken@a>  X-Injected: yes", now));
      assertEquals(5, s.size(), "one entry per key, no line of its own for the injected part");
    }
  }

  @Test
  void manyThreadsRememberingTheSameKeys_leaveOneFirstCopyPerKey() throws Exception {
    Instant now = Instant.now();
    Map<String, DeliveryKey> seen = new HashMap<>();
    try (StoreUnderTest s = open(Duration.ofDays(30), 100_000)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          int thread = t;
          done.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < 200; i++) {
                      s.remember("mid <" + i + "@a>", DeliveryKey.of("t" + thread, "" + i), now);
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      s.sync();
      for (int i = 0; i < 200; i++) {
        DeliveryKey first = s.firstCopy("mid <" + i + "@a>", now).orElseThrow();
        seen.put("mid <" + i + "@a>", first);
      }
      assertEquals(200, s.size());
    }
    try (StoreUnderTest s = open(Duration.ofDays(30), 100_000)) {
      for (Map.Entry<String, DeliveryKey> e : seen.entrySet()) {
        assertEquals(Optional.of(e.getValue()), s.firstCopy(e.getKey(), now), e.getKey());
      }
    }
  }
}
