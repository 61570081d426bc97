package dev.mailfetch.cli;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.jdbc.JdbcAccountLeases;
import dev.mailfetch.jdbc.JdbcAccountShare;
import dev.mailfetch.poll.Poller;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ParameterException;

/**
 * A poll with its state in PostgreSQL shares the config file's accounts with every other poll of
 * the same database ({@link JdbcAccountShare}; docs/scale.md): it offers every account, opens one
 * only when it takes the account's lease, checks it at once, and says each account it takes, gives
 * back or loses, one line each (docs/cli.md, "Several polls share the accounts").
 */
final class PollShare implements JdbcAccountShare.Listener {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  /** A config file's account, checked, not open. */
  private record Offered(String name, FetchCommand command, PostgresAccount.Pending pending) {}

  private final PostgresState postgres;
  private final Poller poller;
  private final PollLines lines;
  private final AuthorizationWatch watch;
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean quiet;
  private final Map<String, Offered> offered = new LinkedHashMap<>();
  private volatile boolean stopping;
  private boolean roundFailing;
  private JdbcAccountShare share;

  PollShare(
      PostgresState postgres,
      Poller poller,
      PollLines lines,
      AuthorizationWatch watch,
      PrintWriter out,
      PrintWriter err,
      boolean quiet) {
    this.postgres = postgres;
    this.poller = poller;
    this.lines = lines;
    this.watch = watch;
    this.out = out;
    this.err = err;
    this.quiet = quiet;
  }

  /**
   * Offers the config file's account {@code name}, checked by {@code command}.
   *
   * @throws ParameterException where the file names one mailbox twice
   */
  void offer(String name, FetchCommand command, PostgresAccount.Pending pending) {
    Offered before = offered.putIfAbsent(pending.account(), new Offered(name, command, pending));
    if (before != null) {
      throw new ParameterException(
          command.spec.commandLine(),
          "the same mailbox as account " + before.name() + " of the file: " + pending.account());
    }
  }

  int offered() {
    return offered.size();
  }

  /** The instance's name, as its leases carry it (connecting to the database). */
  String owner() throws FetchException {
    return postgres.leases().owner();
  }

  /**
   * Connects (the schema checked, upgraded from version 1), offers every account and starts taking
   * this instance's share.
   */
  void start() throws FetchException {
    JdbcAccountLeases leases = postgres.leases();
    share = JdbcAccountShare.builder(leases, poller).listener(this).build();
    for (String account : offered.keySet()) {
      share.offer(account, this::open);
    }
    share.start();
  }

  /** Gives every account back (their checks ended within {@code grace}); true if all were. */
  boolean close(Duration grace) {
    stopping = true;
    return share == null || share.close(grace);
  }

  private JdbcAccountShare.Opened open(String account, JdbcAccountLeases.Lease lease)
      throws FetchException {
    Offered o = offered.get(account);
    OpenedAccount opened;
    try {
      opened = o.pending().open(lease);
    } catch (FetchException e) {
      throw e;
    } catch (ParameterException e) {
      throw new FetchException(FetchError.CONFIGURATION, e.getMessage(), e);
    } catch (IOException e) {
      throw new FetchException(
          FetchError.SINK_FAILED, "opening " + o.name() + ": " + CreatedPlaces.why(e), e);
    } catch (Exception e) {
      throw new FetchException(FetchError.CONFIGURATION, "opening " + o.name() + ": " + e, e);
    }
    if (!opened.fetcher().account().equals(account)) {
      closeQuietly(opened);
      throw new IllegalStateException(
          "the account opened as " + opened.fetcher().account() + ", leased as " + account);
    }
    FetchCommand c = o.command();
    lines.named(account, o.name(), c.sizeLimit(), c.advice);
    watch.watch(account, c.authorizationFiles());
    return new JdbcAccountShare.Opened(opened.fetcher(), opened.host(), opened);
  }

  private static void closeQuietly(OpenedAccount o) {
    try {
      o.close();
    } catch (Exception e) {
      // nothing was fetched with it
    }
  }

  private String name(String account) {
    Offered o = offered.get(account);
    return o == null ? account : o.name();
  }

  @Override
  public void accountTaken(String account, JdbcAccountLeases.Lease lease) {
    roundFailing = false;
    var unused = poller.checkNow(account); // checked at once, then on its schedule
    if (!quiet) {
      say(out, name(account) + ": taken (fencing token " + lease.fencingToken() + ")");
    }
  }

  @Override
  public void accountGivenBack(String account) {
    if (!quiet) {
      say(
          out,
          name(account)
              + ": given back"
              + (stopping ? " (stopping)" : " (another instance has too few)"));
    }
  }

  @Override
  public void accountLost(String account, String why) {
    say(err, name(account) + ": lost, no longer checked here: " + why);
  }

  @Override
  public void openFailed(String account, FetchException why) {
    Offered o = offered.get(account);
    synchronized (this) {
      TextReport.problem(
          err,
          "mailfetch: account " + name(account) + ": ",
          Problem.of(why, o == null ? Advice.COMMAND_LINE : o.command().advice));
      err.flush();
    }
  }

  @Override
  public void roundFailed(FetchException why) {
    if (roundFailing) {
      return; // said once until it works again
    }
    roundFailing = true;
    say(
        err,
        "state database "
            + postgres.url()
            + ": "
            + why.detail()
            + "; tried again every third of the lease time (checks write nothing meanwhile)");
  }

  private synchronized void say(PrintWriter to, String line) {
    to.println(TIME.format(Instant.now()) + " " + line);
    to.flush();
  }
}
