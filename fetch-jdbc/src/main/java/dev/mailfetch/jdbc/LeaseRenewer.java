package dev.mailfetch.jdbc;

import dev.mailfetch.api.FetchException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The renewals of one {@link JdbcAccountShare}'s leases and heartbeat, on a thread of their own and
 * without the share's lock: the share's thread may spend longer than a lease opening accounts on a
 * slow machine, and a renewal waiting for it would let every lease expire meanwhile. What a renewal
 * learns (the live instances, when another's heartbeat expires, the leases taken over) is read by
 * the share's rounds.
 */
final class LeaseRenewer {
  private static final Logger log = LoggerFactory.getLogger(JdbcAccountShare.class);

  private final JdbcAccountShare share;
  private final ShareHoldings holdings;
  private final Database db;
  private final String owner;
  private final long leaseMs;
  private final long roundMs;

  private final Object wait = new Object();
  private volatile boolean stopping;
  private volatile boolean paused; // tests: a renewer stalled (GC, a starved thread)
  private Thread thread;

  private volatile int live = 1;
  private volatile long lastRenewedNanos = System.nanoTime();
  private volatile boolean beaten; // a heartbeat written: live counted
  private volatile boolean overdue; // no renewal for a whole lease time: drop all

  /** Accounts found taken over: the share's thread drops them. */
  private final Set<String> lost = ConcurrentHashMap.newKeySet();

  /** When (nanoTime) the first other instance's heartbeat expires unless renewed; a round then. */
  private volatile long otherExpiresNanos = System.nanoTime() + Long.MAX_VALUE / 4;

  LeaseRenewer(JdbcAccountShare share, ShareHoldings holdings, Database db, String owner) {
    this.share = share;
    this.holdings = holdings;
    this.db = db;
    this.owner = owner;
    this.leaseMs = share.leaseMillis();
    this.roundMs = Math.max(1, leaseMs / 3);
  }

  /** Starts the renewer's thread: a renewal at once, then one every third of the lease time. */
  void start() {
    thread = new Thread(this::loop, "mailfetch-account-share-renewer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops the thread (a renewal under way ends first); returns it for joining, or null. */
  Thread stop() {
    synchronized (wait) {
      stopping = true;
      wait.notifyAll();
    }
    return thread;
  }

  /** For tests: stalls the renewals while the rest of the instance goes on, or lets them go on. */
  void pause(boolean stall) {
    synchronized (wait) {
      paused = stall;
      wait.notifyAll();
    }
  }

  /** The live instances counted at the last renewal (this one included). */
  int live() {
    return live;
  }

  /** Whether a heartbeat was written once: {@link #live()} is counted. */
  boolean beaten() {
    return beaten;
  }

  /** When (nanoTime) the last successful renewal started. */
  long lastRenewedNanos() {
    return lastRenewedNanos;
  }

  /** Whether no renewal succeeded for a whole lease time: another may hold any account now. */
  boolean overdue() {
    return overdue;
  }

  /** When (nanoTime) the first other instance's heartbeat expires unless renewed. */
  long otherExpiresNanos() {
    return otherExpiresNanos;
  }

  /** After a failed renewal in a round: the next round as if another's heartbeat were due. */
  void otherExpiresIn(long millis) {
    otherExpiresNanos = System.nanoTime() + millis * 1_000_000;
  }

  /** The accounts found taken over since the last call, forgotten here. */
  List<String> takeLost() {
    List<String> out = new ArrayList<>();
    for (String account : new ArrayList<>(lost)) {
      if (lost.remove(account)) {
        out.add(account);
      }
    }
    return out;
  }

  /** Forgets the accounts found taken over (all are being dropped). */
  void clearLost() {
    lost.clear();
  }

  /**
   * Renews on a timer of its own, every third of the lease time from the start of the last renewal,
   * whatever the share's thread is doing (opening a hundred accounts on a slow machine, waiting for
   * the share's lock): a renewal is late only if this thread itself is starved or the database is
   * slow. A failed renewal is tried again after a sixth to a third of the lease time, at random, so
   * that instances that all failed at once do not all come back at once.
   */
  private void loop() {
    long next = System.nanoTime();
    while (!stopping) {
      synchronized (wait) {
        long waitMs = (next - System.nanoTime()) / 1_000_000;
        while (!stopping && (waitMs > 0 || paused)) {
          try {
            wait.wait(paused ? 100 : waitMs);
          } catch (InterruptedException e) {
            return; // halted
          }
          waitMs = (next - System.nanoTime()) / 1_000_000;
        }
      }
      if (stopping) {
        return;
      }
      long started = System.nanoTime();
      boolean ok;
      try {
        ok = renew(started);
      } catch (RuntimeException e) {
        log.error("{} - a renewal of the account share failed; tried again", owner, e);
        ok = false;
      }
      next =
          ok
              ? started + roundMs * 1_000_000
              : System.nanoTime()
                  + (roundMs / 2 + ThreadLocalRandom.current().nextLong(1 + roundMs / 2))
                      * 1_000_000;
    }
  }

  /**
   * One renewal, on the renewer's thread or (at the first round, and the one at another's heartbeat
   * expiry, which needs the live instances counted now) the share's: this instance's heartbeat (the
   * live instances counted), then every lease held renewed in one statement where its row still
   * carries its token (a late renewal that finds its rows unchanged keeps them: nobody took them
   * meanwhile). A lease not found so was taken over: the fence refuses its account at once, and the
   * share's thread drops it. Returns whether the database answered.
   */
  boolean renew(long started) {
    if (paused) {
      return false; // tests: as if this renewal had not come yet
    }
    Map<String, Long> tokens = holdings.renewable();
    List<JdbcAccountLeases.Lease> held = new ArrayList<>();
    tokens.forEach((a, t) -> held.add(new JdbcAccountLeases.Lease(a, owner, t, Instant.EPOCH)));
    long[] times = new long[1];
    ShareSql.Roster[] roster = new ShareSql.Roster[1];
    Set<String> gone;
    try {
      gone =
          db.inTransaction(
              "renewing the leases of " + owner,
              c -> {
                long now = db.now(c);
                times[0] = now;
                roster[0] = ShareSql.heartbeat(db, c, owner, now, now + leaseMs);
                return ShareSql.renew(db, c, owner, held, now + leaseMs);
              });
    } catch (FetchException e) {
      share.listener().roundFailed(e);
      log.warn("{} - renewing its leases failed: {}", owner, e.getMessage());
      if (System.nanoTime() - lastRenewedNanos >= leaseMs * 1_000_000) {
        overdue = true;
        share.wake(true);
      }
      return false;
    }
    lastRenewedNanos = started;
    overdue = false;
    Map<String, Long> renewed = new LinkedHashMap<>(tokens);
    renewed.keySet().removeAll(gone);
    holdings.renewed(renewed, started);
    boolean dropped = false;
    for (String account : gone) {
      // Only for the token renewed: the account may have been dropped and taken again meanwhile.
      if (holdings.renewalLost(account, tokens.get(account))) {
        lost.add(account);
        dropped = true;
      }
    }
    live = roster[0].live();
    beaten = true;
    long other = roster[0].nextOtherExpiry();
    // Another instance that does not renew by its heartbeat's expiry has died or paused: a round
    // just after it takes its accounts, so that they wait one lease time, not a lease and a round.
    // From after the transaction (the database's now was read before it ended): never early.
    long after = System.nanoTime();
    otherExpiresNanos = after + (other < 0 ? 3 * roundMs : other - times[0] + 50) * 1_000_000;
    share.wake(dropped); // a round for the accounts lost; the share's thread waits for the expiry
    return true;
  }
}
