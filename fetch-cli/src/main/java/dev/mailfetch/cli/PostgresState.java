package dev.mailfetch.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.dedup.DedupStore;
import dev.mailfetch.jdbc.FencedSource;
import dev.mailfetch.jdbc.JdbcAccountLeases;
import dev.mailfetch.jdbc.JdbcDedupStore;
import dev.mailfetch.jdbc.JdbcState;
import dev.mailfetch.jdbc.JdbcUidStore;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The command's state in PostgreSQL (--state jdbc:postgresql://…): one {@link JdbcState} and one
 * lease owner per process, shared by a poll's accounts. Every option is checked when made, nothing
 * is connected until the first account opens. The password comes from {@value #PASSWORD_ENV} or
 * --state-password-file, never from the command line: a URL carrying one is refused, so the URL as
 * given can be printed. The first contact (the schema's check) goes through the driver alone, so an
 * unreachable database or a wrong password fails at once in the driver's words; every statement
 * after it runs on a few kept connections (HikariCP), not a new connection and backend per
 * statement batch (docs/scale.md, "The command").
 */
final class PostgresState implements AutoCloseable {
  /** The variable that holds the state database's password. */
  static final String PASSWORD_ENV = "MAILFETCH_STATE_PASSWORD";

  /**
   * The connections a fetch keeps: its account's reads and writes, its lease's renewal, a spare.
   */
  static final int FETCH_CONNECTIONS = 3;

  /**
   * The connections a poll keeps: one for each check at once, and the share's rounds, the leases'
   * renewals and the requests of other instances.
   */
  static int pollConnections(int maxChecks) {
    return maxChecks + 4;
  }

  /** The variable that names the state database's user, where the URL has no user=. */
  static final String USER_ENV = "MAILFETCH_STATE_USER";

  private final String url;
  private final PGSimpleDataSource dataSource;
  private final int connections;
  private HikariDataSource pool;
  private final Duration leaseTime;
  private final String owner; // null: JdbcAccountLeases' default, pid@host/random
  private final Map<String, JdbcDedupStore> firstCopies = new HashMap<>();
  private JdbcState state;
  private JdbcAccountLeases leases;
  private ScheduledExecutorService renewals;

  private PostgresState(
      String url,
      PGSimpleDataSource dataSource,
      int connections,
      Duration leaseTime,
      String owner) {
    this.url = url;
    this.dataSource = dataSource;
    this.connections = connections;
    this.leaseTime = leaseTime;
    this.owner = owner;
  }

  /**
   * Checks the URL and finds the password, connecting nowhere.
   *
   * @throws ParameterException for a URL that is not PostgreSQL's, carries a password, or no
   *     password given
   */
  static PostgresState of(
      CommandSpec spec,
      String url,
      Path passwordFile,
      Map<String, String> env,
      Duration leaseTime,
      String owner,
      int connections) {
    URI uri = parse(spec, url);
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    String user = null;
    for (String p : query.split("&")) {
      String key = p.contains("=") ? p.substring(0, p.indexOf('=')) : p;
      if (key.equalsIgnoreCase("password")) {
        throw bad(
            spec,
            "--state: the URL carries a password; a password on the command line is seen by every"
                + " user of this machine: give it in "
                + PASSWORD_ENV
                + " or with --state-password-file FILE");
      }
      if (key.equalsIgnoreCase("user")) {
        user = p.substring(p.indexOf('=') + 1);
      }
    }
    Supplier<String> password;
    if (passwordFile != null) {
      password = Secrets.fromFile(spec, "--state-password-file", passwordFile);
    } else if (env.get(PASSWORD_ENV) != null && !env.get(PASSWORD_ENV).isEmpty()) {
      Secrets.requireEnv(spec, env, "--state (" + PASSWORD_ENV + ")", PASSWORD_ENV);
      String pw = env.get(PASSWORD_ENV);
      password = () -> pw;
    } else {
      throw bad(
          spec,
          "--state "
              + url
              + ": the state database's password is not given: set "
              + PASSWORD_ENV
              + " or give --state-password-file FILE (never on the command line)");
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    try {
      ds.setUrl(url);
    } catch (IllegalArgumentException e) {
      throw bad(spec, "--state " + url + ": not a PostgreSQL URL the driver reads: " + form());
    }
    if (user == null) {
      String u = env.get(USER_ENV);
      ds.setUser(u != null && !u.isEmpty() ? u : System.getProperty("user.name"));
    }
    ds.setPassword(password.get());
    ds.setApplicationName("mailfetch");
    // An instance paused inside a transaction (SIGSTOP, a long GC, a partition) keeps the lease
    // rows it locked; the others skip locked rows when they take, so its accounts would wait for
    // it to resume, however long. The database ends such a session after a third of the lease
    // time: its locks go, its transaction rolls back (the paused instance's write is refused, as
    // the fence would), and the accounts are taken once their leases expire.
    String idle =
        "-c idle_in_transaction_session_timeout=" + Math.max(1000, leaseTime.toMillis() / 3);
    ds.setOptions(ds.getOptions() == null ? idle : ds.getOptions() + " " + idle);
    return new PostgresState(url, ds, connections, leaseTime, owner);
  }

  private static URI parse(CommandSpec spec, String url) {
    if (!url.toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql://")) {
      throw bad(
          spec,
          "--state "
              + url
              + ": only PostgreSQL keeps mailfetch's state in a database: "
              + form()
              + ", or a directory");
    }
    try {
      URI uri = new URI(url.substring("jdbc:".length()));
      String path = uri.getPath();
      if (uri.getHost() == null || path == null || !path.matches("/[^/]+")) {
        throw bad(spec, "--state " + url + ": names no host and database: " + form());
      }
      if (uri.getRawUserInfo() != null) {
        throw bad(
            spec,
            "--state: put no user or password before the host: give the user as ?user=NAME (or "
                + USER_ENV
                + ") and the password in "
                + PASSWORD_ENV
                + " or --state-password-file FILE");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw bad(spec, "--state " + url + ": not a URL (" + e.getReason() + "): " + form());
    }
  }

  private static String form() {
    return "jdbc:postgresql://HOST[:PORT]/DATABASE[?user=NAME&sslmode=…]";
  }

  private static ParameterException bad(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** The URL as given, which carries no password. */
  String url() {
    return url;
  }

  private synchronized JdbcState state() throws FetchException {
    if (state == null) {
      try {
        JdbcState.open(dataSource); // the first contact: its failure in the driver's words, at once
        pool = pool(dataSource, connections);
        state = JdbcState.open(pool);
      } catch (FetchException e) {
        closePool();
        if (e.error() != FetchError.STATE_FAILED) {
          throw e; // CONFIGURATION: a schema of another version, with its own remedy
        }
        throw new FetchException(
            e.error(),
            e.detail() + " (state database " + url + ")",
            e.serverReply().orElse(null),
            e,
            Remedy.of(
                "Nothing was fetched: check that PostgreSQL runs and is reachable at the --state URL,"
                    + " that the database exists, and the user (?user=NAME or "
                    + USER_ENV
                    + ") and password ("
                    + PASSWORD_ENV
                    + " or --state-password-file FILE); then run again.",
                "Nothing was fetched: check that the DataSource's database runs, is reachable, and"
                    + " accepts its user and password."));
      }
      JdbcAccountLeases.Builder b = JdbcAccountLeases.builder(state).leaseTime(leaseTime);
      if (owner != null) {
        b.owner(owner); // checked by the poll's options already
      }
      leases = b.build();
      renewals =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "mailfetch lease renewal");
                t.setDaemon(true);
                return t;
              });
    }
    return state;
  }

  /**
   * Takes {@code account}'s lease, renewed every third of the lease time while held, and opens its
   * UID store (writing {@code firstCopies}' entries at its barriers).
   *
   * @throws FetchException LOCKED naming the other owner where another instance holds it
   */
  Held take(String account, JdbcDedupStore firstCopies) throws FetchException {
    JdbcState s = state();
    long takenAt = System.nanoTime();
    Optional<JdbcAccountLeases.Lease> lease = leases.take(account);
    if (lease.isEmpty()) {
      throw held(account, leases.holder(account));
    }
    JdbcUidStore store;
    try {
      JdbcUidStore.Builder b = JdbcUidStore.builder(s, lease.get());
      if (firstCopies != null) {
        b.firstCopies(firstCopies);
      }
      store = b.open();
    } catch (FetchException | RuntimeException e) {
      releaseQuietly(lease.get());
      throw e;
    }
    Held h = new Held(lease.get(), store);
    h.sureUntil = takenAt + FencedSource.sureFor(leaseTime).toNanos();
    long every = Math.max(1, leaseTime.toMillis() / 3);
    h.renewal = renewals.scheduleWithFixedDelay(h::renew, every, every, TimeUnit.MILLISECONDS);
    return h;
  }

  /** The leases of this process's owner (connecting, and checking the schema, the first time). */
  synchronized JdbcAccountLeases leases() throws FetchException {
    state();
    return leases;
  }

  /**
   * Opens {@code lease}'s UID store for an account a share took: the share renews and releases the
   * lease, so closing closes the store only.
   */
  Held held(JdbcAccountLeases.Lease lease, JdbcDedupStore firstCopies) throws FetchException {
    JdbcUidStore.Builder b = JdbcUidStore.builder(state(), lease);
    if (firstCopies != null) {
      b.firstCopies(firstCopies);
    }
    Held h = new Held(lease, b.open());
    h.shared = true;
    return h;
  }

  /** The store of first copies for the sink {@code place}, one per place and process. */
  synchronized JdbcDedupStore firstCopies(String place) throws FetchException {
    JdbcState s = state();
    String name = storeName(place);
    JdbcDedupStore d = firstCopies.get(name);
    if (d == null) {
      d = JdbcDedupStore.open(s, name, DedupStore.Window.DEFAULT);
      firstCopies.put(name, d);
    }
    return d;
  }

  private static String storeName(String place) {
    if (place.length() <= JdbcDedupStore.MAX_NAME_CHARS) {
      return place;
    }
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(place.getBytes(StandardCharsets.UTF_8));
      return place.substring(0, 150) + "…" + HexFormat.of().formatHex(h, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private FetchException held(String account, Optional<JdbcAccountLeases.Lease> by) {
    String owner = by.map(l -> "\"" + l.owner() + "\"").orElse("another instance");
    String until = by.map(l -> ", its lease until " + l.expiresAt()).orElse("");
    return new FetchException(
        FetchError.LOCKED,
        "the state of "
            + account
            + " in "
            + url
            + " is held by another mailfetch: "
            + owner
            + until
            + " (a poll holds its accounts as long as it runs, a fetch until it ends); two at once"
            + " would race",
        null,
        null,
        Remedy.of(
            "Wait for that mailfetch to end, or stop it if it is a poll you no longer need: while"
                + " a poll runs, it fetches this account itself. If it died, its lease ends by itself"
                + " (at the time named).",
            "Wait for the other instance to release the account's lease (JdbcAccountLeases), or"
                + " for its lease to expire."));
  }

  private void releaseQuietly(JdbcAccountLeases.Lease lease) {
    try {
      leases.release(lease);
    } catch (FetchException e) {
      // it expires by itself
    }
  }

  @Override
  public synchronized void close() {
    if (renewals != null) {
      renewals.shutdownNow();
    }
    for (JdbcDedupStore d : firstCopies.values()) {
      d.close();
    }
    firstCopies.clear();
    closePool();
  }

  /**
   * Up to {@code size} connections kept for the state's statements, opened as needed and closed
   * after a minute unused. A statement that finds all of them busy waits for one at most {@link
   * #connectionWait}; a database gone mid-run is then {@code STATE_FAILED} with the driver's words
   * (the pool's last failure). Nothing connects here: the first contact was made without it.
   */
  private static HikariDataSource pool(PGSimpleDataSource direct, int size) {
    HikariConfig c = new HikariConfig();
    c.setPoolName("mailfetch state");
    c.setDataSource(direct);
    c.setMaximumPoolSize(size);
    c.setMinimumIdle(0);
    c.setIdleTimeout(Duration.ofMinutes(1).toMillis());
    c.setConnectionTimeout(connectionWait.toMillis());
    c.setInitializationFailTimeout(-1);
    return new HikariDataSource(c);
  }

  /**
   * How long a statement waits for a connection of the pool (all busy, or the database gone);
   * package-private so that tests can shorten it.
   */
  static Duration connectionWait = Duration.ofSeconds(10);

  /** The pool's connections, as the state's statements get them (for tests). */
  DataSource pooled() throws FetchException {
    state();
    return pool;
  }

  private void closePool() {
    if (pool != null) {
      pool.close(); // closes the kept connections; their backends end
      pool = null;
    }
  }

  /** One account's lease and UID store: closing stops the renewals and releases the lease. */
  final class Held implements AutoCloseable {
    private volatile JdbcAccountLeases.Lease lease;
    private final JdbcUidStore store;
    private volatile ScheduledFuture<?> renewal;
    private volatile boolean lost;
    private volatile long
        sureUntil; // System.nanoTime: the last taking or renewal's start + sureFor
    private boolean shared; // the share renews and releases the lease

    private Held(JdbcAccountLeases.Lease lease, JdbcUidStore store) {
      this.lease = lease;
      this.store = store;
    }

    JdbcUidStore store() {
      return store;
    }

    /**
     * {@code source} fenced by this lease (FencedSource): no session opened, no deletion sent once
     * the lease was taken over or its last renewal is too old to be sure of it (the process was
     * paused, or the database did not answer).
     */
    FencedSource fence(FetchSource source) {
      return FencedSource.of(
          source,
          () -> {
            if (lost) {
              throw new FetchException(
                  FetchError.LOCKED,
                  "another mailfetch took over the lease of " + lease.account() + " meanwhile");
            }
            if (System.nanoTime() - sureUntil >= 0) {
              throw new FetchException(
                  FetchError.LOCKED,
                  "the lease of "
                      + lease.account()
                      + " was last renewed too long ago to act on (this process was paused, or"
                      + " the state database did not answer): another mailfetch may hold it now");
            }
          });
    }

    /** Whether a renewal found the account taken over. */
    boolean lost() {
      return lost;
    }

    /**
     * Renews the lease. Taken over (LOCKED): renewals stop, and the store's fence refuses the run's
     * next write with LOCKED, so the run ends without deleting; a database that does not answer is
     * tried again at the next renewal (the lease lasts three of them).
     */
    private void renew() {
      long started = System.nanoTime();
      try {
        lease = leases.renew(lease);
        sureUntil = started + FencedSource.sureFor(leaseTime).toNanos();
      } catch (FetchException e) {
        if (e.error() == FetchError.LOCKED) {
          lost = true;
          ScheduledFuture<?> r = renewal;
          if (r != null) {
            r.cancel(false);
          }
        }
      } catch (RuntimeException e) {
        // tried again at the next renewal
      }
    }

    @Override
    public void close() {
      ScheduledFuture<?> r = renewal;
      if (r != null) {
        r.cancel(false);
      }
      try {
        store.close();
      } finally {
        if (!lost && !shared) {
          releaseQuietly(lease);
        }
      }
    }
  }
}
