package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.dedup.DedupStore;
import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.PollListener;
import dev.mailfetch.poll.PollSchedule;
import dev.mailfetch.poll.Poller;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mailfetch poll --config FILE}: every account of the file, each on its adaptive schedule,
 * until stopped.
 */
@Command(
    name = "poll",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Checks every account of a config file on its own schedule (from every 2 minutes while mail"
          + " flows to once an hour when it does not), until stopped with Ctrl-C or SIGTERM; or, with --once, checks"
          + " each once and exits (for cron). An IMAP account whose server offers IDLE is also"
          + " watched: its new mail is fetched as it arrives."
    },
    footer = {
      "",
      "The config file is fetch's (docs/cli.md): <account>.<option> = <value>. The schedule: docs/polling.md.",
      "",
      "Examples:",
      "  mailfetch poll --config ~/.config/mailfetch/accounts.properties",
      "  mailfetch poll --config accounts.properties --once --quiet",
      "",
      "Exit codes: 0 all well (or stopped), 2 bad arguments; with --once the first failing account's code,"
          + " else 3 for a warning."
    })
class PollCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      required = true,
      description = "The accounts (fetch's format).")
  Path config;

  @Option(
      names = "--once",
      description = "Check every account once, then exit with the first failing account's code.")
  boolean once;

  @Option(
      names = "--min-interval",
      paramLabel = "TIME",
      defaultValue = "2m",
      converter = DurationText.class,
      description = "Never check an account more often (default: ${DEFAULT-VALUE}; s, m or h).")
  Duration minInterval;

  @Option(
      names = "--max-interval",
      paramLabel = "TIME",
      defaultValue = "60m",
      converter = DurationText.class,
      description = "Check a working account at least this often (default: ${DEFAULT-VALUE}).")
  Duration maxInterval;

  @Option(
      names = "--max-checks",
      paramLabel = "N",
      defaultValue = "16",
      converter = BadArguments.WholeNumber.class,
      description = "Checks running at once (default: ${DEFAULT-VALUE}).")
  int maxChecks;

  @Option(
      names = "--max-checks-per-host",
      paramLabel = "N",
      defaultValue = "4",
      converter = BadArguments.WholeNumber.class,
      description = "Checks running at once against one server (default: ${DEFAULT-VALUE}).")
  int maxChecksPerHost;

  @Option(
      names = "--no-push",
      description =
          "Check IMAP accounts on their schedule only; by default an IMAP account whose server"
              + " offers IDLE is watched, and its new mail fetched as it arrives.")
  boolean noPush;

  @Option(
      names = "--max-push-per-host",
      paramLabel = "N",
      defaultValue = "50",
      converter = BadArguments.WholeNumber.class,
      description =
          "IDLE connections held at once to one server (one per watched folder; default:"
              + " ${DEFAULT-VALUE}); the accounts beyond it are checked on their schedule.")
  int maxPushPerHost;

  @Option(
      names = "--quiet",
      description =
          "Print only what needs a person: failures, warnings, messages held back,"
              + " paused accounts.")
  boolean quiet;

  @Option(
      names = "--verbose",
      description = "Print a line for every check, not only those that found mail or failed.")
  boolean verbose;

  @Option(
      names = "--json",
      description =
          "With --once: print one JSON object with every account's outcome at the"
              + " end, instead of the lines (schema: docs/cli.md).")
  boolean json;

  @Option(
      names = "--trace",
      description =
          "Also print the protocol conversation of every check, with every secret" + " redacted.")
  boolean trace;

  @Option(
      names = "--retry-quarantined",
      description =
          "At each account's first check, try again the messages that"
              + " failed in too many runs and are quarantined (after fixing what their last error names).")
  boolean retryQuarantined;

  @Option(
      names = "--state",
      paramLabel = "jdbc:postgresql://HOST[:PORT]/DB",
      description =
          "Keep every account's state in PostgreSQL, each account held by a lease while this poll"
              + " runs (password in "
              + PostgresState.PASSWORD_ENV
              + " or --state-password-file; docs/scale.md).")
  String stateUrl;

  @Option(
      names = "--state-password-file",
      paramLabel = "FILE",
      description = "With --state: the state database's password, the file's first line.")
  Path statePasswordFile;

  @Option(
      names = "--lease-time",
      paramLabel = "TIME",
      converter = DurationText.class,
      description =
          "With --state jdbc:…: how long an account's lease lasts unless renewed (renewed every"
              + " third of it): another poll takes the accounts of one that died after this long"
              + " (default: 2m; 3s to 24h).")
  Duration leaseTime;

  @Option(
      names = "--instance",
      paramLabel = "NAME",
      description =
          "With --state jdbc:…: the name this poll holds its accounts under, shown to the others"
              + " (default: pid@host/random; 1 to 200 printable characters; give each poll its"
              + " own).")
  String instance;

  /** The environment, so that tests can give one. */
  Map<String, String> env = System.getenv();

  /**
   * Released to stop a poll that runs until stopped (tests; SIGTERM goes through the shutdown
   * hook).
   */
  final CountDownLatch stop = new CountDownLatch(1);

  /**
   * Released once the checks have ended and everything is closed: the shutdown hook waits for it.
   */
  private final CountDownLatch done = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (json && !once) {
      throw new ParameterException(
          spec.commandLine(),
          "--json needs --once: a poll that runs until stopped" + " reports each check as a line");
    }
    if (quiet && (verbose || trace)) {
      throw bad(
          "--quiet and "
              + (verbose ? "--verbose" : "--trace")
              + " exclude each other: give one of them");
    }
    checkOptions();
    if (statePasswordFile != null && stateUrl == null) {
      throw bad(
          "--state-password-file is the password of a state database: it goes with --state"
              + " jdbc:postgresql://…");
    }
    PollShare.checkOptions(spec, stateUrl, leaseTime, instance, retryQuarantined, once);
    PostgresState postgres =
        stateUrl == null
            ? null
            : PostgresState.of(
                spec,
                stateUrl,
                statePasswordFile,
                env,
                leaseTime != null ? leaseTime : PostgresAccount.leaseTime,
                instance, // checked before any account opens; connects later
                PostgresState.pollConnections(maxChecks));
    Map<String, Map<String, String>> accounts = AccountsFile.load(config, spec.commandLine());
    PollSchedule schedule;
    Poller poller;
    PollLines lines = new PollLines(out, err, quiet, verbose, json, once, resumableOnAPage());
    try {
      schedule = PollSchedule.builder().bounds(minInterval, maxInterval).build();
      poller =
          Poller.builder()
              .schedule(schedule)
              .maxChecks(maxChecks)
              .maxChecksPerHost(maxChecksPerHost)
              .push(!noPush && !once) // IMAP IDLE where offered; one round needs no watch
              .maxWatchesPerHost(maxPushPerHost)
              .listener(listener(lines))
              .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), e.getMessage()); // each known case is told by checkOptions
    }
    AuthorizationWatch watch = new AuthorizationWatch(poller);
    if (!once) {
      lines.watch(watch);
    }
    Map<String, OpenedAccount> opened = new LinkedHashMap<>();
    // --once: each account's outcome, in name order (a failure to set it up, or its check's
    // result).
    Map<String, RunOutcome> outcomes = new TreeMap<>();
    Map<String, FetchResult> results = new ConcurrentHashMap<>();
    Map<String, Advice> advice = new HashMap<>();
    Map<Path, DedupStore> dedupStores = new HashMap<>();
    // --state jdbc:… without --once: the accounts are shared with the other polls of the database
    PollShare share =
        postgres != null && !once
            ? new PollShare(postgres, poller, lines, watch, out, err, quiet)
            : null;
    int exit = 0;
    AutoCloseable serving = null;
    try {
      AccountArguments parser = new AccountArguments(out, err); // one for the file: see its comment
      for (Map.Entry<String, Map<String, String>> account : accounts.entrySet()) {
        String name = account.getKey();
        Advice accountAdvice = Advice.configFile(name, config, Advice.POLL_OPTIONS, !once);
        advice.put(name, accountAdvice);
        try {
          List<String> every = new ArrayList<>(List.of("--quiet"));
          if (retryQuarantined) {
            every.add("--retry-quarantined");
          }
          FetchCommand one = parser.parse(AccountsFile.args(account.getValue(), every));
          one.env = env;
          one.polled = true;
          one.advice = accountAdvice;
          OpenedAccount[] mine = new OpenedAccount[1];
          AtomicBoolean warned = new AtomicBoolean();
          one.finished =
              r -> {
                results.put(name, r);
                // the command's own warnings, after the first run that lists the mailbox
                // (OpenedAccount#notices)
                OpenedAccount o = mine[0];
                if (!json && o != null && !warned.get()) {
                  List<Problem> w = o.notices();
                  if (!w.isEmpty() && warned.compareAndSet(false, true)) {
                    for (Problem p : w) {
                      TextReport.problem(err, "mailfetch: account " + name + ": warning: ", p);
                    }
                    err.flush();
                  }
                }
              };
          one.sharedDedup = dedupStores;
          one.postgres = postgres;
          if (share != null) { // opened when this poll takes its lease
            share.offer(name, one, AccountOpening.prepareShared(one));
            continue;
          }
          OpenedAccount o = one.open();
          mine[0] = o;
          try {
            // --retry-quarantined: the first check retries (with --once the only one)
            poller.add(o.retrying() != null ? o.retrying() : o.fetcher(), o.host());
          } catch (
              IllegalArgumentException
                  e) { // AccountsFile.load refuses a mailbox named twice; this is the net
            o.close();
            throw new ParameterException(
                one.spec.commandLine(),
                "the same mailbox as another account of the file: " + e.getMessage());
          }
          opened.put(name, o);
          watch.watch(o.fetcher().account(), one.authorizationFiles());
          lines.named(o.fetcher().account(), name, one.sizeLimit(), one.advice);
          if (!quiet && !json) {
            out.println("polling " + name + ": " + o.describe());
          }
        } catch (ParameterException e) {
          exit = exit == 0 ? 2 : exit;
          setupFailed(
              outcomes,
              name,
              accountAdvice.badAccount(BadArguments.describe(e), account.getValue(), "poll"),
              "account " + name + " in " + config);
        } catch (FetchException e) {
          exit = exit == 0 ? e.error().exitCode() : exit;
          setupFailed(outcomes, name, Problem.of(e, accountAdvice), "account " + name);
        }
      }
      out.flush();
      if (opened.isEmpty() && (share == null || share.offered() == 0) && !(once && json)) {
        err.println("mailfetch: no account could be polled");
        return exit != 0 ? exit : 2;
      }
      if (once) {
        Map<String, CompletableFuture<CheckRecord>> checks = new LinkedHashMap<>();
        for (Map.Entry<String, OpenedAccount> o : opened.entrySet()) {
          checks.put(o.getKey(), poller.checkNow(o.getValue().fetcher().account()));
        }
        for (Map.Entry<String, CompletableFuture<CheckRecord>> c : checks.entrySet()) {
          CheckRecord record = c.getValue().join();
          FetchResult r = results.get(c.getKey());
          Advice a = advice.get(c.getKey());
          outcomes.put(
              c.getKey(),
              r != null
                  ? RunOutcome.of(
                      c.getKey(),
                      r,
                      lines.sizeLimit(record.account()),
                      a,
                      opened.get(c.getKey()).notices())
                  : RunOutcome.failed(
                      c.getKey(),
                      record
                          .error()
                          .map(e -> Problem.of(e, a))
                          .orElseGet(
                              () ->
                                  Problem.unexpected(
                                      new IllegalStateException(
                                          "the check ended without a result")))));
        }
        List<RunOutcome> all = new ArrayList<>(outcomes.values());
        if (json) {
          out.println(JsonReport.accounts(all));
          out.flush();
        }
        return RunOutcome.exitCode(all);
      }
      if (share != null) { // connects: an unreachable database ends the poll here
        try {
          share.start(quiet ? null : out, minInterval, maxInterval);
        } catch (FetchException e) {
          TextReport.problem(err, "mailfetch: ", Problem.of(e, Advice.COMMAND_LINE));
          return e.error().exitCode();
        }
      }
      Thread hook =
          new Thread(
              () -> {
                stop.countDown();
                try {
                  done.await(40, TimeUnit.SECONDS); // the JVM ends when this returns
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "mailfetch-poll-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      poller.start();
      watch.start();
      // Every account is checked at once, then on its own schedule: a poll just started shows at
      // once whether each account works, instead of after up to --min-interval of silence.
      for (Map.Entry<String, OpenedAccount> o : opened.entrySet()) { // none when shared
        OpenedAccount a = o.getValue();
        CompletableFuture<CheckRecord> first = poller.checkNow(a.fetcher().account());
        if (a.retrying() != null) { // only the first check retries quarantined messages
          // A failure of this step is the listener's to report, as for any check.
          var unused =
              first.whenComplete(
                  (record, e) -> {
                    if (record != null && record.outcome() == CheckRecord.Outcome.PAUSED) {
                      return; // paused until the poll is restarted: said once, and checked no more
                    }
                    poller.remove(a.fetcher().account());
                    try {
                      poller.add(a.fetcher(), a.host());
                    } catch (IllegalStateException closing) {
                      // the poll is being stopped
                    }
                  });
        }
      }
      serving = running(poller, lines);
      if (!quiet && share == null) {
        out.println(
            "checking every account now, then each on its own schedule (every "
                + DurationText.format(minInterval)
                + " to "
                + DurationText.format(maxInterval)
                + ")");
        out.flush();
      }
      stop.await();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down (SIGTERM, Ctrl-C): the hook already ran
      }
      return 0;
    } finally {
      if (serving != null) { // before the poller closes: nothing asks it for a check any more
        try {
          serving.close();
        } catch (Exception e) {
          err.println("mailfetch: stopping: " + e.getMessage());
        }
      }
      watch.close();
      // A shared poll gives its accounts back as their checks end, then closes the poller: both
      // within the 40 s the shutdown hook waits.
      boolean ended = share == null || share.close(Duration.ofSeconds(20));
      ended &= poller.close(Duration.ofSeconds(share == null ? 30 : 15));
      for (OpenedAccount o : opened.values()) {
        try {
          o.close();
        } catch (Exception e) {
          err.println("mailfetch: closing " + o.describe() + ": " + e.getMessage());
        }
      }
      for (Map.Entry<Path, DedupStore> d : dedupStores.entrySet()) {
        try {
          d.getValue().close();
        } catch (Exception e) {
          err.println("mailfetch: closing the dedup store " + d.getKey() + ": " + e.getMessage());
        }
      }
      if (postgres != null) {
        postgres.close();
      }
      for (OpenedAccount o : opened.values()) { // once all are closed: they can share a place
        try {
          o.removeIfNeverListed();
        } catch (IOException e) {
          err.println(
              "mailfetch: removing what " + o.describe() + " created: " + CreatedPlaces.why(e));
        }
      }
      if (!once && !quiet) {
        out.println(
            ended
                ? "stopped: every check ended, what was delivered is on disk"
                : "stopped: some checks were still running after 30 s; what they had not stored stays on the server");
      }
      out.flush();
      done.countDown();
    }
  }

  /**
   * The poller's listener: the lines a poll prints ({@code serve} adds its own listeners
   * alongside).
   */
  PollListener listener(PollLines lines) {
    return lines;
  }

  /** Whether a paused account can be resumed on a web page ({@code serve}'s Resume). */
  boolean resumableOnAPage() {
    return false;
  }

  /**
   * Called once the poller runs until stopped (not with --once): {@code serve} starts its HTTP
   * server here. What it returns is closed before the poller is.
   */
  AutoCloseable running(Poller poller, PollLines lines) throws Exception {
    return null;
  }

  /** Says that an account could not be set up, once (in the JSON of --once --json instead). */
  private void setupFailed(
      Map<String, RunOutcome> outcomes, String account, Problem p, String who) {
    outcomes.put(account, RunOutcome.failed(account, p));
    if (!json) {
      TextReport.problem(spec.commandLine().getErr(), "mailfetch: " + who + ": ", p);
    }
  }

  /** The most checks at once, overall or against one server (the poller's own bound). */
  private static final int MOST_CHECKS = 100_000;

  /** The options in their own words, before the library's builders see them. */
  private void checkOptions() {
    if (minInterval.isNegative() || minInterval.isZero()) {
      throw bad("--min-interval " + DurationText.format(minInterval) + ": must be longer than 0");
    }
    if (maxInterval.isNegative() || maxInterval.isZero()) {
      throw bad("--max-interval " + DurationText.format(maxInterval) + ": must be longer than 0");
    }
    if (minInterval.compareTo(maxInterval) > 0) {
      throw bad(
          "--min-interval "
              + DurationText.format(minInterval)
              + " is longer than --max-interval "
              + DurationText.format(maxInterval)
              + ": make it at most as long");
    }
    for (Object[] o :
        new Object[][] {{"--max-checks", maxChecks}, {"--max-checks-per-host", maxChecksPerHost}}) {
      int n = (Integer) o[1];
      if (n < 1 || n > MOST_CHECKS) {
        throw bad(o[0] + " " + n + ": must be from 1 to " + MOST_CHECKS);
      }
    }
    if (maxPushPerHost < 0 || maxPushPerHost > 100_000) {
      throw bad("--max-push-per-host " + maxPushPerHost + ": must be from 0 to 100000");
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** "90s", "2m", "1h" (or an ISO-8601 duration such as PT2M). */
  static final class DurationText implements ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("([0-9]{1,9})\\s*([smh])");

    @Override
    public Duration convert(String value) {
      Matcher m = SHORT.matcher(value.trim().toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return m.group(2).equals("s")
            ? Duration.ofSeconds(n)
            : m.group(2).equals("m") ? Duration.ofMinutes(n) : Duration.ofHours(n);
      }
      try {
        return Duration.parse(value.trim());
      } catch (DateTimeParseException | ArithmeticException e) {
        throw new CommandLine.TypeConversionException(
            "not a time: " + value + " (write 90s, 2m or 1h)");
      }
    }

    /** A duration as these options are written: 90s, 2m, 1h. */
    static String format(Duration d) {
      long s = d.toSeconds();
      return s != 0 && s % 3600 == 0
          ? s / 3600 + "h"
          : s != 0 && s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
  }
}
