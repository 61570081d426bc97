package dev.mailfetch.jdbc;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.internal.Require;
import dev.mailfetch.poll.Poller;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accounts of a {@link Poller} shared between instances over one database: each instance offers
 * the accounts it may run, and holds (leases, opens and polls) its fair share of them, no more than
 * the share plus a slack; an instance that dies loses its accounts to the others as soon as its
 * lease time is over (a round runs just after its heartbeat expires); one that stops cleanly gives
 * them back at once.
 *
 * <pre>{@code
 * JdbcAccountLeases leases = JdbcAccountLeases.builder(state).owner("fetcher-1").build();
 * JdbcAccountShare share = JdbcAccountShare.builder(leases, poller).build();
 * for (String account : accounts) {
 *   share.offer(account, (name, lease) -> {
 *     JdbcUidStore uids = JdbcUidStore.open(state, lease); // its writes carry the lease's token
 *     Fetcher f = Fetcher.builder().source(sourceOf(name)).sink(sinkOf(name)).uidStore(uids).build();
 *     return new JdbcAccountShare.Opened(f, hostOf(name), uids);
 *   });
 * }
 * poller.start();
 * share.start();
 * // ...
 * share.close(Duration.ofSeconds(30)); // gives every account back
 * poller.close();
 * }</pre>
 *
 * <p><b>Rounds</b>, every third of the lease time on a thread of its own (and at once on start):
 * one transaction writes this instance's heartbeat ({@code mailfetch_instance}), counts the live
 * instances and renews every lease held, in one statement. A lease found taken over (its token
 * gone) is dropped at once: removed from the Poller, its account closed once the check running
 * ends; its writes were refused by the fence already. Then the share is balanced: the target is the
 * offered accounts divided by the live instances, rounded up; above the target plus the slack the
 * extra accounts are given back (those not being checked first: removed from the Poller, released
 * once their check ended); below the target free, released or expired leases are taken, in one
 * statement, opened and added to the Poller. Where the database does not answer, the round is tried
 * again at the next; once no renewal succeeded for a whole lease time every account is dropped
 * (another instance may hold it by now). Details and bounds: docs/scale.md.
 *
 * <p>Listener calls come from the share's thread, under its lock: keep them short. Thread-safe.
 */
