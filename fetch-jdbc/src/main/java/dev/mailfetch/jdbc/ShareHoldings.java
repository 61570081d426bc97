package dev.mailfetch.jdbc;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.poll.CheckRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accounts one {@link JdbcAccountShare} holds: each one's lease and what its opener opened, and
 * whether it is leaving (removed from the Poller, given back once its last check ended). Called
 * under the share's lock.
 */
final class ShareHoldings {
  private static final Logger log = LoggerFactory.getLogger(JdbcAccountShare.class);

  /** An account that could not be opened is tried again here after this many rounds. */
  static final int OPEN_RETRY_ROUNDS = 10;

  private static final class Holding {
    JdbcAccountLeases.Lease lease;
    final JdbcAccountShare.Opened opened;
    CompletableFuture<CheckRecord> leaving; // null while the Poller has it

    Holding(JdbcAccountLeases.Lease lease, JdbcAccountShare.Opened opened) {
      this.lease = lease;
      this.opened = opened;
    }
  }

  private final JdbcAccountShare share;
  private final Database db;
  private final String owner;
  private final long retryNanos;
  private final Map<String, Holding> held = new LinkedHashMap<>();
  private final Map<String, Long> openFailedAt = new HashMap<>();

  /** Accounts lost whose last check here has not ended: not taken again until it has. */
  private final Map<String, CompletableFuture<CheckRecord>> draining = new HashMap<>();

  /**
   * Per account held, until when ({@link System#nanoTime}) this instance is sure of its lease: the
   * start of the statement that last took or renewed it, plus the lease time less a margin. Read by
   * the fenced sources' threads without the share's lock ({@link #requireSure}).
   */
  private final Map<String, Long> sureUntil = new ConcurrentHashMap<>();

  private final long sureNanos;
  private FetchException lastOpenFailure;

  ShareHoldings(JdbcAccountShare share, Database db, String owner, long roundMs, long leaseMs) {
    this.share = share;
    this.db = db;
    this.owner = owner;
    this.retryNanos = OPEN_RETRY_ROUNDS * roundMs * 1_000_000;
    this.sureNanos = FencedSource.sureFor(Duration.ofMillis(leaseMs)).toNanos();
  }

  /**
   * Returns where this instance holds {@code account} and is sure of its lease by its own clock.
   *
   * @throws FetchException {@code LOCKED} otherwise
   */
  void requireSure(String account) throws FetchException {
    Long until = sureUntil.get(account);
    if (until == null) {
      throw new FetchException(
          FetchError.LOCKED,
          "the lease of "
              + account
              + " is not held by "
              + owner
              + " (given back, or taken over by another instance)");
    }
    long late = System.nanoTime() - until;
    if (late >= 0) {
      throw new FetchException(
          FetchError.LOCKED,
          "the lease of "
              + account
              + " held by "
              + owner
              + " was last renewed too long ago to act on ("
              + (sureNanos + late) / 1_000_000
              + " ms; this instance was paused, or cut off from the database): another instance"
              + " may hold it now; nothing is started or deleted until a renewal succeeds");
    }
  }

  List<String> active() {
    List<String> out = new ArrayList<>();
    held.forEach(
        (a, h) -> {
          if (h.leaving == null) {
            out.add(a);
          }
        });
    return out;
  }

  boolean holds(String account) {
    return held.containsKey(account);
  }

  boolean holdsActive(String account) {
    Holding h = held.get(account);
    return h != null && h.leaving == null;
  }

  /**
   * Whether the account may be taken: not failed to open in the last rounds, and no check of it
   * still running here from before it was lost (two sessions of one account at once).
   */
  boolean mayOpen(String account) {
    CompletableFuture<CheckRecord> last = draining.get(account);
    if (last != null) {
      if (!last.isDone()) {
        return false;
      }
      draining.remove(account);
    }
    Long at = openFailedAt.get(account);
    if (at == null) {
      return true;
    }
    if (System.nanoTime() - at >= retryNanos) {
      openFailedAt.remove(account);
      return true;
    }
    return false;
  }

  /** Every lease held, leaving ones included (renewed until given back). */
  List<JdbcAccountLeases.Lease> leases() {
    List<JdbcAccountLeases.Lease> out = new ArrayList<>();
    for (Holding h : held.values()) {
      out.add(h.lease);
    }
    return out;
  }

  /**
   * The leases held were all renewed until {@code until} by a statement that started at {@code
   * startedNanos}.
   */
  void renewed(long until, long startedNanos) {
    for (Map.Entry<String, Holding> e : held.entrySet()) {
      sureUntil.put(e.getKey(), startedNanos + sureNanos);
      Holding h = e.getValue();
      JdbcAccountLeases.Lease l = h.lease;
      h.lease =
          new JdbcAccountLeases.Lease(
              l.account(), l.owner(), l.fencingToken(), Instant.ofEpochMilli(until));
    }
  }

  FetchException lastOpenFailure() {
    return lastOpenFailure;
  }

