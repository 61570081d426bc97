package dev.mailfetch.jdbc;

import dev.mailfetch.testkit.PrivatePostgres;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.postgresql.ds.PGSimpleDataSource;

/** A database of the test class's own in the JVM's private PostgreSQL. */
final class TestDatabase {
  private TestDatabase() {}

  /** A new, empty database called {@code name} (skips the test where PostgreSQL cannot start). */
  static ReusedConnections create(String name) throws Exception {
    PrivatePostgres pg = PrivatePostgres.shared();
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(pg.jdbcUrl(pg.createDatabase(name)));
    ds.setUser(PrivatePostgres.USER);
    return new ReusedConnections(ds);
  }

  /** The shared cluster's psql, for what a test reads or breaks behind the module's back. */
  static String psql(String database, String sql) throws Exception {
    return PrivatePostgres.shared().psql(database, sql).strip();
  }

  /** A clock a test moves by hand. */
  static final class ManualClock extends Clock {
    private volatile Instant now;

    ManualClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
