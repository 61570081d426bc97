package dev.mailfetch.jdbc;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that talks to the embedder's {@link DataSource}: a connection per unit of work, one
 * transaction each, every statement bounded by the query timeout, and a failure turned into a
 * {@link FetchException} that says what was being done, with the database's words as its reply.
 */
final class Database {
  private static final Logger log = LoggerFactory.getLogger(JdbcState.class);

  /** A unit of work inside one transaction. */
  interface Work<T> {
    T run(Connection c) throws SQLException, IOException;
  }

  final DataSource dataSource;
  final int timeoutSeconds;
  final Clock clock;

  /**
   * Whether lease times come from the database's clock (no clock given to the builder): then every
   * instance judges expiry by one clock, and a skew between machines cannot let a taker in early.
   */
  final boolean databaseTime;

  Database(DataSource dataSource, int timeoutSeconds, Clock clock, boolean databaseTime) {
    this.dataSource = dataSource;
    this.timeoutSeconds = timeoutSeconds;
    this.clock = clock;
    this.databaseTime = databaseTime;
  }

  /**
   * Now, in epoch milliseconds, for lease times: the database's clock ({@code clock_timestamp()},
   * PostgreSQL's) unless the builder was given a clock (tests move one by hand).
   */
  long now(Connection c) throws SQLException {
    if (!databaseTime) {
      return clock.millis();
    }
    try (PreparedStatement s =
            prepare(c, "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)");
        ResultSet r = s.executeQuery()) {
      r.next();
      return r.getLong(1);
    }
  }

  /**
   * Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. A
   * {@link FetchException} from the work passes as it is; anything else becomes {@code
   * STATE_FAILED} naming {@code what}.
   */
  <T> T inTransaction(String what, Work<T> work) throws FetchException {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | IOException | RuntimeException e) {
        rollback(c, what);
        throw e;
      } finally {
        if (autoCommit) {
          c.setAutoCommit(true); // as a pool expects its connections back
        }
      }
    } catch (FetchException e) {
      throw e;
    } catch (SQLException | IOException e) {
      throw failed(what, e);
    }
  }

  /**
   * Runs {@code work}, which only reads, on a connection in auto-commit: each statement its own
   * transaction, no commit to send. Failures as {@link #inTransaction}.
   */
  <T> T read(String what, Work<T> work) throws FetchException {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      return work.run(c);
    } catch (FetchException e) {
      throw e;
    } catch (SQLException | IOException e) {
      throw failed(what, e);
    }
  }

  /** A statement with the query timeout set. */
  PreparedStatement prepare(Connection c, String sql) throws SQLException {
    PreparedStatement s = c.prepareStatement(sql);
    s.setQueryTimeout(timeoutSeconds);
    return s;
  }

  /** {@code STATE_FAILED}: {@code what} could not be done, with the database's words. */
  static FetchException failed(String what, Exception e) {
    String words = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof SQLException s && s.getSQLState() != null) {
      words = words + " (SQLSTATE " + s.getSQLState() + ")";
    }
    // A pool that found no connection in time says so in its words; the reason a person can act
    // on (refused, a wrong password, the database shutting down) is its last failure, the cause.
    if (e instanceof SQLTransientConnectionException
        && e.getCause() != null
        && e.getCause().getMessage() != null) {
      words = words + ": " + e.getCause().getMessage();
    }
    return new FetchException(
        FetchError.STATE_FAILED, what + ": the database refused or did not answer", words, e);
  }

  private static void rollback(Connection c, String what) {
    try {
      c.rollback();
    } catch (SQLException e) {
      log.debug("rolling back ({}): {}", what, e.toString());
    }
  }
}
