package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.TokenProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options of delivery into a mail server ({@code --to imaps://…}, {@code lmtp://…}, {@code
 * smtp://…}), which {@code fetch}, its config files, {@code poll} and {@code doctor} share: the
 * recipients and sender of LMTP and SMTP, and how to reach and log in to the server, mirroring the
 * source's options with {@code --sink-} in front. Every one is checked here, before anything is
 * opened, into a {@link ServerSink}.
 */
final class SinkOptions {
  @Option(
      names = "--recipient",
      paramLabel = "ADDRESS",
      description =
          "With --to lmtp: or smtp(s)://: an address every message is delivered to (repeatable;"
              + " required there).")
  List<String> recipients = new ArrayList<>();

  @Option(
      names = "--sender",
      paramLabel = "ADDRESS",
      description =
          "With --to lmtp: or smtp(s)://: the envelope's sender (default: the message's"
              + " Return-Path, else none, <>).")
  String sender;

  @Option(
      names = "--sink-tls",
      paramLabel = "MODE",
      description =
          "With a mail server --to: implicit, starttls or none. Default: implicit for imaps:// and"
              + " smtps://, starttls (required) for imap:// and smtp://, none for lmtp:. none for smtp:// is"
              + " the opt-out of STARTTLS; with a login it needs --sink-allow-plaintext-auth.")
  String tls;

  @Option(
      names = "--sink-allow-plaintext-auth",
      description = "Allow the sink's password over a connection without TLS.")
  boolean allowPlaintext;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Secret secret;

  /** How the sink's server is logged in to: the source's options, with --sink- in front. */
  static final class Secret {
    @Option(
        names = "--sink-password-env",
        paramLabel = "NAME",
        description = "The mail server sink's password is in this environment variable.")
    String passwordEnv;

    @Option(
        names = "--sink-password-file",
        paramLabel = "FILE",
        description = "The mail server sink's password is this file's first line.")
    Path passwordFile;

    @Option(
        names = "--sink-oauth-token-env",
        paramLabel = "NAME",
        description = "An OAuth access token for the mail server sink is in this variable.")
    String tokenEnv;

    @Option(
        names = "--sink-oauth-token-file",
        paramLabel = "FILE",
        description = "An OAuth access token for the mail server sink is in this file.")
    Path tokenFile;

    @Option(
        names = "--sink-oauth-grant-file",
        paramLabel = "FILE",
        description =
            "The OAuth authorization that mailfetch oauth wrote, for the mail server sink's login.")
    Path grantFile;
  }

  @Option(
      names = "--sink-trust-pem",
      paramLabel = "PEM",
      description =
          "Trust the CA certificates in this PEM file for the mail server sink (a private CA, a"
              + " self-signed server) instead of the system's.")
  Path trustPem;

  /** --sink-oauth-grant-file, or null. */
  Path grantFile() {
    return secret == null ? null : secret.grantFile;
  }

  /** The options that name a secret, as the messages list them. */
  static final String SECRETS =
      "--sink-password-env NAME or --sink-password-file FILE (or --sink-oauth-grant-file FILE,"
          + " --sink-oauth-token-env NAME, --sink-oauth-token-file FILE)";

  /**
   * What an address of --recipient and --sender may be: a local part and a domain, without a space,
   * a control character or an angle bracket (which would end the envelope's command). As the
   * library's sinks take it.
   */
  private static final Pattern ADDRESS =
      Pattern.compile("[^\\s<>@\\p{Cntrl}]+@[^\\s<>@\\p{Cntrl}]+");

  /** A recipient of LMTP may also be a user of the LMTP server alone ({@code alice}). */
  private static final Pattern LOCAL_PART = Pattern.compile("[^\\s<>@\\p{Cntrl}]+");

  /**
   * The first of these options given with {@code --to to}, which is no mail server (files here, or
   * Gmail): a bad argument.
   */
  void refuseWithout(CommandSpec spec, String to) {
    String given = given();
    if (given != null) {
      boolean gmail = to.toLowerCase(Locale.ROOT).startsWith("gmail:");
      throw bad(
          spec,
          given
              + " is for a mail server sink (--to "
              + SinkUrl.FORMS
              + "); --to "
              + to
              + (gmail
                  ? " delivers through Gmail's API, authorized with mailfetch oauth"
                  : " delivers into files here"));
    }
  }

  /**
   * A bad argument when labels or --archive ({@code labelled}) are given with an LMTP or SMTP sink:
   * labels file mail into folders, and a transaction to recipients has none, so they would be
   * dropped in silence.
   */
  void refuseLabels(CommandSpec spec, String to, boolean labelled) {
    SinkUrl.Kind kind = SinkUrl.kindOf(to).orElse(null);
    if (labelled && kind != null && !kind.imap()) {
      throw bad(
          spec,
          "--label, --label-rule and --archive file mail into folders; --to "
              + to
              + " hands it to recipients, who have none: leave them out (into IMAP they become"
              + " folders)");
    }
  }

  /** The first sink option given, or null. */
  String given() {
    if (!recipients.isEmpty()) {
      return "--recipient";
    }
    if (sender != null) {
      return "--sender";
    }
    if (tls != null) {
      return "--sink-tls";
    }
    if (allowPlaintext) {
      return "--sink-allow-plaintext-auth";
    }
    if (trustPem != null) {
      return "--sink-trust-pem";
    }
    return secret == null ? null : secretOption();
  }

  private String secretOption() {
    return secret.passwordEnv != null
        ? "--sink-password-env"
        : secret.passwordFile != null
            ? "--sink-password-file"
            : secret.tokenEnv != null
                ? "--sink-oauth-token-env"
                : secret.tokenFile != null ? "--sink-oauth-token-file" : "--sink-oauth-grant-file";
  }

  /**
   * The sink {@code to} names with these options, every option checked. An IMAP server is always
   * logged in to, so it needs a secret; LMTP and SMTP with a user in the URL need one when {@code
   * login} (a fetch), and without one the doctor checks all but the login.
   */
  ServerSink sink(CommandSpec spec, Map<String, String> env, String to, boolean login)
      throws FetchException {
    SinkUrl url;
    try {
      url = SinkUrl.parse(to.strip());
    } catch (IllegalArgumentException e) {
      throw bad(spec, e.getMessage());
    }
    ServerSink.Tls security = security(spec, url);
    int port = url.port() > 0 ? url.port() : ServerSink.defaultPort(url.kind(), security);
    boolean imap = url.kind().imap();
    if (imap && (!recipients.isEmpty() || sender != null)) {
      throw bad(
          spec,
          (sender == null ? "--recipient" : "--sender")
              + " is for lmtp: and smtp(s)://; --to "
              + to
              + " puts each message into the folder the URL names");
    }
    List<String> rcpts = addresses(spec, url.kind() == SinkUrl.Kind.LMTP);
    if (!imap && rcpts.isEmpty()) {
      throw bad(
          spec,
          "--to "
              + to
              + " delivers to recipients: give each with --recipient ADDRESS (repeatable),"
              + " for example --recipient alice@example.org");
    }
    if (url.user() == null && secret != null) {
      throw bad(
          spec,
          secretOption()
              + " gives a secret, but --to "
              + to
              + " names no user to log in as: write "
              + url.kind().scheme
              + "://user@host");
    }
    if (url.user() != null && secret == null && (login || imap)) {
      throw bad(
          spec,
          "--to "
              + to
              + " logs in to the "
              + url.kind().protocol
              + " server as "
              + url.user()
              + ": give its secret with "
              + SECRETS
              + "; secrets never go on the command line"
              + (imap ? "" : " (leave the user out of the URL to send without logging in)"));
    }
    if (security == ServerSink.Tls.NONE && secret != null && !allowPlaintext) {
      throw bad(
          spec,
          "--sink-tls none sends the sink's password without encryption: add"
              + " --sink-allow-plaintext-auth if that is really meant (a test server on this machine),"
              + " or use TLS");
    }
    if (trustPem != null) {
      String option = "--sink-trust-pem " + trustPem;
      if (url.socket() != null || security == ServerSink.Tls.NONE) {
        throw bad(spec, option + ": no TLS is spoken with --to " + to + ", so nothing is checked");
      }
      String why = OAuthGrants.unusable(trustPem);
      if (why != null) {
        throw bad(
            spec,
            option
                + ": "
                + (why.startsWith("a directory")
                    ? "a directory, not a PEM file of CA certificates"
                    : why));
      }
    }
    Supplier<String> password = null;
    TokenProvider tokens = null;
    if (secret != null && secret.passwordEnv != null) {
      String name = secret.passwordEnv;
      Secrets.requireEnv(spec, env, "--sink-password-env", name);
      password = () -> env.get(name);
    } else if (secret != null && secret.passwordFile != null) {
      password =
          Secrets.fromFile(
              spec, "--sink-password-file", GmailOptions.expand(env, secret.passwordFile));
    } else if (secret != null && secret.tokenEnv != null) {
      String name = secret.tokenEnv;
      Secrets.requireEnv(spec, env, "--sink-oauth-token-env", name);
      tokens = () -> env.get(name);
    } else if (secret != null && secret.tokenFile != null) {
      Supplier<String> file =
          Secrets.fromFile(
              spec, "--sink-oauth-token-file", GmailOptions.expand(env, secret.tokenFile));
      tokens = file::get;
    } else if (secret != null) {
      tokens =
          OAuthGrants.sinkTokens(
              spec,
              "--sink-oauth-grant-file",
              GmailOptions.expand(env, secret.grantFile),
              url.user(),
              imap);
    }
    String from = sender == null ? null : address(spec, "--sender", sender);
    return new ServerSink(
        url,
        to.strip(),
        security,
        port,
        password,
        tokens,
        allowPlaintext,
        trustPem == null ? null : GmailOptions.expand(env, trustPem),
        rcpts,
        from,
        spec);
  }

  /** The security --sink-tls chooses for {@code url}, or its scheme's. */
  private ServerSink.Tls security(CommandSpec spec, SinkUrl url) {
    ServerSink.Tls chosen =
        url.kind().implicitTls()
            ? ServerSink.Tls.IMPLICIT
            : url.kind() == SinkUrl.Kind.LMTP ? ServerSink.Tls.NONE : ServerSink.Tls.STARTTLS;
    if (tls != null) {
      switch (tls.toLowerCase(Locale.ROOT)) {
        case "implicit":
          chosen = ServerSink.Tls.IMPLICIT;
          break;
        case "starttls":
          chosen = ServerSink.Tls.STARTTLS;
          break;
        case "none":
          chosen = ServerSink.Tls.NONE;
          break;
        default:
          throw bad(spec, "--sink-tls " + tls + " is not a mode: use implicit, starttls or none");
      }
    }
    if (url.socket() != null && chosen != ServerSink.Tls.NONE) {
      throw bad(
          spec,
          "--sink-tls "
              + tls
              + ": lmtp:"
              + url.socket()
              + " is a Unix socket on this machine, where no TLS is spoken; leave --sink-tls out");
    }
    return chosen;
  }

  /** The recipients, each checked and none twice; {@code lmtp}: a local user alone too. */
  private List<String> addresses(CommandSpec spec, boolean lmtp) {
    Set<String> seen = new LinkedHashSet<>();
    for (String r : recipients) {
      String a =
          lmtp && LOCAL_PART.matcher(r.strip()).matches()
              ? r.strip()
              : address(spec, "--recipient", r);
      if (!seen.add(a.toLowerCase(Locale.ROOT))) {
        throw bad(
            spec, "--recipient " + a + " is given twice: each message would be delivered twice");
      }
    }
    List<String> out = new ArrayList<>();
    for (String r : recipients) {
      out.add(r.strip());
    }
    return out;
  }

  /** {@code value} of {@code option} as an envelope address, or a bad argument saying why not. */
  private static String address(CommandSpec spec, String option, String value) {
    String a = value.strip();
    if (!ADDRESS.matcher(a).matches()) {
      throw bad(
          spec,
          option
              + " \""
              + FetchException.escape(value)
              + "\": not an address; write it as alice@example.org, without spaces or angle"
              + " brackets");
    }
    return a;
  }

  private static ParameterException bad(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
