package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchLimits;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.LabelPolicy;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.Retention;
import dev.mailfetch.dedup.Dedup;
import dev.mailfetch.jdbc.JdbcAccountLeases;
import dev.mailfetch.jdbc.JdbcAccountShare;
import dev.mailfetch.jdbc.JdbcDedupStore;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.ParameterException;

/**
 * Opens one account of {@code fetch} (or of a poll) whose state is in PostgreSQL (--state jdbc:…):
 * the account's lease first (LOCKED naming the other owner where another instance holds it), then
 * its UID store and the sink; the lease is renewed while the account is open and released when it
 * closes. Nothing is kept in files, so nothing is left behind to remove. A poll that shares its
 * accounts with other instances ({@link PollShare}) checks every account first ({@link #prepare})
 * and opens each when its share takes the account's lease, which it renews and releases itself.
 */
final class PostgresAccount {
  private PostgresAccount() {}

  /** The lease time of the command's accounts; package-private so that tests can shorten it. */
  static Duration leaseTime = JdbcAccountLeases.DEFAULT_LEASE_TIME;

  static OpenedAccount open(
      FetchCommand c,
      ServerOptions.Account a,
      AccountUrl typed,
      Destination place,
      Retention retention,
      LabelPolicy labels,
      FetchLimits limits,
      Dedup.Spec dedupSpec)
      throws Exception {
    Pending p = prepare(c, a, typed, place, retention, labels, limits, dedupSpec);
    return p.open(null, null);
  }

  /**
   * Checks every option of the account and names it, opening nothing: {@link Pending#open} opens
   * it, with its lease taken there (a fetch, a poll's --once) or given (a poll's share).
   */
  static Pending prepare(
      FetchCommand c,
      ServerOptions.Account a,
      AccountUrl typed,
      Destination place,
      Retention retention,
      LabelPolicy labels,
      FetchLimits limits,
      Dedup.Spec dedupSpec)
      throws FetchException {
    if (c.postgres != null && (c.state != null || c.stateUrl != null)) {
      throw new ParameterException(
          c.spec.commandLine(),
          "state: this account names its own state, but the poll keeps every account's in "
              + c.postgres.url()
              + " (--state): give one of them");
    }
    if (place.journalOf(place.defaultState()).isPresent()) {
      throw new ParameterException(
          c.spec.commandLine(),
          "--state jdbc:… keeps no files, but "
              + place.describe()
              + " keeps a journal beside the account's state: give --state DIR for this"
              + " destination (a journal in the database is not there yet)");
    }
    boolean own = c.postgres == null;
    PostgresState pg =
        own
            ? PostgresState.of(
                c.spec,
                c.stateUrl,
                c.statePasswordFile,
                c.env,
                leaseTime,
                null,
                PostgresState.FETCH_CONNECTIONS)
            : c.postgres;
    String account =
        a.imap()
            ? ImapAccount.name(a.user(), a.host(), a.port())
            : AccountName.of(a.user(), a.host(), typed.port());
    FetchSource source =
        a.imap()
            ? ImapAccount.source(
                c.server, c.imap, a, account, c.env, c.spec, typed.folder(), c.sizeLimit())
            : c.server.advised(c.server.source(a, account, c.env, c.spec, true, c.sizeLimit()));
    // Every option is checked above this line, and nothing is opened.
    return new Pending(
        account,
        (lease, share) -> {
          PostgresState.Held held = null;
          MessageSink sink = null;
          Fetcher fetcher;
          Fetcher retrying = null;
          try {
            JdbcDedupStore seen = pg.firstCopies(place.describe());
            // the lease before the sink: a second run is LOCKED at once
            held = lease == null ? pg.take(account, seen) : pg.held(lease, seen);
            // No session, no deletion once the lease may be another's (FencedSource).
            FetchSource fenced = share == null ? held.fence(source) : share.fenced(account, source);
            sink = AccountOpening.openSink(place, place.defaultState());
            fetcher =
                AccountOpening.fetcher(
                    c,
                    fenced,
                    sink,
                    held.store(),
                    dedupSpec.policy(seen),
                    retention,
                    labels,
                    limits,
                    false);
            if (c.retryQuarantined && c.polled) {
              retrying =
                  AccountOpening.fetcher(
                      c,
                      fenced,
                      sink,
                      held.store(),
                      dedupSpec.policy(seen),
                      retention,
                      labels,
                      limits,
                      true);
            }
          } catch (Exception e) {
            AccountOpening.closeAll(sink, held, own ? pg : null);
            throw e;
          }
          MessageSink sk = sink;
          PostgresState.Held h = held;
          return new OpenedAccount(
              fetcher,
              retrying,
              AccountName.host(a.host()),
              a.user() + " at " + a.host() + ":" + a.port() + " into " + place.describe(),
              List.of(),
              () -> h.store().firstRun().isPresent(),
              () -> AccountOpening.closeAll(sk, h, own ? pg : null),
              () -> {});
        });
  }

  /**
   * Opens the account for its lease: null takes it (LOCKED where held), else the one {@code share}
   * took.
   */
  interface Opening {
    OpenedAccount open(JdbcAccountLeases.Lease lease, JdbcAccountShare share) throws Exception;
  }

  /**
   * An account of the command, checked and named ({@code account}: its lease's and its state's
   * name), not yet open.
   */
  record Pending(String account, Opening opening) {
    OpenedAccount open(JdbcAccountLeases.Lease lease, JdbcAccountShare share) throws Exception {
      return opening.open(lease, share);
    }
  }
}