public final class JdbcAccountShare implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JdbcAccountShare.class);

  /** How often an instance looks for checks asked of its accounts by other instances. */
  static final Duration REQUEST_POLL = Duration.ofSeconds(1);

  /** Leases taken in one statement, at most. */
  static final int TAKE_CHUNK = 500;

  /** Opens an account whose lease this instance has just taken. */
  @FunctionalInterface
  public interface Opener {
    /**
     * Opens {@code account}: its Fetcher's UID store must be a {@link JdbcUidStore} opened with
     * {@code lease}, so that its writes are refused once another instance takes the account over.
     *
     * @throws FetchException where it cannot be opened: the lease is given back, and the account is
     *     tried again here after ten rounds
     */
    Opened open(String account, JdbcAccountLeases.Lease lease) throws FetchException;
  }

  /**
   * An account opened for the lease this instance holds.
   *
   * @param fetcher what the Poller runs; its {@link Fetcher#account()} is the account's name
   * @param host the server's host, for the Poller's per-host bounds
   * @param resources closed once the account is given back or lost, after its last check ended
   */
  public record Opened(Fetcher fetcher, String host, AutoCloseable resources) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if any is null
     */
    public Opened {
      Objects.requireNonNull(fetcher, "fetcher");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(resources, "resources");
    }
  }

  /** Hears what the share does; every method does nothing by default. */
  public interface Listener {
    /** Nothing. */
    Listener NONE = new Listener() {};

    /** This instance took {@code account} (its lease) and added it to the Poller. */
    default void accountTaken(String account, JdbcAccountLeases.Lease lease) {}

    /** This instance gave {@code account} back (released its lease): to balance, or stopping. */
    default void accountGivenBack(String account) {}

    /** This instance lost {@code account} without giving it back: {@code why}. */
    default void accountLost(String account, String why) {}

    /** {@code account}'s lease was taken but the account could not be opened. */
    default void openFailed(String account, FetchException why) {}

    /** A round could not reach the database; it is tried again at the next. */
    default void roundFailed(FetchException why) {}
  }

  private final JdbcAccountLeases leases;
  private final Database db;
  final Poller poller;
  private final String owner;
  private final long leaseMs;
  private final long roundMs;
  private final int slack; // -1: the default, from the target
  private final Listener listener;

  private final Map<String, Opener> offered = new LinkedHashMap<>();
  private final Set<String> rowsMissing = new LinkedHashSet<>();
  private final ShareHoldings holdings;
  private int live = 1;
  private long lastRenewedNanos = System.nanoTime();

  /** When (nanoTime) the first other instance's heartbeat expires unless renewed; a round then. */
  private volatile long otherExpiresNanos = System.nanoTime() + Long.MAX_VALUE / 4;

  private final Object wake = new Object();
  private volatile boolean stopping;
  private boolean roundWanted;
  private Thread thread;

  private JdbcAccountShare(Builder b) {
    this.leases = b.leases;
    this.db = b.leases.state().db;
    this.poller = b.poller;
    this.owner = b.leases.owner();
    this.leaseMs = b.leases.leaseTime().toMillis();
    this.roundMs = Math.max(1, leaseMs / 3);
    this.slack = b.slack;
    this.listener = b.listener;
    this.holdings = new ShareHoldings(this, db, owner, roundMs, leaseMs);
  }

  /** A builder of the share of {@code leases}' owner, feeding {@code poller}. */
  public static Builder builder(JdbcAccountLeases leases, Poller poller) {
    return new Builder(leases, poller);
  }

  /** The name this instance holds its accounts under. */
  public String owner() {
    return owner;
  }

  /**
   * Offers {@code account}: this instance may run it, opened with {@code opener} whenever it takes
   * the account's lease. Every instance of a share should offer the same accounts.
   *
   * @throws IllegalArgumentException if it was offered before
   */
  public void offer(String account, Opener opener) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(opener, "opener");
    synchronized (this) {
      Require.requireArgument(
          !offered.containsKey(account), "account %s is offered already", account);
      offered.put(account, opener);
      rowsMissing.add(account);
    }
    wake(true);
  }

  /** Offers each of {@code accounts} with its opener ({@link #offer(String, Opener)}). */
  public void offer(Map<String, Opener> accounts) {
    accounts.forEach(this::offer);
  }

  /** The accounts this instance holds now (leased, in the Poller), in the order taken. */
  public synchronized Set<String> held() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(holdings.active()));
  }

  /** The live instances counted at the last round (this one included). */
  public synchronized int liveInstances() {
    return live;
  }

  /** The fair share: the offered accounts divided by the live instances, rounded up. */
  public synchronized int target() {
    return (offered.size() + live - 1) / live;
  }

  /** How many accounts above the target this instance keeps before it gives any back. */
  public synchronized int slack() {
    int t = target();
    return slack >= 0 ? slack : Math.max(1, (t + 19) / 20);
  }

  /** Starts the share's thread: a round at once, then one every third of the lease time. */
  public synchronized void start() {
    if (stopping) {
      throw new IllegalStateException("the share is closed");
    }
    if (thread != null) {
      return;
    }
    thread = new Thread(this::loop, "mailfetch-account-share");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Checks {@code account} now, wherever that can be: held here, the Poller's check; held by
   * another live instance, that instance is asked (it checks within about a second); held by
   * nobody, this instance takes it (beyond its share until the next round balances) and checks it.
   *
   * @throws IllegalArgumentException if this instance was not offered the account
   * @throws IllegalStateException once the share is closed
   * @throws FetchException {@code STATE_FAILED} where the database does not answer; an opening
   *     failure of the account taken here
   */
  public synchronized SharedCheck checkNow(String account) throws FetchException {
    if (stopping) {
      throw new IllegalStateException("the share is closed");
    }
    Require.requireArgument(
        offered.containsKey(account), "account %s is not offered to this share", account);
    if (holdings.holdsActive(account)) {
      return new SharedCheck(
          account, SharedCheck.Where.HERE, owner, Optional.of(poller.checkNow(account)));
    }
    Optional<String> elsewhere =
        db.inTransaction(
            "asking for a check of " + account,
            c -> {
              long now = db.now(c);
              Optional<JdbcAccountLeases.Lease> h = JdbcAccountLeases.holder(db, c, account);
              boolean heldByOther =
                  h.isPresent()
                      && !h.get().owner().isEmpty()
                      && h.get().expiresAt().toEpochMilli() > now
                      && (!h.get().owner().equals(owner) || holdings.holds(account))
                      && ShareSql.live(db, c, h.get().owner(), now);
              if (!heldByOther) {
                return Optional.<String>empty();
              }
              ShareSql.ask(db, c, account, owner, now);
              return Optional.of(h.get().owner());
            });
    if (elsewhere.isPresent()) {
      return new SharedCheck(
          account, SharedCheck.Where.ASKED_HOLDER, elsewhere.get(), Optional.empty());
    }
    long takenAt = System.nanoTime();
    Optional<JdbcAccountLeases.Lease> lease = leases.take(account);
    if (lease.isEmpty()) { // taken by another between the two transactions
      db.inTransaction(
          "asking for a check of " + account,
          c -> {
            ShareSql.ask(db, c, account, owner, db.now(c));
            return null;
          });
      String by = leases.holder(account).map(JdbcAccountLeases.Lease::owner).orElse("");
      return new SharedCheck(account, SharedCheck.Where.ASKED_HOLDER, by, Optional.empty());
    }
    if (!holdings.open(account, lease.get(), offered.get(account), true, takenAt)) {
      throw holdings.lastOpenFailure();
    }
    return new SharedCheck(
        account, SharedCheck.Where.TAKEN_HERE, owner, Optional.of(poller.checkNow(account)));
  }

  /**
   * {@code source}, fenced by this share ({@link FencedSource}): a session of {@code account}
   * opens, and its deletions are sent, only while this instance holds the account and is sure of
   * its lease by its own clock — its last taking or renewal started less than the lease time ago,
   * less a sixth of it (at least half a second). An instance paused past that (GC, SIGSTOP, a
   * partition) wakes up to {@code LOCKED} (a poll puts the check off) instead of a session beside
   * the new holder's or a {@code DELE} the new holder did not decide. Openers wrap their account's
   * source with it.
   */
  public FencedSource fenced(String account, FetchSource source) {
    Objects.requireNonNull(account, "account");
    return FencedSource.of(source, () -> holdings.requireSure(account));
  }

  /**
   * Stops the share: every account held is removed from the Poller, and once its running check
   * ended (within {@code grace}) closed and given back, so that the other instances take it at
   * their next round; the leases stay renewed meanwhile. An account whose check outlasts {@code
   * grace} is not given back (its lease expires by itself, as another's taking must wait for the
   * check). Deletes this instance's heartbeat. Call before closing the Poller.
   *
   * @return true if every account was given back
   */
  public boolean close(Duration grace) {
    Thread t;
    synchronized (wake) {
      stopping = true;
      t = thread;
      wake.notifyAll();
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(Math.max(1000, 2 * leaseMs));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      boolean all = holdings.giveBackAll(grace, roundMs);
      try {
        db.inTransaction(
            "deleting the heartbeat of " + owner,
            c -> {
              ShareSql.leave(db, c, owner);
              return null;
            });
      } catch (FetchException e) {
        log.warn("{} - its heartbeat stays until it expires: {}", owner, e.getMessage());
      }
      return all;
    }
  }

  /** {@link #close(Duration)} with 30 seconds. */
  @Override
  public void close() {
    if (!close(Duration.ofSeconds(30))) {
      log.warn("{} - checks still running 30 s after close: their leases expire", owner);
    }
  }

  /**
   * For tests: stops the share's thread as a process that died would, giving nothing back and
   * leaving the heartbeat to expire.
   */
  void halt() {
    Thread t;
    synchronized (wake) {
      stopping = true;
      t = thread;
      wake.notifyAll();
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "JdbcAccountShare[" + owner + ", " + leases.leaseTime() + "]";
  }

  // ---------------------------------------------------------------- the share's thread

  Listener listener() {
    return listener;
  }

  private void wake(boolean round) {
    synchronized (wake) {
      roundWanted |= round;
      wake.notifyAll();
    }
  }

  private void loop() {
    long nextRound = System.nanoTime();
    while (!stopping) {
      boolean due;
      synchronized (wake) {
        long now = System.nanoTime();
        due = roundWanted || now - nextRound >= 0 || now - otherExpiresNanos >= 0;
        roundWanted = false;
      }
      try {
        if (due) {
          nextRound = System.nanoTime() + roundMs * 1_000_000;
          round();
        }
        pickUpRequests();
      } catch (RuntimeException e) {
        log.error("{} - a round of the account share failed; tried again", owner, e);
      }
      synchronized (wake) {
        long next = otherExpiresNanos - nextRound < 0 ? otherExpiresNanos : nextRound;
        long waitMs = Math.min(REQUEST_POLL.toMillis(), (next - System.nanoTime()) / 1_000_000);
        if (!stopping && !roundWanted && waitMs > 0) {
          try {
            wake.wait(waitMs);
          } catch (InterruptedException e) {
            return; // halted
          }
        }
      }
    }
  }

  /** One round: heartbeat, renewals, then the balance. */
  synchronized void round() {
    if (stopping) {
      return;
    }
    long started = System.nanoTime();
    List<JdbcAccountLeases.Lease> held = holdings.leases();
    List<String> missing = new ArrayList<>(rowsMissing);
    long[] times = new long[2];
    ShareSql.Roster[] roster = new ShareSql.Roster[1];
    Set<String> lost;
    try {
      lost =
          db.inTransaction(
              "a round of the account share of " + owner,
              c -> {
                long now = db.now(c);
                times[0] = now;
                times[1] = now + leaseMs;
                roster[0] = ShareSql.heartbeat(db, c, owner, now, times[1]);
                ShareSql.ensureRows(db, c, missing);
                return ShareSql.renew(db, c, owner, held, times[1]);
              });
    } catch (FetchException e) {
      otherExpiresNanos = System.nanoTime() + 3 * roundMs * 1_000_000; // the next round as due
      listener.roundFailed(e);
      log.warn("{} - a round of the account share failed: {}", owner, e.getMessage());
      if (System.nanoTime() - lastRenewedNanos >= leaseMs * 1_000_000) {
        holdings.dropAll(
            "its lease was not renewed for a whole lease time (" + e.getMessage() + ")");
      }
      return;
    }
    lastRenewedNanos = started;
    rowsMissing.removeAll(missing);
    live = roster[0].live();
    long other = roster[0].nextOtherExpiry();
    // Another instance that does not renew by its heartbeat's expiry has died or paused: a round
    // just after it takes its accounts, so that they wait one lease time, not a lease and a round.
    // From after the transaction (the database's now was read before it ended): never early.
    long after = System.nanoTime();
    otherExpiresNanos = after + (other < 0 ? 3 * roundMs : other - times[0] + 50) * 1_000_000;
    for (String account : lost) {
      holdings.drop(account, "another instance took it over (its lease carries a newer token)");
    }
    holdings.renewed(times[1], started);
    holdings.finishLeaving();
    balance(started, times[0], times[1]);
  }

  /**
   * Gives back above the target plus the slack; takes up to the target below it, in chunks, and
   * stops for a round once half a round has passed (opening thousands of accounts takes seconds),
   * so that the leases held are renewed in time; the next round follows at once.
   */
  private void balance(long started, long now, long until) {
    int target = target();
    int active = holdings.active().size();
    if (active > target + slack()) {
      holdings.giveBack(active - target);
      return;
    }
    if (active >= target) {
      return;
    }
    List<String> candidates = new ArrayList<>();
    for (String account : offered.keySet()) {
      if (!holdings.holds(account) && holdings.mayOpen(account)) {
        candidates.add(account);
      }
    }
    Collections.shuffle(candidates); // instances taking at once meet fewer locked rows
    while (active < target && !candidates.isEmpty()) {
      int n = Math.min(TAKE_CHUNK, target - active);
      List<JdbcAccountLeases.Lease> taken;
      try {
        taken =
            db.inTransaction(
                "taking accounts for " + owner,
                c -> ShareSql.take(db, c, owner, candidates, n, now, until));
      } catch (FetchException e) {
        listener.roundFailed(e);
        return;
      }
      Set<String> tried = new HashSet<>();
      for (JdbcAccountLeases.Lease lease : taken) {
        tried.add(lease.account());
        if (holdings.open(lease.account(), lease, offered.get(lease.account()), false, started)) {
          active++;
        }
      }
      candidates.removeAll(tried);
      if (taken.size() < n) {
        return; // no more free
      }
      if (System.nanoTime() - started > roundMs * 500_000) {
        wake(true); // renew first, then take on
        return;
      }
    }
  }

  /** Checks the accounts other instances asked for. */
  private void pickUpRequests() {
    Set<String> asked;
    try {
      asked =
          db.inTransaction(
              "reading the checks asked of " + owner, c -> ShareSql.takeRequests(db, c, owner));
    } catch (FetchException e) {
      return; // the round says so
    }
    List<String> notHere = new ArrayList<>();
    synchronized (this) {
      for (String account : asked) {
        if (holdings.holdsActive(account)) {
          var unused = poller.checkNow(account);
        } else {
          notHere.add(account); // being given back: for the next holder
        }
      }
    }
    if (!notHere.isEmpty()) {
      try {
        db.inTransaction(
            "passing on the checks asked of " + owner,
            c -> {
              long now = db.now(c);
              for (String account : notHere) {
                ShareSql.ask(db, c, account, owner, now);
              }
              return null;
            });
      } catch (FetchException e) {
        log.debug("{} - passing on asked checks: {}", owner, e.getMessage());
      }
    }
  }

  long leaseMillis() {
    return leaseMs;
  }

  /** Builds a {@link JdbcAccountShare}; settings are checked when set. */
  public static final class Builder {
    private final JdbcAccountLeases leases;
    private final Poller poller;
    private int slack = -1;
    private Listener listener = Listener.NONE;
    private final Require.Once once = new Require.Once();

    private Builder(JdbcAccountLeases leases, Poller poller) {
      this.leases = Objects.requireNonNull(leases, "leases");
      this.poller = Objects.requireNonNull(poller, "poller");
    }

    /**
     * How many accounts above the fair share an instance keeps before it gives any back: 0 to
     * 100,000. By default 5 % of the share, at least 1, so that instances do not hand accounts to
     * and fro over a rounding.
     *
     * @throws IllegalArgumentException out of range; IllegalStateException if set before
     */
    public Builder slack(int slack) {
      once.set("slack", this.slack < 0 ? "the default" : this.slack);
      Require.requireArgument(
          slack >= 0 && slack <= 100_000, "slack must be 0 to 100000: %d", slack);
      this.slack = slack;
      return this;
    }

    /** Who hears what the share does. Default: {@link Listener#NONE}. */
    public Builder listener(Listener listener) {
      once.set("listener", this.listener == Listener.NONE ? "none" : this.listener);
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The share; {@link #start()} it once its accounts are offered. */
    public JdbcAccountShare build() {
      return new JdbcAccountShare(this);
    }
  }
}
