package dev.mailfetch.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchListener;
import dev.mailfetch.api.FetchResult;
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
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Shares of one poll's accounts over a real PostgreSQL and a fake POP3 server: a fair split, a
 * clean stop handing accounts over within a round, a dead instance's accounts taken within a lease
 * time and a round, a renewal that finds its lease taken over, checkNow across instances, and never
 * two sessions of one account at once.
 */
@Timeout(120)
class JdbcAccountShareTest {
  private static final String PW = "share test";
  private static final Duration LEASE = Duration.ofSeconds(3);

  private static final int ACCOUNTS = 30;
  private static ReusedConnections ds;
  private static FakePop3Server server;

  /** Sessions of each account running now, and every time a second one started meanwhile. */
  private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();

  private final List<String> overlaps = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    ds = TestDatabase.create("share");
    FakePop3Server.Builder b = FakePop3Server.builder().maxSessions(200);
    for (int i = 0; i < ACCOUNTS + 10; i++) {
      b.account("u" + i, PW, MailCorpus.generate(i, 2).toMailbox());
    }
    server = b.start();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  /** One instance: its Poller (checks every second) and its share, each account opened for real. */
  private record Instance(JdbcAccountShare share, Poller poller, List<String> events) {}

  private Instance instance(String owner, List<String> accounts) throws Exception {
    JdbcState state = JdbcState.open(ds); // lease times from the database's clock
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
    List<String> events = new CopyOnWriteArrayList<>();
    JdbcAccountShare share =
        JdbcAccountShare.builder(leases, poller)
            .listener(
                new JdbcAccountShare.Listener() {
                  @Override
                  public void accountTaken(String account, JdbcAccountLeases.Lease lease) {
                    events.add("taken " + account);
                  }

                  @Override
                  public void accountGivenBack(String account) {
                    events.add("given back " + account);
                  }

                  @Override
                  public void accountLost(String account, String why) {
                    events.add("lost " + account + ": " + why);
                  }
                })
            .build();
    for (String a : accounts) {
      share.offer(a, (name, lease) -> open(state, name, lease, share));
    }
    toClose.add(poller);
    toClose.add(() -> share.close(Duration.ofSeconds(5)));
    poller.start();
    share.start();
    return new Instance(share, poller, events);
  }

  private JdbcAccountShare.Opened open(
      JdbcState state, String account, JdbcAccountLeases.Lease l, JdbcAccountShare share)
      throws FetchException {
    String user = account.substring(0, account.indexOf('@'));
    JdbcUidStore store = JdbcUidStore.open(state, l);
    Pop3Source source =
        Pop3Source.builder()
            .host("127.0.0.1")
            .port(server.port())
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .user(user)
            .password(() -> PW)
            .account(account)
            .build();
    FetchListener recording = // a session from its listing to its end (a fenced-off run has none)
        new FetchListener() {
          private boolean listed; // runs of one Fetcher never overlap

          @Override
          public void unchangedSinceLastCheck() {
            listed(0, 0);
          }

          @Override
          public void listed(int messages, long octets) {
            listed = true;
            if (running.computeIfAbsent(account, k -> new AtomicInteger()).incrementAndGet() > 1) {
              overlaps.add(account);
            }
            runs.computeIfAbsent(account, k -> new AtomicInteger()).incrementAndGet();
          }

          @Override
          public void runFinished(FetchResult result) {
            if (listed) {
              listed = false;
              running.get(account).decrementAndGet();
            }
          }
        };
    Fetcher f =
        Fetcher.builder()
            .source(share.fenced(account, source))
            .sink(InMemorySink.create())
            .uidStore(store)
            .retention(Retention.KEEP)
            .listener(recording)
            .build();
    return new JdbcAccountShare.Opened(f, "127.0.0.1", store);
  }

