package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.gmail.OAuthEndpoints;
import dev.mailfetch.gmail.OAuthFailure;
import dev.mailfetch.gmail.OAuthScopes;
import dev.mailfetch.gmail.OAuthTokenProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * An authorization file {@code mailfetch oauth} wrote, as the token provider a POP3 login or the
 * Gmail API asks for access tokens. A file that cannot be used (missing, readable by others, not an
 * authorization, another provider's or another account's) is a bad argument naming the option and
 * the command that writes a good one; a grant that stops working later says that command too
 * ({@link AuthorizeAgain}).
 */
final class OAuthGrants {
  private OAuthGrants() {}

  /** A POP3 login's tokens, and the advice that names the command that authorizes again. */
  record Pop3Grant(TokenProvider tokens, AuthorizeAgain again) {}

  /**
   * The tokens of {@code file} (given with {@code option}) for the POP3 account of {@code user}.
   */
  static Pop3Grant tokens(
      CommandSpec spec, String option, Path file, Map<String, String> env, String user)
      throws FetchException {
    String why = unusable(file);
    String guess =
        "mailfetch oauth google|microsoft "
            + user
            + " --pop3 --token-file "
            + file
            + " --client-file CLIENT.json (google) or --client-id-env NAME (microsoft)";
    if (why != null) {
      throw bad(
          spec, option + " " + file + ": " + why + "; authorize mailfetch once with: " + guess);
    }
    OAuthTokenProvider p = open(spec, option, file, guess);
    String provider = p.grant().endpoints().provider().id();
    String again =
        "mailfetch oauth "
            + (provider.equals("other") ? "google|microsoft" : provider)
            + " "
            + p.account().orElse(user)
            + " --pop3 --token-file "
            + file;
    String pop =
        provider.equals("google")
            ? OAuthScopes.GOOGLE_MAIL
            : provider.equals("microsoft") ? OAuthScopes.MICROSOFT_POP : null;
    if (pop != null && p.grant().scopes().stream().noneMatch(pop::equalsIgnoreCase)) {
      throw bad(
          spec,
          option
              + " "
              + file
              + ": the authorization does not allow logging in to POP3 (it grants "
              + String.join(" ", p.grant().scopes())
              + ", not "
              + pop
              + (provider.equals("google")
                  ? "; an authorization" + " for --to gmail: cannot log in to Gmail's POP3"
                  : "")
              + "); authorize POP3 once with: "
              + again
              + " (a file of its own if the other is in use)");
    }
    AuthorizeAgain advice = new AuthorizeAgain(again);
    return new Pop3Grant(advice.tokens(p), advice);
  }

  /**
   * The tokens of {@code file} for delivery into the Gmail {@code address}; {@code again} is the
   * command that writes it anew.
   */
  static TokenProvider load(
      CommandSpec spec, String option, Path file, String again, String address)
      throws FetchException {
    OAuthTokenProvider p = open(spec, option, file, again);
    if (p.grant().endpoints().provider() == OAuthEndpoints.Provider.MICROSOFT) {
      throw bad(
          spec,
          option
              + " "
              + file
              + ": a Microsoft authorization; delivery into Gmail needs Google's: "
              + again);
    }
    String account = p.account().orElse(null);
    if (account != null && !account.toLowerCase(Locale.ROOT).equals(address)) {
      throw bad(
          spec,
          option
              + " "
              + file
              + ": the authorization is for "
              + account
              + ", not "
              + address
              + "; authorize mailfetch for "
              + address
              + " with: "
              + again);
    }
    return new AuthorizeAgain(again).tokens(p);
  }

  /**
   * The tokens of {@code file} (given with {@code option}) for logging in to a mail server sink as
   * {@code user} (IMAP, SMTP). At Google the scope is POP3's, {@code https://mail.google.com/}, so
   * the authorization {@code mailfetch oauth google USER --pop3} writes serves the sink too.
   */
  static TokenProvider sinkTokens(CommandSpec spec, String option, Path file, String user)
      throws FetchException {
    String again =
        "mailfetch oauth google|microsoft "
            + user
            + " --pop3 --token-file "
            + file
            + " --client-file CLIENT.json (google) or --client-id-env NAME (microsoft)";
    String why = unusable(file);
    if (why != null) {
      throw bad(
          spec, option + " " + file + ": " + why + "; authorize mailfetch once with: " + again);
    }
    OAuthTokenProvider p = open(spec, option, file, again);
    if (p.grant().endpoints().provider() == OAuthEndpoints.Provider.GOOGLE
        && p.grant().scopes().stream().noneMatch(OAuthScopes.GOOGLE_MAIL::equalsIgnoreCase)) {
      throw bad(
          spec,
          option
              + " "
              + file
              + ": the authorization does not allow logging in to Gmail's IMAP or SMTP (it grants "
              + String.join(" ", p.grant().scopes())
              + ", not "
              + OAuthScopes.GOOGLE_MAIL
              + "; an authorization for --to gmail: cannot); authorize once with: "
              + again);
    }
    return new AuthorizeAgain(again).tokens(p);
  }

  private static OAuthTokenProvider open(CommandSpec spec, String option, Path file, String again)
      throws FetchException {
    try {
      return OAuthTokenProvider.fromFile(file);
    } catch (FetchException e) {
      // The remedy's and the detail's words are read below only to join sentences (a full stop, the
      // command not said twice), never to decide what failed: the reason says that.
      String remedy = e.remedy().commandLine().strip();
      if (OAuthFailure.reasonOf(e).orElse(null) == OAuthFailure.Reason.FILE_TOO_OPEN) {
        // not an argument to correct but a file to protect: CONFIGURATION (78), its remedy chmod
        // 600 FILE
        throw new FetchException(
            e.error(),
            option + " " + file + ": " + e.detail(),
            null,
            e,
            Remedy.of(
                remedy
                    + (remedy.contains("mailfetch oauth ")
                        ? ""
                        : " Or authorize anew: "
                            + again
                            + (again.contains("--client") ? "" : " --client-file CLIENT.json")),
                e.remedy().library()));
      }
      throw bad(
          spec,
          option
              + " "
              + file
              + ": "
              + e.detail()
              + (e.detail().endsWith(".") ? " " : ". ")
              + remedy
              + (remedy.contains("mailfetch oauth ")
                  ? ""
                  : " Or authorize anew: "
                      + again
                      + (again.contains("--client")
                          ? ""
                          : " --client-file CLIENT.json (your OAuth client: docs/oauth.md)")));
    }
  }

  /** Why {@code file} cannot be read at all, or null. */
  static String unusable(Path file) {
    return Files.isDirectory(file)
        ? "a directory, not a file"
        : !Files.exists(file)
            ? "no such file"
            : !Files.isReadable(file) ? "not allowed to read it" : null;
  }

  private static ParameterException bad(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
