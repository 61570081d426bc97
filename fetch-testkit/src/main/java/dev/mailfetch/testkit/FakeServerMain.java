package dev.mailfetch.testkit;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link FakePop3Server} on its own, so that a server administrator or another POP3 client
 * can be tested against one of its behaviours.
 *
 * <pre>
 * java -cp fetch-testkit.jar:… dev.mailfetch.testkit.FakeServerMain \
 *     --port 1110 --tls starttls --user alice --password-env FAKE_PASSWORD \
 *     --generate 200 --quirk Q04_UNSTUFFED_LONE_DOT --quirk Q12_BARE_OK
 * </pre>
 *
 * <p>Options: {@code --port N} (default: a free port), {@code --tls none|implicit|starttls}, {@code
 * --user NAME} (default {@code user}), {@code --password-env VAR} (the password is read from that
 * environment variable, never from the command line; default password {@code secret}), {@code
 * --generate N} and {@code --seed S} (a {@link MailCorpus}), {@code --maildir DIR} (serve a
 * Maildir), {@code --quirk NAME} (repeatable; a {@link Quirk} constant), {@code --profile CASE} (a
 * {@link HostileCase}, by name or ID such as {@code N-05}), {@code --max-sessions N} (stop after N
 * sessions have ended), {@code --ca-out FILE} (where to write the test CA's PEM for TLS; default a
 * temporary file); {@code --option=value} works too; {@code --help} and {@code --version} take no
 * value. It prints where it listens and, for TLS, the CA file to trust, then runs until interrupted
 * (Ctrl-C) or the session count is reached. Exit code 2 for bad arguments, with one line saying
 * what is wrong (an unknown option is called unknown, with the option meant when one is near) and a
 * pointer to {@code --help}.
 */