  /** The accounts of which the server saw a session begin before the one before it ended. */
  private static List<String> serverOverlaps(List<String> accounts) {
    List<String> out = new ArrayList<>();
    for (String account : accounts) {
      String user = account.substring(0, account.indexOf('@'));
      long openUntil = Long.MIN_VALUE;
      List<RecordedSession> ofUser = new ArrayList<>();
      for (RecordedSession r : server.sessions()) {
        if (user.equals(r.loggedInUser().orElse(null))) {
          ofUser.add(r);
        }
      }
      ofUser.sort(Comparator.comparingLong(RecordedSession::acceptedNanos));
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

  private static List<String> accounts(int from, int n) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add("u" + i + "@share");
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

  private static boolean split(List<Instance> live, int most) {
    Set<String> all = new HashSet<>();
    int sum = 0;
    for (Instance i : live) {
      Set<String> held = i.share().held();
      if (held.size() > most) {
        return false;
      }
      all.addAll(held);
      sum += held.size();
      if (!held.equals(i.poller().accounts())) {
        return false;
      }
    }
    return all.size() == ACCOUNTS && sum == ACCOUNTS;
  }

  @Test
  void threeShares_splitFairly_aCleanStopHandsOverWithinARound_aDeadOnesWithinALeaseAndARound()
      throws Exception {
    List<String> accounts = accounts(0, ACCOUNTS);
    Instance a = instance("share-a", accounts);
    Instance b = instance("share-b", accounts);
    Instance c = instance("share-c", accounts);
    List<Instance> three = List.of(a, b, c);
    waitFor(() -> split(three, 10 + 1), Duration.ofSeconds(20), "30 accounts split 10+1 at most");
    assertEquals(3, a.share().liveInstances());
    assertEquals(10, a.share().target());
    assertEquals(1, a.share().slack());
    waitFor(() -> runs.size() == ACCOUNTS, Duration.ofSeconds(20), "every account checked");

    // A clean stop: its accounts are given back, and taken by the other two at their next round.
    Set<String> ofA = a.share().held();
    assertTrue(a.share().close(Duration.ofSeconds(10)));
    assertTrue(a.poller().accounts().isEmpty(), "removed from its Poller");
    assertEquals(
        "",
        TestDatabase.psql("share", "SELECT owner FROM mailfetch_lease WHERE owner = 'share-a'"));
    long handedOver =
        waitFor(
            () -> split(List.of(b, c), 15 + 1),
            Duration.ofSeconds(3),
            "a's accounts taken by b and c within a lease time");
    assertTrue(
        handedOver <= LEASE.toMillis() / 3 * 2 + 500,
        "taken over within about a round: " + handedOver + " ms");
    for (String account : ofA) {
      assertTrue(
          a.events().contains("given back " + account),
          account + " said given back: " + a.events());
    }

    // b dies: nothing given back, its heartbeat and leases expire; c takes every account.
    b.share().halt();
    b.poller().close(Duration.ZERO);
    long died = System.nanoTime();
    waitFor(
        () -> c.share().held().size() == ACCOUNTS,
        LEASE.plus(Duration.ofSeconds(5)),
        "c holds all 30 once b's leases expired");
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - died);
    assertTrue(
        tookMs <= LEASE.toMillis() + LEASE.toMillis() / 3 + 1000,
        "within a lease time and a round (and a second of slack for this machine): " + tookMs);
    assertEquals(List.of(), overlaps, "never two sessions of one account at once");
  }

  /**
   * What a process paused past its lease (SIGSTOP, a long GC) looks like to its accounts: its share
   * renews no more while its Poller goes on checking. The fenced source refuses each check once the
   * lease is not sure (LOCKED: put off), so the instance that takes the accounts over never has a
   * session beside one of the paused instance's.
   */
  @Test
  void aShareThatRenewsNoMore_startsNoSessionOnceUnsure_soTheNewHolderNeverOverlaps()
      throws Exception {
    List<String> accounts = accounts(20, 4);
    Instance paused = instance("share-paused", accounts);
    waitFor(() -> paused.share().held().size() == 4, Duration.ofSeconds(10), "all four held");
    paused.share().halt(); // its Poller keeps checking every second
    long haltedAt = System.nanoTime();
    Instance next = instance("share-next", accounts);
    waitFor(
        () -> next.share().held().size() == 4,
        LEASE.plus(Duration.ofSeconds(5)),
        "the next instance takes all four once the leases expired");
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - haltedAt);
    Thread.sleep(2_000); // both Pollers keep checking: the paused one must be refused
    // From the server's records: a run the fence refused opens no session, yet is a run.
    assertEquals(List.of(), serverOverlaps(accounts), "never two sessions of one account at once");
    boolean refused = false;
    for (String a : accounts) {
      for (CheckRecord r : paused.poller().history(a)) {
        if (r.error().map(e -> e.error() == FetchError.LOCKED).orElse(false)) {
          refused = true;
        }
      }
    }
    assertTrue(refused, "the paused instance's checks were refused (LOCKED) once unsure");
    assertTrue(tookMs >= LEASE.toMillis() - 500, "not taken before the lease ended: " + tookMs);
  }

