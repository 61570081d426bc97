package dev.mailfetch.cli;

import dev.mailfetch.api.DoctorReport;
import dev.mailfetch.pop3.Pop3Doctor;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailfetch doctor URL}: why mail will not download, and what a server breaks. */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Examines a POP3 or IMAP account step by step (DNS, connection, TLS, capabilities, login,"
          + " mailbox or folders, protocol compliance) and says what stops mail from downloading and"
          + " what to do about it.",
      "Read-only: it never deletes and never retrieves a message (RETR) unless --deep; on IMAP it"
          + " never selects a folder or changes a flag.",
      "With --to SINK (or --config FILE --account NAME) it checks instead the mail server mail is"
          + " delivered into (IMAP, LMTP, SMTP): connection, TLS, login, the folder or the recipients."
    },
    footer = {
      "",
      "Without a password it stops before the login; secrets never go on the command line.",
      "",
      "Examples:",
      "  MAIL_PW=... mailfetch doctor pop3s://alice@mail.example.org \\",
      "      --password-env MAIL_PW",
      "  mailfetch doctor alice@example.org      # the server from DNS (RFC 6186 SRV)",
      "  mailfetch doctor pop3://bob@10.0.0.5 --ca-file site-ca.pem --json",
      "  MAIL_PW=... mailfetch doctor imaps://alice@imap.example.org \\",
      "      --password-env MAIL_PW --folder INBOX --folder Lists/java",
      "  mailfetch doctor imap:alice@example.org # the IMAP server (_imaps._tcp SRV)",
      "  mailfetch doctor gmail:me@gmail.com     # can mail be delivered into Gmail?",
      "  IMAP_PW=... mailfetch doctor --to imaps://me@imap.example.org/INBOX \\",
      "      --sink-password-env IMAP_PW                 # can mail be appended there?",
      "  mailfetch doctor --config accounts.properties --account work   # its sink",
      "",
      "Exit codes: 0 healthy (warnings allowed), 2 bad arguments, otherwise the code of the first"
          + " problem that stops a fetch (docs/errors.md)."
    })