  /**
   * Opens an account whose lease was just taken and adds it to the Poller; where it cannot be, the
   * lease is given back at once and the account is not taken again here for a few rounds.
   */
  boolean open(
      String account,
      JdbcAccountLeases.Lease lease,
      JdbcAccountShare.Opener opener,
      boolean asked,
      long takenAtNanos) {
    JdbcAccountShare.Opened opened;
    try {
      opened = opener.open(account, lease);
    } catch (FetchException | RuntimeException e) {
      FetchException why =
          e instanceof FetchException fe
              ? fe
              : new FetchException(
                  FetchError.CONFIGURATION, "opening " + account + " failed: " + e, e);
      lastOpenFailure = why;
      openFailedAt.put(account, System.nanoTime());
      release(List.of(lease));
      log.warn("{} - could not be opened, given back: {}", account, why.getMessage());
      share.listener().openFailed(account, why);
      return false;
    }
    try {
      share.poller.add(opened.fetcher(), opened.host());
    } catch (IllegalArgumentException | IllegalStateException e) {
      closeQuietly(account, opened);
      release(List.of(lease));
      lastOpenFailure =
          new FetchException(
              FetchError.CONFIGURATION, "the Poller refused " + account + ": " + e.getMessage(), e);
      return false;
    }
    held.put(account, new Holding(lease, opened));
    sureUntil.put(account, takenAtNanos + sureNanos);
    log.info("{} - taken by {} (fencing token {})", account, owner, lease.fencingToken());
    share.listener().accountTaken(account, lease);
    return true;
  }

  /** Gives back {@code n} accounts, those not being checked first. */
  void giveBack(int n) {
    List<String> idle = new ArrayList<>();
    List<String> busy = new ArrayList<>();
    for (String a : active()) {
      (share.poller.status(a).checking() ? busy : idle).add(a);
    }
    idle.addAll(busy);
    for (String a : idle.subList(0, Math.min(n, idle.size()))) {
      leave(a);
    }
    finishLeaving();
  }

  private void leave(String account) {
    Holding h = held.get(account);
    h.leaving = share.poller.remove(account).orElse(CompletableFuture.completedFuture(null));
  }

  /** Closes and releases, in one transaction, the leaving accounts whose last check ended. */
  void finishLeaving() {
    List<JdbcAccountLeases.Lease> done = new ArrayList<>();
    for (var it = held.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      Holding h = e.getValue();
      if (h.leaving != null && h.leaving.isDone()) {
        closeQuietly(e.getKey(), h.opened);
        done.add(h.lease);
        sureUntil.remove(e.getKey());
        it.remove();
      }
    }
    if (done.isEmpty()) {
      return;
    }
    release(done);
    for (JdbcAccountLeases.Lease l : done) {
      log.info("{} - given back by {}", l.account(), owner);
      share.listener().accountGivenBack(l.account());
    }
  }

  /**
   * The account is no longer this instance's (taken over, or its lease not renewed in time): out of
   * the Poller at once, closed once its check ended, never released (it is not ours to).
   */
  void drop(String account, String why) {
    Holding h = held.remove(account);
    sureUntil.remove(account);
    if (h == null) {
      return;
    }
    CompletableFuture<CheckRecord> f =
        h.leaving != null
            ? h.leaving
            : share.poller.remove(account).orElse(CompletableFuture.completedFuture(null));
    draining.put(account, f);
    var unused = f.whenComplete((r, e) -> closeQuietly(account, h.opened));
    log.warn("{} - lost by {}: {}", account, owner, why);
    share.listener().accountLost(account, why);
  }

  void dropAll(String why) {
    for (String a : new ArrayList<>(held.keySet())) {
      drop(a, why);
    }
  }

  /**
   * Removes every account from the Poller and gives each back once its check ended, within {@code
   * grace}, renewing the leases meanwhile every {@code roundMs}.
   *
   * @return true if every account was given back
   */
  boolean giveBackAll(Duration grace, long roundMs) {
    for (String a : active()) {
      leave(a);
    }
    long deadline = System.nanoTime() + grace.toNanos();
    while (true) {
      finishLeaving();
      long left = deadline - System.nanoTime();
      if (held.isEmpty() || left <= 0) {
        break;
      }
      List<CompletableFuture<CheckRecord>> waiting = new ArrayList<>();
      held.values().forEach(h -> waiting.add(h.leaving));
      try {
        CompletableFuture.allOf(waiting.toArray(new CompletableFuture<?>[0]))
            .get(Math.min(left, roundMs * 1_000_000), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        renewLeaving(); // still running: keep the leases while they end
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return held.isEmpty();
  }

  private void renewLeaving() {
    List<JdbcAccountLeases.Lease> leases = leases();
    long started = System.nanoTime();
    try {
      long[] until = new long[1];
      Set<String> lost =
          db.inTransaction(
              "renewing the leases of " + owner + " while its checks end",
              c -> {
                until[0] = db.now(c) + share.leaseMillis();
                return ShareSql.renew(db, c, owner, leases, until[0]);
              });
      renewed(until[0], started);
      for (String a : lost) {
        drop(a, "another instance took it over while its check ended");
      }
    } catch (FetchException e) {
      log.warn("{} - renewing while checks end: {}", owner, e.getMessage());
    }
  }

  private void release(List<JdbcAccountLeases.Lease> leases) {
    try {
      db.inTransaction(
          "giving back " + leases.size() + " accounts of " + owner,
          c -> {
            ShareSql.release(db, c, leases);
            return null;
          });
    } catch (FetchException e) {
      log.warn("{} - giving back failed, the leases expire instead: {}", owner, e.getMessage());
      share.listener().roundFailed(e);
    }
  }

  private static void closeQuietly(String account, JdbcAccountShare.Opened opened) {
    try {
      opened.resources().close();
    } catch (Exception e) {
      log.warn("{} - closing it: {}", account, e.toString());
    }
  }
}
