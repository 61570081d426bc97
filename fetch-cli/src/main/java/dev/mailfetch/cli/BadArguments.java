package dev.mailfetch.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

/**
 * Bad arguments, told as a person reads them: one line in the words of the options (what was typed,
 * what is wrong, what would be right) and a pointer to --help; exit code 2. Picocli's own messages
 * are rewritten here, so that none of its phrasing or Java's types reach the reader.
 */
final class BadArguments {
  private BadArguments() {}

  /** The exit code of bad arguments. */
  static final int EXIT = 2;

  /**
   * Prints the error and the pointer to --help on stderr, or under --json the JSON object alone on
   * stdout (code ARGUMENTS, its remedy the same pointer): under --json stderr holds only a log
   * asked for. Returns 2.
   */
  static int report(ParameterException e, List<String> args) {
    CommandLine cl = e.getCommandLine();
    String message = describe(e);
    if (args.contains("--json") && cl.getCommandSpec().findOption("--json") != null) {
      cl.getOut()
          .println(
              JsonReport.problem(
                  Problem.arguments(
                      message,
                      cl.getCommandSpec().qualifiedName().replaceFirst("^mailfetch ?", ""))));
      cl.getOut().flush();
      return EXIT;
    }
    String help = cl.getCommandSpec().qualifiedName() + " --help";
    PrintWriter err = cl.getErr();
    err.println("mailfetch: " + message);
    err.println("Try '" + help + "' for the options.");
    err.flush();
    return EXIT;
  }

  private static final Pattern UNKNOWN_COMMAND = Pattern.compile("Unknown subcommand '(.*)'\\.?");
  private static final Pattern EXCLUSIVE =
      Pattern.compile("(?:Error: )?(.*) are mutually exclusive.*");

  /** What is wrong, in one line, in the words of the options. */
  static String describe(ParameterException e) {
    CommandSpec spec = e.getCommandLine() == null ? null : e.getCommandLine().getCommandSpec();
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (e instanceof CommandLine.UnmatchedArgumentException u && spec != null) {
      return unmatched(u, spec);
    }
    if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
      ArgSpec a = m.getMissing().get(0);
      if (a instanceof OptionSpec o) {
        return message.startsWith("Missing required option")
            ? o.longestName() + " " + o.paramLabel() + " is required"
            : o.longestName() + " needs a value (" + o.paramLabel() + ")";
      }
      return "missing " + a.paramLabel();
    }
    if (e instanceof CommandLine.OverwrittenOptionException o
        && o.getOverwritten() instanceof OptionSpec option) {
      return option.longestName() + " may be given only once";
    }
    if (e instanceof CommandLine.MutuallyExclusiveArgsException) {
      Matcher m = EXCLUSIVE.matcher(message);
      if (m.matches()) {
        List<String> names = new ArrayList<>();
        for (String n : m.group(1).split(",\\s*")) {
          names.add(n.replaceAll("=.*", "").strip());
        }
        return String.join(" and ", names) + " exclude each other: give one of them";
      }
    }
    if (message.startsWith("Invalid value for") && e.getArgSpec() != null && e.getValue() != null) {
      ArgSpec a = e.getArgSpec();
      if (a.type() == boolean.class || a.type() == Boolean.class) {
        return name(a) + " takes no value: it is on when given";
      }
      Throwable cause = e.getCause();
      String why =
          cause instanceof CommandLine.TypeConversionException && cause.getMessage() != null
              ? cause.getMessage()
              : "not a valid " + a.paramLabel();
      return name(a)
          + " "
          + (e.getValue().isBlank() ? "\"" + e.getValue() + "\"" : e.getValue())
          + ": "
          + why;
    }
    Matcher subcommand = UNKNOWN_COMMAND.matcher(message);
    if (subcommand.matches() && spec != null) {
      return notACommand(subcommand.group(1), spec.parent() != null ? spec.parent() : spec);
    }
    return message.startsWith("Error: ") ? message.substring("Error: ".length()) : message;
  }

  private static String name(ArgSpec a) {
    return a instanceof OptionSpec o ? o.longestName() : a.paramLabel();
  }

  /** Unknown options named alone (not the value or URL after them), each with the option meant. */
  private static String unmatched(CommandLine.UnmatchedArgumentException u, CommandSpec spec) {
    List<String> unknown = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    for (String a : u.getUnmatched()) {
      if (a.startsWith("-") && a.length() > 1 && !a.matches("-[0-9].*")) {
        unknown.add(a.contains("=") ? a.substring(0, a.indexOf('=')) : a);
      } else {
        extra.add(a);
      }
    }
    if (!unknown.isEmpty()) {
      List<String> names = new ArrayList<>();
      for (OptionSpec o : spec.options()) {
        if (!o.hidden()) {
          names.addAll(List.of(o.names()));
        }
      }
      List<String> told = new ArrayList<>();
      for (String option : unknown) {
        told.add(option + closest(option, names).map(s -> " (did you mean " + s + "?)").orElse(""));
      }
      return (told.size() == 1 ? "unknown option " : "unknown options ") + String.join(", ", told);
    }
    String first = extra.isEmpty() ? "" : extra.get(0);
    if (!spec.subcommands().isEmpty() && spec.positionalParameters().isEmpty()) {
      return notACommand(first, spec);
    }
    List<String> labels = new ArrayList<>();
    for (PositionalParamSpec p : spec.positionalParameters()) {
      labels.add(p.paramLabel());
    }
    return "unexpected argument '"
        + first
        + "'"
        + (labels.isEmpty()
            ? ": " + spec.name() + " takes only options"
            : ": " + spec.name() + " takes " + String.join(" ", labels) + " and options");
  }

  private static String notACommand(String typed, CommandSpec spec) {
    return "'"
        + typed
        + "' is not a command"
        + closest(typed, spec.subcommands().keySet())
            .map(s -> " (did you mean " + s + "?)")
            .orElse("")
        + "; the commands are "
        + String.join(", ", spec.subcommands().keySet());
  }

  /**
   * The candidate closest to {@code typed}, if it is close enough to be what was meant: at most a
   * third of its letters (and at least one or two) added, removed, changed or swapped.
   */
  static Optional<String> closest(String typed, Collection<String> candidates) {
    String t = typed.toLowerCase(Locale.ROOT);
    if (t.replaceFirst("^-+", "").length() < 2) {
      return Optional.empty(); // -x: any one-letter option is as near as any other
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(t, c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    int allowed = Math.max(t.replaceFirst("^-+", "").length() <= 4 ? 1 : 2, t.length() / 3);
    return best != null && bestDistance > 0 && bestDistance <= allowed
        ? Optional.of(best)
        : Optional.empty();
  }

  /** Edit distance with adjacent swaps counting once (optimal string alignment). */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  // ---------------------------------------------------------------- converters with plain words

  /** A whole number, said so when it is not one. */
  static final class WholeNumber implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      String v = value.strip();
      if (!v.matches("[-+]?[0-9]+")) {
        throw new CommandLine.TypeConversionException("not a whole number");
      }
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException("far too large");
      }
    }
  }

  /**
   * Sets up a command line as every mailfetch command line is: converters, enum case, no
   * clustering.
   */
  static CommandLine configure(CommandLine cl) {
    cl.registerConverter(Integer.class, new WholeNumber());
    cl.registerConverter(int.class, new WholeNumber());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }
}
