package dev.mailfetch.jdbc;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.UidStore;
import dev.mailfetch.api.internal.Require;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link UidStore} of one account in a shared database: what {@code JournalUidStore} keeps in a
 * directory, kept in rows keyed by (account, uid), written only while this instance holds the
 * account's lease.
 *
 * <p><b>Reads and writes.</b> Opening reads the account's rows once; {@link #get} answers from
 * them. {@link #put}, {@link #recordFirstRun}, {@link #retainListed}, fingerprints and the mailbox
 * mark only stage (nothing when the record is held exactly, so a poll with nothing new writes
 * nothing); {@link #sync()}, which the engine calls at each batch's barrier, writes everything
 * staged in one transaction: one transaction per batch, not per message. The primary key (account,
 * uid) keeps one record per message whoever writes; each write replaces the record.
 *
 * <p><b>The fence.</b> The transaction first locks the account's lease row and checks that it still
 * carries the fencing token of the {@link JdbcAccountLeases.Lease} this store was opened with;
 * where a newer owner took the account over it writes nothing and throws {@link FetchError#LOCKED},
 * so the engine stops the run and deletes nothing.
 *
 * <p>{@link #close()} drops what was staged and not synced, as a crash would. It does not release
 * the lease: that is the lease holder's ({@link JdbcAccountLeases#release}). Safe for use by
 * several threads; one store is one account's.
 */
public final class JdbcUidStore implements UidStore, AutoCloseable {
  /** Default of {@link Builder#forgetAfter}: 30 days, as the file store's. */
  public static final Duration DEFAULT_FORGET_AFTER = Duration.ofDays(30);

  private final Database db;
  private final JdbcAccountLeases.Lease lease;
  private final String account;
  private final Duration forgetAfter;
  private final JdbcDedupStore firstCopies;

  private final Map<String, UidRows.Row> rows = new HashMap<>();
  private Instant firstRun;
  private String mark;

  // Staged since the last sync.
  private final Set<String> dirty = new LinkedHashSet<>();
  private final Set<String> forgotten = new LinkedHashSet<>();
  private final Map<String, byte[]> stagedFingerprints = new LinkedHashMap<>();
  private boolean accountDirty;
  private boolean closed;

  private JdbcUidStore(Builder b) throws FetchException {
    this.db = b.state.db;
    this.lease = b.lease;
    this.account = b.lease.account();
    this.forgetAfter = b.forgetAfter;
    this.firstCopies = b.firstCopies;
    load();
  }

  /**
   * The store of {@code lease}'s account, with the defaults; its writes carry the lease's token.
   */
  public static JdbcUidStore open(JdbcState state, JdbcAccountLeases.Lease lease)
      throws FetchException {
    return builder(state, lease).open();
  }

  /** A builder for the store of {@code lease}'s account. */
  public static Builder builder(JdbcState state, JdbcAccountLeases.Lease lease) {
    return new Builder(state, lease);
  }

  /** The account this store is of. */
  public String account() {
    return account;
  }

  /** The lease this store's writes carry. */
  public JdbcAccountLeases.Lease lease() {
    return lease;
  }

  @Override
  public synchronized Optional<UidRecord> get(String uid) {
    open();
    UidRows.Row r = rows.get(uid);
    return r == null ? Optional.empty() : Optional.of(r.record());
  }

  @Override
  public synchronized void put(UidRecord record) {
    open();
    UidRecord r = record;
    Instant seconds = Instant.ofEpochSecond(r.firstSeen().getEpochSecond());
    if (!seconds.equals(r.firstSeen())) {
      r =
          new UidRecord(
              r.uid(),
              r.state(),
              seconds,
              r.deliveryKey(),
              r.failures(),
              r.lastError(),
              r.lastErrorDetail(),
              r.size());
    }
    UidRows.Row before = rows.get(r.uid());
    if (before != null && before.record().equals(r)) {
      return;
    }
    rows.put(r.uid(), new UidRows.Row(r, before == null ? 0 : before.goneSince()));
    forgotten.remove(r.uid());
    dirty.add(r.uid());
  }

  @Override
  public synchronized Optional<Instant> firstRun() {
    open();
    return Optional.ofNullable(firstRun);
  }

  @Override
  public synchronized void recordFirstRun(Instant at) {
    open();
    if (firstRun == null) {
      firstRun = Instant.ofEpochSecond(at.getEpochSecond());
      accountDirty = true;
    }
  }

  /**
   * As {@code JournalUidStore}'s: gone UIDs are marked, then forgotten after {@link
   * Builder#forgetAfter}.
   */
  @Override
  public synchronized Set<String> retainListed(Set<String> listed, Instant now) {
    open();
    long nowSec = now.getEpochSecond();
    Set<String> gone = new HashSet<>();
    for (Map.Entry<String, UidRows.Row> e : new HashMap<>(rows).entrySet()) {
      String uid = e.getKey();
      long since = e.getValue().goneSince();
      if (listed.contains(uid)) {
        if (since != 0) {
          rows.put(uid, new UidRows.Row(e.getValue().record(), 0));
          dirty.add(uid);
        }
      } else if (since == 0) {
        rows.put(uid, new UidRows.Row(e.getValue().record(), nowSec));
        dirty.add(uid);
        gone.add(uid);
      } else if (nowSec - since >= forgetAfter.toSeconds()) {
        rows.remove(uid);
        dirty.remove(uid);
        stagedFingerprints.remove(uid);
        forgotten.add(uid);
      } else {
        gone.add(uid);
      }
    }
    return gone;
  }

  /** Yes: in {@code mailfetch_fingerprint}, read only when the engine asks. */
  @Override
  public boolean keepsFingerprints() {
    return true;
  }

  @Override
  public synchronized void recordFingerprint(String uid, byte[] fingerprint) {
    open();
    stagedFingerprints.put(uid, fingerprint.clone());
  }

  @Override
  public synchronized Map<String, byte[]> fingerprints(Set<String> uids) throws FetchException {
    open();
    Map<String, byte[]> out =
        db.read(
            "reading the fingerprints of " + account,
            c -> UidRows.fingerprints(db, c, account, uids));
    for (Map.Entry<String, byte[]> e : stagedFingerprints.entrySet()) {
      if (uids.contains(e.getKey())) {
        out.put(e.getKey(), e.getValue().clone());
      }
    }
    return out;
  }

  @Override
  public synchronized Optional<String> mailboxMark() {
    open();
    return Optional.ofNullable(mark);
  }

  @Override
  public synchronized void recordMailboxMark(Optional<String> mark) {
    Require.mailboxMark(mark);
    open();
    if (!Objects.equals(this.mark, mark.orElse(null))) {
      this.mark = mark.orElse(null);
      accountDirty = true;
    }
  }

  /**
   * Writes everything staged since the last sync in one transaction, after checking the fence.
   *
   * @throws FetchException {@code LOCKED} where a newer owner holds the account (nothing written);
   *     {@code STATE_FAILED} where the database failed (nothing written; what was staged stays
   *     staged)
   */
  @Override
  public synchronized void sync() throws FetchException {
    open();
    if (dirty.isEmpty() && forgotten.isEmpty() && stagedFingerprints.isEmpty() && !accountDirty) {
      return;
    }
    Map<String, Long> copies =
        db.inTransaction(
            "writing the state of " + account,
            c -> {
              JdbcAccountLeases.checkFence(db, c, lease);
              if (accountDirty) {
                UidRows.writeAccount(db, c, account, firstRun, mark);
              }
              UidRows.writeRows(db, c, account, dirty, rows);
              UidRows.delete(db, c, account, forgotten);
              UidRows.writeFingerprints(db, c, account, stagedFingerprints);
              return firstCopies == null ? Map.<String, Long>of() : firstCopies.writeStaged(c);
            });
    if (firstCopies != null) {
      firstCopies.written(copies);
    }
    dirty.clear();
    forgotten.clear();
    stagedFingerprints.clear();
    accountDirty = false;
  }

  /** Drops what was staged and not synced, as a crash would; the lease stays with its holder. */
  @Override
  public synchronized void close() {
    closed = true;
    rows.clear();
  }

  @Override
  public String toString() {
    return "JdbcUidStore[" + account + ", token " + lease.fencingToken() + "]";
  }

  // ---------------------------------------------------------------- inside

  private void open() {
    if (closed) {
      throw new IllegalStateException("this store is closed");
    }
  }

  private void load() throws FetchException {
    UidRows.Account a =
        db.read("reading the state of " + account, c -> UidRows.load(db, c, account, rows));
    firstRun = a.firstRun();
    mark = a.mark();
  }

  /** Builds a {@link JdbcUidStore}; settings are checked when set. */
  public static final class Builder {
    private final JdbcState state;
    private final JdbcAccountLeases.Lease lease;
    private Duration forgetAfter = DEFAULT_FORGET_AFTER;
    private JdbcDedupStore firstCopies;
    private final Require.Once once = new Require.Once();

    private Builder(JdbcState state, JdbcAccountLeases.Lease lease) {
      this.state = Objects.requireNonNull(state, "state");
      this.lease = Objects.requireNonNull(lease, "lease");
    }

    /**
     * How long a UID gone from the server is remembered; {@link #DEFAULT_FORGET_AFTER} by default,
     * at least one day.
     *
     * @throws IllegalArgumentException if shorter than a day; IllegalStateException if set before
     */
    public Builder forgetAfter(Duration d) {
      once.set("forgetAfter", this.forgetAfter);
      Objects.requireNonNull(d, "forgetAfter");
      Require.requireArgument(
          d.compareTo(Duration.ofDays(1)) >= 0, "forgetAfter must be at least one day: %s", d);
      this.forgetAfter = d;
      return this;
    }

    /**
     * The dedup store whose staged first copies this store's barrier writes in its own transaction
     * (with the batch's records), so that another instance sees a batch's first copies when it sees
     * the batch, with no transaction of their own. Where the batch is refused (fenced, or the
     * database fails) they stay staged.
     *
     * @throws IllegalStateException if set before
     */
    public Builder firstCopies(JdbcDedupStore store) {
      once.set("firstCopies", this.firstCopies);
      this.firstCopies = Objects.requireNonNull(store, "firstCopies");
      return this;
    }

    /** Opens the store: reads the account's rows (one query each table). */
    public JdbcUidStore open() throws FetchException {
      return new JdbcUidStore(this);
    }
  }
}
