package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchLimits;
import dev.mailfetch.api.FetchListener;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.LabelPolicy;
import dev.mailfetch.api.Retention;
import dev.mailfetch.dedup.Dedup;
import dev.mailfetch.dedup.DedupStore;
import dev.mailfetch.gmail.GmailImportSink;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailfetch fetch URL}: one run for one account, as cron or a person runs it. */
@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Fetches what is new in one POP3 or IMAP mailbox into a Maildir, an mbox, a directory of .eml"
          + " files, Gmail or a mail server, exactly once: a second run fetches nothing that the first"
          + " stored, whatever happened in between."
    },
    footer = {
      "",
      "Secrets never go on the command line: give the password in an environment variable or a file.",
      "",
      "Examples:",
      "  MAIL_PW=... mailfetch fetch pop3s://alice@mail.example.org \\",
      "      --password-env MAIL_PW",
      "  mailfetch fetch pop3s://alice@mail.example.org --password-file ~/.mailpw \\",
      "      --to mbox:~/mail/inbox --delete",
      "  mailfetch fetch imaps://alice@imap.example.org --password-env MAIL_PW \\",
      "      --folder INBOX --folder Lists/java --on-server trash",
      "  mailfetch fetch pop3://bob@10.0.0.5 --password-env PW --ca-file site-ca.pem \\",
      "      --json --quiet",
      "  mailfetch oauth google me@gmail.com --client-file ~/client_secret.json # once",
      "  mailfetch fetch pop3s://alice@mail.example.org --password-env MAIL_PW \\",
      "      --to gmail:me@gmail.com --label Example --delete",
      "",
      "Exit codes: 0 all well, 3 a warning (something needs you, nothing failed), 2 bad arguments,"
          + " otherwise the error's code (docs/errors.md)."
    })
