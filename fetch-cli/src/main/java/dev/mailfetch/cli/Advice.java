package dev.mailfetch.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Advice in the form its reader can type. The library's remedies name {@code fetch}'s options
 * ({@code --max-message-size 22K}); a person running {@code fetch URL} types them as they are. An
 * account of a config file ({@code fetch --config}, {@code poll}) takes its options from the file,
 * so there an option the command does not accept on its own command line is said as the file's
 * line: {@code work.max-message-size = 22K in accounts.properties}. Options the command does accept
 * ({@code --trace}, {@code --retry-quarantined}, {@code --verbose}) stay as they are.
 */
final class Advice {
  /** For {@code fetch URL}: every option is typed on the command line. */
  static final Advice COMMAND_LINE = new Advice(null, null, Set.of(), false);

  /**
   * The options {@code fetch --config} takes on its command line, for every account of the file.
   */
  static final Set<String> FETCH_CONFIG_OPTIONS =
      Set.of("config", "quiet", "json", "strict", "verbose", "trace", "retry-quarantined");

  /** The options of fetch that {@code poll} also takes on its command line, for every account. */
  static final Set<String> POLL_OPTIONS =
      Set.of(
          "quiet",
          "json",
          "verbose",
          "trace",
          "retry-quarantined",
          "min-interval",
          "max-interval",
          "max-checks",
          "max-checks-per-host",
          "once",
          "config");

  private final String account;
  private final Path file;
  private final Set<String> commandLine;
  private final boolean restart;

  private Advice(String account, Path file, Set<String> commandLine, boolean restart) {
    this.account = account;
    this.file = file;
    this.commandLine = commandLine;
    this.restart = restart;
  }

  /**
   * For {@code account} of the config {@code file}, whose command takes {@code commandLine} (long
   * option names without dashes) on its command line; {@code restart}: the command runs until
   * stopped and reads the file when it starts (a poll), so a change needs a restart.
   */
  static Advice configFile(String account, Path file, Set<String> commandLine, boolean restart) {
    return new Advice(
        Objects.requireNonNull(account, "account"),
        Objects.requireNonNull(file, "file"),
        Set.copyOf(commandLine),
        restart);
  }

  /** How to give the account another URL: on the command line, or as the account's url line. */
  String url(String url) {
    return account == null
        ? "give the URL as " + url
        : "set " + account + ".url = " + url + " in " + file;
  }

  /** An option of fetch, possibly with a value, possibly after a verb that asks to set it. */
  private static final Pattern OPTION =
      Pattern.compile(
          "(?<verb>\\b(?:[Rr]un|[Ff]etch)(?: it| once)? with |\\b[Ww]ithout |\\b[Ll]eave out )?"
              + "--(?<name>[a-z][a-z0-9]*(?:-[a-z0-9]+)*)"
              + "(?: (?<value>[A-Z0-9][A-Za-z0-9_,.:/~+-]*[A-Za-z0-9_]|[A-Z0-9]|implicit|starttls|none|maildir:[^ ,;)]+"
              + "|mbox:[^ ,;)]+|eml:[^ ,;)]+))?");

  /**
   * A remedy as the serve page says it ({@code mailfetch serve}'s account page): the page has a
   * Resume button, so the way to take a paused account up again is to press it, not to restart.
   * Serve reads the config file when it starts, as poll does, so a change to the account's lines
   * still needs a restart; a password or token file is read at each check, so after fixing one,
   * Resume is enough. The one place the page's words differ from poll's.
   */
  String pageWords(String commandLine, boolean paused) {
    String said =
        account == null || commandLine == null ? commandLine : lines(commandLine, true, Map.of());
    if (said == null) {
      return paused ? RESUME : null;
    }
    String s = said.stripTrailing();
    s = s + (s.endsWith(".") ? "" : ".");
    if (file != null && said.contains(" in " + file)) {
      return s
          + " mailfetch serve reads "
          + file
          + " when it starts: restart it after changing the account's lines there"
          + (paused ? "; after fixing only a password or token file, press Resume." : ".");
    }
    return paused ? s + " " + RESUME : said;
  }

  /** How a paused account is taken up again from the serve page. */
  static final String RESUME = "Then press Resume to check it again.";

