package dev.mailfetch.cli;

import dev.mailfetch.pop3.AuthMechanism;
import dev.mailfetch.pop3.Pop3Limits;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.pop3.Tolerance;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * How to reach and log in to one POP3 account: the options {@code fetch} and {@code doctor} share,
 * and the one place that turns them into a {@link Pop3Source}.
 */
final class ServerOptions {
  private CommandSpec spec;

  @Option(names = "--tls", paramLabel = "MODE", description = "implicit, starttls or none (none needs"
      + " --allow-plaintext-auth). Default: implicit for pop3s://, starttls for pop3://.")
  String tls;

  @Option(names = "--allow-plaintext-auth", description = "Allow the password over a connection without TLS.")
  boolean allowPlaintext;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Secret secret;

  static final class Secret {
    @Option(names = "--password-env", paramLabel = "NAME", description = "The password is in this environment variable.")
    String passwordEnv;

    @Option(names = "--password-file", paramLabel = "FILE", description = "The password is this file's first line.")
    Path passwordFile;

    @Option(names = "--oauth-token-env", paramLabel = "NAME", description = "An OAuth access token is in this variable.")
    String tokenEnv;

    @Option(names = "--oauth-token-file", paramLabel = "FILE", description = "An OAuth access token is in this file.")
    Path tokenFile;
  }

  @Option(names = "--auth", paramLabel = "MECH", split = ",",
      description = "The login methods allowed, in order of preference: USER, PLAIN, LOGIN, XOAUTH2, OAUTHBEARER,"
          + " APOP, CRAM_MD5. Default: the safe ones for the secret given.")
  List<AuthMechanism> auth = new ArrayList<>();

