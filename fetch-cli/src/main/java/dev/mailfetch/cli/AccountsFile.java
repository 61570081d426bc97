package dev.mailfetch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
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
    AccountArguments parser = new AccountArguments(out, err); // one for the file: see its comment
    for (Map.Entry<String, Map<String, String>> account : accounts.entrySet()) {
      String name = account.getKey();
      Advice advice = Advice.configFile(name, file, Advice.FETCH_CONFIG_OPTIONS, false);
      try {
        List<String> every = new ArrayList<>();
        for (Object[] flag :
            new Object[][] {
              {"--quiet", outer.quiet},
              {"--json", outer.json},
              {"--strict", outer.server.strict},
              {"--verbose", outer.verbose},
              {"--trace", outer.trace},
              {"--retry-quarantined", outer.retryQuarantined}
            }) {
          if ((Boolean) flag[1]) {
            every.add((String) flag[0]);
          }
        }
        FetchCommand one = parser.parse(args(account.getValue(), every));
        one.env = outer.env;
        one.advice = advice;
        if (!outer.json && !outer.quiet) {
          out.println("[" + name + "]");
        }
        results.add(one.fetchOnce(name)); // says what needs a person itself
      } catch (ParameterException e) {
        failed(
            results,
            name,
            advice.badAccount(BadArguments.describe(e), account.getValue(), "fetch"),
            "account " + name + " in " + file + ": ");
      } catch (Exception e) {
        failed(
            results, name, Problem.unexpected(e), "account " + name + ": "); // the others still run
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

  /**
   * Where load() puts what is wrong with one account, for args() to report in that account's turn.
   */
  private static final String PROBLEM = "\u0000problem";

  /** fetch's long options by name without dashes: what a key of the file may name. */
  private static final Map<String, OptionSpec> OPTIONS = new TreeMap<>();

  static {
    for (OptionSpec o : CommandSpec.forAnnotatedObject(new FetchCommand()).options()) {
      String name = o.longestName();
      if (name.startsWith("--") && !o.usageHelp() && !o.versionHelp() && !name.equals("--config")) {
        OPTIONS.put(name.substring(2), o);
      }
    }
  }

  /** The option of fetch of this long name (without its dashes), or null if fetch has none. */
  static OptionSpec option(String name) {
    return OPTIONS.get(name);
  }

  /**
   * The accounts of a file: account name to its options (option name, with any .n, to value), in
   * name order. What is wrong with the file as a whole is a bad argument; what is wrong with one
   * account (a mistyped key, a mailbox another account of the file already names) is that
   * account's, reported in its turn by {@link #args} so that the others still run.
   */
  static Map<String, Map<String, String>> load(Path file, CommandLine cl) {
    refuseIgnoredOptions(cl);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new ParameterException(cl, "--config " + file + ": no such file");
    } catch (AccessDeniedException e) {
      throw new ParameterException(cl, "--config " + file + ": not allowed to read it");
    } catch (CharacterCodingException e) {
      throw new ParameterException(cl, "--config " + file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new ParameterException(
          cl,
          "--config "
              + file
              + ": cannot read it ("
              + (Files.isDirectory(file) ? "a directory" : e.getMessage())
              + ")");
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          cl,
          "--config "
              + file
              + ": not a properties file ("
              + e.getMessage()
              + "; write a backslash as \\\\)");
    }
    Map<String, Map<String, String>> accounts = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      int dot = key.indexOf('.');
      if (dot <= 0 || dot == key.length() - 1) {
        throw new ParameterException(
            cl,
            "--config "
                + file
                + ": \""
                + key
                + "\" is not"
                + " <account>.<option>, for example work.url or work.password-env");
      }
      accounts
          .computeIfAbsent(key.substring(0, dot), k -> new TreeMap<>())
          .put(key.substring(dot + 1), p.getProperty(key));
    }
    if (accounts.isEmpty()) {
      throw new ParameterException(cl, "--config " + file + ": no accounts in it");
    }
    Map<String, String> mailboxes = new HashMap<>();
    // earlier accounts by protocol and user: sameServer looks only at those, so that a file of
    // 10,000 accounts is checked in linear time, not 50 million comparisons
    Map<String, Map<String, AccountUrl>> urls = new HashMap<>();
    for (Map.Entry<String, Map<String, String>> a : accounts.entrySet()) {
      String problem = problem(a.getKey(), a.getValue());
      if (problem == null && a.getValue().containsKey("url")) {
        try {
          AccountUrl u = AccountUrl.parse(a.getValue().get("url").strip());
          String mailbox =
              u.imap()
                  ? ImapAccount.name(u.user(), u.host(), u.port())
                  : AccountName.of(u.user(), u.host(), u.port());
          String first = mailboxes.putIfAbsent(mailbox, a.getKey());
          if (first != null) {
            problem =
                "the same mailbox as account "
                    + first
                    + " ("
                    + mailbox
                    + "): a file names each mailbox once";
          } else {
            Map<String, AccountUrl> sameUser =
                urls.computeIfAbsent(u.imap() + " " + u.user(), k -> new LinkedHashMap<>());
            problem = sameServer(a.getKey(), u, sameUser);
            sameUser.put(a.getKey(), u);
          }
        } catch (IllegalArgumentException e) {
          // the URL's own error is told when the account's options are read
        }
      }
      if (problem != null) {
        a.getValue().put(PROBLEM, problem);
      }
    }
    return accounts;
  }

  /**
   * Whether the URL names its protocol's default port (0, or 110/995 for POP3, 143/993 for IMAP).
   */
  private static boolean defaultPort(AccountUrl u) {
    return u.imap()
        ? u.port() == 0 || u.port() == 143 || u.port() == 993
        : AccountName.isDefaultPort(u.port());
  }

  /**
   * Why an account names the mailbox of an earlier account of the file at another name of the same
   * server (the same user and port, host names that resolve to a common address), or null. Both
   * would be fetched as two accounts, each downloading everything, and polled at once the server
   * would refuse one of them as in use.
   */
  private static String sameServer(String account, AccountUrl u, Map<String, AccountUrl> earlier) {
    for (Map.Entry<String, AccountUrl> e : earlier.entrySet()) {
      AccountUrl o = e.getValue();
      if (o.imap() != u.imap()) {
        continue; // a POP3 and an IMAP mailbox are two accounts, each with its own state
      }
      boolean samePort = defaultPort(o) ? defaultPort(u) : o.port() == u.port();
      if (!o.user().equals(u.user())
          || !samePort
          || AccountName.host(o.host()).equals(AccountName.host(u.host()))) {
        continue;
      }
      Optional<InetAddress> common = AccountName.commonAddress(o.host(), u.host());
      if (common.isPresent()) {
        return "the same mailbox as account "
            + e.getKey()
            + " ("
            + AccountName.of(o.user(), o.host(), o.port())
            + "): "
            + AccountName.host(u.host())
            + " and "
            + AccountName.host(o.host())
            + " are the same server (both"
            + " reach "
            + common.get().getHostAddress()
            + "); a file names each mailbox once, so remove "
            + account
            + " or give it another user or server";
      }
    }
    return null;
  }

  /** The options of fetch that apply to every account of a file when given on the command line. */
  private static final Set<String> FOR_EVERY_ACCOUNT =
      Set.of(
          "--config",
          "--quiet",
          "--json",
          "--strict",
          "--verbose",
          "--trace",
          "--retry-quarantined");

  /**
   * An option of fetch given with --config that would apply to no account (each account's options
   * are in the file) is a bad argument, not silently ignored.
   */
  private static void refuseIgnoredOptions(CommandLine cl) {
    if (!(cl.getCommand() instanceof FetchCommand) || cl.getParseResult() == null) {
      return;
    }
    for (OptionSpec o : cl.getParseResult().matchedOptions()) {
      if (!FOR_EVERY_ACCOUNT.contains(o.longestName())) {
        String key = o.longestName().substring(2);
        throw new ParameterException(
            cl,
            o.longestName()
                + " applies to one account: with --config, write it in the file"
                + " for each account that needs it (<account>."
                + key
                + " = …); only --quiet, --json, --strict,"
                + " --verbose, --trace and --retry-quarantined apply to every account from the command line");
      }
    }
  }

  /** What is wrong with the keys of one account, or null. */
  private static String problem(String account, Map<String, String> options) {
    if (!options.containsKey("url")) {
      String near =
          options.keySet().stream()
              .filter(k -> BadArguments.closest(k, List.of("url")).isPresent())
              .findFirst()
              .orElse(null);
      return near != null
          ? unknown(account, near)
          : account + ".url is missing: the account's URL," + " pop3s://user@host[:port]";
    }
    for (Map.Entry<String, String> o : options.entrySet()) {
      String key = o.getKey();
      String[] parts = key.split("\\.", 2);
      if (key.equals("url")) {
        continue;
      }
      OptionSpec option = OPTIONS.get(parts[0]);
      if (option == null) {
        return unknown(account, key);
      }
      if (parts.length == 2 && !parts[1].matches("[0-9]{1,9}")) {
        return account
            + "."
            + key
            + ": after "
            + parts[0]
            + ". comes a number ("
            + account
            + "."
            + parts[0]
            + ".1, "
            + account
            + "."
            + parts[0]
            + ".2, ...)";
      }
      if (parts.length == 2 && !option.isMultiValue()) {
        return account
            + "."
            + key
            + ": --"
            + parts[0]
            + " may be given only once; write "
            + account
            + "."
            + parts[0];
      }
      String value = o.getValue().strip();
      if (option.arity().max() == 0
          && !value.equalsIgnoreCase("true")
          && !value.equalsIgnoreCase("false")) {
        return account
            + "."
            + key
            + " = "
            + value
            + ": --"
            + parts[0]
            + " is on or off; write true or false";
      }
    }
    return null;
  }

  private static String unknown(String account, String key) {
    String[] parts = key.split("\\.", 2);
    List<String> names = new ArrayList<>(OPTIONS.keySet());
    names.add("url");
    return account
        + "."
        + key
        + " is not an option of fetch"
        + BadArguments.closest(parts[0], names)
            .map(
                n ->
                    " (did you mean "
                        + account
                        + "."
                        + n
                        + (parts.length == 2 ? "." + parts[1] : "")
                        + "?)")
            .orElse("; the options are fetch's long options without their dashes, and url");
  }

  /**
   * The options of one account, as fetch's arguments, with the command line's flags that apply to
   * every account ({@code --quiet}, {@code --json}, ...); a bad-arguments error for what {@link
   * #load} found wrong with the account.
   */
  static List<String> args(Map<String, String> options, List<String> every) {
    if (options.containsKey(PROBLEM)) {
      throw new ParameterException(new CommandLine(CommandSpec.create()), options.get(PROBLEM));
    }
    List<String> args = new ArrayList<>();
    Map<String, String> sorted =
        new TreeMap<>(
            (a, b) -> {
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
      OptionSpec spec = OPTIONS.get(option);
      boolean flag = spec != null && spec.arity().max() == 0;
      if (option.equals("url")) {
        url = value;
      } else if (flag) {
        if (value.equalsIgnoreCase("true")) {
          args.add("--" + option);
        }
      } else {
        args.add("--" + option + "=" + value); // one argument: a value may start with '-'
      }
    }
    if (url != null) {
      args.add(0, url);
    }
    for (String flag : every) {
      if (!args.contains(flag)) {
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
