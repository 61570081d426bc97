package dev.mailfetch.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.Retention;
import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.PollSchedule;
import dev.mailfetch.poll.Poller;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.RecordedSession;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The share on a slow machine, made slow on purpose and so deterministic: an instance whose
 * openings take longer than the lease time (a NAS, a busy VM), and one whose renewer stalls (a
 * starved thread, a pause) while the rest of it goes on. Liveness: every account is held by one
 * instance and checked again within a lease time and a round of the stall; no churn: a slow
 * instance loses nothing it renews; the fence: never two sessions of one account at the server.
 */
@Timeout(120)
class JdbcAccountShareSlowTest {
  private static final String PW = "slow share";
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final int ACCOUNTS = 24;
  private static ReusedConnections ds;
  private static FakePop3Server server;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    ds = TestDatabase.create("slow_share");
    FakePop3Server.Builder b = FakePop3Server.builder().maxSessions(200);
    for (int i = 0; i < ACCOUNTS; i++) {
      b.account("s" + i, PW, MailCorpus.generate(i, 1).toMailbox());
    }
    server = b.start();
  }

  @AfterAll
  static void tearDown() throws Exception {
    server.close();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private record Instance(JdbcAccountShare share, Poller poller, List<String> lost) {}

  /** An instance whose every opening takes {@code openMs} (under the share's lock, as any does). */
  private Instance instance(String owner, List<String> accounts, long openMs) throws Exception {
    JdbcState state = JdbcState.open(ds);
    JdbcAccountLeases leases =
        JdbcAccountLeases.builder(state).owner(owner).leaseTime(LEASE).build();
    Poller poller =
        Poller.builder()
            .schedule(
                PollSchedule.builder().bounds(Duration.ofSeconds(1), Duration.ofSeconds(1)).build())
            .maxChecks(8)
            .maxChecksPerHost(8)
            .push(false)
            .build();
    List<String> lost = new CopyOnWriteArrayList<>();
    JdbcAccountShare share =
        JdbcAccountShare.builder(leases, poller)
            .listener(
                new JdbcAccountShare.Listener() {
                  @Override
                  public void accountLost(String account, String why) {
                    lost.add(account + ": " + why);
                  }
                })
            .build();
    for (String account : accounts) {
      share.offer(
          account,
          (name, lease) -> {
            sleep(openMs);
            JdbcUidStore store = JdbcUidStore.open(state, lease);
            Pop3Source source =
                Pop3Source.builder()
                    .host("127.0.0.1")
                    .port(server.port())
                    .security(Security.NONE)
                    .allowPlaintextAuthentication(true)
                    .user(name.substring(0, name.indexOf('@')))
                    .password(() -> PW)
                    .account(name)
                    .build();
            Fetcher f =
                Fetcher.builder()
                    .source(share.fenced(name, source))
                    .sink(InMemorySink.create())
                    .uidStore(store)
                    .retention(Retention.KEEP)
                    .build();
            return new JdbcAccountShare.Opened(f, "127.0.0.1", store);
          });
    }
    toClose.add(poller);
    toClose.add(() -> share.close(Duration.ofSeconds(5)));
    poller.start();
    share.start();
    return new Instance(share, poller, lost);
  }

  /**
   * A alone takes all 24 and opens them at 300 ms each (7 s, more than two lease times); B starts
   * meanwhile. A's renewals go on while it opens: B counts A live, takes nothing of A's, and A
   * gives back B's half once it has opened; nothing is lost, and A's own checks are never refused
   * by its fence (before, A renewed only between openings: its leases and heartbeat expired, B took
   * all 24, and A lost them all at once).
   */
  @Test
  void anInstanceOpeningLongerThanItsLease_keepsItsLeases_andTheSplitSettlesWithoutChurn()
      throws Exception {
    List<String> accounts = accounts();
    Instance a = instance("slow-a", accounts, 300);
    waitFor(() -> lockedBy("slow-a") == ACCOUNTS, Duration.ofSeconds(10), "a takes all");
    Instance b = instance("fast-b", accounts, 0);
    waitFor(
        () -> split(List.of(a, b), ACCOUNTS / 2 + 1),
        Duration.ofSeconds(30),
        "the 24 split 12 + 1 at most once a has opened its accounts");
    assertEquals(List.of(), a.lost(), "the slow instance lost nothing");
    assertEquals(List.of(), b.lost(), "the fast one lost nothing");
    assertEquals(List.of(), refusedByFence(a), "a's fence never refused a's own checks");
    assertEquals(List.of(), serverOverlaps(), "never two sessions of one account at once");
  }

  /**
   * A's renewer stalls while its Poller and share thread go on: its heartbeat and leases expire, B
   * takes A's accounts within a lease time and a round, A's fence refuses A's checks from a sixth
   * of the lease before its leases end, so no session of A's meets one of B's. When the renewer
   * goes on, A drops what B took, counts itself in again, and the split settles.
   */
  @Test
  void aStalledRenewer_losesItsAccountsToTheOther_withinALeaseAndARound_neverTwoSessions()
      throws Exception {
    List<String> accounts = accounts();
    Instance a = instance("stall-a", accounts, 0);
    Instance b = instance("stall-b", accounts, 0);
    waitFor(() -> split(List.of(a, b), ACCOUNTS / 2 + 1), Duration.ofSeconds(20), "split");
    Set<String> ofA = a.share().held();
    a.share().pauseRenewals(true);
    long tookMs =
        waitFor(
            () -> b.share().held().size() == ACCOUNTS,
            LEASE.multipliedBy(3),
            "b takes a's accounts once a's leases expired");
    long boundMs = LEASE.toMillis() + LEASE.toMillis() / 3 + 1000;
    assertTrue(tookMs <= boundMs, "taken within a lease, a round and a second: " + tookMs);
    assertTrue(tookMs >= LEASE.toMillis() - 500, "not before a's leases ended: " + tookMs);
    long since = System.nanoTime();
    waitFor(
        () -> ofA.stream().allMatch(x -> checkedSince(x, since)),
        Duration.ofSeconds(5),
        "each of a's accounts checked by b");
    assertTrue(refusedByFence(a).size() > 0, "a's checks were refused once a was unsure");
    a.share().pauseRenewals(false);
    waitFor(
        () -> split(List.of(a, b), ACCOUNTS / 2 + 1),
        LEASE.multipliedBy(4),
        "the split settles again once a renews");
    assertTrue(a.lost().size() >= ofA.size(), "a said each account it lost: " + a.lost());
    assertEquals(List.of(), b.lost(), "b lost nothing");
    assertEquals(List.of(), serverOverlaps(), "never two sessions of one account at once");
  }

  /**
   * The shape of a CI failure of issue 21's proof: a process frozen (SIGSTOP) inside a transaction
   * that had locked an account's lease row (the fence's {@code FOR UPDATE}). Takers skip locked
   * rows, so the account waited for the frozen process to resume; the server now ends such a
   * transaction after a third of the lease time idle, and the account is taken with the others.
   */
  @Test
  void aTransactionFrozenHoldingALeaseRow_isEnded_soItsAccountIsTakenWithTheOthers()
      throws Exception {
    List<String> accounts = accounts();
    Instance a = instance("frozen-a", accounts, 0);
    waitFor(() -> a.share().held().size() == ACCOUNTS, Duration.ofSeconds(10), "a holds all");
    JdbcState frozenState = JdbcState.open(ds);
    var unused = JdbcAccountLeases.builder(frozenState).owner("frozen-a").leaseTime(LEASE).build();
    String locked = accounts.get(0);
    CompletableFuture<FetchException> frozen =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                frozenState.db.inTransaction(
                    "a write frozen in its transaction",
                    c -> {
                      try (PreparedStatement s =
                          c.prepareStatement(
                              "SELECT fencing_token FROM mailfetch_lease WHERE account = ?"
                                  + " FOR UPDATE")) {
                        s.setString(1, locked);
                        s.executeQuery().close();
                      }
                      sleep(LEASE.toMillis() * 4); // frozen: to the server, idle in transaction
                      try (PreparedStatement s = c.prepareStatement("SELECT 1")) {
                        s.executeQuery().close();
                      }
                      return null;
                    });
                return null;
              } catch (FetchException e) {
                return e;
              }
            });
    Thread.sleep(300); // the row is locked
    a.share().halt();
    a.poller().close(Duration.ZERO);
    long halted = System.nanoTime();
    Instance b = instance("frozen-b", accounts, 0);
    waitFor(
        () -> b.share().held().size() == ACCOUNTS,
        LEASE.multipliedBy(3),
        "b takes all 24, the one whose row the frozen transaction locked too");
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - halted);
    assertTrue(
        tookMs <= LEASE.toMillis() + LEASE.toMillis() / 3 + 1000,
        "within a lease, a round and a second of a's halt: " + tookMs);
    FetchException ended = frozen.get(LEASE.toMillis() * 5, TimeUnit.MILLISECONDS);
    assertNotNull(ended, "the frozen transaction was ended by the server");
    assertEquals(FetchError.STATE_FAILED, ended.error(), ended.getMessage());
    assertEquals(List.of(), serverOverlaps(), "never two sessions of one account at once");
  }

  // ------------------------------------------------------------------ helpers

  private static List<String> accounts() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < ACCOUNTS; i++) {
      out.add("s" + i + "@slow");
    }
    return out;
  }

  private static int lockedBy(String owner) {
    try {
      return Integer.parseInt(
          TestDatabase.psql(
                  "slow_share",
                  "SELECT count(*) FROM mailfetch_lease WHERE owner = '" + owner + "'")
              .strip());
    } catch (Exception e) {
      return -1;
    }
  }

  private static boolean split(List<Instance> live, int most) {
    Set<String> all = new HashSet<>();
    int sum = 0;
    for (Instance i : live) {
      Set<String> held = i.share().held();
      if (held.size() > most || !held.equals(i.poller().accounts())) {
        return false;
      }
      all.addAll(held);
      sum += held.size();
    }
    return all.size() == ACCOUNTS && sum == ACCOUNTS;
  }

  private static List<String> refusedByFence(Instance i) {
    List<String> out = new ArrayList<>();
    for (String a : i.poller().accounts()) { // those given back took their history along
      for (CheckRecord r : i.poller().history(a)) {
        if (r.error().map(e -> e.error() == FetchError.LOCKED).orElse(false)) {
          out.add(a);
        }
      }
    }
    return out;
  }

  private static boolean checkedSince(String account, long since) {
    String user = account.substring(0, account.indexOf('@'));
    return server.sessions().stream()
        .anyMatch(r -> user.equals(r.loggedInUser().orElse(null)) && r.acceptedNanos() > since);
  }

  /** Accounts of which the server saw a session begin before the one before it ended. */
  private static List<String> serverOverlaps() {
    List<String> out = new ArrayList<>();
    for (String account : accounts()) {
      String user = account.substring(0, account.indexOf('@'));
      List<RecordedSession> ofUser = new ArrayList<>();
      for (RecordedSession r : server.sessions()) {
        if (user.equals(r.loggedInUser().orElse(null))) {
          ofUser.add(r);
        }
      }
      ofUser.sort(Comparator.comparingLong(RecordedSession::acceptedNanos));
      long openUntil = Long.MIN_VALUE;
      for (RecordedSession r : ofUser) {
        if (openUntil != Long.MIN_VALUE && r.acceptedNanos() - openUntil < 0) {
          out.add(account + " (session " + r.number() + ")");
        }
        long end = r.endedNanos().orElse(r.acceptedNanos() + r.duration().toNanos());
        openUntil = openUntil == Long.MIN_VALUE || end - openUntil > 0 ? end : openUntil;
      }
    }
    return out;
  }

  private static long waitFor(BooleanSupplier condition, Duration most, String what)
      throws InterruptedException {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - start > most.toNanos()) {
        throw new AssertionError("not within " + most + ": " + what);
      }
      Thread.sleep(50);
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