  @Option(names = "--ca-file", paramLabel = "PEM", description = "Trust the CA certificates in this PEM file (a"
      + " private CA, a self-signed server) instead of the system's. There is no option to switch checks off.")
  Path caFile;

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long to wait for the server at each"
      + " step (fetch: default 60; doctor: caps every wait, default 20).")
  Integer timeout;

  @Option(names = "--quirk", paramLabel = "ID", description = "Tolerate a named server quirk (repeatable):"
      + " Q01 bare LF, Q02 '.\\r' terminator, Q11 empty lines, Q13 lower-case status, Q29 unordered listings.")
  List<String> quirks = new ArrayList<>();

  @Option(names = "--strict", description = "Tolerate nothing, not even unordered listings (Gmail's behaviour).")
  boolean strict;

  /** The tolerance each --quirk names. */
  static final Map<String, Tolerance> QUIRKS = Map.of("Q01", Tolerance.BARE_LF, "Q02", Tolerance.CR_TERMINATOR,
      "Q11", Tolerance.EMPTY_LINES, "Q13", Tolerance.LOWERCASE_STATUS, "Q29", Tolerance.UNORDERED_LISTING);

  /** Where and as whom: from the URL, with --tls applied. */
  record Account(String user, String host, int port, Security security) {}

  /** The account a URL names ({@code pop3s://user@host[:port]}), with --tls applied. */
  Account account(String url, CommandSpec spec) {
    this.spec = spec;
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw bad("URL \"" + url + "\" is not a URL: write pop3s://user@host or pop3://user@host[:port]");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("pop3s") && !scheme.equals("pop3")) {
      throw bad("URL \"" + url + "\" must start with pop3s:// (implicit TLS, port 995) or pop3:// (STLS, port 110)");
    }
    if (u.getRawUserInfo() == null || u.getHost() == null) {
      throw bad("URL \"" + url + "\" needs a user and a host: pop3s://user@host");
    }
    if (u.getRawUserInfo().contains(":")) {
      throw bad("URL \"" + url + "\" holds a password: secrets never go on the command line; give it with"
          + " --password-env NAME or --password-file FILE");
    }
    String user = URLDecoder.decode(u.getRawUserInfo().replace("+", "%2B"), StandardCharsets.UTF_8);
    Security security = scheme.equals("pop3s") ? Security.IMPLICIT_TLS : Security.STARTTLS;
    if (tls != null) {
      switch (tls.toLowerCase(Locale.ROOT)) {
        case "implicit":
          security = Security.IMPLICIT_TLS;
          break;
        case "starttls":
          security = Security.STARTTLS;
          break;
        case "none":
          security = Security.NONE;
          break;
        default:
          throw bad("--tls " + tls + " is not a mode: use implicit, starttls or none");
      }
    }
    if (security == Security.NONE && !allowPlaintext) {
      throw bad("--tls none sends the password without encryption: add --allow-plaintext-auth if that is really"
          + " meant (a test server on this machine), or use TLS");
    }
    int port = u.getPort() > 0 ? u.getPort() : security == Security.IMPLICIT_TLS ? 995 : 110;
    return new Account(user, u.getHost(), port, security);
  }

  /**
   * The source these options describe. Without a secret, {@code required} decides: a bad-arguments
   * error, or a source whose password is never asked for (the doctor, which then does not log in).
   */
  Pop3Source source(Account a, Map<String, String> env, CommandSpec spec, boolean required) {
    this.spec = spec;
    Pop3Source.Builder b = Pop3Source.builder().host(a.host).port(a.port).security(a.security).user(a.user)
        .allowPlaintextAuthentication(allowPlaintext);
    if (secret == null && required) {
      throw bad("no secret given: use --password-env NAME or --password-file FILE (or --oauth-token-env,"
          + " --oauth-token-file); secrets never go on the command line");
    }
    if (secret == null) {
      b.password(() -> null); // never asked: the caller does not log in
    } else if (secret.passwordEnv != null) {
      String name = secret.passwordEnv;
      requireEnv(env, "--password-env", name);
      b.password(() -> env.get(name));
    } else if (secret.passwordFile != null) {
      b.password(fromFile("--password-file", secret.passwordFile));
    } else if (secret.tokenEnv != null) {
      String name = secret.tokenEnv;
      requireEnv(env, "--oauth-token-env", name);
      b.oauthTokens(() -> env.get(name));
    } else {
      Supplier<String> token = fromFile("--oauth-token-file", secret.tokenFile);
      b.oauthTokens(token::get);
    }
    if (!auth.isEmpty()) {
      b.mechanisms(auth.toArray(new AuthMechanism[0]));
    }
    if (caFile != null) {
      if (!Files.isReadable(caFile)) {
        throw bad("--ca-file " + caFile + ": no such readable file");
      }
      b.trustPem(caFile);
    }
    Set<Tolerance> tolerances = EnumSet.noneOf(Tolerance.class);
    if (!strict) {
      tolerances.add(Tolerance.UNORDERED_LISTING); // tolerant by default, as the catalogue recommends
    }
    for (String q : quirks) {
      if (strict) {
        throw bad("--strict and --quirk " + q + " contradict each other: choose one");
      }
      Tolerance t = QUIRKS.get(q.toUpperCase(Locale.ROOT));
      if (t == null) {
        throw bad("--quirk " + q + " is not a quirk that needs tolerating; the ones that do are "
            + String.join(", ", new java.util.TreeSet<>(QUIRKS.keySet())) + " (the others are handled without"
            + " asking, docs/quirks.md)");
      }
      tolerances.add(t);
    }
    b.tolerate(tolerances.toArray(new Tolerance[0]));
    if (timeout != null) {
      Duration d = Duration.ofSeconds(positive("--timeout", timeout));
      b.limits(Pop3Limits.builder().readTimeout(d).commandTimeout(d.multipliedBy(2)).build());
    }
    return b.account(a.user + "@" + a.host).build();
  }

  private void requireEnv(Map<String, String> env, String option, String name) {
    String v = env.get(name);
    if (v == null || v.isEmpty()) {
      throw bad(option + " " + name + ": that environment variable is not set (or empty)");
    }
  }

  private Supplier<String> fromFile(String option, Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.isEmpty() || lines.get(0).isEmpty()) {
        throw bad(option + " " + file + ": the file is empty; its first line must be the secret");
      }
      String secretValue = lines.get(0);
      return () -> secretValue;
    } catch (IOException e) {
      throw bad(option + " " + file + ": cannot read it (" + e.getMessage() + ")");
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private int positive(String option, int value) {
    return positive(spec, option, value);
  }

  /** {@code value}, or a bad-arguments error naming the option when it is below 1. */
  static int positive(CommandSpec spec, String option, int value) {
    if (value < 1) {
      throw new ParameterException(spec.commandLine(), option + " must be 1 or more, not " + value);
    }
    return value;
  }
}
