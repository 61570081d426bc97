package dev.mailfetch.cli;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code mailfetch} command. Exit codes: 0 all well, 2 bad arguments, else FetchError's code. */
@Command(name = "mailfetch", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Fetches mail from POP3 servers into a Maildir, mbox or directory of .eml files, exactly once.",
    subcommands = {DemoCommand.class, FetchCommand.class, PollCommand.class, DoctorCommand.class, FakeServerCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Examples:", "  mailfetch demo            a server with sample mail, fetched into ./demo-mail",
        "  MAIL_PW=... mailfetch fetch pop3s://alice@mail.example.org \\", "      --password-env MAIL_PW",
        "  mailfetch help fetch      every option of fetch"})
public final class Main implements Runnable {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    java.util.List<String> a = java.util.List.of(args);
    if (a.contains("--trace")) {
      // The protocol conversation, secrets already redacted by the client, and the session's log.
      System.setProperty("org.slf4j.simpleLogger.log.dev.mailfetch.pop3.trace", "trace");
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    } else if (a.contains("--verbose")) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    }
    quietLogs();
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /**
   * The library logs what a person running a command needs only when it goes wrong: warnings and
   * errors, on stderr, without thread names. A -D on the java command line still wins.
   */
  static void quietLogs() {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    System.setProperty("org.slf4j.simpleLogger.showThreadName",
        System.getProperty("org.slf4j.simpleLogger.showThreadName", "false"));
    System.setProperty("org.slf4j.simpleLogger.showShortLogName",
        System.getProperty("org.slf4j.simpleLogger.showShortLogName", "true"));
  }

  /** Runs the command with these streams; returns the exit code (for tests, in the same JVM). */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(out, err, System.getenv(), args);
  }

  /** As {@link #run(PrintWriter, PrintWriter, String...)}, with {@code env} as the environment. */
  static int run(PrintWriter out, PrintWriter err, java.util.Map<String, String> env, String... args) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine cl = new CommandLine(new Main(), new CommandLine.IFactory() {
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
        if (made instanceof FakeServerCommand) {
          ((FakeServerCommand) made).env = env;
        }
        return made;
      }
    });
    cl.setOut(out);
    cl.setErr(err);
    BadArguments.configure(cl);
    HelpText.install(cl, env);
    for (CommandLine sub : cl.getSubcommands().values()) {
      sub.getCommandSpec().versionProvider(new Version()); // --version works on every command
    }
    cl.setParameterExceptionHandler((e, given) -> BadArguments.report(e, java.util.List.of(args)));
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof FetchException) {
        // A typed failure: its code, what it means, what to do, and its stable exit code.
        FetchError error = ((FetchException) e).error();
        line.getErr().println("mailfetch: " + error + ": " + e.getMessage());
        line.getErr().println("  " + error.summary() + " " + ((FetchException) e).remedy().commandLine());
        return error.exitCode();
      }
      line.getErr().println("mailfetch: " + e);
      if (java.util.Arrays.asList(args).contains("--verbose")) {
        e.printStackTrace(line.getErr()); // stack traces only when asked for
      } else {
        line.getErr().println("  (--verbose shows where it happened)");
      }
      return 1;
    });
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version in the jar's manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"mailfetch " + (v != null ? v : "(development build)"),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
    }
  }
}