public final class FakeServerMain {
  private FakeServerMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.getenv()));
  }

  /**
   * Runs with these arguments and streams; returns the exit code (the CLI's fake-server calls it).
   */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    FakePop3Server.Builder b = FakePop3Server.builder();
    String user = "user";
    String password = "secret";
    String passwordSource = "the default password \"secret\"";
    String passwordVar = null; // --password-env's variable
    int generate = -1;
    long seed = 1;
    Path maildir = null;
    int maxSessions = 0;
    Path caOut = null;
    TlsMode tls = TlsMode.NONE;
    List<Quirk> quirks = new ArrayList<>();
    HostileCase profile = null;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          out.println(usage());
          return 0;
        }
        if (a.equals("--version") || a.equals("-V")) {
          String v = FakeServerMain.class.getPackage().getImplementationVersion();
          out.println("fake-server (mailfetch testkit) " + (v != null ? v : "(development build)"));
          return 0;
        }
        String v;
        int eq = a.indexOf('=');
        if (a.startsWith("--") && eq > 0) {
          v = a.substring(eq + 1);
          a = a.substring(0, eq);
        } else {
          v = null;
        }
        if (!OPTIONS.contains(a)) {
          throw new IllegalArgumentException(
              a.startsWith("-")
                  ? "unknown option " + a + closest(a)
                  : "unexpected argument '" + a + "': fake-server takes only options");
        }
        if (v == null) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(a + " needs a value");
          }
          v = args[++i];
        }
        switch (a) {
          case "--port":
            int port = number(a, v);
            if (port < 0 || port > 65535) {
              throw new IllegalArgumentException(
                  "--port "
                      + v
                      + ": ports go from 1 to 65535 (0, or no --port,"
                      + " for a free one)");
            }
            b.port(port);
            break;
          case "--tls":
            tls = parseTls(v);
            break;
          case "--user":
            if (v.isEmpty()
                || v.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0 || c == ' ')) {
              throw new IllegalArgumentException(
                  "--user: a user name is not empty and has no space, CR, LF or NUL");
            }
            user = v;
            break;
          case "--password-env":
            password = env.get(v);
            if (password == null) {
              throw new IllegalArgumentException(
                  v.matches("[A-Za-z_][A-Za-z0-9_]*")
                      ? "--password-env " + v + ": that environment variable is not set"
                      // the password itself, from "$PW": not repeated
                      : "--password-env takes an environment variable's name, such as PW");
            }
            passwordSource = "the password in $" + v;
            passwordVar = v;
            break;
          case "--generate":
            generate = atLeast(a, v, 0);
            break;
          case "--seed":
            try {
              seed = Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--seed " + v + ": not a whole number");
            }
            break;
          case "--maildir":
            maildir = Path.of(v);
            break;
          case "--mailbox": // as mailfetch names a Maildir: maildir:DIR
            if (!v.startsWith("maildir:") || v.length() == "maildir:".length()) {
              throw new IllegalArgumentException(
                  "--mailbox " + v + ": give maildir:DIR, a Maildir to serve");
            }
            maildir = Path.of(v.substring("maildir:".length()));
            break;
          case "--quirk":
            quirks.add(parseQuirk(v));
            break;
          case "--profile":
            profile = parseProfile(v);
            break;
          case "--max-sessions":
            maxSessions = atLeast(a, v, 0);
            break;
          case "--ca-out":
            caOut = Path.of(v);
            break;
          default:
            throw new IllegalStateException(a); // OPTIONS and this switch name the same options
        }
      }
      if (generate >= 0 && maildir != null) {
        throw new IllegalArgumentException("choose --generate or --maildir, not both");
      }
    } catch (IllegalArgumentException e) { // InvalidPathException too
      err.println("fake-server: " + e.getMessage());
      err.println("Try 'fake-server --help' for the options.");
      return 2;
    }
    try {
      FakeMailbox box;
      try {
        box =
            maildir != null
                ? FakeMailbox.fromMaildir(maildir)
                : MailCorpus.generate(seed, generate >= 0 ? generate : 20).toMailbox();
      } catch (IOException e) {
        err.println(
            "fake-server: cannot read the messages of the Maildir "
                + maildir
                + " ("
                + why(e)
                + ")");
        err.println(
            "Give a Maildir you can read (its new/ and cur/ directories) with --maildir DIR,"
                + " or --generate N for generated messages.");
        return 2;
      }
      b.account(user, password, box).quirk(quirks.toArray(new Quirk[0]));
      String caNote = "";
      Path caFile = null;
      TestCertificates certs = null;
      if (tls != TlsMode.NONE || (profile != null && profile.needsTls())) {
        certs = TestCertificates.generate();
        if (tls != TlsMode.NONE) {
          b.tls(tls, certs);
        }
        Path pem = caOut != null ? caOut : Files.createTempFile("mailfetch-test-ca", ".pem");
        try {
          Files.writeString(pem, certs.caPem());
        } catch (IOException e) {
          err.println("fake-server: cannot write the test CA to " + pem + " (" + why(e) + ")");
          err.println(
              "Give a file in a directory that exists and that you can write with --ca-out FILE,"
                  + " or leave --ca-out out for a temporary file.");
          return 2;
        }
        caNote = "; trust the CA in " + pem;
        caFile = pem;
      }
      if (profile != null) {
        profile.applyTo(b, certs);
        caNote += "; hostile case " + profile.id() + " " + profile.name();
      }
      FakePop3Server started;
      try {
        started = b.start();
      } catch (UncheckedIOException e) {
        if (!(e.getCause() instanceof BindException)) {
          throw e;
        }
        err.println(
            "fake-server: "
                + e.getMessage()
                + " (another program listens on it, or a connection just closed on it is still winding down)");
        err.println("Choose another with --port N, or leave --port out for a free one.");
        return 2;
      }
      try (FakePop3Server server = started) {
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        out.printf(
            Locale.ROOT,
            "fake POP3 server listening on %s:%d (%s%s)%n",
            server.host(),
            server.port(),
            server.tlsMode().name().toLowerCase(Locale.ROOT),
            caNote);
        out.printf(
            Locale.ROOT,
            "user %s with %s; %d messages%s%n",
            user,
            passwordSource,
            box.size(),
            quirks.isEmpty() ? "" : "; quirks " + quirks);
        out.println(
            "fetch from it into ./fake-mail: " + fetchLine(server, user, passwordVar, caFile));
        out.flush();
        while (!stop.await(100, TimeUnit.MILLISECONDS)) {
          if (maxSessions > 0 && ended(server) >= maxSessions) {
            break;
          }
        }
        server.awaitSessionsEnded(Duration.ofSeconds(10));
        out.printf(Locale.ROOT, "stopped after %d sessions%n", server.sessions().size());
      }
      return 0;
    } catch (IOException e) {
      err.println("fake-server: cannot start: " + why(e));
      err.println(
          "Nothing is served. Run it again; if it fails the same way, report it with this output.");
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /**
   * Why a file operation failed, in words rather than an exception's name (its message is often
   * only the path).
   */
  private static String why(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory: " + e.getMessage();
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied: " + e.getMessage();
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory: " + e.getMessage();
    }
    if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      return ((FileSystemException) e).getReason() + ": " + ((FileSystemException) e).getFile();
    }
    return e.getMessage() != null ? e.getMessage() : "no reason given";
  }

  /** The options that take a value. */
  private static final List<String> OPTIONS =
      List.of(
          "--port",
          "--tls",
          "--user",
          "--password-env",
          "--generate",
          "--seed",
          "--maildir",
          "--mailbox",
          "--quirk",
          "--profile",
          "--max-sessions",
          "--ca-out");

  private static int number(String option, String v) {
    if (!v.strip().matches("[0-9]{1,9}")) {
      throw new IllegalArgumentException(option + " " + v + ": not a whole number");
    }
    return Integer.parseInt(v.strip());
  }

  private static int atLeast(String option, String v, int least) {
    int n = number(option, v);
    if (n < least) {
      throw new IllegalArgumentException(option + " " + v + ": must be " + least + " or more");
    }
    return n;
  }

  /** " (did you mean --x?)" for an option one or two letters away from a real one, else "". */
  private static String closest(String typed) {
    String best = null;
    int bestDistance = 3;
    for (String o :
        List.of(
            "--port",
            "--tls",
            "--user",
            "--password-env",
            "--generate",
            "--seed",
            "--maildir",
            "--mailbox",
            "--quirk",
            "--profile",
            "--max-sessions",
            "--ca-out",
            "--help",
            "--version")) {
      int d = distance(typed, o);
      if (d < bestDistance) {
        best = o;
        bestDistance = d;
      }
    }
    return best == null ? "" : " (did you mean " + best + "?)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] =
            Math.min(
                Math.min(prev[j] + 1, cur[j - 1] + 1),
                prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static long ended(FakePop3Server server) {
    return server.sessions().stream().filter(RecordedSession::ended).count();
  }

  private static TlsMode parseTls(String v) {
    switch (v) {
      case "none":
        return TlsMode.NONE;
      case "implicit":
        return TlsMode.IMPLICIT;
      case "starttls":
      case "stls":
        return TlsMode.STLS;
      default:
        throw new IllegalArgumentException("--tls takes none, implicit or starttls, not " + v);
    }
  }

  private static Quirk parseQuirk(String v) {
    String name = v.toUpperCase(Locale.ROOT).replace('-', '_');
    List<Quirk> matches = new ArrayList<>();
    for (Quirk q : Quirk.values()) {
      if (q.name().equals(name)) {
        return q;
      }
      if (q.name().startsWith(name + "_") || q.id().name().equals(name)) {
        matches.add(q);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    throw new IllegalArgumentException(
        "--quirk "
            + v
            + (matches.isEmpty()
                ? " is not a quirk; see docs/quirks.md for the names"
                : " is ambiguous: " + matches));
  }

  private static HostileCase parseProfile(String v) {
    for (HostileCase c : HostileCase.values()) {
      if (c.name().equalsIgnoreCase(v)
          || c.id().equalsIgnoreCase(v)
          || c.name().substring(0, 3).equalsIgnoreCase(v)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "--profile " + v + " is not a hostile case; see docs/hostile.md for the names");
  }

  /**
   * The mailfetch command that fetches from {@code server} into {@code ./fake-mail} (never the
   * user's own Maildir), for a person to copy: the URL with the user %-escaped, the CA file of TLS,
   * and the password's variable (the default password set on the line, as it is no secret).
   */
  static String fetchLine(FakePop3Server server, String user, String passwordVar, Path caFile) {
    TlsMode tls = server.tlsMode();
    return (passwordVar != null ? "" : "PW=secret ")
        + "mailfetch fetch "
        + (tls == TlsMode.IMPLICIT ? "pop3s://" : "pop3://")
        + URLEncoder.encode(user, StandardCharsets.UTF_8).replace("+", "%20")
        + "@"
        + server.host()
        + ":"
        + server.port()
        + (tls == TlsMode.NONE ? " --tls none --allow-plaintext-auth" : " --ca-file " + caFile)
        + " --password-env "
        + (passwordVar != null ? passwordVar : "PW")
        + " --to maildir:fake-mail";
  }

  private static String usage() {
    return String.join(
        "\n",
        "usage: fake-server [OPTIONS]",
        "  --port N              the port (default: a free one)",
        "  --tls MODE            none (default), implicit or starttls",
        "  --user NAME           the user (default: user)",
        "  --password-env VAR    read the password from the environment variable VAR",
        "                        (without this option the password is the word \"secret\")",
        "  --generate N          serve N generated messages (default 20) ...",
        "  --seed S              ... from this seed (default 1)",
        "  --maildir DIR         ... or serve the messages of this Maildir",
        "  --mailbox maildir:DIR the same as --maildir DIR",
        "  --quirk NAME          a quirk to show (repeatable; docs/quirks.md)",
        "  --profile CASE        a hostile case, by name or ID (docs/hostile.md)",
        "  --max-sessions N      stop after N sessions (default: on Ctrl-C)",
        "  --ca-out FILE         where to write the test CA (default: a temporary file)",
        "  --help, --version");
  }
}
