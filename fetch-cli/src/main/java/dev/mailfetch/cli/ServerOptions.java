package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.pop3.AuthMechanism;
import dev.mailfetch.pop3.Pop3Limits;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.pop3.Tolerance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * How to reach and log in to one POP3 account: the options {@code fetch} and {@code doctor} share,
 * and the one place that turns them into a {@link Pop3Source}.
 */
final class ServerOptions {
  private CommandSpec spec;

  @Option(
      names = "--tls",
      paramLabel = "MODE",
      description =
          "implicit, starttls or none (none needs"
              + " --allow-plaintext-auth). Default: implicit for pop3s:// and imaps://, starttls"
              + " for pop3:// and imap://.")
  String tls;

  @Option(
      names = "--allow-plaintext-auth",
      description = "Allow the password over a connection without TLS.")
  boolean allowPlaintext;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Secret secret;

  static final class Secret {
    @Option(
        names = "--password-env",
        paramLabel = "NAME",
        description = "The password is in this environment variable.")
    String passwordEnv;

    @Option(
        names = "--password-file",
        paramLabel = "FILE",
        description = "The password is this file's first line.")
    Path passwordFile;

    @Option(
        names = "--oauth-token-env",
        paramLabel = "NAME",
        description = "An OAuth access token is in this variable.")
    String tokenEnv;

    @Option(
        names = "--oauth-token-file",
        paramLabel = "FILE",
        description = "An OAuth access token is in this file.")
    Path tokenFile;

    @Option(
        names = "--oauth-grant-file",
        paramLabel = "FILE",
        description =
            "The OAuth authorization that mailfetch"
                + " oauth wrote: fresh access tokens as needed, unattended (Gmail, Outlook.com, Microsoft 365).")
    Path grantFile;
  }

  @Option(
      names = "--auth",
      paramLabel = "MECH",
      split = ",",
      converter = Mechanism.class,
      description =
          "The login methods allowed (any case): USER, PLAIN, LOGIN, XOAUTH2, OAUTHBEARER, APOP,"
              + " CRAM-MD5. Default: the safe ones for the secret given.")
  List<AuthMechanism> auth = new ArrayList<>();

