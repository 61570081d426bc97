package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.cli.metrics.PollMetrics;
import dev.mailfetch.cli.serve.ServeSite;
import dev.mailfetch.poll.PollListener;
import dev.mailfetch.poll.Poller;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code mailfetch serve --config FILE}: {@code poll}, every option and line of it, with a web page
 * of the accounts in front (docs/serve.md). It is a poll: the same accounts, schedule, output and
 * stopping; the page shows the poller's own status and history and asks it for checks.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Polls every account of a config file, as mailfetch poll does, and shows them on a web page"
          + " (by default http://127.0.0.1:8025/, this machine only): each account's state, last"
          + " check, next check and why, its history and last error, with Check now, Resume and"
          + " Run doctor; /healthz and /readyz for a service manager."
    },
    footer = {
      "",
      "Every option of poll applies, but not --once or --json. Security model and endpoints:"
          + " docs/serve.md.",
      "",
      "Examples:",
      "  mailfetch serve --config ~/.config/mailfetch/accounts.properties",
      "  MAILFETCH_PAGE_PW=... mailfetch serve --config accounts.properties \\",
      "      --listen 0.0.0.0:8025 --allow-remote --password-env MAILFETCH_PAGE_PW",
      "",
      "Exit codes: 0 stopped, 2 bad arguments (an address in use too)."
    })
