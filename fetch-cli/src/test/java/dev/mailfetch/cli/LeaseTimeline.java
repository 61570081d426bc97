package dev.mailfetch.cli;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Who held each account's lease, over time: the {@code mailfetch_lease} table read every few
 * hundred milliseconds by a thread of the test (one query), each read stamped with {@link
 * System#nanoTime()} as the testkit server stamps sessions. A DELE at time t was sent while its
 * sender held the lease only if the reads just before and just after t name it (a lease changes
 * hands between two reads at most once in a test whose lease lasts seconds).
 */
final class LeaseTimeline implements AutoCloseable {
  /** One read: when, and each account's owner (accounts released or expired: no entry). */
  record Read(long nanos, Map<String, String> owners) {}

  private final DataSource database;
  private final long everyMillis;
  private final List<Read> reads = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stopped;
  private volatile Exception failure;

  LeaseTimeline(DataSource database, long everyMillis) {
    this.database = database;
    this.everyMillis = everyMillis;
    this.thread = new Thread(this::loop, "lease-timeline");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try (Connection c = database.getConnection();
        Statement st = c.createStatement()) {
      while (!stopped) {
        Map<String, String> owners = new HashMap<>();
        long before = System.nanoTime();
        // The database's own clock judges expiry, as a taker does (one machine: one clock).
        try (ResultSet rs =
            st.executeQuery(
                "SELECT account, owner FROM mailfetch_lease WHERE owner IS NOT NULL"
                    + " AND expires_at_ms > (extract(epoch from clock_timestamp()) * 1000)")) {
          while (rs.next()) {
            owners.put(rs.getString(1), rs.getString(2));
          }
        } catch (SQLException e) {
          if (!String.valueOf(e.getMessage()).contains("mailfetch_lease")) {
            throw e;
          }
          // no table yet: nobody holds anything
        }
        long after = System.nanoTime();
        synchronized (reads) {
          reads.add(new Read(before + (after - before) / 2, owners));
        }
        Thread.sleep(everyMillis);
      }
    } catch (InterruptedException e) {
      // stopped
    } catch (Exception e) {
      failure = e;
    }
  }

  /** Every read so far, in time order. */
  List<Read> reads() {
    synchronized (reads) {
      return List.copyOf(reads);
    }
  }

  /** The latest read, if any. */
  Optional<Read> latest() {
    synchronized (reads) {
      return reads.isEmpty() ? Optional.empty() : Optional.of(reads.get(reads.size() - 1));
    }
  }

  /** The owners of {@code account} in the reads just before and just after {@code nanos}. */
  List<String> ownersAround(String account, long nanos) {
    Read before = null;
    Read after = null;
    for (Read r : reads()) {
      if (r.nanos() <= nanos) {
        before = r;
      } else {
        after = r;
        break;
      }
    }
    List<String> out = new ArrayList<>();
    for (Read r : new Read[] {before, after}) {
      out.add(r == null ? null : r.owners().get(account));
    }
    return out;
  }

  /** Stops reading; a read that failed (other than before the table existed) is thrown here. */
  @Override
  public void close() throws SQLException {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw new SQLException("reading the lease table failed", failure);
    }
  }
}