  @Option(
      names = "--ca-file",
      paramLabel = "PEM",
      description =
          "Trust the CA certificates in this PEM file (a"
              + " private CA, a self-signed server) instead of the system's. There is no option to switch checks off.")
  Path caFile;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      converter = BadArguments.WholeNumber.class,
      description =
          "How long to wait for the server at each"
              + " step (fetch: default 60; doctor: caps every wait, default 20).")
  Integer timeout;

  @Option(
      names = "--quirk",
      paramLabel = "ID",
      description =
          "Tolerate a named server quirk (repeatable):"
              + " Q01 bare LF, Q02 '.\\r' terminator, Q11 empty lines, Q13 lower-case status, Q29 unordered listings.")
  List<String> quirks = new ArrayList<>();

  @Option(
      names = "--strict",
      description = "Tolerate nothing, not even unordered listings (Gmail's behaviour).")
  boolean strict;

  /** The tolerance each --quirk names. */
  static final Map<String, Tolerance> QUIRKS = byQuirk();

  private static Map<String, Tolerance> byQuirk() {
    Map<String, Tolerance> byQuirk = new TreeMap<>();
    for (Tolerance t : Tolerance.values()) {
      byQuirk.put(t.quirk().name(), t);
    }
    return Map.copyOf(byQuirk);
  }

  /** Where and as whom: from the URL, with --tls applied. */
  record Account(String user, String host, int port, Security security, boolean imap) {
    /** A POP3 account. */
    Account(String user, String host, int port, Security security) {
      this(user, host, port, security, false);
    }

    /**
     * The account's name, which its state is kept under (docs/state.md): an IMAP account's starts
     * with {@code imap:}, so that the POP3 and the IMAP mailbox of one user keep apart.
     */
    String name() {
      return imap ? ImapAccount.name(user, host, port) : AccountName.of(user, host, port);
    }
  }

  /** The account a URL names ({@code pop3s://user@host[:port]}), with --tls applied. */
  Account account(String url, CommandSpec spec) {
    this.spec = spec;
    AccountUrl u;
    try {
      u = AccountUrl.parse(url);
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
    Security security =
        u.scheme().equals("pop3s") || u.scheme().equals("imaps")
            ? Security.IMPLICIT_TLS
            : Security.STARTTLS;
    if (tls != null) {
      switch (tls.toLowerCase(Locale.ROOT)) {
        case "implicit":
          security = Security.IMPLICIT_TLS;
          break;
        case "starttls":
        case "stls":
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
      throw bad(
          "--tls none sends the password without encryption: add --allow-plaintext-auth if that is really"
              + " meant (a test server on this machine), or use TLS");
    }
    if (u.imap()) {
      int port = u.port() > 0 ? u.port() : security == Security.IMPLICIT_TLS ? 993 : 143;
      return new Account(u.user(), u.host(), port, security, true);
    }
    int port = u.port() > 0 ? u.port() : security == Security.IMPLICIT_TLS ? 995 : 110;
    return new Account(u.user(), u.host(), port, security);
  }

  /**
   * What a refused login's advice adds: with --oauth-grant-file, the command that authorizes again;
   * with --password-env or --password-file, where the password was read.
   */
  private AuthorizeAgain authorizeAgain;

  /**
   * {@code source} (POP3 or IMAP) as the fetch uses it: with --oauth-grant-file, a refused login's
   * advice names the {@code mailfetch oauth} command that authorizes again, with {@code --imap} for
   * an IMAP account (the server refusing even a fresh token: a grant without the protocol's scope,
   * or revoked).
   */
  FetchSource advised(FetchSource source) {
    return authorizeAgain == null ? source : authorizeAgain.source(source);
  }

  /** The login methods that use a token; the others use the password. */
  private static final Set<AuthMechanism> OAUTH =
      EnumSet.of(AuthMechanism.XOAUTH2, AuthMechanism.OAUTHBEARER);

  /** The longest --timeout: a day (a socket's wait is counted in milliseconds, in an int). */
  static final int LONGEST_TIMEOUT = 86_400;

  /**
   * The source these options describe. Without a secret, {@code required} decides: a bad-arguments
   * error, or a source whose password is never asked for (the doctor, which then does not log in).
   */
  Pop3Source source(Account a, Map<String, String> env, CommandSpec spec, boolean required)
      throws FetchException {
    return source(a, a.name(), env, spec, required, 0);
  }

  /**
   * The client's limits for --timeout (seconds, or null) and --max-message-size ({@code
   * largestMessage} bytes): the deadlines of a handshake and a read, twice that for a reply; and
   * the client's cap on one message's bytes raised, where the option goes beyond it, to the option
   * and a quarter more (a listed size may understate what RETR sends: the cap is only there to stop
   * a body without end), so no message the option lets through is cut off by a limit the command
   * cannot reach.
   */
  static Pop3Limits limits(Integer timeout, long largestMessage) {
    Pop3Limits.Builder l = Pop3Limits.builder();
    if (timeout != null) {
      Duration d = Duration.ofSeconds(timeout);
      l.handshakeTimeout(d).readTimeout(d).commandTimeout(d.multipliedBy(2));
    }
    long reads =
        largestMessage > Long.MAX_VALUE / 5 * 4
            ? Long.MAX_VALUE
            : largestMessage + largestMessage / 4;
    if (reads > Pop3Limits.DEFAULT_MAX_BODY_BYTES_ON_THE_WIRE) {
      l.maxBodyBytesOnTheWire(reads);
    }
    return l.build();
  }

  /**
   * As {@link #source(Account, Map, CommandSpec, boolean)}, its state kept under {@code
   * accountName}, reading whole every message of up to {@code largestMessage} bytes
   * (--max-message-size).
   */
  Pop3Source source(
      Account a,
      String accountName,
      Map<String, String> env,
      CommandSpec spec,
      boolean required,
      long largestMessage)
      throws FetchException {
    this.spec = spec;
    if (secret == null && required) {
      throw bad(
          "no secret given: use --password-env NAME or --password-file FILE (or --oauth-grant-file,"
              + " --oauth-token-env, --oauth-token-file); secrets never go on the command line");
    }
    boolean token =
        secret != null
            && (secret.tokenEnv != null || secret.tokenFile != null || secret.grantFile != null);
    if (!auth.isEmpty()) {
      String named =
          auth.stream().map(ServerOptions::mechanismName).reduce((x, y) -> x + "," + y).orElse("");
      if (secret != null && auth.stream().noneMatch(m -> OAUTH.contains(m) == token)) {
        throw bad(
            token
                ? "--auth "
                    + named
                    + " needs a password (--password-env or --password-file); an OAuth token logs in"
                    + " with XOAUTH2 or OAUTHBEARER"
                : "--auth "
                    + named
                    + " needs an OAuth token (--oauth-grant-file, --oauth-token-env or --oauth-token-file); a password"
                    + " logs in with USER, PLAIN, LOGIN, CRAM-MD5 or APOP");
      }
      if (auth.contains(AuthMechanism.APOP) && a.security() == Security.NONE) {
        throw bad(
            "--auth APOP is allowed only over TLS (it is broken against an active attacker, CVE-2007-1558):"
                + " leave out --tls none");
      }
    }
    if (timeout != null && (timeout < 1 || timeout > LONGEST_TIMEOUT)) {
      throw bad(
          "--timeout "
              + timeout
              + ": "
              + (timeout < 1
                  ? "must be 1 or more"
                  : "at most " + LONGEST_TIMEOUT + " seconds (a day)"));
    }
    Set<Tolerance> tolerances = EnumSet.noneOf(Tolerance.class);
    if (!strict) {
      tolerances.add(
          Tolerance.UNORDERED_LISTING); // tolerant by default, as the catalogue recommends
    }
    for (String q : quirks) {
      if (strict) {
        throw bad("--strict and --quirk " + q + " contradict each other: choose one");
      }
      Tolerance t = QUIRKS.get(q.toUpperCase(Locale.ROOT));
      if (t == null) {
        throw bad(
            "--quirk "
                + q
                + " is not a quirk that needs tolerating; the ones that do are "
                + String.join(", ", new TreeSet<>(QUIRKS.keySet()))
                + " (the others are handled without"
                + " asking, docs/quirks.md)");
      }
      tolerances.add(t);
    }
    Pop3Source.Builder b;
    try {
      b =
          Pop3Source.builder()
              .host(a.host)
              .port(a.port)
              .security(a.security)
              .user(a.user)
              .allowPlaintextAuthentication(allowPlaintext);
    } catch (IllegalArgumentException e) {
      throw bad("the URL's user or host cannot be used: " + e.getMessage());
    }
    Credential c = credential(a, env, spec);
    if (c.password() != null) {
      b.password(c.password());
    } else {
      b.oauthTokens(c.tokens());
    }
    if (!auth.isEmpty()) {
      b.mechanisms(auth.toArray(new AuthMechanism[0]));
    }
    if (caFile != null) {
      trust(b, caFile);
    }
    b.tolerate(tolerances.toArray(new Tolerance[0]));
    b.limits(limits(timeout, largestMessage));
    try {
      return b.account(accountName).build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw bad(
          "these options do not fit together: " + e.getMessage()); // each known case is told above
    }
  }

  /** A secret, as the options give it: a password, or OAuth tokens (the other one null). */
  record Credential(Supplier<String> password, TokenProvider tokens) {}

  /**
   * The secret the options give, for POP3 and IMAP alike; without one, a password that is never
   * asked for (the doctor, which then does not log in). With --oauth-grant-file, the grant must
   * have the scope of the account's protocol, and what authorizes again is remembered ({@link
   * #advised}).
   */
  Credential credential(Account a, Map<String, String> env, CommandSpec spec)
      throws FetchException {
    this.spec = spec;
    if (secret == null) {
      return new Credential(() -> null, null); // never asked: the caller does not log in
    } else if (secret.passwordEnv != null) {
      String name = secret.passwordEnv;
      Secrets.requireEnv(spec, env, "--password-env", name);
      authorizeAgain = AuthorizeAgain.passwordFrom("the environment variable " + name);
      return new Credential(() -> env.get(name), null);
    } else if (secret.passwordFile != null) {
      authorizeAgain = AuthorizeAgain.passwordFrom("the first line of " + secret.passwordFile);
      return new Credential(Secrets.fromFile(spec, "--password-file", secret.passwordFile), null);
    } else if (secret.tokenEnv != null) {
      String name = secret.tokenEnv;
      Secrets.requireEnv(spec, env, "--oauth-token-env", name);
      return new Credential(null, () -> env.get(name));
    } else if (secret.grantFile != null) {
      OAuthGrants.ServerGrant grant =
          OAuthGrants.tokens(
              spec,
              "--oauth-grant-file",
              GmailOptions.expand(env, secret.grantFile),
              a.user(),
              a.imap() ? OAuthGrants.Login.IMAP : OAuthGrants.Login.POP3);
      authorizeAgain = grant.again();
      return new Credential(null, grant.tokens());
    }
    Supplier<String> tokenFile = Secrets.fromFile(spec, "--oauth-token-file", secret.tokenFile);
    return new Credential(null, tokenFile::get);
  }

  /** How --auth names a login method (as the RFCs do: CRAM-MD5). */
  static String mechanismName(AuthMechanism m) {
    return m.name().replace('_', '-');
  }

  /** --auth's values: any case, CRAM-MD5 with its dash or an underscore. */
  static final class Mechanism implements ITypeConverter<AuthMechanism> {
    @Override
    public AuthMechanism convert(String value) {
      String v = value.strip().toUpperCase(Locale.ROOT).replace('-', '_');
      for (AuthMechanism m : AuthMechanism.values()) {
        if (m.name().equals(v)) {
          return m;
        }
      }
      StringBuilder all = new StringBuilder();
      for (AuthMechanism m : AuthMechanism.values()) {
        all.append(all.length() == 0 ? "" : ", ").append(mechanismName(m));
      }
      throw new TypeConversionException("not a login method; the methods are " + all);
    }
  }

  private void trust(Pop3Source.Builder b, Path file) {
    String option = "--ca-file " + file;
    if (Files.isDirectory(file)) {
      throw bad(option + ": a directory, not a PEM file of CA certificates");
    }
    if (!Files.exists(file)) {
      throw bad(option + ": no such file");
    }
    if (!Files.isReadable(file)) {
      throw bad(option + ": not allowed to read it");
    }
    try {
      b.trustPem(file);
    } catch (IllegalArgumentException e) {
      throw bad(
          option
              + ": holds no certificate that can be read; a PEM file of CA certificates has blocks that"
              + " begin with -----BEGIN CERTIFICATE-----");
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** {@code value}, or a bad-arguments error naming the option when it is below 1. */
  static int positive(CommandSpec spec, String option, int value) {
    if (value < 1) {
      throw new ParameterException(
          spec.commandLine(), option + " " + value + ": must be 1 or more");
    }
    return value;
  }
}
