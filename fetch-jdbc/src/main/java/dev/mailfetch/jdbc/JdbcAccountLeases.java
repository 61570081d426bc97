package dev.mailfetch.jdbc;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.Require;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One lease per account in the shared database, so that exactly one instance fetches an account at
 * a time: its owner, its expiry, and a <b>fencing token</b> that only grows. Each taking of the
 * lease (a free one, a released one, or an expired one taken over) adds one to the token, and every
 * state write of the account ({@link JdbcUidStore#sync()}) carries the token it was opened with and
 * is refused when the row holds a newer one. So an instance paused past its lease (GC, SIGSTOP, a
 * network partition) can neither write nor, since the engine deletes only after its state write,
 * delete, once another took over.
 *
 * <p>A lease is held until {@link Lease#expiresAt()}: the owner renews it ({@link #renew}) while a
 * check runs, and {@link #release}s it when done. Another owner takes it only after it expired; the
 * same owner taking it again gets a new token, which fences off its own older stores.
 *
 * <p>Expiry is judged by the database's clock, or by the clock given to {@link
 * JdbcState.Builder#clock}; clocks that disagree could let two owners overlap in time, never in
 * writes (the token decides). Safe for concurrent use.
 */
public final class JdbcAccountLeases {
  /** Default of {@link Builder#leaseTime}: 2 minutes. */
  public static final Duration DEFAULT_LEASE_TIME = Duration.ofMinutes(2);

  /** Longest owner name. */
  public static final int MAX_OWNER_CHARS = 200;

  /**
   * A lease held: the account, who holds it, the fencing token its writes carry, and until when.
   *
   * @param account the account
   * @param owner who holds it
   * @param fencingToken the token of this taking; a later taking has a greater one
   * @param expiresAt when another owner may take it over unless it is renewed
   */
  public record Lease(String account, String owner, long fencingToken, Instant expiresAt) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if any is null
     */
    public Lease {
      Objects.requireNonNull(account, "account");
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  private final JdbcState state;
  private final String owner;
  private final Duration leaseTime;

  private JdbcAccountLeases(Builder b) {
    this.state = b.state;
    this.owner = b.owner;
    this.leaseTime = b.leaseTime;
  }

  /** A builder of leases held in {@code state}'s database. */
  public static Builder builder(JdbcState state) {
    return new Builder(state);
  }

  /** Who these leases are held by. */
  public String owner() {
    return owner;
  }

  /** How long a lease lasts unless renewed. */
  public Duration leaseTime() {
    return leaseTime;
  }

  JdbcState state() {
    return state;
  }

  /**
   * Takes the lease of {@code account} if it is free, released, expired, or this owner's: with a
   * fencing token one greater than any before. Empty where another owner holds it unexpired.
   */
  public Optional<Lease> take(String account) throws FetchException {
    Objects.requireNonNull(account, "account");
    Database db = state.db;
    return db.inTransaction(
        "taking the lease of " + account,
        c -> {
          long now = db.now(c);
          long until = now + leaseTime.toMillis();
          ensureRow(db, c, account);
          try (PreparedStatement s =
              db.prepare(
                  c,
                  "UPDATE mailfetch_lease SET owner = ?, expires_at_ms = ?,"
                      + " fencing_token = fencing_token + 1"
                      + " WHERE account = ? AND (owner IS NULL OR owner = ? OR expires_at_ms <= ?)")) {
            s.setString(1, owner);
            s.setLong(2, until);
            s.setString(3, account);
            s.setString(4, owner);
            s.setLong(5, now);
            if (s.executeUpdate() == 0) {
              return Optional.<Lease>empty();
            }
          }
          return Optional.of(
              new Lease(account, owner, token(db, c, account), Instant.ofEpochMilli(until)));
        });
  }

  /**
   * Extends {@code lease} by the lease time from now.
   *
   * @throws FetchException {@code LOCKED} where another owner took the account over meanwhile (this
   *     lease's writes are refused from then on)
   */
  public Lease renew(Lease lease) throws FetchException {
    Database db = state.db;
    return db.inTransaction(
        "renewing the lease of " + lease.account(),
        c -> {
          long until = db.now(c) + leaseTime.toMillis();
          try (PreparedStatement s =
              db.prepare(
                  c,
                  "UPDATE mailfetch_lease SET expires_at_ms = ?"
                      + " WHERE account = ? AND owner = ? AND fencing_token = ?")) {
            s.setLong(1, until);
            s.setString(2, lease.account());
            s.setString(3, lease.owner());
            s.setLong(4, lease.fencingToken());
            if (s.executeUpdate() == 0) {
              throw takenOver(lease, holder(db, c, lease.account()));
            }
          }
          return new Lease(
              lease.account(), lease.owner(), lease.fencingToken(), Instant.ofEpochMilli(until));
        });
  }

  /**
   * Gives the account back at once, so that another instance takes it without waiting for the
   * expiry; the token stays (the next taking adds one). Does nothing where the lease was taken over
   * already.
   */
  public void release(Lease lease) throws FetchException {
    Database db = state.db;
    db.inTransaction(
        "releasing the lease of " + lease.account(),
        c -> {
          try (PreparedStatement s =
              db.prepare(
                  c,
                  "UPDATE mailfetch_lease SET owner = NULL, expires_at_ms = 0"
                      + " WHERE account = ? AND fencing_token = ?")) {
            s.setString(1, lease.account());
            s.setLong(2, lease.fencingToken());
            s.executeUpdate();
          }
          return null;
        });
  }

  /** Who holds the lease of {@code account} now, if anyone (expired or not). */
  public Optional<Lease> holder(String account) throws FetchException {
    Database db = state.db;
    return db.read("reading the lease of " + account, c -> holder(db, c, account));
  }

  @Override
  public String toString() {
    return "JdbcAccountLeases[" + owner + ", " + leaseTime + "]";
  }

  // ------------------------------------------------------------ the fence, for the stores' writes

  /**
   * Inside a write's transaction: locks the account's lease row until the commit and checks that it
   * still carries {@code lease}'s token. A taking-over waits for the commit, so every write of the
   * old owner is ordered before the new owner's token exists.
   *
   * @throws FetchException {@code LOCKED} where a newer owner took the account over
   */
  static void checkFence(Database db, Connection c, Lease lease)
      throws SQLException, FetchException {
    try (PreparedStatement s =
        db.prepare(
            c, "SELECT fencing_token, owner FROM mailfetch_lease WHERE account = ? FOR UPDATE")) {
      s.setString(1, lease.account());
      try (ResultSet r = s.executeQuery()) {
        if (r.next()
            && r.getLong(1) == lease.fencingToken()
            && lease.owner().equals(r.getString(2))) {
          return;
        }
      }
    }
    throw takenOver(lease, holder(db, c, lease.account()));
  }

  static FetchException takenOver(Lease lease, Optional<Lease> now) {
    String by =
        now.map(
                h ->
                    h.fencingToken() == lease.fencingToken()
                        ? "it was released"
                        : "\""
                            + h.owner()
                            + "\" took it over (fencing token "
                            + h.fencingToken()
                            + ", this instance's "
                            + lease.fencingToken()
                            + ")")
            .orElse("its lease is gone from the database");
    return new FetchException(
        FetchError.LOCKED,
        "the lease of "
            + lease.account()
            + " held by \""
            + lease.owner()
            + "\" has ended: "
            + by
            + "; this instance writes and deletes nothing more for the account",
        null,
        null,
        Remedy.of(
            "Nothing is lost: the instance that holds the account now fetches it. If this keeps"
                + " happening, the instance was paused or cut off longer than its lease: give the"
                + " lease more time, or find what paused it.",
            "Nothing is lost: the instance that holds the account now fetches it. Renew the lease"
                + " well within JdbcAccountLeases.Builder.leaseTime, or give it more time."));
  }

  private static void ensureRow(Database db, Connection c, String account) throws SQLException {
    // PostgreSQL's ON CONFLICT: creating the row is atomic against another instance doing the same.
    try (PreparedStatement s =
        db.prepare(
            c,
            "INSERT INTO mailfetch_lease (account, owner, expires_at_ms, fencing_token)"
                + " VALUES (?, NULL, 0, 0) ON CONFLICT (account) DO NOTHING")) {
      s.setString(1, account);
      s.executeUpdate();
    }
  }

  private static long token(Database db, Connection c, String account) throws SQLException {
    try (PreparedStatement s =
        db.prepare(c, "SELECT fencing_token FROM mailfetch_lease WHERE account = ?")) {
      s.setString(1, account);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  static Optional<Lease> holder(Database db, Connection c, String account) throws SQLException {
    try (PreparedStatement s =
        db.prepare(
            c,
            "SELECT owner, fencing_token, expires_at_ms FROM mailfetch_lease WHERE account = ?")) {
      s.setString(1, account);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          return Optional.empty();
        }
        String o = r.getString(1);
        return Optional.of(
            new Lease(
                account, o == null ? "" : o, r.getLong(2), Instant.ofEpochMilli(r.getLong(3))));
      }
    }
  }

  /** Builds {@link JdbcAccountLeases}; settings are checked when set. */
  public static final class Builder {
    private final JdbcState state;
    private String owner = defaultOwner();
    private Duration leaseTime = DEFAULT_LEASE_TIME;
    private final Require.Once once = new Require.Once();

    private Builder(JdbcState state) {
      this.state = Objects.requireNonNull(state, "state");
    }

    /**
     * The name this instance holds leases under, shown to the others (1 to {@value
     * #MAX_OWNER_CHARS} printable characters); by default {@code pid@host} and a random part, so
     * that two processes never share one.
     *
     * @throws IllegalArgumentException if empty, too long or unprintable; IllegalStateException if
     *     set before
     */
    public Builder owner(String owner) {
      once.set("owner", this.owner);
      Objects.requireNonNull(owner, "owner");
      Require.requireArgument(
          !owner.isEmpty()
              && owner.length() <= MAX_OWNER_CHARS
              && owner.chars().allMatch(ch -> ch >= 0x20 && ch != 0x7f),
          "owner must be 1 to %d printable characters: \"%s\"",
          MAX_OWNER_CHARS,
          owner.replaceAll("\\p{Cntrl}", "?"));
      this.owner = owner;
      return this;
    }

    /**
     * How long a lease lasts unless renewed: {@link #DEFAULT_LEASE_TIME} by default, 1 second to a
     * day. An instance dead or paused holds its accounts this long at most.
     *
     * @throws IllegalArgumentException out of range; IllegalStateException if set before
     */
    public Builder leaseTime(Duration leaseTime) {
      once.set("leaseTime", this.leaseTime);
      Objects.requireNonNull(leaseTime, "leaseTime");
      Require.requireArgument(
          leaseTime.compareTo(Duration.ofSeconds(1)) >= 0
              && leaseTime.compareTo(Duration.ofDays(1)) <= 0,
          "leaseTime must be 1 second to 1 day: %s",
          leaseTime);
      this.leaseTime = leaseTime;
      return this;
    }

    /** The leases. */
    public JdbcAccountLeases build() {
      return new JdbcAccountLeases(this);
    }

    private static String defaultOwner() {
      String host;
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "localhost";
      }
      String pid = String.valueOf(ProcessHandle.current().pid());
      String random = UUID.randomUUID().toString().substring(0, 8);
      String name = pid + "@" + host + "/" + random;
      return name.length() <= MAX_OWNER_CHARS ? name : name.substring(0, MAX_OWNER_CHARS);
    }
  }
}