  @Test
  void aRenewalThatFindsTheLeaseTakenOver_removesTheAccountAtOnce_andNeverReleasesTheNewOwners()
      throws Exception {
    List<String> accounts = accounts(30, 2);
    Instance a = instance("share-fenced", accounts);
    waitFor(() -> a.share().held().size() == 2, Duration.ofSeconds(10), "both held");
    String stolen = accounts.get(0);
    TestDatabase.psql(
        "share",
        "UPDATE mailfetch_lease SET owner = 'intruder', fencing_token = fencing_token + 1,"
            + " expires_at_ms = expires_at_ms + 600000 WHERE account = '"
            + stolen
            + "'");
    waitFor(
        () -> !a.share().held().contains(stolen) && !a.poller().accounts().contains(stolen),
        Duration.ofSeconds(3),
        "dropped within a round");
    assertTrue(
        a.events().stream().anyMatch(e -> e.startsWith("lost " + stolen + ": another instance")),
        a.events().toString());
    assertTrue(a.share().held().contains(accounts.get(1)), "the other kept");
    a.share().close(Duration.ofSeconds(5));
    assertEquals(
        "intruder",
        TestDatabase.psql(
            "share", "SELECT owner FROM mailfetch_lease WHERE account = '" + stolen + "'"),
        "closing does not release the new owner's lease");
  }

  @Test
  void checkNow_runsWhereTheAccountIsHeld_asksTheHolderElsewhere_andTakesAFreeOneHere()
      throws Exception {
    List<String> accounts = accounts(32, 4);
    Instance a = instance("share-ask-a", accounts);
    Instance b = instance("share-ask-b", accounts);
    waitFor(
        () -> a.share().held().size() == 2 && b.share().held().size() == 2,
        Duration.ofSeconds(10),
        "two each");
    String here = a.share().held().iterator().next();
    SharedCheck mine = a.share().checkNow(here);
    assertEquals(SharedCheck.Where.HERE, mine.where());
    assertEquals(here, mine.check().orElseThrow().get(10, TimeUnit.SECONDS).account());

    String there = b.share().held().iterator().next();
    int before = b.poller().history(there).size();
    SharedCheck asked = a.share().checkNow(there);
    assertEquals(SharedCheck.Where.ASKED_HOLDER, asked.where());
    assertEquals("share-ask-b", asked.holder());
    assertTrue(asked.check().isEmpty());
    waitFor(
        () ->
            b.poller().history(there).stream()
                .skip(before)
                .anyMatch(r -> r.cause() == CheckRecord.Cause.ASKED),
        Duration.ofSeconds(5),
        "b checked it, asked");

    // An account nobody holds (this share is not started, and nobody else offers it).
    JdbcState state = JdbcState.open(ds);
    Poller idle = Poller.builder().push(false).build();
    toClose.add(idle);
    JdbcAccountShare lone =
        JdbcAccountShare.builder(
                JdbcAccountLeases.builder(state).owner("share-lone").leaseTime(LEASE).build(), idle)
            .build();
    toClose.add(() -> lone.close(Duration.ofSeconds(5)));
    String free = "u36@share";
    lone.offer(free, (name, lease) -> open(state, name, lease, lone));
    SharedCheck taken = lone.checkNow(free);
    assertEquals(SharedCheck.Where.TAKEN_HERE, taken.where());
    CheckRecord r = taken.check().orElseThrow().get(10, TimeUnit.SECONDS);
    assertEquals(CheckRecord.Outcome.NEW_MAIL, r.outcome(), r.toString());
    assertEquals(Set.of(free), lone.held());
    assertEquals(List.of(), overlaps);
  }

