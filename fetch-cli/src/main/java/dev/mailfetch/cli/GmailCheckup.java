package dev.mailfetch.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.gmail.GmailCheckup.Finding;
import dev.mailfetch.gmail.GmailCheckup.Report;
import dev.mailfetch.gmail.GmailCheckup.Status;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import picocli.CommandLine.ParameterException;

/**
 * {@code mailfetch doctor gmail:ADDRESS}: the Gmail side of delivery (the authorization, its
 * scopes, the mailbox it opens, the labels), printed as the POP3 findings are: a line per check,
 * then each finding that is not plainly OK with what to do, then the verdict; or one JSON object.
 */
final class GmailCheckup {
  private GmailCheckup() {}

  static int run(DoctorCommand d, String text) throws IOException {
    String address;
    try {
      address = GmailOptions.address(text);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(d.spec.commandLine(), "gmail:" + text + ": " + e.getMessage());
    }
    if (d.server.secret != null
        || d.deep
        || !d.server.auth.isEmpty()
        || d.server.caFile != null
        || d.ports != null
        || d.dns != null
        || !d.server.quirks.isEmpty()) {
      throw new ParameterException(
          d.spec.commandLine(),
          "gmail:"
              + address
              + " checks delivery into Gmail: the POP3"
              + " options (a password or token, --auth, --ca-file, --deep, --ports, --dns, --quirk) are for a POP3 URL;"
              + " give --gmail-token-file FILE for Gmail's authorization");
    }
    Set<String> labels = new LinkedHashSet<>();
    for (String l : d.labels) {
      String refused = GmailLabelNames.problem(l);
      if (refused != null) {
        throw new ParameterException(d.spec.commandLine(), "--label \"" + l + "\": " + refused);
      }
      labels.add(l.strip());
    }
    URI api =
        d.gmailApi == null
            ? GmailOptions.GMAIL_API
            : GmailOptions.loopback(d.spec, "--gmail-api", d.gmailApi);
    Path file = GmailOptions.expand(d.env, d.gmailTokenFile);
    TokenProvider tokens = GmailOptions.tokens(d.spec, d.env, address, file);
    String again = GmailOptions.authorize(address, file);
    PrintWriter out = d.spec.commandLine().getOut();
    if (!d.json) {
      out.println("Examining delivery into Gmail " + address + "...");
      out.flush();
    }
    Report r =
        GmailDelivery.builder(address, tokens, api, false, false)
            .checkup()
            .withLabels(labels)
            .creatingMissingLabels(d.createLabels)
            .run();
    out.print(d.json ? json(r, again) + System.lineSeparator() : text(r, again));
    out.flush();
    return r.exitCode();
  }

  /** What to do about {@code f}, as a person at the command line types it. */
  static String remedy(Finding f, String again) {
    String words = f.remedy().map(Remedy::commandLine).orElse("").strip();
    if (AUTHORIZATION.contains(f.code().name())) {
      words =
          words
              + (words.isEmpty() || words.endsWith(".") ? " " : ". ")
              + "To authorize again: "
              + again;
    }
    return words.strip();
  }

  /**
   * The findings a new authorization mends (a grant gone, refused, short of a scope, for another
   * mailbox).
   */
  private static final Set<String> AUTHORIZATION =
      Set.of(
          "TOKEN_REFUSED",
          "TOKEN_NOT_ACCEPTED",
          "SCOPE_MISSING",
          "ACCOUNT_OTHER",
          "MODIFY_NOT_GRANTED");

  /**
   * What was found, without the error's code in front (the report says the code once, in brackets).
   */
  static String words(Finding f) {
    String w = f.words();
    String code = f.code().error().map(e -> e.name() + ": ").orElse(null);
    return code != null && w.startsWith(code) ? w.substring(code.length()) : w;
  }

  /**
   * The report: a line per finding, then what is not plainly OK with what to do, then the verdict.
   */
  static String text(Report r, String again) {
    StringBuilder b = new StringBuilder("mailfetch doctor: Gmail " + r.mailbox() + "\n");
    for (Finding f : r.findings()) {
      b.append(String.format("%s %-25s %s%n", f.status().mark(), f.check().title(), words(f)));
    }
    boolean any = false;
    for (Finding f : r.findings()) {
      if (f.status() == Status.WARNING || f.status() == Status.FAILED) {
        b.append(any ? "" : "\n")
            .append(f.status().mark())
            .append(' ')
            .append(words(f))
            .append(" [")
            .append(f.code().error().map(Enum::name).orElse(f.code().name()))
            .append("]\n");
        String remedy = remedy(f, again);
        if (!remedy.isEmpty()) {
          b.append("    do:     ").append(remedy).append('\n');
        }
        any = true;
      }
    }
    b.append('\n')
        .append(
            r.firstFailure()
                .map(f -> "Mail cannot be delivered into Gmail: " + words(f))
                .orElse(
                    r.findings().stream().anyMatch(f -> f.status() == Status.WARNING)
                        ? "Mail can be delivered into Gmail; the warnings above say what to know."
                        : "Mail can be delivered into Gmail."))
        .append('\n');
    return b.toString().replace("\n", System.lineSeparator());
  }

  /** The report as one JSON object (docs/doctor.md, "Gmail"). */
  static String json(Report r, String again) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("gmail", r.mailbox());
      g.writeBooleanField("healthy", r.healthy());
      g.writeNumberField("exit_code", r.exitCode());
      if (r.firstFailure().isPresent()) {
        g.writeStringField("first_problem", r.firstFailure().get().code().name());
      }
      g.writeArrayFieldStart("findings");
      for (Finding f : r.findings()) {
        g.writeStartObject();
        g.writeStringField("check", f.check().name());
        g.writeStringField("title", f.check().title());
        g.writeStringField("code", f.code().name());
        g.writeStringField("status", f.status().name());
        g.writeStringField("words", words(f));
        String remedy = remedy(f, again);
        if (!remedy.isEmpty()) {
          g.writeStringField("remedy", remedy);
        }
        if (f.status() == Status.FAILED && f.code().error().isPresent()) {
          g.writeStringField("error", f.code().error().get().name());
          g.writeNumberField("exit_code", f.code().error().get().exitCode());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return w.toString();
  }
}
