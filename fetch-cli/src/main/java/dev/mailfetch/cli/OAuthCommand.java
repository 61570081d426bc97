package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.gmail.OAuthEndpoints;
import dev.mailfetch.gmail.OAuthTokenFile;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailfetch oauth PROVIDER ADDRESS}: authorizes mailfetch once, in a browser, and keeps the
 * authorization (a refresh token) in a file only its owner may read, from which fetch and poll get
 * fresh access tokens unattended.
 */
@Command(
    name = "oauth",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    customSynopsis = {
      "mailfetch oauth PROVIDER ADDRESS [--pop3] [--imap] [--token-file FILE] [--client-file FILE |"
          + " --client-id-env NAME [--client-secret-env NAME]] [--tenant NAME] [--port N] [--wait SECONDS]"
    },
    description = {
      "Authorizes mailfetch once for an account at Google or Microsoft: prints an address to open in"
          + " any browser, waits for the answer on 127.0.0.1, and writes the authorization to a file only you may"
          + " read. fetch and poll then get fresh access tokens from it unattended.",
      "google ADDRESS: to deliver into that Gmail (--to gmail:ADDRESS); with --pop3 or --imap, to log in to"
          + " Gmail's POP3 or IMAP (--oauth-grant-file; one file serves both)."
          + " microsoft ADDRESS: to log in to Outlook.com or Microsoft 365 POP3, or with --imap their IMAP"
          + " (--oauth-grant-file; --pop3 --imap for one file that serves both)."
    },
    footer = {
      "",
      "The OAuth client's id and secret come from a file or the environment, never the command line"
          + " (setting one up: docs/oauth.md); to authorize again, the file's own client is used when none is given.",
      "",
      "Examples:",
      "  mailfetch oauth google me@gmail.com --client-file ~/client_secret.json",
      "  mailfetch oauth google alice@gmail.com --pop3 --client-file ~/cs.json \\",
      "      --token-file ~/.mailfetch/alice-pop3.token",
      "  MS_ID=... mailfetch oauth microsoft bob@outlook.com --client-id-env MS_ID \\",
      "      --token-file ~/.mailfetch/bob-pop3.token",
      "  MS_ID=... mailfetch oauth microsoft bob@outlook.com --imap \\",
      "      --client-id-env MS_ID --token-file ~/.mailfetch/bob-imap.token",
      "",
      "Exit codes: 0 the file is written, 2 bad arguments, otherwise the error's code (docs/errors.md)."
    })