  @Test
  void anAccountThatCannotBeOpened_isGivenBack_andSaidOnce() throws Exception {
    JdbcState state = JdbcState.open(ds);
    Poller poller = Poller.builder().push(false).build();
    toClose.add(poller);
    List<String> failed = new CopyOnWriteArrayList<>();
    JdbcAccountShare share =
        JdbcAccountShare.builder(
                JdbcAccountLeases.builder(state).owner("share-broken").leaseTime(LEASE).build(),
                poller)
            .listener(
                new JdbcAccountShare.Listener() {
                  @Override
                  public void openFailed(String account, FetchException why) {
                    failed.add(account + ": " + why.error());
                  }
                })
            .build();
    toClose.add(() -> share.close(Duration.ofSeconds(5)));
    share.offer(
        "u37@share",
        (name, lease) -> {
          throw new FetchException(FetchError.SINK_FAILED, "the sink's disk is gone");
        });
    share.start();
    waitFor(() -> !failed.isEmpty(), Duration.ofSeconds(5), "said");
    assertEquals(List.of("u37@share: SINK_FAILED"), failed);
    assertTrue(share.held().isEmpty());
    assertFalse(poller.accounts().contains("u37@share"));
    Thread.sleep(LEASE.toMillis()); // three rounds: not tried again so soon
    assertEquals(1, failed.size(), failed.toString());
    assertEquals(
        "",
        TestDatabase.psql("share", "SELECT owner FROM mailfetch_lease WHERE account = 'u37@share'"),
        "given back at once");
  }

  /** The state database as the embedder's pool reaches it, or a port where nothing listens. */
  private static final class Switchable extends ReusedConnections {
    private final PGSimpleDataSource nowhere = new PGSimpleDataSource();
    volatile boolean down;

    Switchable(DataSource real) {
      super(real);
      nowhere.setUrl("jdbc:postgresql://127.0.0.1:1/none");
      nowhere.setConnectTimeout(1);
    }

    @Override
    public Connection getConnection() throws SQLException {
      return down ? nowhere.getConnection() : super.getConnection();
    }
  }

  @Test
  void aDatabaseDownForALeaseTime_dropsEveryAccount_releasesNothing_andTheyAreTakenAgainAfter()
      throws Exception {
    Switchable db = new Switchable(ds);
    JdbcState state = JdbcState.open(db);
    Poller poller = Poller.builder().push(false).build();
    toClose.add(poller);
    List<String> events = new CopyOnWriteArrayList<>();
    JdbcAccountShare share =
        JdbcAccountShare.builder(
                JdbcAccountLeases.builder(state).owner("share-cut-off").leaseTime(LEASE).build(),
                poller)
            .listener(
                new JdbcAccountShare.Listener() {
                  @Override
                  public void accountLost(String account, String why) {
                    events.add("lost " + account);
                  }

                  @Override
                  public void roundFailed(FetchException why) {
                    events.add("failed " + why.error());
                  }
                })
            .build();
    toClose.add(() -> share.close(Duration.ofSeconds(5)));
    List<String> two = accounts(38, 2);
    for (String a : two) {
      share.offer(a, (name, lease) -> open(state, name, lease, share));
    }
    share.start();
    waitFor(() -> share.held().size() == 2, Duration.ofSeconds(10), "both held");
    db.down = true;
    long cut = System.nanoTime();
    waitFor(() -> share.held().isEmpty(), LEASE.multipliedBy(3), "dropped");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut);
    assertTrue(ms >= LEASE.toMillis() - LEASE.toMillis() / 3, "not before a lease time: " + ms);
    assertTrue(poller.accounts().isEmpty(), "out of the Poller");
    assertTrue(events.contains("failed STATE_FAILED"), events.toString());
    assertTrue(events.containsAll(List.of("lost " + two.get(0), "lost " + two.get(1))));
    assertEquals(
        "share-cut-off,share-cut-off",
        TestDatabase.psql(
            "share",
            "SELECT string_agg(owner, ',') FROM mailfetch_lease WHERE account IN ('"
                + two.get(0)
                + "', '"
                + two.get(1)
                + "')"),
        "nothing released: the database did not answer");
    db.down = false;
    waitFor(() -> share.held().size() == 2, Duration.ofSeconds(10), "taken again");
  }
}