final class ServeCommand extends PollCommand {
  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:8025",
      description =
          "Where the page answers (default: ${DEFAULT-VALUE}, this machine only; port 0: any free"
              + " port, printed at start). Another host's address needs --allow-remote and a"
              + " password.")
  String listen;

  @Option(
      names = "--allow-remote",
      description =
          "Allow --listen on an address other hosts reach; needs --password-env or"
              + " --password-file (the page can check accounts and run the doctor).")
  boolean allowRemote;

  @Option(
      names = "--password-env",
      paramLabel = "NAME",
      description =
          "Ask for the password in this environment variable (HTTP Basic; any user name).")
  String passwordEnv;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description =
          "Ask for the password on this file's first line (read again when the file changes;"
              + " while it cannot be read, the pages answer 503).")
  Path passwordFile;

  @Option(
      names = "--ready-failing",
      paramLabel = "PERCENT",
      defaultValue = "50",
      converter = BadArguments.WholeNumber.class,
      description =
          "/readyz answers 503 when more than this share of the accounts is failing (paused, or"
              + " its last checks failed; default: ${DEFAULT-VALUE}; 0 to 100).")
  int readyFailing;

  @Option(
      names = "--doctor-time",
      paramLabel = "TIME",
      defaultValue = "60s",
      converter = DurationText.class,
      description =
          "Give up a doctor's examination started from the page after this long (default:"
              + " ${DEFAULT-VALUE}).")
  Duration doctorTime;

  private ServeSite site;

  /** /metrics: counts from the poller's listener calls, gauges from its status at each scrape. */
  final PollMetrics metrics = new PollMetrics();

  /** The running poller, once it runs (the tests compare the page with it). */
  volatile Poller poller;

  private Map<String, Map<String, String>> accountOptions;

  @Override
  public Integer call() throws Exception {
    if (once || json) {
      throw bad(
          (once ? "--once" : "--json")
              + " is for mailfetch poll: serve runs until stopped, and its page shows each"
              + " check");
    }
    if (readyFailing < 0 || readyFailing > 100) {
      throw bad("--ready-failing " + readyFailing + ": must be from 0 to 100");
    }
    if (doctorTime.isNegative() || doctorTime.isZero()) {
      throw bad("--doctor-time " + DurationText.format(doctorTime) + ": must be longer than 0");
    }
    byte[] password = password();
    InetSocketAddress address = address();
    if (!address.getAddress().isLoopbackAddress()) {
      if (!allowRemote) {
        throw bad(
            "--listen "
                + listen
                + ": other hosts could reach this page; give --allow-remote (with a password) to"
                + " mean it, or listen on 127.0.0.1");
      }
      if (password == null) {
        throw bad(
            "--listen "
                + listen
                + " --allow-remote needs a password: --password-env NAME or --password-file FILE");
      }
    }
    accountOptions = AccountsFile.load(config, spec.commandLine());
    try {
      site =
          ServeSite.bind(
              new ServeSite.Settings(
                  address,
                  passwordFile != null ? null : password,
                  passwordFile,
                  readyFailing,
                  doctorTime));
    } catch (IOException e) {
      throw bad(
          "--listen "
              + listen
              + ": cannot listen there ("
              + e.getMessage()
              + "); is another serve running? give another port");
    }
    try {
      return super.call();
    } finally {
      site.close();
    }
  }

  @Override
  PollListener listener(PollLines lines) {
    // the poller takes one listener, at build time: the metrics hear every call after the lines
    return metrics.alongside(lines);
  }

  @Override
  boolean resumableOnAPage() {
    return true;
  }

  @Override
  AutoCloseable running(Poller poller, PollLines lines) {
    this.poller = poller;
    metrics.attach(poller);
    site.open(
        poller,
        new CommandDesk(lines),
        new ServeSite.Metrics() {
          @Override
          public String contentType() {
            return PollMetrics.CONTENT_TYPE;
          }

          @Override
          public void writeTo(OutputStream out) throws IOException {
            metrics.writeTo(out);
          }
        });
    PrintWriter out = spec.commandLine().getOut();
    InetSocketAddress a = site.address();
    String host =
        a.getAddress().getHostAddress().contains(":")
            ? "[" + a.getAddress().getHostAddress() + "]"
            : a.getAddress().getHostAddress();
    out.println("serving the accounts page on http://" + host + ":" + a.getPort() + "/");
    out.flush();
    return site;
  }

  /** --password-env or --password-file, as bytes; null without either. */
  private byte[] password() {
    if (passwordEnv != null && passwordFile != null) {
      throw bad("--password-env and --password-file exclude each other: give one of them");
    }
    if (passwordEnv != null) {
      Secrets.requireEnv(spec, env, "--password-env", passwordEnv);
      return env.get(passwordEnv).getBytes(StandardCharsets.UTF_8);
    }
    if (passwordFile != null) {
      // readable now, or a bad argument; the site reads it again whenever it changes
      return Secrets.fromFile(spec, "--password-file", passwordFile)
          .get()
          .getBytes(StandardCharsets.UTF_8);
    }
    return null;
  }

  /** --listen's HOST:PORT ([v6]:PORT too). */
  private InetSocketAddress address() {
    int colon = listen.lastIndexOf(':');
    if (colon < 0) {
      throw bad("--listen " + listen + ": write HOST:PORT, for example 127.0.0.1:8025");
    }
    String host = listen.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535 || host.isEmpty()) {
      throw bad(
          "--listen " + listen + ": write HOST:PORT, the port from 0 to 65535 (127.0.0.1:8025)");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw bad("--listen " + listen + ": no such host on this machine");
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** The doctor's options an account of the file may carry: its server's, not its sink's. */
  private static final Set<String> DOCTOR_OPTIONS = doctorOptions();

  private static Set<String> doctorOptions() {
    Set<String> names = new HashSet<>();
    CommandSpec doctor = CommandSpec.forAnnotatedObject(new DoctorCommand());
    for (String mixin : List.of("server", "imap")) {
      for (OptionSpec o : doctor.mixins().get(mixin).options()) {
        names.addAll(List.of(o.names()));
      }
    }
    return names;
  }

  /** What the page asks of the command: names, error words, the doctor. */
  private final class CommandDesk implements ServeSite.Desk {
    private final PollLines lines;

    CommandDesk(PollLines lines) {
      this.lines = lines;
    }

    @Override
    public String name(String account) {
      return lines.name(account);
    }

    @Override
    public ServeSite.ErrorWords words(String account, FetchException e, boolean paused) {
      Problem p = Problem.of(e, lines.advice(account));
      // poll's remedy says to restart it; the page has a Resume button (Advice#pageWords)
      String remedy = lines.advice(account).pageWords(e.remedy().commandLine(), paused);
      return new ServeSite.ErrorWords(p.code(), p.detail(), p.meaning(), remedy);
    }

    /**
     * {@code mailfetch doctor} on the account's server, with the options of the file that the
     * doctor takes (the URL, the password's variable or file, TLS, CA file, quirks...), as text.
     */
    @Override
    public String doctor(String account) throws IOException, InterruptedException {
      Map<String, String> options = accountOptions.get(lines.name(account));
      if (options == null) {
        return "This account is not in " + config + " any more.";
      }
      List<String> args = new ArrayList<>(List.of("doctor"));
      List<String> fetchArgs;
      try {
        fetchArgs = AccountsFile.args(options, List.of());
      } catch (ParameterException e) {
        return "The account's options are not valid: " + e.getMessage();
      }
      for (String a : fetchArgs) {
        if (!a.startsWith("--")) {
          args.add(a); // the URL
        } else if (DOCTOR_OPTIONS.contains(a.split("=", 2)[0])) {
          args.add(a);
        }
      }
      // in a JVM of its own, so that giving it up closes its connections (DoctorProcess)
      return DoctorProcess.run(args, env);
    }
  }
}
