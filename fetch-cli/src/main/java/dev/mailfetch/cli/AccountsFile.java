package dev.mailfetch.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
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

  /** How one account's run ended: a result, or a failure before or instead of one. */
  private record Outcome(String account, FetchResult result, FetchException error, String problem, int exitCode) {}

  AccountsFile(FetchCommand outer) {
    this.outer = outer;
  }

  int run(Path file) throws Exception {
    Map<String, Map<String, String>> accounts = load(file, outer.spec.commandLine());
    PrintWriter out = outer.spec.commandLine().getOut();
    PrintWriter err = outer.spec.commandLine().getErr();
    int exit = 0;
    List<Outcome> results = new ArrayList<>();
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
        FetchResult r = one.fetchOnce();
        results.add(new Outcome(name, r, null, null, FetchCommand.exitCode(r)));
      } catch (ParameterException e) {
        err.println("mailfetch: account " + name + " in " + file + ": " + e.getMessage());
        results.add(new Outcome(name, null, null, e.getMessage(), 2));
      } catch (FetchException e) {
        err.println("mailfetch: account " + name + ": " + e.error() + ": " + e.getMessage());
        results.add(new Outcome(name, null, e, null, e.error().exitCode()));
      } catch (Exception e) {
        err.println("mailfetch: account " + name + ": " + e); // the others still run
        results.add(new Outcome(name, null, null, String.valueOf(e), 1));
      }
      int last = results.get(results.size() - 1).exitCode();
      if (exit == 0) {
        exit = last; // the first failing account's code
      }
    }
    if (outer.json) {
      out.println(json(results, exit));
    }
    return exit;
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

  private static String json(List<Outcome> results, int exit) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("status", exit == 0 ? "ok" : "error");
      g.writeArrayFieldStart("accounts");
      for (Outcome o : results) {
        if (o.result() != null) {
          FetchCommand.writeResult(g, o.result(), o.account());
          continue;
        }
        g.writeStartObject();
        g.writeStringField("account", o.account());
        g.writeStringField("status", "error");
        g.writeObjectFieldStart("error");
        g.writeStringField("code", o.error() != null ? o.error().error().name() : o.exitCode() == 2 ? "ARGUMENTS" : "UNEXPECTED");
        g.writeNumberField("exit_code", o.exitCode());
        g.writeStringField("message", o.error() != null ? o.error().getMessage() : o.problem());
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return w.toString();
  }
}