final class OAuthCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "PROVIDER",
      arity = "0..1",
      hideParamSyntax = true,
      description = "google or microsoft (required).")
  String provider;

  @Parameters(
      index = "1",
      paramLabel = "ADDRESS",
      arity = "0..1",
      hideParamSyntax = true,
      description =
          "The account's e-mail address (required;" + " the browser asks you to sign in as it).")
  String address;

  @Option(
      names = "--pop3",
      description =
          "Authorize logging in to the account's POP3 server (XOAUTH2) rather than"
              + " delivering into Gmail; so for microsoft unless --imap alone is given.")
  boolean pop3;

  @Option(
      names = "--imap",
      description =
          "Authorize logging in to the account's IMAP server (XOAUTH2): for imaps:// accounts."
              + " Microsoft's POP3 authorization cannot log in to IMAP (give --pop3 --imap for both);"
              + " Google's serves both.")
  boolean imap;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "Where to write the authorization (default for"
              + " google without --pop3: the file token in ~/.mailfetch/gmail/ADDRESS, where --to gmail:ADDRESS looks; otherwise"
              + " required).")
  Path tokenFile;

  @ArgGroup(exclusive = false, multiplicity = "0..1")
  ClientFromEnvironment clientEnv;

  static final class ClientFromEnvironment {
    @Option(
        names = "--client-id-env",
        paramLabel = "NAME",
        required = true,
        description = "The OAuth client's id" + " is in this environment variable.")
    String idEnv;

    @Option(
        names = "--client-secret-env",
        paramLabel = "NAME",
        description =
            "Its secret is in this environment"
                + " variable (Microsoft's public clients have none).")
    String secretEnv;
  }

  @Option(
      names = "--client-file",
      paramLabel = "FILE",
      description =
          "The OAuth client as Google Cloud's console"
              + " downloads it (client_secret_….json): its id and secret. Not needed to authorize again: the token file's"
              + " client is used then.")
  Path clientFile;

  @Option(
      names = "--tenant",
      paramLabel = "NAME",
      description =
          "For microsoft: common (the default: personal"
              + " and work accounts), consumers, organizations, or your organisation's tenant id or domain.")
  String tenant;

  @Option(
      names = "--port",
      paramLabel = "N",
      converter = BadArguments.WholeNumber.class,
      description =
          "The port on" + " 127.0.0.1 that waits for the browser's answer (default: a free one).")
  Integer port;

  @Option(
      names = "--wait",
      paramLabel = "SECONDS",
      converter = BadArguments.WholeNumber.class,
      description =
          "How" + " long to wait for the browser's answer (default 300, at most 86400: a day).")
  Integer waitSeconds;

  /** For tests against a fake: the provider's authorization address (on this machine only). */
  @Option(names = "--authorization-endpoint", paramLabel = "URL", hidden = true)
  String authorizationEndpoint;

  /** For tests against a fake: the provider's token address (on this machine only). */
  @Option(names = "--token-endpoint", paramLabel = "URL", hidden = true)
  String tokenEndpoint;

  /**
   * For tests against a fake: Gmail's API, where the account that signed in is read (on this
   * machine only).
   */
  @Option(names = "--gmail-api", paramLabel = "URL", hidden = true)
  String gmailApi;

  /** The environment, so that tests can give one. */
  Map<String, String> env = System.getenv();

  /** Longest wait for the browser: a day. */
  static final int LONGEST_WAIT = 86_400;

  /** What the arguments ask for, checked. */
  record Request(
      String provider,
      String tenant,
      String address,
      boolean pop3,
      boolean imap,
      Path tokenFile,
      boolean defaultFile,
      String clientId,
      String clientSecret,
      int port,
      int waitSeconds,
      URI authorizationEndpoint,
      URI tokenEndpoint,
      URI gmailApi) {}

  @Override
  public Integer call() throws Exception {
    Request r = request();
    PrintWriter out = spec.commandLine().getOut();
    return OAuthFlow.run(r, out, spec, System.console() != null);
  }

  /**
   * The arguments as a request, or a bad argument that says what to type; nothing is written
   * before.
   */
  Request request() {
    if (provider == null || address == null) {
      throw bad(
          "which account? give the provider and the address, for example mailfetch oauth google"
              + " me@gmail.com --client-file ~/client_secret.json");
    }
    String p = provider.toLowerCase(Locale.ROOT);
    if (!p.equals("google") && !p.equals("microsoft")) {
      throw bad(
          provider
              + " is not a provider mailfetch knows; the providers are google (Gmail, Google Workspace)"
              + " and microsoft (Outlook.com, Microsoft 365)");
    }
    if (!GmailOptions.isAddress(address)) {
      throw bad(
          "\""
              + FetchException.escape(address)
              + "\" is not an e-mail address; write the"
              + " account's address, as me@gmail.com");
    }
    String a = address.toLowerCase(Locale.ROOT);
    boolean forPop3 = pop3 || (p.equals("microsoft") && !imap);
    Path file = GmailOptions.expand(env, tokenFile);
    if (file == null) {
      if (forPop3 || imap) {
        throw bad(
            "--token-file FILE is required for a"
                + (forPop3 && imap ? " POP3 and IMAP" : imap ? "n IMAP" : " POP3")
                + " authorization: name the file that fetch's"
                + " --oauth-grant-file will read, for example --token-file ~/.mailfetch/"
                + a
                + (forPop3 && imap ? "-mail" : imap ? "-imap" : "-pop3")
                + ".token");
      }
      file = GmailOptions.directory(env, a).resolve("token");
    }
    if (clientFile != null && clientEnv != null) {
      throw bad("--client-file and --client-id-env exclude each other: give one of them");
    }
    String id;
    String secret;
    OAuthTokenFile earlier = clientFile == null && clientEnv == null ? earlier(file, p) : null;
    if (earlier != null) { // authorizing again: the client the file was made with
      id = earlier.clientId();
      secret = earlier.clientSecret().orElse(null);
    } else if (clientFile == null && clientEnv == null) {
      throw bad(
          "which OAuth client? give its id and secret with --client-file FILE (the JSON Google Cloud's console"
              + " downloads) or --client-id-env NAME and --client-secret-env NAME (docs/oauth.md says how to make one)");
    } else if (clientFile != null) {
      String[] client = ClientFile.read(spec, clientFile, p);
      id = client[0];
      secret = client[1];
    } else {
      id = fromEnv("--client-id-env", clientEnv.idEnv);
      if (p.equals("google") && clientEnv.secretEnv == null) {
        throw bad(
            "--client-id-env without --client-secret-env: Google's Desktop app clients need their secret too;"
                + " give --client-secret-env NAME, or --client-file FILE (the JSON Google Cloud's console downloads)");
      }
      secret =
          clientEnv.secretEnv == null ? null : fromEnv("--client-secret-env", clientEnv.secretEnv);
    }
    if (port != null && (port < 0 || port > 65535)) {
      throw bad("--port " + port + ": a port is from 1 to 65535 (or 0 for a free one)");
    }
    if (waitSeconds != null && (waitSeconds < 1 || waitSeconds > LONGEST_WAIT)) {
      throw bad("--wait " + waitSeconds + ": from 1 to " + LONGEST_WAIT + " seconds");
    }
    URI auth =
        authorizationEndpoint == null
            ? null
            : GmailOptions.loopback(spec, "--authorization-endpoint", authorizationEndpoint);
    URI token =
        tokenEndpoint == null
            ? null
            : GmailOptions.loopback(spec, "--token-endpoint", tokenEndpoint);
    if (tenant != null && !p.equals("microsoft")) {
      throw bad("--tenant is for microsoft: Google has no tenants");
    }
    String t = tenant == null ? "common" : tenant.strip();
    try {
      OAuthEndpoints.microsoft(t);
    } catch (IllegalArgumentException e) {
      throw bad(
          "--tenant "
              + tenant
              + ": "
              + e.getMessage().replace("the Microsoft tenant must be", "write"));
    }
    return new Request(
        p,
        t,
        a,
        forPop3,
        imap,
        file,
        tokenFile == null,
        id,
        secret,
        port == null ? 0 : port,
        waitSeconds == null ? 300 : waitSeconds,
        auth,
        token,
        gmailApi == null
            ? GmailOptions.GMAIL_API
            : GmailOptions.loopback(spec, "--gmail-api", gmailApi));
  }

  /**
   * The authorization {@code file} already holds, when it can be read and is {@code provider}'s: to
   * authorize again, its client is used, so that no client file is needed. Null otherwise.
   */
  private static OAuthTokenFile earlier(Path file, String provider) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      OAuthTokenFile f = OAuthTokenFile.read(file);
      return f.endpoints().provider().id().equals(provider) ? f : null;
    } catch (FetchException e) {
      return null; // damaged, or others may read it: the client must be given
    }
  }

  private String fromEnv(String option, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      throw bad(Secrets.unsetVariable(option, name));
    }
    return v.strip();
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
