package dev.mailfetch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code mailfetch fetch --config FILE}: several accounts in one run. The file is a Java properties
 * file (UTF-8): {@code <account>.<option> = <value>}, where option is one of fetch's long options
 * without its dashes and {@code url} is the URL; {@code true} turns a flag on; a repeatable option
 * takes {@code <account>.<option>.<n>} keys, in the order of n. Accounts run one after the other,
 * in name order, each with its own state; one account's failure does not stop the others.
 */
final class AccountsFile {
  private final FetchCommand outer;

  AccountsFile(FetchCommand outer) {
    this.outer = outer;
  }

  int run(Path file) throws Exception {
    Map<String, Map<String, String>> accounts = load(file, outer.spec.commandLine());
    PrintWriter out = outer.spec.commandLine().getOut();
    PrintWriter err = outer.spec.commandLine().getErr();
    List<RunOutcome> results = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> account : accounts.entrySet()) {
      String name = account.getKey();
      FetchCommand one = new FetchCommand();
      one.env = outer.env;
      CommandLine cl = new CommandLine(one);
      cl.setOut(out);
      cl.setErr(err);
      try {
        cl.parseArgs(args(account.getValue(), outer.quiet, outer.json, outer.server.strict).toArray(new String[0]));
        if (!outer.json && !outer.quiet) {
          out.println("[" + name + "]");
        }
        results.add(one.fetchOnce(name)); // says what needs a person itself
      } catch (ParameterException e) {
        failed(results, name, Problem.arguments(e.getMessage(), "fetch"), "account " + name + " in " + file + ": ");
      } catch (Exception e) {
        failed(results, name, Problem.unexpected(e), "account " + name + ": "); // the others still run
      }
    }
    if (outer.json) {
      out.println(JsonReport.accounts(results));
      out.flush();
    }
    return RunOutcome.exitCode(results); // the first failing account's code
  }

  private void failed(List<RunOutcome> results, String name, Problem p, String who) {
    results.add(RunOutcome.failed(name, p));
    if (!outer.json) {
      TextReport.problem(outer.spec.commandLine().getErr(), "mailfetch: " + who, p);
    }
  }

  /** The accounts of a file: account name to its options (option name, with any .n, to value), in name order. */
  static Map<String, Map<String, String>> load(Path file, CommandLine cl) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new ParameterException(cl, "--config " + file + ": cannot read it (" + e.getMessage() + ")");
    }
    Map<String, Map<String, String>> accounts = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      int dot = key.indexOf('.');
      if (dot <= 0 || dot == key.length() - 1) {
        throw new ParameterException(cl, "--config " + file + ": \"" + key + "\" is not"
            + " <account>.<option>, for example work.url or work.password-env");
      }
      accounts.computeIfAbsent(key.substring(0, dot), k -> new TreeMap<>()).put(key.substring(dot + 1), p.getProperty(key));
    }
    if (accounts.isEmpty()) {
      throw new ParameterException(cl, "--config " + file + ": no accounts in it");
    }
    return accounts;
  }

  /** The options of one account, as fetch's arguments, with the command line's output choices. */
  static List<String> args(Map<String, String> options, boolean quiet, boolean json, boolean strict) {
    List<String> args = new ArrayList<>();
    Map<String, String> sorted = new TreeMap<>((a, b) -> {
      String[] x = a.split("\\.", 2);
      String[] y = b.split("\\.", 2);
      int c = x[0].compareTo(y[0]);
      if (c != 0 || x.length == 1 || y.length == 1) {
        return c != 0 ? c : Integer.compare(x.length, y.length);
      }
      return Integer.compare(number(x[1]), number(y[1]));
    });
    sorted.putAll(options);
    String url = null;
    for (Map.Entry<String, String> o : sorted.entrySet()) {
      String option = o.getKey().split("\\.", 2)[0];
      String value = o.getValue().strip();
      if (option.equals("url")) {
        url = value;
      } else if (value.equalsIgnoreCase("true")) {
        args.add("--" + option);
      } else if (!value.equalsIgnoreCase("false")) {
        args.add("--" + option);
        args.add(value);
      }
    }
    if (url != null) {
      args.add(0, url);
    }
    for (String flag : new String[] {"--quiet", "--json", "--strict"}) {
      boolean on = flag.equals("--quiet") ? quiet : flag.equals("--json") ? json : strict;
      if (on && !args.contains(flag)) {
        args.add(flag);
      }
    }
    return args;
  }

  private static int number(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }
}
