package dev.mailfetch.cli;

import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.PrivatePostgres;
import dev.mailfetch.testkit.RecordedSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a failed wait of {@link SharedPollProcessesTest} prints about the accounts it waited for, so
 * that a failure explains itself: each one's lease row now (owner, how long until it expires, its
 * token, whether a transaction holds the row locked), the history of its owners as the test read
 * them every 100 ms, its sessions at the server, and the database's transactions that are open.
 */
final class SharedPollDiagnosis {
  private SharedPollDiagnosis() {}

  static String explain(
      PrivatePostgres pg,
      String database,
      Set<String> accounts,
      LeaseTimeline leases,
      long t0,
      FakePop3Server server,
      Map<String, String> userOf) {
    StringBuilder out = new StringBuilder();
    List<String> some = new ArrayList<>(accounts).subList(0, Math.min(5, accounts.size()));
    String in = "'" + String.join("','", some) + "'";
    out.append("lease rows (account|owner|ms left|token):\n");
    out.append(
        query(
            pg,
            database,
            "SELECT account, owner, expires_at_ms - CAST(EXTRACT(EPOCH FROM clock_timestamp())"
                + " * 1000 AS BIGINT), fencing_token FROM mailfetch_lease WHERE account IN ("
                + in
                + ")"));
    out.append("of those, not locked by any transaction now:\n");
    out.append(
        query(
            pg,
            database,
            "SELECT account FROM mailfetch_lease WHERE account IN ("
                + in
                + ") FOR UPDATE SKIP LOCKED"));
    out.append("open transactions (pid|state|seconds open|query):\n");
    out.append(
        query(
            pg,
            database,
            "SELECT pid, state, round(EXTRACT(EPOCH FROM clock_timestamp() - xact_start)::numeric,"
                + " 1), left(query, 160) FROM pg_stat_activity WHERE datname = '"
                + database
                + "' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()"));
    for (String account : some) {
      out.append("owners of ").append(account).append(" over time:");
      String last = "-";
      for (LeaseTimeline.Read r : leases.reads()) {
        String o = r.owners().get(account);
        if (!Objects.equals(o, last)) {
          out.append(String.format(Locale.ROOT, " [%.1f s] %s", (r.nanos() - t0) / 1e9, o));
          last = o;
        }
      }
      out.append("\nsessions of ").append(account).append(':');
      String user = userOf.get(account);
      for (RecordedSession s : server.sessions()) {
        if (user != null && user.equals(s.loggedInUser().orElse(null))) {
          out.append(
              String.format(
                  Locale.ROOT,
                  " [%.1f-%s %s]",
                  (s.acceptedNanos() - t0) / 1e9,
                  s.endedNanos().isPresent()
                      ? String.format(Locale.ROOT, "%.1f", (s.endedNanos().getAsLong() - t0) / 1e9)
                      : "open",
                  s.client().orElse("?")));
        }
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String query(PrivatePostgres pg, String database, String sql) {
    try {
      return "  " + pg.psql(database, sql).strip().replace("\n", "\n  ") + "\n";
    } catch (Exception e) {
      return "  (" + e.getMessage() + ")\n";
    }
  }
}
