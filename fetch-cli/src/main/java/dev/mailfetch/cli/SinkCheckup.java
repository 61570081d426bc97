package dev.mailfetch.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mailfetch.api.FetchException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code mailfetch doctor --to SINK} (or {@code --config FILE --account NAME}, the sink of an
 * account of a config file): the mail server mail is delivered into, checked by the sink's own
 * {@code check()} (connect, secure, log in, the folder or the recipients). Printed as the POP3
 * doctor's report is: a line per step that passed, then the failure with its code, what it means
 * and what to type next, then the verdict; or one JSON object (docs/doctor.md, "A mail server
 * sink").
 */
final class SinkCheckup {
  private SinkCheckup() {}

  static int run(DoctorCommand d) throws IOException {
    refusePop3Options(d);
    ServerSink sink;
    Advice advice = Advice.COMMAND_LINE;
    try {
      if (d.config != null) {
        if (d.to != null || d.sink.given() != null) {
          throw bad(
              d,
              (d.to != null ? "--to" : d.sink.given())
                  + " with --config: the account's sink and its options are the lines of the file"
                  + " (<account>.to = …); give one or the other");
        }
        Account a = account(d);
        advice = Advice.configFile(a.name(), d.config, Set.of("config", "account", "json"), false);
        sink = a.sink();
      } else {
        if (d.account != null) {
          throw bad(d, "--account names an account of --config FILE; give --config too");
        }
        if (SinkUrl.kindOf(d.to).isEmpty()) {
          throw bad(
              d,
              "--to "
                  + d.to
                  + ": the doctor checks a mail server sink, "
                  + SinkUrl.FORMS
                  + " (for Gmail: mailfetch doctor gmail:ADDRESS; files here need no check)");
        }
        sink = d.sink.sink(d.spec, d.env, d.to, false);
      }
    } catch (FetchException e) {
      return report(d, null, List.of(), Problem.of(e, advice));
    }
    PrintWriter out = d.spec.commandLine().getOut();
    if (!d.json) {
      out.println("Examining delivery into " + sink.describe() + "...");
      out.flush();
    }
    List<String> passed = new ArrayList<>();
    try {
      ServerSinks.check(sink, passed::add);
      return report(d, sink, passed, null);
    } catch (FetchException e) {
      // the steps that passed before the failure are shown above it: where it broke, not only how
      return report(d, sink, passed, Problem.of(e, advice));
    }
  }

  /** A config account's name and its sink. */
  private record Account(String name, ServerSink sink) {}

  /** The account --account names in --config (the only one, where the file has one). */
  private static Account account(DoctorCommand d) throws FetchException {
    Map<String, Map<String, String>> accounts = AccountsFile.load(d.config, d.spec.commandLine());
    String name = d.account;
    if (name == null) {
      if (accounts.size() != 1) {
        throw bad(
            d,
            "--config "
                + d.config
                + " has "
                + accounts.size()
                + " accounts: name the one whose sink to check with --account NAME (one of "
                + String.join(", ", accounts.keySet())
                + ")");
      }
      name = accounts.keySet().iterator().next();
    }
    Map<String, String> options = accounts.get(name);
    if (options == null) {
      throw bad(
          d,
          "--account "
              + name
              + ": "
              + d.config
              + " has no such account; its accounts are "
              + String.join(", ", accounts.keySet()));
    }
    FetchCommand one = new FetchCommand();
    one.env = d.env;
    CommandLine cl = new CommandLine(one);
    String where = "account " + name + " in " + d.config + ": ";
    try {
      cl.parseArgs(AccountsFile.args(options, List.of()).toArray(new String[0]));
      if (SinkUrl.kindOf(one.to).isEmpty()) {
        throw bad(
            d,
            where
                + "its sink, "
                + one.to
                + ", is no mail server; the doctor checks "
                + SinkUrl.FORMS
                + " (its POP3 server: mailfetch doctor "
                + options.getOrDefault("url", "URL")
                + ")");
      }
      return new Account(name, one.sink.sink(one.spec, d.env, one.to, false));
    } catch (ParameterException e) {
      if (e.getCommandLine() == d.spec.commandLine()) {
        throw e;
      }
      throw bad(d, where + BadArguments.describe(e));
    }
  }

  /** The POP3 options of the doctor, which say nothing of a sink: a bad argument. */
  private static void refusePop3Options(DoctorCommand d) {
    ServerOptions s = d.server;
    if (s.secret != null
        || s.tls != null
        || s.allowPlaintext
        || !s.auth.isEmpty()
        || s.caFile != null
        || s.timeout != null
        || s.strict
        || !s.quirks.isEmpty()
        || d.deep
        || d.ports != null
        || d.dns != null
        || d.gmailTokenFile != null
        || !d.labels.isEmpty()) {
      throw bad(
          d,
          "the doctor of a mail server sink takes the sink's options (--sink-password-env,"
              + " --sink-tls, --sink-trust-pem, --recipient …): the POP3 and Gmail options (a password or"
              + " token, --tls, --auth, --ca-file, --timeout, --quirk, --strict, --deep, --ports, --dns,"
              + " --label) are for"
              + " mailfetch doctor URL");
    }
  }

  /**
   * Prints the report, or the JSON object; the exit code: 0, or the failure's. {@code sink} null:
   * the options could not be used as they are (a file refused).
   */
  private static int report(DoctorCommand d, ServerSink sink, List<String> passed, Problem failed)
      throws IOException {
    PrintWriter out = d.spec.commandLine().getOut();
    String what = sink == null ? "the sink" : sink.describe();
    if (d.json) {
      out.println(json(sink, passed, failed));
    } else {
      StringBuilder b = new StringBuilder();
      for (String step : passed) {
        b.append("✓ ").append(step).append('\n');
      }
      if (failed != null) {
        b.append("✗ ")
            .append(failed.code())
            .append(": ")
            .append(failed.detail())
            .append('\n')
            .append("    means:  ")
            .append(failed.meaning())
            .append('\n');
        if (failed.remedy() != null && !failed.remedy().isBlank()) {
          b.append("    do:     ").append(failed.remedy()).append('\n');
        }
      }
      b.append('\n')
          .append(
              failed == null
                  ? "Mail can be delivered into " + what + "."
                  : "Mail cannot be delivered into " + what + ": " + failed.detail())
          .append('\n');
      out.print(b.toString().replace("\n", System.lineSeparator()));
    }
    out.flush();
    return failed == null ? 0 : failed.exitCode();
  }

  /** The report as one JSON object (docs/doctor.md, "A mail server sink"). */
  static String json(ServerSink sink, List<String> passed, Problem failed) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      g.writeStartObject();
      if (sink != null) {
        g.writeStringField("sink", sink.to());
        g.writeStringField("server", sink.describe());
      }
      g.writeBooleanField("healthy", failed == null);
      g.writeNumberField("exit_code", failed == null ? 0 : failed.exitCode());
      g.writeArrayFieldStart("passed");
      for (String step : passed) {
        g.writeString(step);
      }
      g.writeEndArray();
      if (failed != null) {
        g.writeStringField("first_problem", failed.code());
        g.writeObjectFieldStart("problem");
        g.writeStringField("code", failed.code());
        g.writeNumberField("exit_code", failed.exitCode());
        g.writeStringField("detail", failed.detail());
        g.writeStringField("meaning", failed.meaning());
        g.writeStringField("remedy", failed.remedy());
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    return w.toString();
  }

  private static ParameterException bad(DoctorCommand d, String message) {
    return new ParameterException(d.spec.commandLine(), message);
  }
}
