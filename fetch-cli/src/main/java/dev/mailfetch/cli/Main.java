package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code mailfetch} command. Exit codes: 0 all well, 2 bad arguments, else FetchError's code.
 */
@Command(
    name = "mailfetch",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Fetches mail from POP3 and IMAP servers into a Maildir, an mbox, a directory of .eml files,"
            + " an IMAP folder, a mail server (LMTP, SMTP) or Gmail, exactly once.",
    footer = {
      "",
      "Examples:",
      "  mailfetch demo            a server with sample mail, fetched into ./demo-mail",
      "  MAIL_PW=... mailfetch fetch pop3s://alice@mail.example.org \\",
      "      --password-env MAIL_PW",
      "  mailfetch help fetch      every option of fetch"
    })
public final class Main implements Runnable {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    configureLogs(List.of(args)).forEach((k, v) -> System.setProperty(k, System.getProperty(k, v)));
    // The terminal's own encoding, as System.out has it: what a person reads the report in.
    Charset terminal = Charset.defaultCharset();
    System.exit(
        run(
            new PrintWriter(new OutputStreamWriter(System.out, terminal), true),
            new PrintWriter(new OutputStreamWriter(System.err, terminal), true),
            args));
  }

  /**
   * The loggers whose warnings are the run's own outcomes: a failed message, a refused DELE, a QUIT
   * not confirmed, a run's summary, a paused account, an OAuth refresh refused. The command's
   * report says each of them once, in its own words (in the JSON too), so their log lines would
   * only say it again.
   */
  static final List<String> REPORTED_BY_THE_COMMAND =
      List.of(
          "dev.mailfetch.api.Fetcher",
          "dev.mailfetch.pop3.internal.Pop3Session",
          "dev.mailfetch.poll.Poller",
          // a refresh that failed (a grant revoked): the run's AUTH_FAILED, said with the command
          // to type
          "dev.mailfetch.gmail.OAuthTokenProvider");

  /**
   * The log configuration for these arguments, as slf4j-simple system properties; a -D on the java
   * command line wins over each. The library logs on stderr, without thread names. Without
   * --verbose (or --trace) it logs warnings and errors only, and not those of the loggers whose
   * warnings the command's report already says ({@link #REPORTED_BY_THE_COMMAND}): what remains is
   * what the report does not carry (a state file repaired after a crash, file locks that do not
   * work). Under --json no log at all: stdout's object is the whole report and stderr stays empty.
   * --verbose is the session's log from INFO up; --trace adds the protocol conversation, its
   * secrets already redacted by the client.
   */
  static Map<String, String> configureLogs(List<String> args) {
    Map<String, String> p = new LinkedHashMap<>();
    String prefix = "org.slf4j.simpleLogger.";
    if (args.contains("--trace")) {
      p.put(prefix + "log.dev.mailfetch.pop3.trace", "trace");
      p.put(prefix + "defaultLogLevel", "info");
    } else if (args.contains("--verbose")) {
      p.put(prefix + "defaultLogLevel", "info");
    } else if (args.contains("--json")) {
      // The JSON is the whole report: stderr holds only a log asked for. What the log would add
      // (a state file's unfinished last write dropped, file locks that do not work) changes
      // nothing a script or a person must act on; --verbose shows it.
      p.put(prefix + "defaultLogLevel", "off");
    } else {
      p.put(prefix + "defaultLogLevel", "warn");
      for (String logger : REPORTED_BY_THE_COMMAND) {
        p.put(prefix + "log." + logger, "error");
      }
      // The state database's pool: a kept connection found broken and replaced changes nothing a
      // person must do; a database that cannot be reached is the command's STATE_FAILED.
      p.put(prefix + "log.com.zaxxer.hikari", "error");
    }
    // A person reads the log: its level and words, without a Java class name (the account is in the
    // words).
    p.put(prefix + "showThreadName", "false");
    p.put(prefix + "showLogName", "false");
    p.put(prefix + "showShortLogName", "false");
    return p;
  }

  /** Runs the command with these streams; returns the exit code (for tests, in the same JVM). */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(out, err, System.getenv(), args);
  }

  /** As {@link #run(PrintWriter, PrintWriter, String...)}, with {@code env} as the environment. */
  static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine cl =
        new CommandLine(
            new Main(),
            new CommandLine.IFactory() {
              @Override
              public <K> K create(Class<K> cls) throws Exception {
                K made = defaults.create(cls);
                if (made instanceof FetchCommand) {
                  ((FetchCommand) made).env = env;
                }
                if (made instanceof DoctorCommand) {
                  ((DoctorCommand) made).env = env;
                }
                if (made instanceof PollCommand) {
                  ((PollCommand) made).env = env;
                }
                if (made instanceof OAuthCommand) {
                  ((OAuthCommand) made).env = env;
                }
                if (made instanceof FakeServerCommand) {
                  ((FakeServerCommand) made).env = env;
                }
                return made;
              }
            });
    for (Class<?> command : commandsFor(args)) {
      cl.addSubcommand(command); // before the settings below, which reach the commands added
    }
    cl.setOut(out);
    cl.setErr(err);
    BadArguments.configure(cl);
    HelpText.install(cl, env);
    for (CommandLine sub : cl.getSubcommands().values()) {
      sub.getCommandSpec().versionProvider(new Version()); // --version works on every command
    }
    cl.setParameterExceptionHandler((e, given) -> BadArguments.report(e, List.of(args)));
    cl.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          // A failure no command reported itself: typed (its code, what it means, what to do, its
          // exit code) or unexpected (1; --verbose adds the stack trace). Once, in text or in JSON.
          Problem p =
              e instanceof FetchException ? Problem.of((FetchException) e) : Problem.unexpected(e);
          if (jsonWanted(line, args)) {
            line.getOut().println(JsonReport.problem(p));
            line.getOut().flush();
            return p.exitCode();
          }
          TextReport.problem(line.getErr(), "mailfetch: ", p);
          if (!(e instanceof FetchException) && Arrays.asList(args).contains("--verbose")) {
            e.printStackTrace(line.getErr()); // stack traces only when asked for
          }
          return p.exitCode();
        });
    return cl.execute(args);
  }

  /**
   * The commands, in the order help lists them, by the name each is called (its {@code @Command}
   * name).
   */
  private static final Map<String, Class<?>> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("demo", DemoCommand.class);
    COMMANDS.put("fetch", FetchCommand.class);
    COMMANDS.put("poll", PollCommand.class);
    COMMANDS.put("serve", ServeCommand.class);
    COMMANDS.put("doctor", DoctorCommand.class);
    COMMANDS.put("oauth", OAuthCommand.class);
    COMMANDS.put("fake-server", FakeServerCommand.class);
    COMMANDS.put("help", CommandLine.HelpCommand.class);
  }

  /**
   * The commands to build for these arguments: only the one named first, when it is named exactly
   * (and is not help, which lists the others); else all of them. Picocli builds each command's
   * model from its annotations by reflection, a fifth of the CPU time to a parsed {@code mailfetch
   * fetch} when it built all seven; what a run of one command prints does not depend on the others.
   */
  static Collection<Class<?>> commandsFor(String[] args) {
    Class<?> named = args.length > 0 && !args[0].equals("help") ? COMMANDS.get(args[0]) : null;
    return named != null ? List.of(named) : COMMANDS.values();
  }

  /** The command line with every command, as picocli's defaults make them (for tests of help). */
  static CommandLine withAllCommands() {
    CommandLine cl = new CommandLine(new Main());
    COMMANDS.values().forEach(cl::addSubcommand);
    return cl;
  }

  /** Whether the command being run prints its outcome as JSON: fetch or poll with --json. */
  private static boolean jsonWanted(CommandLine line, String[] args) {
    Object command = line.getCommand();
    return (command instanceof FetchCommand || command instanceof PollCommand)
        && Arrays.asList(args).contains("--json");
  }

  /**
   * {@code mailfetch} without a command is a bad argument (exit 2): two lines, which command and
   * where the list is, not the whole usage (a script that forgot its command must not pass).
   */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "which command? the commands are " + String.join(", ", spec.subcommands().keySet()));
  }

  /** The version in the jar's manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {
        "mailfetch " + (v != null ? v : "(development build)"),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")"
      };
    }
  }
}
