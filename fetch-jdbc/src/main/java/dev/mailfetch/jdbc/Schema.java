package dev.mailfetch.jdbc;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema: created from {@code schema-2.sql} in a database without one, and its version checked
 * against this code's at every open. A version 1 database is upgraded in one transaction ({@code
 * upgrade-1-to-2.sql}: it only adds tables, so an instance of version 1 still running is unharmed).
 * Another version is refused, never written into: an older mailfetch writing a newer schema (or the
 * other way round) could lose what the other relies on.
 */
final class Schema {
  static final int VERSION = 2;
  private static final String RESOURCE = "schema-" + VERSION + ".sql";

  /** The version this code upgrades from, in place. */
  static final int UPGRADED_FROM = 1;

  private static final String UPGRADE = "upgrade-" + UPGRADED_FROM + "-to-" + VERSION + ".sql";
  private static final Logger log = LoggerFactory.getLogger(JdbcState.class);

  private Schema() {}

  /** Checks the version, creating the schema where there is none. */
  static void ensure(Database db) throws FetchException {
    Optional<Integer> found = version(db);
    if (found.isEmpty()) {
      try {
        create(db);
        log.info("created mailfetch's state schema, version {}", VERSION);
      } catch (FetchException e) {
        // Another instance may have created it at the same moment: its schema is as good.
        found = version(db);
        if (found.isEmpty()) {
          throw e;
        }
      }
      found = version(db);
    }
    if (found.orElse(0) == UPGRADED_FROM) {
      upgrade(db);
      found = version(db);
    }
    int v = found.orElse(0);
    if (v != VERSION) {
      throw wrongVersion(v);
    }
  }

  /** The version in {@code mailfetch_schema}; empty where the table does not exist. */
  static Optional<Integer> version(Database db) throws FetchException {
    return db.read(
        "reading mailfetch's schema version",
        c -> {
          if (!tableExists(c, "mailfetch_schema")) {
            return Optional.<Integer>empty();
          }
          try (var s = db.prepare(c, "SELECT MAX(version) FROM mailfetch_schema");
              ResultSet r = s.executeQuery()) {
            return Optional.of(r.next() ? r.getInt(1) : 0);
          }
        });
  }

  private static boolean tableExists(Connection c, String table) throws SQLException {
    DatabaseMetaData m = c.getMetaData();
    for (String name : List.of(table, table.toUpperCase(Locale.ROOT))) {
      try (ResultSet r = m.getTables(null, null, name, new String[] {"TABLE"})) {
        if (r.next()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Upgrades a version 1 database in one transaction. The version row is locked first, so of
   * instances that start together one upgrades and the others, once it committed, find version 2.
   */
  private static void upgrade(Database db) throws FetchException {
    List<String> statements = statements(UPGRADE);
    boolean done =
        db.inTransaction(
            "upgrading mailfetch's state schema from version " + UPGRADED_FROM + " to " + VERSION,
            c -> {
              try (var lock = db.prepare(c, "SELECT version FROM mailfetch_schema FOR UPDATE");
                  ResultSet r = lock.executeQuery()) {
                if (!r.next() || r.getInt(1) != UPGRADED_FROM) {
                  return false; // another instance upgraded it meanwhile
                }
              }
              try (Statement s = c.createStatement()) {
                s.setQueryTimeout(db.timeoutSeconds);
                for (String sql : statements) {
                  s.execute(sql);
                }
              }
              return true;
            });
    if (done) {
      log.info(
          "upgraded mailfetch's state schema from version {} to {} ({})",
          UPGRADED_FROM,
          VERSION,
          UPGRADE);
    }
  }

  private static void create(Database db) throws FetchException {
    List<String> statements = statements(RESOURCE);
    db.inTransaction(
        "creating mailfetch's state schema",
        c -> {
          try (Statement s = c.createStatement()) {
            s.setQueryTimeout(db.timeoutSeconds);
            for (String sql : statements) {
              s.execute(sql);
            }
          }
          return null;
        });
  }

  /** The statements of the schema file: each ends with a semicolon at the end of a line. */
  static List<String> statements(String resource) throws FetchException {
    String text;
    try (InputStream in = Schema.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException(resource + " is missing from the fetch-jdbc jar");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw Database.failed("reading the schema", e);
    }
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (l.endsWith(";")) {
        String sql = current.toString().strip();
        out.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    return out;
  }

  static FetchException wrongVersion(int found) {
    if (found > VERSION) {
      return new FetchException(
          FetchError.CONFIGURATION,
          "the database holds mailfetch's state in schema version "
              + found
              + ", newer than this mailfetch reads (version "
              + VERSION
              + "): a newer mailfetch upgraded it, and this one would misread it",
          null,
          null,
          Remedy.of(
              "Run the newer mailfetch (the one that upgraded the database) on every instance that"
                  + " shares this database; or point --state at a database of its own.",
              "Use the fetch-jdbc version that upgraded the database on every instance that shares"
                  + " it; or give this one a database of its own."));
    }
    return new FetchException(
        FetchError.CONFIGURATION,
        "the database holds mailfetch's state in schema version "
            + found
            + ", older than this mailfetch reads (version "
            + VERSION
            + "; this one upgrades version "
            + UPGRADED_FROM
            + " only): it is not upgraded behind the back of the instances that still use it",
        null,
        null,
        Remedy.of(
            "Stop every mailfetch that shares this database, upgrade its schema with the scripts in"
                + " docs/scale.md (\"Schema versions\"), then start the new mailfetch.",
            "Stop every instance that shares this database, upgrade its schema with the scripts in"
                + " docs/scale.md (\"Schema versions\"), then open it with this fetch-jdbc."));
  }
}