  /**
   * {@code commandLine}, the command line's form of a remedy, as this reader types it: unchanged
   * for {@code fetch URL}; for an account of a file, each option of fetch the command does not take
   * said as the account's line of the file (the first naming the file).
   */
  String words(String commandLine) {
    if (account == null || commandLine == null) {
      return commandLine;
    }
    String said = lines(commandLine, true, Map.of());
    if (said.contains(" in " + file) && restart) {
      String s = said.stripTrailing();
      return s
          + (s.endsWith(".") ? "" : ".")
          + " The poll reads "
          + file
          + " when it starts: restart it after the"
          + " change.";
    }
    return said;
  }

  /**
   * What is wrong with this account's lines of its file ({@code detail}, a bad argument said in the
   * words of fetch's options), as that account's bad argument: the options in it said as the
   * account's lines ({@code values}: the account's own, so that "--timeout abc" becomes {@code
   * work.timeout = abc}); what it means for this account (not fetched, or not polled, while the
   * file's other accounts are), and what to do. For the command as a whole, {@link
   * Problem#arguments} says that nothing was done.
   *
   * @param values the account's options as the file gives them (option name to value)
   * @param command {@code fetch} or {@code poll}
   */
  Problem badAccount(String detail, Map<String, String> values, String command) {
    if (account == null) {
      return Problem.arguments(detail, command);
    }
    String said = lines(detail, false, values);
    String meaning =
        command.equals("poll")
            ? "This account is not polled: its lines in "
                + file
                + " are not valid; the file's other accounts are polled"
                + " as usual."
            : "This account was not fetched: its lines in "
                + file
                + " are not valid; the file's other accounts are"
                + " fetched as usual.";
    String remedy =
        "Correct what the message names in "
            + file
            + " (a line is "
            + account
            + ".OPTION = VALUE, with"
            + " the long options of fetch without their dashes: mailfetch fetch --help lists them)"
            + (restart
                ? "; the poll reads " + file + " when it starts: restart it after the change."
                : ".");
    return Problem.accountArguments(said, meaning, remedy);
  }

  /**
   * {@code text} with each option of fetch this command does not take on its command line said as
   * the account's line of the file ({@code nameFile}: the first naming the file); a value the
   * account gives that option ({@code values}) is taken as that option's value wherever it follows.
   */
  private String lines(String text, boolean nameFile, Map<String, String> values) {
    Matcher m = OPTION.matcher(text);
    StringBuilder sb = new StringBuilder();
    boolean fileNamed = !nameFile;
    int lastSaid = -1; // where the last option said as a line of the file ended
    int at = 0;
    while (at <= text.length() && m.find(at)) {
      sb.append(text, at, m.start());
      at = m.end();
      String name = m.group("name");
      OptionSpec option = AccountsFile.option(name);
      if (option == null || this.commandLine.contains(name)) {
        sb.append(m.group());
        continue;
      }
      boolean flag = option.arity().max() == 0;
      String verb = m.group("verb");
      String typed = m.group("value"); // after a flag, a word of the sentence, put back after it
      String own = values.get(name);
      int afterName = m.end("name");
      if (!flag && own != null && !own.isBlank() && text.startsWith(" " + own.strip(), afterName)) {
        typed = own.strip(); // the account's own value, whatever it looks like ("abc", "x y")
        at = afterName + 1 + typed.length();
      }
      boolean without = verb != null && verb.toLowerCase(Locale.ROOT).startsWith("without");
      boolean off =
          without || (verb != null && verb.toLowerCase(Locale.ROOT).startsWith("leave out"));
      String value = flag ? (off ? "false" : "true") : typed;
      StringBuilder said = new StringBuilder();
      if (lastSaid >= 0 && text.substring(lastSaid, m.start()).equals(" ")) {
        said.append("and "); // "--tls none --allow-plaintext-auth": two lines of the file
      }
      if (verb
          != null) { // "run with --x" and "leave out --x" become "set", "without --x" "with ... =
        // false"
        String replaced = without ? "with " : "set ";
        said.append(
            Character.isUpperCase(verb.charAt(0))
                ? Character.toUpperCase(replaced.charAt(0)) + replaced.substring(1)
                : replaced);
      }
      said.append(account).append('.').append(name);
      if (value != null) {
        said.append(" = ").append(value);
      }
      if (!fileNamed) {
        said.append(" in ").append(file);
        fileNamed = true;
      }
      if (flag && typed != null) {
        said.append(' ').append(typed);
      }
      sb.append(said);
      lastSaid = at;
    }
    sb.append(text, Math.min(at, text.length()), text.length());
    return sb.toString();
  }
}