final class DoctorCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "URL|ADDRESS",
      arity = "0..1",
      description =
          "pop3s://user@host[:port], pop3://user@host[:port], or just an e-mail address, whose domain's"
              + " POP3 server is then looked up (SRV records, then pop., pop3., mail.);"
              + " imaps://user@host[:port] (a /FOLDER may follow), imap://..., or imap:ADDRESS, whose domain's IMAP"
              + " server is looked up (_imaps._tcp and _imap._tcp SRV records, then imap., mail.);"
              + " or gmail:ADDRESS, to check delivery into that Gmail (the authorization, its scopes,"
              + " the mailbox, labels).")
  String target;

  @Mixin ServerOptions server = new ServerOptions();

  @Mixin ImapAccount imap = new ImapAccount();

  @Option(
      names = "--to",
      paramLabel = "SINK",
      description =
          "Instead of a POP3 or IMAP account, check the mail server mail is delivered into: "
              + SinkUrl.HELP_FORMS
              + ", with the --sink- options, --recipient and --sender of fetch.")
  String to;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Instead of a POP3 or IMAP account, check the mail server sink of an account of this config file"
              + " (fetch's).")
  Path config;

  @Option(
      names = "--account",
      paramLabel = "NAME",
      description = "With --config: the account whose sink to check (needed if it has several).")
  String account;

  @Mixin SinkOptions sink = new SinkOptions();

  @Option(
      names = "--gmail-token-file",
      paramLabel = "FILE",
      description =
          "With gmail:ADDRESS: the authorization"
              + " that mailfetch oauth wrote (default: the file token in ~/.mailfetch/gmail/ADDRESS).")
  Path gmailTokenFile;

  @Option(
      names = "--label",
      paramLabel = "NAME",
      description =
          "With gmail:ADDRESS: a label mail will be filed"
              + " under (repeatable): checked to exist or be creatable.")
  List<String> labels = new ArrayList<>();

  @Option(
      names = "--create-labels",
      description =
          "With gmail:ADDRESS: create the labels of --label that are"
              + " missing, as the first delivery would.")
  boolean createLabels;

  /** The Gmail API's address, for tests against a fake Gmail on this machine only. */
  @Option(names = "--gmail-api", paramLabel = "URL", hidden = true)
  String gmailApi;

  @Option(
      names = "--deep",
      description =
          "Also retrieve the sampled messages (RETR) and open a second session:"
              + " exact sizes, stable ids, mail that vanishes once retrieved. Some servers (Gmail) delete or hide a message"
              + " once it is retrieved: use it on a test account or on mail fetched already.")
  boolean deep;

  @Option(
      names = "--samples",
      paramLabel = "N",
      defaultValue = "3",
      description = "How many messages to sample with TOP (default ${DEFAULT-VALUE}; 0 for none).")
  int samples;

  @Option(
      names = "--ports",
      paramLabel = "PORT",
      split = ",",
      description = "The other ports to try, to suggest the right one (default 995,110).")
  List<Integer> ports;

  @Option(
      names = "--dns",
      paramLabel = "HOST:PORT",
      description = "Ask this DNS server (UDP) instead of this" + " machine's resolvers.")
  String dns;

  @Option(
      names = "--json",
      description = "Print the diagnosis as one JSON object (schema: docs/doctor.md).")
  boolean json;

  /** The environment, so that tests can give one. */
  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    if (to != null || config != null || account != null) {
      if (target != null) {
        throw bad(
            "give either a URL (a POP3 account) or "
                + (to != null ? "--to SINK" : "--config FILE")
                + " (a mail server sink), not both: the doctor checks one server at a time");
      }
      return SinkCheckup.run(this);
    }
    if (sink.given() != null) {
      throw bad(sink.given() + " is for doctor --to SINK (a mail server sink)");
    }
    if (target == null) { // said here, in words: picocli's own would be "missing URL|ADDRESS"
      throw bad(
          "which account should the doctor examine? Give its URL or its e-mail address, for example"
              + " mailfetch doctor pop3s://alice@mail.example.org or mailfetch doctor alice@example.org");
    }
    if (target.toLowerCase(Locale.ROOT).startsWith("gmail:")) {
      return GmailCheckup.run(this, target.substring("gmail:".length()));
    }
    String low = target.toLowerCase(Locale.ROOT);
    if (low.startsWith("imap") && (low.startsWith("imap:") || low.startsWith("imaps:"))) {
      return ImapCheckup.run(this);
    }
    imap.refuseForPop3(spec);
    if (gmailTokenFile != null || !labels.isEmpty() || createLabels || gmailApi != null) {
      throw bad(
          (gmailTokenFile != null
                  ? "--gmail-token-file"
                  : !labels.isEmpty()
                      ? "--label"
                      : createLabels ? "--create-labels" : "--gmail-api")
              + " is for doctor gmail:ADDRESS (delivery into Gmail)");
    }
    boolean address = !target.contains("://");
    ServerOptions.Account account;
    if (address) {
      int at = target.lastIndexOf('@');
      // A ':' before the '@' is a password (alice:secret@host) or a scheme without its "//": no
      // address either way, and never repeated as typed.
      if (at <= 0 || at == target.length() - 1 || target.substring(0, at).contains(":")) {
        String shown = AccountUrl.withoutPassword(target);
        throw bad(
            "\""
                + shown
                + "\" is neither a URL (pop3s://user@host) nor an e-mail address (user@domain)"
                + AccountUrl.meant(shown));
      }
      account =
          new ServerOptions.Account(target, target.substring(at + 1), 995, Security.IMPLICIT_TLS);
    } else {
      account = server.account(target, spec);
    }
    if (samples < 0 || samples > 100) {
      throw bad("--samples must be from 0 to 100, not " + samples);
    }
    for (int port : ports == null ? List.<Integer>of() : ports) {
      if (port < 1 || port > 65535) {
        throw bad("--ports " + port + ": a port is from 1 to 65535");
      }
    }
    Pop3Source source = server.source(account, env, spec, false);
    Pop3Doctor.Builder b =
        Pop3Doctor.builder()
            .source(source)
            .login(server.secret != null)
            .deep(deep)
            .samples(samples)
            .discoverServer(address);
    if (ports != null) {
      b.otherPorts(ports.stream().mapToInt(Integer::intValue).toArray());
    }
    if (dns != null) {
      b.dnsServer(dnsServer());
    }
    if (server.timeout != null) {
      b.timeout(Duration.ofSeconds(Math.max(1, server.timeout)));
    }
    int at = account.user().lastIndexOf('@');
    if (!address && at > 0 && at < account.user().length() - 1) {
      b.srvDomain(
          account.user().substring(at + 1)); // does the user's domain publish another server?
    }
    PrintWriter out = spec.commandLine().getOut();
    if (!json) {
      out.println(
          "Examining "
              + (address ? "the POP3 server of " + account.host() : source.server())
              + (deep ? " (deep: sampled messages are retrieved)" : "")
              + "...");
      out.flush();
    }
    return show(out, json, b.build().examine());
  }

  /**
   * Prints a POP3 or IMAP doctor's report, as JSON or as text for a person (the advice naming the
   * command's options), and returns its exit code.
   */
  static int show(PrintWriter out, boolean json, DoctorReport report) throws IOException {
    if (json) {
      out.println(DoctorJson.of(report));
    } else {
      out.print(report.text(DoctorReport.Reader.COMMAND_LINE));
    }
    out.flush();
    return report.exitCode();
  }

  InetSocketAddress dnsServer() {
    int colon = dns.lastIndexOf(':');
    try {
      if (colon > 0 && !dns.endsWith("]")) {
        return new InetSocketAddress(
            dns.substring(0, colon).replace("[", "").replace("]", ""),
            Integer.parseInt(dns.substring(colon + 1)));
      }
      return new InetSocketAddress(dns.replace("[", "").replace("]", ""), 53);
    } catch (IllegalArgumentException e) {
      throw bad("--dns " + dns + ": write HOST or HOST:PORT");
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
