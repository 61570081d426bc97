package dev.mailfetch.jdbc;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.UidRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * One account's rows in {@code mailfetch_account}, {@code mailfetch_uid} and {@code
 * mailfetch_fingerprint}, both ways: reading and writing live together so that a column added on
 * one side cannot be forgotten on the other (as {@code JournalRecords} does for the file store).
 */
final class UidRows {
  /** A record and since when its UID is gone from the server (0: listed). */
  record Row(UidRecord record, long goneSince) {}

  /** What is kept of the account beside its messages. */
  record Account(Instant firstRun, String mark) {}

  private static final String UPSERT =
      "INSERT INTO mailfetch_uid (account, uid, state, first_seen, delivery_key, failures,"
          + " last_error, last_error_detail, size, gone_since)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (account, uid) DO UPDATE SET state = EXCLUDED.state,"
          + " first_seen = EXCLUDED.first_seen, delivery_key = EXCLUDED.delivery_key,"
          + " failures = EXCLUDED.failures, last_error = EXCLUDED.last_error,"
          + " last_error_detail = EXCLUDED.last_error_detail, size = EXCLUDED.size,"
          + " gone_since = EXCLUDED.gone_since";

  private UidRows() {}

  /** Reads the account's row and every record of it into {@code into}. */
  static Account load(Database db, Connection c, String account, Map<String, Row> into)
      throws SQLException, FetchException {
    Account a = new Account(null, null);
    try (PreparedStatement s =
        db.prepare(c, "SELECT first_run, mailbox_mark FROM mailfetch_account WHERE account = ?")) {
      s.setString(1, account);
      try (ResultSet r = s.executeQuery()) {
        if (r.next()) {
          long first = r.getLong(1);
          a = new Account(r.wasNull() ? null : Instant.ofEpochSecond(first), r.getString(2));
        }
      }
    }
    try (PreparedStatement s =
        db.prepare(
            c,
            "SELECT uid, state, first_seen, delivery_key, failures, last_error,"
                + " last_error_detail, size, gone_since FROM mailfetch_uid WHERE account = ?")) {
      s.setString(1, account);
      s.setFetchSize(1000);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          UidRecord rec = read(r, account);
          into.put(rec.uid(), new Row(rec, r.getLong(9)));
        }
      }
    }
    return a;
  }

  /** The fingerprints of those of {@code uids} that have one. */
  static Map<String, byte[]> fingerprints(
      Database db, Connection c, String account, Set<String> uids) throws SQLException {
    Map<String, byte[]> out = new HashMap<>();
    try (PreparedStatement s =
        db.prepare(c, "SELECT uid, fingerprint FROM mailfetch_fingerprint WHERE account = ?")) {
      s.setString(1, account);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          if (uids.contains(r.getString(1))) {
            out.put(r.getString(1), HexFormat.of().parseHex(r.getString(2)));
          }
        }
      }
    }
    return out;
  }

  static void writeAccount(Database db, Connection c, String account, Instant firstRun, String mark)
      throws SQLException {
    try (PreparedStatement s =
        db.prepare(
            c,
            "INSERT INTO mailfetch_account (account, first_run, mailbox_mark) VALUES (?, ?, ?)"
                + " ON CONFLICT (account) DO UPDATE SET first_run = EXCLUDED.first_run,"
                + " mailbox_mark = EXCLUDED.mailbox_mark")) {
      s.setString(1, account);
      if (firstRun == null) {
        s.setNull(2, Types.BIGINT);
      } else {
        s.setLong(2, firstRun.getEpochSecond());
      }
      s.setString(3, mark);
      s.executeUpdate();
    }
  }

  /** Inserts or replaces the rows of {@code uids}, in one batch. */
  static void writeRows(
      Database db, Connection c, String account, Collection<String> uids, Map<String, Row> rows)
      throws SQLException {
    if (uids.isEmpty()) {
      return;
    }
    try (PreparedStatement s = db.prepare(c, UPSERT)) {
      for (String uid : uids) {
        Row row = rows.get(uid);
        UidRecord r = row.record();
        s.setString(1, account);
        s.setString(2, uid);
        s.setString(3, UidStates.code(r.state()));
        s.setLong(4, r.firstSeen().getEpochSecond());
        s.setString(5, r.deliveryKey() == null ? null : r.deliveryKey().toString());
        s.setInt(6, r.failures());
        s.setString(7, r.lastError() == null ? null : r.lastError().name());
        s.setString(8, r.lastErrorDetail());
        s.setLong(9, r.size());
        s.setLong(10, row.goneSince());
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  /** Deletes the records and fingerprints of {@code uids} (forgotten). */
  static void delete(Database db, Connection c, String account, Collection<String> uids)
      throws SQLException {
    if (uids.isEmpty()) {
      return;
    }
    for (String table : new String[] {"mailfetch_uid", "mailfetch_fingerprint"}) {
      try (PreparedStatement s =
          db.prepare(c, "DELETE FROM " + table + " WHERE account = ? AND uid = ?")) {
        for (String uid : uids) {
          s.setString(1, account);
          s.setString(2, uid);
          s.addBatch();
        }
        s.executeBatch();
      }
    }
  }

  static void writeFingerprints(
      Database db, Connection c, String account, Map<String, byte[]> fingerprints)
      throws SQLException {
    if (fingerprints.isEmpty()) {
      return;
    }
    try (PreparedStatement s =
        db.prepare(
            c,
            "INSERT INTO mailfetch_fingerprint (account, uid, fingerprint) VALUES (?, ?, ?)"
                + " ON CONFLICT (account, uid) DO UPDATE SET fingerprint = EXCLUDED.fingerprint")) {
      for (Map.Entry<String, byte[]> e : fingerprints.entrySet()) {
        s.setString(1, account);
        s.setString(2, e.getKey());
        s.setString(3, HexFormat.of().formatHex(e.getValue()));
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private static UidRecord read(ResultSet r, String account) throws SQLException, FetchException {
    String uid = r.getString(1);
    try {
      String key = r.getString(4);
      String error = r.getString(6);
      return new UidRecord(
          uid,
          UidStates.of(r.getString(2)),
          Instant.ofEpochSecond(r.getLong(3)),
          key == null ? null : DeliveryKey.parse(key.strip()),
          r.getInt(5),
          error == null ? null : FetchError.valueOf(error),
          r.getString(7),
          r.getLong(8));
    } catch (IllegalArgumentException e) {
      throw new FetchException(
          FetchError.STATE_DAMAGED,
          "the record of message "
              + UidRecord.boundedDetail(uid)
              + " of "
              + account
              + " in mailfetch_uid does not read as one: "
              + e.getMessage(),
          e);
    }
  }
}
