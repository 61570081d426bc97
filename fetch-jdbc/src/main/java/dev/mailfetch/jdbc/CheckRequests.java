package dev.mailfetch.jdbc;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.poll.Poller;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks asked between the instances of a {@link JdbcAccountShare}: a check of an account another
 * live instance holds is asked of that instance through the database (only the holder may open a
 * session), and each instance picks up what was asked of it about every second.
 */
final class CheckRequests {
  private static final Logger log = LoggerFactory.getLogger(JdbcAccountShare.class);

  private final JdbcAccountShare share;
  private final ShareHoldings holdings;
  private final Database db;
  private final String owner;
  private final Poller poller;

  CheckRequests(JdbcAccountShare share, ShareHoldings holdings, Database db, Poller poller) {
    this.share = share;
    this.holdings = holdings;
    this.db = db;
    this.owner = share.owner();
    this.poller = poller;
  }

  /**
   * Asks the holder of {@code account} to check it, if another live instance (or this one, for a
   * lease it holds) holds an unexpired lease of it; returns that holder, or empty if nobody does
   * (then the caller may take it). Called under the share's lock.
   */
  Optional<String> askHolder(String account) throws FetchException {
    return db.inTransaction(
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
  }

  /** Asks whoever takes {@code account} next (or holds it now) to check it. */
  void ask(String account) throws FetchException {
    db.inTransaction(
        "asking for a check of " + account,
        c -> {
          ShareSql.ask(db, c, account, owner, db.now(c));
          return null;
        });
  }

  /**
   * Checks the accounts other instances asked of this one; those it no longer holds (being given
   * back) are asked again, for their next holder. On the share's thread, outside its lock but for
   * the Poller's calls.
   */
  void pickUp() {
    Set<String> asked;
    try {
      asked =
          db.inTransaction(
              "reading the checks asked of " + owner, c -> ShareSql.takeRequests(db, c, owner));
    } catch (FetchException e) {
      return; // the round says so
    }
    List<String> notHere = new ArrayList<>();
    synchronized (share) {
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
}
