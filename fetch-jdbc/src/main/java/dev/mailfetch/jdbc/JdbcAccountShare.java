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
 * <p><b>Renewals</b>, every third of the lease time on a thread of their own, whatever else the
 * instance does (opening accounts on a slow disk, checks): one transaction writes this instance's
 * heartbeat ({@code mailfetch_instance}), counts the live instances and renews every lease held,
 * those still being opened included, in one statement; a late renewal that finds its rows unchanged
 * keeps them. A lease found taken over (its token gone) is refused by the fence at once and dropped
 * by the round: removed from the Poller, its account closed once the check running ends; its writes
 * were refused by the fence already. Once no renewal succeeded for a whole lease time every account
 * is dropped (another instance may hold it by now).
 *
 * <p><b>Rounds</b>, at start, every third of the lease time and just after another instance's
 * heartbeat expires, on the share's thread: the share is balanced. The target is the offered
 * accounts divided by the live instances, rounded up; above the target plus the slack the extra
 * accounts are given back (those not being checked first: removed from the Poller, released once
 * their check ended); below the target free, released or expired leases are taken, in one
 * statement, opened and added to the Poller, unless this instance's own renewals are late (then the
 * other's may be late for the same reason). Details and bounds: docs/scale.md.
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
  private final LeaseRenewer renewer;
  private final CheckRequests requests;

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
    this.renewer = new LeaseRenewer(this, holdings, db, owner);
    this.requests = new CheckRequests(this, holdings, db, poller);
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
    return renewer.live();
  }

  /** The fair share: the offered accounts divided by the live instances, rounded up. */
  public synchronized int target() {
    int live = renewer.live();
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
    renewer.start();
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
    Optional<String> elsewhere = requests.askHolder(account);
    if (elsewhere.isPresent()) {
      return new SharedCheck(
          account, SharedCheck.Where.ASKED_HOLDER, elsewhere.get(), Optional.empty());
    }
    long takenAt = System.nanoTime();
    Optional<JdbcAccountLeases.Lease> lease = leases.take(account);
    if (lease.isEmpty()) { // taken by another between the two transactions
      requests.ask(account);
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
    Thread r = renewer.stop();
    for (Thread each : new Thread[] {t, r}) {
      if (each != null && each != Thread.currentThread()) {
        try {
          each.join(Math.max(1000, 2 * leaseMs));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
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
    Thread r = renewer.stop();
    for (Thread each : new Thread[] {t, r}) {
      if (each != null) {
        each.interrupt();
        try {
          each.join(5000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * For tests: stalls the renewer (as a starved thread or a long pause of it would) while the rest
   * of the instance goes on, or lets it go on.
   */
  void pauseRenewals(boolean paused) {
    renewer.pause(paused);
  }

  @Override
  public String toString() {
    return "JdbcAccountShare[" + owner + ", " + leases.leaseTime() + "]";
  }

  // ---------------------------------------------------------------- the share's thread

  Listener listener() {
    return listener;
  }

  /** Wakes the share's thread: for a round, or to look at when another's heartbeat expires. */
  void wake(boolean round) {
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
        due = roundWanted || now - nextRound >= 0 || now - renewer.otherExpiresNanos() >= 0;
        roundWanted = false;
      }
      try {
        if (due) {
          nextRound = System.nanoTime() + roundMs * 1_000_000;
          round();
        }
        requests.pickUp();
      } catch (RuntimeException e) {
        log.error("{} - a round of the account share failed; tried again", owner, e);
      }
      synchronized (wake) {
        long other = renewer.otherExpiresNanos();
        long next = other - nextRound < 0 ? other : nextRound;
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

  // ---------------------------------------------------------------- the rounds

  /** One round: the accounts the renewer found lost dropped, then the balance. */
  synchronized void round() {
    if (stopping) {
      return;
    }
    // The first round needs the live instances; one run because another instance's heartbeat
    // expired needs them counted now, not at the renewer's next turn (up to a round later).
    if ((!renewer.beaten() || System.nanoTime() - renewer.otherExpiresNanos() >= 0)
        && !renewer.renew(System.nanoTime())) {
      renewer.otherExpiresIn(3 * roundMs); // the next round as due
      return;
    }
    long started = System.nanoTime();
    if (renewer.overdue()) {
      holdings.dropAll(
          "its leases were not renewed for a whole lease time (the database did not answer)");
      renewer.clearLost();
      return;
    }
    for (String account : renewer.takeLost()) {
      if (!holdings.renewable().containsKey(account)) {
        holdings.drop(account, "another instance took it over (its lease carries a newer token)");
      }
    }
    if (!rowsMissing.isEmpty()) {
      List<String> missing = new ArrayList<>(rowsMissing);
      try {
        db.inTransaction(
            "creating the lease rows of " + owner + "'s accounts",
            c -> {
              ShareSql.ensureRows(db, c, missing);
              return null;
            });
      } catch (FetchException e) {
        listener.roundFailed(e);
        return;
      }
      rowsMissing.removeAll(missing);
    }
    holdings.finishLeaving();
    balance(started);
  }

  /**
   * Gives back above the target plus the slack; takes up to the target below it, in chunks, and
   * stops for a round once half a round has passed (opening thousands of accounts takes seconds),
   * so that the leases held are renewed in time; the next round follows at once.
   */
  private void balance(long started) {
    int target = target();
    int active = holdings.active().size();
    if (active > target + slack()) {
      holdings.giveBack(active - target);
      return;
    }
    if (active >= target) {
      return;
    }
    if (System.nanoTime() - renewer.lastRenewedNanos() > 2 * roundMs * 1_000_000) {
      // This instance's own renewals are late: the machine or the database is slow, and another
      // instance's expired lease may be as late for the same reason. Taking it now would only hand
      // accounts to and fro (every instance slow at once: a churn storm); the next round that
      // follows a renewal in time takes what is still expired.
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
                c -> {
                  long now = db.now(c);
                  return ShareSql.take(db, c, owner, candidates, n, now, now + leaseMs);
                });
      } catch (FetchException e) {
        listener.roundFailed(e);
        return;
      }
      for (JdbcAccountLeases.Lease lease : taken) {
        holdings.taken(lease, started); // renewed while the others are opened
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
