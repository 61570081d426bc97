package dev.mailfetch.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The statements of {@link JdbcAccountShare}'s rounds, each over many accounts at once: one
 * statement (one round trip) per step, whatever the number of accounts. PostgreSQL's: arrays bound
 * as parameters ({@code = ANY (?)}, {@code unnest}), {@code ON CONFLICT}, {@code RETURNING}, {@code
 * FOR UPDATE SKIP LOCKED} (docs/scale.md, "PostgreSQL-specific parts").
 */
final class ShareSql {
  private ShareSql() {}

  /** Dead instances' rows are deleted this long after their heartbeat ended. */
  static final long FORGET_INSTANCE_MS = 24L * 3600 * 1000;

  /** Writes this instance's heartbeat (live until {@code until}); returns the live instances. */
  static Roster heartbeat(Database db, Connection c, String owner, long now, long until)
      throws SQLException {
    try (PreparedStatement s =
        db.prepare(
            c,
            "INSERT INTO mailfetch_instance (owner, started_at_ms, expires_at_ms) VALUES (?, ?, ?)"
                + " ON CONFLICT (owner) DO UPDATE SET expires_at_ms = EXCLUDED.expires_at_ms")) {
      s.setString(1, owner);
      s.setLong(2, now);
      s.setLong(3, until);
      s.executeUpdate();
    }
    try (PreparedStatement s =
        db.prepare(c, "DELETE FROM mailfetch_instance WHERE expires_at_ms < ?")) {
      s.setLong(1, now - FORGET_INSTANCE_MS);
      s.executeUpdate();
    }
    try (PreparedStatement s =
        db.prepare(
            c,
            "SELECT COUNT(*), MIN(CASE WHEN owner <> ? THEN expires_at_ms END)"
                + " FROM mailfetch_instance WHERE expires_at_ms > ?")) {
      s.setString(1, owner);
      s.setLong(2, now);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        long next = r.getLong(2);
        return new Roster(Math.max(1, r.getInt(1)), r.wasNull() ? -1 : next);
      }
    }
  }

  /**
   * The live instances, this one counted, and when the first other one's heartbeat expires
   * (database milliseconds; -1 where there is none): unless renewed by then, its accounts are free
   * at that time, and a round then takes them without waiting for the next round.
   */
  record Roster(int live, long nextOtherExpiry) {}

  /** Deletes this instance's heartbeat: the others count it out at their next round. */
  static void leave(Database db, Connection c, String owner) throws SQLException {
    try (PreparedStatement s = db.prepare(c, "DELETE FROM mailfetch_instance WHERE owner = ?")) {
      s.setString(1, owner);
      s.executeUpdate();
    }
  }

  /**
   * Extends every lease of {@code held} that still carries its token to {@code until}, in one
   * statement; returns the accounts whose lease it did not find so (taken over, or released by
   * hand): their writes are refused from now on.
   */
  static Set<String> renew(
      Database db, Connection c, String owner, Collection<JdbcAccountLeases.Lease> held, long until)
      throws SQLException {
    Set<String> lost = new LinkedHashSet<>();
    if (held.isEmpty()) {
      return lost;
    }
    String[] accounts = new String[held.size()];
    Long[] tokens = new Long[held.size()];
    int i = 0;
    for (JdbcAccountLeases.Lease l : held) {
      accounts[i] = l.account();
      tokens[i++] = l.fencingToken();
      lost.add(l.account());
    }
    try (PreparedStatement s =
        db.prepare(
            c,
            "UPDATE mailfetch_lease l SET expires_at_ms = ?"
                + " FROM unnest(?, ?) AS h(account, token)"
                + " WHERE l.account = h.account AND l.fencing_token = h.token AND l.owner = ?"
                + " RETURNING l.account")) {
      s.setLong(1, until);
      s.setArray(2, c.createArrayOf("varchar", accounts));
      s.setArray(3, c.createArrayOf("bigint", tokens));
      s.setString(4, owner);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          lost.remove(r.getString(1));
        }
      }
    }
    return lost;
  }

  /** Creates the lease rows missing among {@code accounts} (free, token 0), in one statement. */
  static void ensureRows(Database db, Connection c, Collection<String> accounts)
      throws SQLException {
    if (accounts.isEmpty()) {
      return;
    }
    try (PreparedStatement s =
        db.prepare(
            c,
            "INSERT INTO mailfetch_lease (account, owner, expires_at_ms, fencing_token)"
                + " SELECT a, NULL, 0, 0 FROM unnest(?) AS a ON CONFLICT (account) DO NOTHING")) {
      s.setArray(1, c.createArrayOf("varchar", accounts.toArray(new String[0])));
      s.executeUpdate();
    }
  }

  /**
   * Takes at most {@code most} of {@code candidates} that are free, released, expired or this
   * owner's from before, in one statement; rows another transaction holds locked at this moment (a
   * taker, a write) are skipped, not waited for.
   */
  static List<JdbcAccountLeases.Lease> take(
      Database db,
      Connection c,
      String owner,
      Collection<String> candidates,
      int most,
      long now,
      long until)
      throws SQLException {
    List<JdbcAccountLeases.Lease> taken = new ArrayList<>();
    if (candidates.isEmpty() || most <= 0) {
      return taken;
    }
    try (PreparedStatement s =
        db.prepare(
            c,
            "UPDATE mailfetch_lease SET owner = ?, expires_at_ms = ?,"
                + " fencing_token = fencing_token + 1"
                + " WHERE account IN (SELECT account FROM mailfetch_lease"
                + " WHERE account = ANY (?) AND (owner IS NULL OR owner = ? OR expires_at_ms <= ?)"
                + " LIMIT ? FOR UPDATE SKIP LOCKED)"
                + " RETURNING account, fencing_token")) {
      s.setString(1, owner);
      s.setLong(2, until);
      s.setArray(3, c.createArrayOf("varchar", candidates.toArray(new String[0])));
      s.setString(4, owner);
      s.setLong(5, now);
      s.setInt(6, most);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          taken.add(
              new JdbcAccountLeases.Lease(
                  r.getString(1), owner, r.getLong(2), Instant.ofEpochMilli(until)));
        }
      }
    }
    return taken;
  }

  /** Releases {@code leases} where they still carry their tokens, in one statement. */
  static void release(Database db, Connection c, Collection<JdbcAccountLeases.Lease> leases)
      throws SQLException {
    if (leases.isEmpty()) {
      return;
    }
    String[] accounts = new String[leases.size()];
    Long[] tokens = new Long[leases.size()];
    int i = 0;
    for (JdbcAccountLeases.Lease l : leases) {
      accounts[i] = l.account();
      tokens[i++] = l.fencingToken();
    }
    try (PreparedStatement s =
        db.prepare(
            c,
            "UPDATE mailfetch_lease l SET owner = NULL, expires_at_ms = 0"
                + " FROM unnest(?, ?) AS h(account, token)"
                + " WHERE l.account = h.account AND l.fencing_token = h.token")) {
      s.setArray(1, c.createArrayOf("varchar", accounts));
      s.setArray(2, c.createArrayOf("bigint", tokens));
      s.executeUpdate();
    }
  }

  /** Takes the checks asked of this owner's accounts (deleting the requests). */
  static Set<String> takeRequests(Database db, Connection c, String owner) throws SQLException {
    Set<String> asked = new HashSet<>();
    try (PreparedStatement s =
        db.prepare(
            c,
            "DELETE FROM mailfetch_check_request r USING mailfetch_lease l"
                + " WHERE r.account = l.account AND l.owner = ? RETURNING r.account")) {
      s.setString(1, owner);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          asked.add(r.getString(1));
        }
      }
    }
    return asked;
  }

  /** Asks the holder of {@code account} to check it (once, however often asked meanwhile). */
  static void ask(Database db, Connection c, String account, String by, long now)
      throws SQLException {
    try (PreparedStatement s =
        db.prepare(
            c,
            "INSERT INTO mailfetch_check_request (account, asked_by, asked_at_ms) VALUES (?, ?, ?)"
                + " ON CONFLICT (account) DO NOTHING")) {
      s.setString(1, account);
      s.setString(2, by);
      s.setLong(3, now);
      s.executeUpdate();
    }
  }

  /** Whether {@code owner}'s heartbeat is live. */
  static boolean live(Database db, Connection c, String owner, long now) throws SQLException {
    try (PreparedStatement s =
        db.prepare(c, "SELECT 1 FROM mailfetch_instance WHERE owner = ? AND expires_at_ms > ?")) {
      s.setString(1, owner);
      s.setLong(2, now);
      try (ResultSet r = s.executeQuery()) {
        return r.next();
      }
    }
  }
}
