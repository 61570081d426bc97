package dev.mailfetch.jdbc;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.Require;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * mailfetch's state in a database the embedder provides (a {@link DataSource}: its driver and pool
 * are the embedder's, not dependencies of this module). Opening checks the schema, and creates it
 * in an empty database; the stores and leases are made from here:
 *
 * <pre>{@code
 * JdbcState state = JdbcState.open(dataSource);
 * JdbcAccountLeases leases = JdbcAccountLeases.builder(state).owner("fetcher-1").build();
 * JdbcAccountLeases.Lease lease = leases.take("alice@example.org").orElseThrow();
 * try (JdbcUidStore uids = JdbcUidStore.open(state, lease)) {
 *   // fetch with uids: its writes are refused once another instance took the account over
 * } finally {
 *   leases.release(lease);
 * }
 * }</pre>
 *
 * <p><b>The schema</b> ({@code schema-2.sql} beside this class; docs/scale.md) carries its version
 * in {@code mailfetch_schema}. A database of another version is refused with {@link
 * dev.mailfetch.api.FetchError#CONFIGURATION}, saying which version it holds and what to do.
 *
 * <p>Safe for concurrent use; one is enough per database and process.
 */
public final class JdbcState {
  /** The schema version this code reads and writes. */
  public static final int SCHEMA_VERSION = Schema.VERSION;

  /** Default of {@link Builder#queryTimeout}: 30 seconds. */
  public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(30);

  final Database db;

  private JdbcState(Database db) {
    this.db = db;
  }

  /** The state in {@code dataSource}, with the defaults: the schema checked, or created if none. */
  public static JdbcState open(DataSource dataSource) throws FetchException {
    return builder(dataSource).open();
  }

  /** A builder for the state in {@code dataSource}. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** The schema version the database holds (at open it was {@link #SCHEMA_VERSION}). */
  public int schemaVersion() throws FetchException {
    return Schema.version(db).orElse(0);
  }

  @Override
  public String toString() {
    return "JdbcState[schema " + SCHEMA_VERSION + ", timeout " + db.timeoutSeconds + " s]";
  }

  /** Builds a {@link JdbcState}; settings are checked when set. */
  public static final class Builder {
    private final DataSource dataSource;
    private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
    private Clock clock = Clock.systemUTC();
    private boolean databaseTime = true;
    private final Require.Once once = new Require.Once();

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * The longest any one statement may take ({@link java.sql.Statement#setQueryTimeout}, whole
     * seconds); past it the call fails with {@code STATE_FAILED} and nothing is deleted. {@link
     * #DEFAULT_QUERY_TIMEOUT} by default; 1 second to 10 minutes.
     *
     * @throws IllegalArgumentException out of range; IllegalStateException if set before
     */
    public Builder queryTimeout(Duration timeout) {
      once.set("queryTimeout", this.queryTimeout);
      Objects.requireNonNull(timeout, "queryTimeout");
      Require.requireArgument(
          timeout.compareTo(Duration.ofSeconds(1)) >= 0
              && timeout.compareTo(Duration.ofMinutes(10)) <= 0,
          "queryTimeout must be 1 second to 10 minutes: %s",
          timeout);
      this.queryTimeout = timeout;
      return this;
    }

    /**
     * The clock of lease expiry and of the dedup window, for tests that move time by hand. By
     * default lease times come from the database's clock (PostgreSQL's {@code clock_timestamp()}),
     * one clock for every instance, so that a skew between machines cannot let a taker in early;
     * with a clock given here they come from it, and instances sharing a database must then agree
     * on the time within a small part of the lease time (docs/scale.md, "Failure modes"). The
     * fencing token keeps the state safe either way.
     *
     * @throws IllegalStateException if set before
     */
    public Builder clock(Clock clock) {
      once.set("clock", this.clock);
      this.clock = Objects.requireNonNull(clock, "clock");
      this.databaseTime = false;
      return this;
    }

    /**
     * Checks the schema (creating it in a database without one) and returns the state.
     *
     * @throws FetchException {@code CONFIGURATION} for a database of another schema version; {@code
     *     STATE_FAILED} where the database cannot be reached or refuses
     */
    public JdbcState open() throws FetchException {
      Database db = new Database(dataSource, (int) queryTimeout.toSeconds(), clock, databaseTime);
      Schema.ensure(db);
      return new JdbcState(db);
    }
  }
}