final class FetchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "URL",
      arity = "0..1",
      description =
          "pop3s://user@host[:port] (implicit TLS, port 995) or pop3://user@host[:port] (STLS required,"
              + " port 110); imaps://user@host[:port] (implicit TLS, port 993) or"
              + " imap://user@host[:port] (STARTTLS required, port 143), either followed by /FOLDER"
              + " to name a folder. A user name with '@' or ':' is written %%40, %%3A.")
  String url;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Fetch every account of this file instead of"
              + " one URL, each with its own state; one account's failure does not stop the others (format: docs/cli.md).")
  Path config;

  @Mixin ServerOptions server = new ServerOptions();

  @Mixin ImapAccount imap = new ImapAccount();

  @Option(
      names = "--to",
      paramLabel = "SINK",
      defaultValue = "maildir:./Mail",
      description =
          "maildir:DIR, mbox:FILE, eml:DIR, gmail:ADDRESS (docs/gmail.md), or a mail server: "
              + SinkUrl.HELP_FORMS
              + " (docs/cli.md) (default: ${DEFAULT-VALUE}).")
  String to;

  @Mixin GmailOptions gmail = new GmailOptions();

  @Mixin SinkOptions sink = new SinkOptions();

  /** --state DIR; null with --state jdbc:… or without --state. */
  Path state;

  /** --state jdbc:postgresql://…, as given (a password in it is refused); null otherwise. */
  String stateUrl;

  @Option(
      names = "--state",
      paramLabel = "DIR|jdbc:postgresql://HOST[:PORT]/DB",
      description =
          "Where the record of fetched messages is kept."
              + " Default: inside the sink's place (DIR/mailfetch-state, FILE.mailfetch-state, DIR/.mailfetch-state; for"
              + " gmail:ADDRESS, mailfetch-state in ~/.mailfetch/gmail/ADDRESS). A jdbc:postgresql:// URL keeps it in"
              + " PostgreSQL, shared by several instances (password in "
              + PostgresState.PASSWORD_ENV
              + " or --state-password-file; docs/scale.md).")
  void state(String value) {
    if (value.regionMatches(true, 0, "jdbc:", 0, 5)) {
      stateUrl = value;
      state = null;
    } else {
      state = Path.of(value);
      stateUrl = null;
    }
  }

  @Option(
      names = "--state-password-file",
      paramLabel = "FILE",
      description =
          "With --state jdbc:…: the state database's password, the file's first line (else "
              + PostgresState.PASSWORD_ENV
              + ").")
  Path statePasswordFile;

  /**
   * Set by the poll command (--state jdbc:…): the state database its accounts share, closed by the
   * poll; else made by {@link AccountOpening} from --state jdbc:… and closed with the account.
   */
  PostgresState postgres;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Keeping keeping;

  static final class Keeping {
    @Option(names = "--keep", description = "Leave mail on the server (the default).")
    boolean keep;

    @Option(
        names = "--delete",
        description = "Delete mail from the server once it is safely stored.")
    boolean delete;

    @Option(
        names = "--keep-days",
        paramLabel = "N",
        converter = BadArguments.WholeNumber.class,
        description = "Delete mail N days after it was first fetched.")
    Integer keepDays;
  }

  @Option(
      names = "--only-new",
      description = "On the first run, take what is on the server as already there.")
  boolean onlyNew;

  @Option(
      names = "--label",
      paramLabel = "NAME",
      description = "A label for every message (repeatable).")
  List<String> labels = new ArrayList<>();

  @Option(
      names = "--label-rule",
      paramLabel = "HEADER~REGEX=LABEL",
      description =
          "A label when a header matches (repeatable), e.g. 'List-Id~java\\.net=Lists/Java'.")
  List<String> labelRules = new ArrayList<>();

  @Option(
      names = "--archive",
      description = "Keep fetched mail out of the inbox (under its labels only).")
  boolean archive;

  @Option(
      names = "--dedup",
      paramLabel = "POLICY",
      defaultValue = "message-id+digest",
      description =
          "none, uid, message-id, digest or message-id+digest (default: ${DEFAULT-VALUE}): which later"
              + " copies of a message are discarded (docs/dedup.md).")
  String dedup;

  @Option(
      names = "--max-messages",
      paramLabel = "N",
      converter = BadArguments.WholeNumber.class,
      description = "At most N messages this run.")
  Integer maxMessages;

  @Option(
      names = "--max-message-size",
      paramLabel = "SIZE",
      description =
          "Leave messages larger than SIZE on"
              + " the server, each named in the report (bytes, or with K, M, G: 1000, 1000000, 1000000000;"
              + " default 1G, larger than any provider accepts; into Gmail 150 MB, Gmail's limit, and no more).")
  String maxMessageSize;

  @Option(
      names = "--max-listing",
      paramLabel = "N",
      converter = BadArguments.WholeNumber.class,
      description =
          "Fetch nothing from a mailbox that lists more"
              + " than N messages (default 100000): a listing is held in memory.")
  Integer maxListing;

  @Option(
      names = "--retry-quarantined",
      description =
          "Try again the messages that failed in too many runs and"
              + " are quarantined (after fixing what their last error names).")
  boolean retryQuarantined;

  @Option(
      names = "--quiet",
      description =
          "Print only what needs a person: failures, warnings, messages held back" + " (for cron).")
  boolean quiet;

  @Option(
      names = "--verbose",
      description = "Also print the session's log, and every skipped message.")
  boolean verbose;

  @Option(
      names = "--trace",
      description = "Also print the protocol conversation, with every secret redacted.")
  boolean trace;

  @Option(
      names = "--json",
      description = "Print one JSON object with the outcome at the end (schema: docs/cli.md).")
  boolean json;

  /** The environment, so that tests can give one. */
  Map<String, String> env = System.getenv();

  /**
   * The command's largest message by default. mpop and fetchmail fetch any size; a limit still
   * keeps a broken or hostile server from filling the disk with one endless message. 1 GB is larger
   * than any provider accepts (25 MB at Gmail, 150 MB at Outlook), so in practice every real
   * message is fetched, and one over it is named with the option that fetches it.
   */
  static final long DEFAULT_MAX_MESSAGE_SIZE = 1_000_000_000L;

  @Override
  public Integer call() throws Exception {
    checkOutputOptions();
    if (config != null) {
      if (url != null) {
        throw bad("give either a URL or --config FILE, not both");
      }
      return new AccountsFile(this).run(config);
    }
    if (url == null) {
      throw bad(
          "which mailbox? give a URL (pop3s://user@host or imaps://user@host) or --config FILE");
    }
    RunOutcome o = fetchOnce(null);
    if (json) {
      spec.commandLine().getOut().println(JsonReport.one(o));
      spec.commandLine().getOut().flush();
    }
    return o.exitCode();
  }

  /** The largest message this command's account fetches, in bytes. */
  long sizeLimit() {
    boolean gmail = to.toLowerCase(Locale.ROOT).startsWith("gmail:");
    long gmails = GmailImportSink.Builder.MAX_MESSAGE_BYTES;
    if (maxMessageSize == null) {
      // Gmail's own limit: a larger message would be downloaded whole at every run, then refused
      return gmail ? gmails : DEFAULT_MAX_MESSAGE_SIZE;
    }
    long v = size("--max-message-size", maxMessageSize);
    if (gmail && v > gmails) {
      throw bad(GmailOptions.tooLarge(maxMessageSize));
    }
    return v;
  }

  /**
   * Opens the sink and the state of this command's account and builds its Fetcher (no listener),
   * every option checked before anything is opened ({@link AccountOpening}).
   */
  OpenedAccount open() throws Exception {
    return AccountOpening.open(this);
  }

  /**
   * Set by the poll command: the dedup store of each state directory, shared by the accounts kept
   * there (a store is one process's at a time), and closed by the poll once they are.
   */
  Map<Path, DedupStore> sharedDedup;

  /** Set by the poll command: no progress bar per run. */
  boolean polled;

  /**
   * Set for an account of a config file: advice names the file's lines for the options the command
   * does not take on its command line.
   */
  Advice advice = Advice.COMMAND_LINE;

  /** Set by the poll command: hears each run's result (for the report of --once). */
  Consumer<FetchResult> finished;

  /** The progress bar of a fetch run by hand; for poll, what hears each run's result. */
  FetchListener listener() {
    if (polled) {
      Consumer<FetchResult> hears = finished;
      return hears == null
          ? FetchListener.NONE
          : new FetchListener() {
            @Override
            public void runFinished(FetchResult result) {
              hears.accept(result);
            }
          };
    }
    return quiet || json
        ? FetchListener.NONE
        : new Progress(spec.commandLine().getOut(), System.console() != null);
  }

  /**
   * One run for this command's account: prints progress and the summary (unless quiet or JSON) and
   * what needs a person (unless JSON), and returns how it ended, a failure to open the account
   * included. {@code account} is its name in a config file, or null.
   *
   * @throws ParameterException for an option that cannot be used
   */
  RunOutcome fetchOnce(String account) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String prefix = "mailfetch: " + (account == null ? "" : "account " + account + ": ");
    OpenedAccount opened;
    try {
      opened = open();
    } catch (FetchException e) {
      RunOutcome failed = RunOutcome.failed(account, Problem.of(e, advice));
      if (!json) {
        TextReport.problem(err, prefix, failed.problem());
      }
      return failed;
    }
    FetchResult r;
    List<Problem> notices;
    try {
      if (!quiet && !json) {
        out.println("Fetching " + opened.describe() + "...");
        out.flush();
      }
      r = opened.fetcher().run();
    } finally {
      notices = opened.notices(); // known once the run has (or has not) listed the mailbox
      try {
        opened.close();
      } catch (IOException e) {
        // What was stored is durable (each batch was synced); the result stands, and this is said.
        if (!json) {
          err.println(prefix + "closing " + opened.describe() + " failed: " + e.getMessage());
        }
      }
    }
    if (!json && !quiet) {
      TextReport.summary(out, r, verbose, advice);
    }
    if (!json) {
      for (Problem p : notices) {
        TextReport.problem(err, prefix + "warning: ", p);
      }
      TextReport.items(err, prefix, "  ", TextReport.attention(r, sizeLimit(), advice));
    }
    return RunOutcome.of(account, r, sizeLimit(), advice, notices);
  }

  // ---------------------------------------------------------------- the sink and policies

  /**
   * The files this account's authorizations are read from (the Gmail token file of --to gmail:, the
   * POP3 or IMAP grant of --oauth-grant-file): a poll checks a paused account again when one of
   * them is replaced (mailfetch oauth wrote it anew). Called after the options are parsed.
   */
  List<Path> authorizationFiles() {
    List<Path> files = new ArrayList<>();
    for (Path grant :
        new Path[] {server.secret == null ? null : server.secret.grantFile, sink.grantFile()}) {
      if (grant != null) {
        files.add(GmailOptions.expand(env, grant));
      }
    }
    gmail.tokenFile(env, to).ifPresent(files::add);
    return files;
  }

  Destination place() throws FetchException {
    int colon = to.indexOf(':');
    String kind = colon < 0 ? "" : to.substring(0, colon).toLowerCase(Locale.ROOT);
    if (!kind.equals("gmail")) {
      gmail.refuseWithout(spec, to);
    }
    if (SinkUrl.kindOf(to).isPresent()) {
      return ServerSinks.destination(sink.sink(spec, env, to, true), env, state != null);
    }
    sink.refuseWithout(spec, to);
    if (kind.equals("gmail")) {
      return gmail.destination(spec, env, to, to.substring(colon + 1), state != null);
    }
    Path p = colon < 0 ? null : Path.of(expandHome(to.substring(colon + 1)));
    Destination files = p == null || p.toString().isEmpty() ? null : Destination.files(kind, p);
    if (files == null) {
      throw bad(
          "--to "
              + to
              + ": write maildir:DIR, mbox:FILE, eml:DIR, gmail:ADDRESS or a mail server, "
              + SinkUrl.FORMS);
    }
    return files;
  }

  private static String expandHome(String path) {
    return path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path;
  }

  Retention retention() {
    if (keeping == null || keeping.keep) {
      return Retention.KEEP;
    }
    if (keeping.delete) {
      return Retention.DELETE_AFTER_DELIVERY;
    }
    return Retention.deleteAfter(Duration.ofDays(positive("--keep-days", keeping.keepDays)));
  }

  /** The policy --dedup names, chosen before any store is opened (a bad name leaves nothing). */
  Dedup.Spec dedupSpec() {
    try {
      return Dedup.parse(dedup);
    } catch (IllegalArgumentException e) {
      throw bad(
          "--dedup "
              + dedup
              + " is not a policy; the policies are "
              + String.join(", ", Dedup.NAMES)
              + " (docs/dedup.md)");
    }
  }

  /** The labels of --label, --label-rule and --archive, each checked ({@link LabelOptions}). */
  LabelPolicy labelPolicy() {
    try {
      return LabelOptions.policy(
          labels, labelRules, archive, to.toLowerCase(Locale.ROOT).startsWith("gmail:"));
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  // ---------------------------------------------------------------- arguments

  /** --quiet asks for less, --verbose and --trace for more: they exclude each other. */
  void checkOutputOptions() {
    if (quiet && (verbose || trace)) {
      throw bad(
          "--quiet and "
              + (verbose ? "--verbose" : "--trace")
              + " exclude each other: give one of them");
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private int positive(String option, int value) {
    return ServerOptions.positive(spec, option, value);
  }

  private long size(String option, String text) {
    try {
      return Units.parseSize(option, text);
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  /** The limits --max-messages and --max-message-size set. */
  FetchLimits limits() {
    FetchLimits.Builder limits = FetchLimits.builder();
    try {
      if (maxMessages != null) {
        limits.maxMessagesPerRun(positive("--max-messages", maxMessages));
      }
      limits.maxMessageSize(sizeLimit());
      if (maxListing != null) {
        limits.maxListing(positive("--max-listing", maxListing));
      }
      return limits.build();
    } catch (IllegalArgumentException e) {
      throw bad("--max-messages, --max-message-size or --max-listing: " + e.getMessage());
    }
  }
}
