package dev.mailfetch.jdbc;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.dedup.DedupStore;
import dev.mailfetch.dedup.FirstCopies;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first copies of the dedup policies ({@link dev.mailfetch.dedup.Dedup}) in a shared database,
 * so that a message that reaches several accounts is caught whichever instance fetches each: as
 * {@link DedupStore}, under a store name (one per sink, usually) in {@code mailfetch_first_copy}.
 *
 * <p><b>Writes.</b> {@link #remember} stages the entry (seen by {@link #firstCopy} at once); {@link
 * #sync()}, every {@value #SYNC_EVERY} entries and {@link #close()} write what was staged in one
 * transaction, each entry inserted only where its key is not there yet: the primary key (store,
 * dedup key) lets exactly one first copy win between instances, and the losers' staged entries give
 * way to it. {@link #firstCopy} asks the database (one indexed query, bounded by the query timeout)
 * before what is staged here.
 *
 * <p><b>The window.</b> Entries older than {@link DedupStore.Window#maxAge} are not answered and
 * are deleted at sync; beyond {@link DedupStore.Window#maxEntries} the oldest are deleted at open
 * and at every {@value #TRIM_EVERY}th entry. Forgetting costs at most a duplicate, never a message.
 *
 * <p>No lease guards these writes: a first copy remembered by a fenced-off instance names a copy
 * its sink may not hold, and the engine acts only on a first copy the sink really holds. Safe for
 * concurrent use.
 */
public final class JdbcDedupStore implements FirstCopies, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JdbcDedupStore.class);

  /** Staged entries are written when this many are staged, if not synced before. */
  public static final int SYNC_EVERY = 64;

  /** Entries beyond the window's count are deleted after this many are written. */
  static final int TRIM_EVERY = 1000;

  /** Longest store name. */
  public static final int MAX_NAME_CHARS = 200;

  private record Entry(DeliveryKey key, long at) {}

  private final Database db;
  private final String name;
  private final DedupStore.Window window;
  private final Map<String, Entry> staged = new LinkedHashMap<>();
  private long writtenSinceTrim;
  private boolean closed;

  private JdbcDedupStore(Database db, String name, DedupStore.Window window) {
    this.db = db;
    this.name = name;
    this.window = window;
  }

  /**
   * The store called {@code name} (1 to {@value #MAX_NAME_CHARS} characters; every instance that
   * delivers into the same sink uses the same) in {@code state}'s database; entries beyond the
   * window are deleted first.
   */
  public static JdbcDedupStore open(JdbcState state, String name, DedupStore.Window window)
      throws FetchException {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(window, "window");
    if (name.isEmpty() || name.length() > MAX_NAME_CHARS) {
      throw new IllegalArgumentException(
          "a dedup store's name is 1 to " + MAX_NAME_CHARS + " characters: " + name.length());
    }
    JdbcDedupStore s = new JdbcDedupStore(state.db, name, window);
    s.trim(Instant.now(state.db.clock));
    return s;
  }

  /** The store's name. */
  public String name() {
    return name;
  }

  @Override
  public synchronized Optional<DeliveryKey> firstCopy(String dedupKey, Instant now)
      throws FetchException {
    open();
    String k = oneLine(dedupKey);
    long oldest = now.minus(window.maxAge()).getEpochSecond();
    // The database first: an entry staged here loses to one another instance (or this one,
    // before a sync) wrote there.
    Optional<DeliveryKey> written = written(k, oldest);
    if (written.isPresent()) {
      return written;
    }
    Entry e = staged.get(k);
    return e == null || e.at < oldest ? Optional.empty() : Optional.of(e.key);
  }

  private Optional<DeliveryKey> written(String k, long oldest) throws FetchException {
    return db.read(
        "looking up a first copy in " + name,
        c -> {
          try (PreparedStatement s =
              db.prepare(
                  c,
                  "SELECT delivery_key FROM mailfetch_first_copy"
                      + " WHERE store = ? AND dedup_key = ? AND remembered_at >= ?")) {
            s.setString(1, name);
            s.setString(2, k);
            s.setLong(3, oldest);
            try (ResultSet r = s.executeQuery()) {
              return r.next()
                  ? Optional.of(DeliveryKey.parse(r.getString(1).strip()))
                  : Optional.<DeliveryKey>empty();
            }
          }
        });
  }

  @Override
  public synchronized void remember(String dedupKey, DeliveryKey key, Instant at)
      throws FetchException {
    open();
    String k = oneLine(dedupKey);
    if (staged.containsKey(k)) {
      return;
    }
    staged.put(k, new Entry(key, at.getEpochSecond()));
    if (staged.size() >= SYNC_EVERY) {
      sync();
    }
  }

  /**
   * Writes what was staged in one transaction; a key another instance remembered first keeps its
   * first copy.
   */
  @Override
  public synchronized void sync() throws FetchException {
    open();
    if (staged.isEmpty()) {
      return;
    }
    db.inTransaction(
        "remembering first copies in " + name,
        c -> {
          insert(c, staged);
          return null;
        });
    writtenSinceTrim += staged.size();
    staged.clear();
    if (writtenSinceTrim >= TRIM_EVERY) {
      trim(Instant.now(db.clock));
    }
  }

  /**
   * Inside another store's transaction ({@link JdbcUidStore.Builder#firstCopies}): writes what is
   * staged now and returns it, for {@link #written} after the commit. Nothing is dropped here, so a
   * transaction that rolls back leaves the entries staged.
   */
  synchronized Map<String, Long> writeStaged(Connection c) throws SQLException {
    open();
    Map<String, Long> out = new LinkedHashMap<>();
    if (staged.isEmpty()) {
      return out;
    }
    insert(c, staged);
    staged.forEach((k, e) -> out.put(k, e.at));
    return out;
  }

  /** The transaction of {@link #writeStaged} committed: those entries are written. */
  synchronized void written(Map<String, Long> entries) {
    entries.forEach(
        (k, at) -> {
          Entry e = staged.get(k);
          if (e != null && e.at == at) {
            staged.remove(k);
          }
        });
    writtenSinceTrim += entries.size();
    if (writtenSinceTrim >= TRIM_EVERY) {
      try {
        trim(Instant.now(db.clock));
      } catch (FetchException e) {
        // The barrier it follows has committed; an entry kept too long costs nothing.
        log.warn("forgetting old first copies in {}: {}", name, e.getMessage());
      }
    }
  }

  /** How many entries the store holds (in the database, and staged here). */
  public synchronized long size() throws FetchException {
    open();
    long inDatabase =
        db.read(
            "counting the first copies in " + name,
            c -> {
              try (PreparedStatement s =
                  db.prepare(c, "SELECT COUNT(*) FROM mailfetch_first_copy WHERE store = ?")) {
                s.setString(1, name);
                try (ResultSet r = s.executeQuery()) {
                  r.next();
                  return r.getLong(1);
                }
              }
            });
    return inDatabase + staged.size();
  }

  private void insert(Connection c, Map<String, Entry> entries) throws SQLException {
    // PostgreSQL's ON CONFLICT DO NOTHING: the first copy wins without failing the batch.
    try (PreparedStatement s =
        db.prepare(
            c,
            "INSERT INTO mailfetch_first_copy (store, dedup_key, delivery_key, remembered_at)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (store, dedup_key) DO NOTHING")) {
      for (Map.Entry<String, Entry> e : entries.entrySet()) {
        s.setString(1, name);
        s.setString(2, e.getKey());
        s.setString(3, e.getValue().key.toString());
        s.setLong(4, e.getValue().at);
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  /** Writes what was staged (logging a failure: it costs a duplicate at most). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    try {
      sync();
    } catch (IOException e) {
      log.warn("writing the first copies of {} at close: {}", name, e.getMessage());
    }
    closed = true;
  }

  @Override
  public String toString() {
    return "JdbcDedupStore[" + name + ", " + window + "]";
  }

  // ---------------------------------------------------------------- inside

  private void open() {
    if (closed) {
      throw new IllegalStateException("this store is closed");
    }
  }

  /** As the file store: a key is one line, whatever the message put in it. */
  private static String oneLine(String dedupKey) {
    return dedupKey.replace('\r', ' ').replace('\n', ' ');
  }

  /** Deletes entries older than the window, then the oldest beyond its count. */
  private void trim(Instant now) throws FetchException {
    db.inTransaction(
        "forgetting old first copies in " + name,
        c -> {
          try (PreparedStatement s =
              db.prepare(
                  c, "DELETE FROM mailfetch_first_copy WHERE store = ? AND remembered_at < ?")) {
            s.setString(1, name);
            s.setLong(2, now.minus(window.maxAge()).getEpochSecond());
            s.executeUpdate();
          }
          // The newest maxEntries stay; among entries of one second, the greater key goes first.
          try (PreparedStatement s =
              db.prepare(
                  c,
                  "DELETE FROM mailfetch_first_copy WHERE store = ? AND dedup_key IN ("
                      + "SELECT dedup_key FROM mailfetch_first_copy WHERE store = ?"
                      + " ORDER BY remembered_at DESC, dedup_key OFFSET ? ROWS)")) {
            s.setString(1, name);
            s.setString(2, name);
            s.setInt(3, window.maxEntries());
            s.executeUpdate();
          }
          return null;
        });
    writtenSinceTrim = 0;
  }
}
