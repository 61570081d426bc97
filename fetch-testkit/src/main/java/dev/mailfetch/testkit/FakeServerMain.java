package dev.mailfetch.testkit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

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
 * <p>Options: {@code --port N} (default: a free port), {@code --tls none|implicit|starttls},
 * {@code --user NAME} (default {@code user}), {@code --password-env VAR} (the password is read
 * from that environment variable, never from the command line; default password {@code secret}),
 * {@code --generate N} and {@code --seed S} (a {@link MailCorpus}), {@code --maildir DIR} (serve a
 * Maildir), {@code --quirk NAME} (repeatable; a {@link Quirk} constant), {@code --profile CASE} (a
 * {@link HostileCase}, by name or ID such as {@code N-05}), {@code --max-sessions N}
 * (stop after N sessions have ended), {@code --ca-out FILE} (where to write the test CA's PEM for
 * TLS; default a temporary file). It prints where it listens and, for TLS, the CA file to trust,
 * then runs until interrupted (Ctrl-C) or the session count is reached. Exit code 2 for bad
 * arguments, with a message saying what is wrong.
 */
public final class FakeServerMain {
  private FakeServerMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.getenv()));
  }

  /** Runs with these arguments and streams; returns the exit code (the CLI's fake-server calls it). */
  public static int run(String[] args, PrintStream out, PrintStream err, java.util.Map<String, String> env) {
    FakePop3Server.Builder b = FakePop3Server.builder();
    String user = "user";
    String password = "secret";
    String passwordSource = "the default password \"secret\"";
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
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args[++i];
        switch (a) {
          case "--port":
            b.port(Integer.parseInt(v));
            break;
          case "--tls":
            tls = parseTls(v);
            break;
          case "--user":
            user = v;
            break;
          case "--password-env":
            password = env.get(v);
            if (password == null) {
              throw new IllegalArgumentException("--password-env " + v + ": that environment variable is not set");
            }
            passwordSource = "the password in $" + v;
            break;
          case "--generate":
            generate = Integer.parseInt(v);
            break;
          case "--seed":
            seed = Long.parseLong(v);
            break;
          case "--maildir":
            maildir = Path.of(v);
            break;
          case "--quirk":
            quirks.add(parseQuirk(v));
            break;
          case "--profile":
            profile = parseProfile(v);
            break;
          case "--max-sessions":
            maxSessions = Integer.parseInt(v);
            break;
          case "--ca-out":
            caOut = Path.of(v);
            break;
          default:
            throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (generate >= 0 && maildir != null) {
        throw new IllegalArgumentException("choose --generate or --maildir, not both");
      }
    } catch (NumberFormatException e) {
      err.println("fake-server: a number was expected: " + e.getMessage() + "\n\n" + usage());
      return 2;
    } catch (IllegalArgumentException e) {
      err.println("fake-server: " + e.getMessage() + "\n\n" + usage());
      return 2;
    }
    try {
      FakeMailbox box = maildir != null ? FakeMailbox.fromMaildir(maildir)
          : MailCorpus.generate(seed, generate >= 0 ? generate : 20).toMailbox();
      b.account(user, password, box).quirk(quirks.toArray(new Quirk[0]));
      String caNote = "";
      TestCertificates certs = null;
      if (tls != TlsMode.NONE || (profile != null && profile.needsTls())) {
        certs = TestCertificates.generate();
        if (tls != TlsMode.NONE) {
          b.tls(tls, certs);
        }
        Path pem = caOut != null ? caOut : Files.createTempFile("mailfetch-test-ca", ".pem");
        Files.writeString(pem, certs.caPem());
        caNote = "; trust the CA in " + pem;
      }
      if (profile != null) {
        profile.applyTo(b, certs);
        caNote += "; hostile case " + profile.id() + " " + profile.name();
      }
      try (FakePop3Server server = b.start()) {
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        out.printf(Locale.ROOT, "fake POP3 server listening on %s:%d (%s%s)%n", server.host(), server.port(),
            server.tlsMode().name().toLowerCase(Locale.ROOT), caNote);
        out.printf(Locale.ROOT, "user %s with %s; %d messages%s%n", user, passwordSource, box.size(),
            quirks.isEmpty() ? "" : "; quirks " + quirks);
        out.flush();
        while (!stop.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          if (maxSessions > 0 && ended(server) >= maxSessions) {
            break;
          }
        }
        server.awaitSessionsEnded(Duration.ofSeconds(10));
        out.printf(Locale.ROOT, "stopped after %d sessions%n", server.sessions().size());
      }
      return 0;
    } catch (IOException e) {
      err.println("fake-server: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
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
      if (q.name().startsWith(name + "_") || q.id().equals(name)) {
        matches.add(q);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    throw new IllegalArgumentException("--quirk " + v + (matches.isEmpty()
        ? " is not a quirk; see docs/quirks.md for the names"
        : " is ambiguous: " + matches));
  }

  private static HostileCase parseProfile(String v) {
    for (HostileCase c : HostileCase.values()) {
      if (c.name().equalsIgnoreCase(v) || c.id().equalsIgnoreCase(v) || c.name().substring(0, 3).equalsIgnoreCase(v)) {
        return c;
      }
    }
    throw new IllegalArgumentException("--profile " + v + " is not a hostile case; see docs/hostile.md for the names");
  }

  private static String usage() {
    return "usage: fake-server [--port N] [--tls none|implicit|starttls] [--user NAME]\n"
        + "                   [--password-env VAR] [--generate N [--seed S] | --maildir DIR]\n"
        + "                   [--quirk NAME]... [--profile HOSTILE_CASE] [--max-sessions N] [--ca-out FILE]";
  }
}
