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
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;
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

  /** The shortest --lease-time: three renewals a lease need a second or more each. */
  static final Duration SHORTEST_LEASE = Duration.ofSeconds(3);

  /** --lease-time and --instance: with --state jdbc:… only, each in range. */
  static void checkOptions(
      CommandSpec spec,
      String stateUrl,
      Duration leaseTime,
      String instance,
      boolean retryQuarantined,
      boolean once) {
    if (stateUrl == null) {
      if (leaseTime != null) {
        throw new ParameterException(
            spec.commandLine(),
            "--lease-time is how long a poll holds an account in a state database: it goes with"
                + " --state jdbc:postgresql://…");
      }
      if (instance != null) {
        throw new ParameterException(
            spec.commandLine(),
            "--instance names this poll among those sharing a state database: it goes with"
                + " --state jdbc:postgresql://…");
      }
      return;
    }
    if (leaseTime != null
        && (leaseTime.compareTo(SHORTEST_LEASE) < 0
            || leaseTime.compareTo(Duration.ofHours(24)) > 0)) {
      throw new ParameterException(
          spec.commandLine(),
          "--lease-time "
              + PollCommand.DurationText.format(leaseTime)
              + ": must be from 3s to 24h (renewed every third of it; another poll takes the"
              + " accounts of one that died after this long)");
    }
    if (instance != null
        && (instance.isEmpty()
            || instance.length() > 200
            || !instance.chars().allMatch(ch -> ch >= 0x20 && ch != 0x7f))) {
      throw new ParameterException(
          spec.commandLine(),
          "--instance: must be 1 to 200 printable characters (it is shown to the other polls):"
              + " \""
              + instance.replaceAll("\\p{Cntrl}", "?")
              + "\"");
    }
    if (retryQuarantined && !once) {
      throw new ParameterException(
          spec.commandLine(),
          "--retry-quarantined with --state jdbc:…: a poll that shares its accounts with other"
              + " polls does not retry quarantined messages; stop the polls of the database and"
              + " run mailfetch poll --once --state … --retry-quarantined, then start them again");
    }
  }

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
  private long roundFailureSaid = System.nanoTime() - TimeUnit.MINUTES.toNanos(2);
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

  /**
   * Connects (the schema checked, upgraded from version 1), offers every account and starts taking
   * this instance's share; says so on {@code to} unless null.
   */
  void start(PrintWriter to, Duration minInterval, Duration maxInterval) throws FetchException {
    JdbcAccountLeases leases = postgres.leases();
    share = JdbcAccountShare.builder(leases, poller).listener(this).build();
    for (String account : offered.keySet()) {
      share.offer(account, this::open);
    }
    share.start();
    if (to != null) {
      to.println(
          "sharing "
              + offered.size()
              + " accounts with the other polls of "
              + postgres.url()
              + " as "
              + leases.owner()
              + ": each account taken is checked at once, then on its own schedule (every "
              + PollCommand.DurationText.format(minInterval)
              + " to "
              + PollCommand.DurationText.format(maxInterval)
              + ")");
      to.flush();
    }
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
    long now = System.nanoTime();
    if (now - roundFailureSaid < TimeUnit.MINUTES.toNanos(1)) {
      return; // said once a minute at most while it lasts
    }
    roundFailureSaid = now;
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
