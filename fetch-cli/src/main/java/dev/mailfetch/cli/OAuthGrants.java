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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * An authorization file {@code mailfetch oauth} wrote, as the token provider a POP3 or IMAP login
 * or the Gmail API asks for access tokens. A file that cannot be used (missing, readable by others,
 * not an authorization, another provider's or another account's, one without the scope of the
 * protocol it is used for) is a bad argument naming the option and the command that writes a good
 * one; a grant that stops working later says that command too ({@link AuthorizeAgain}).
 */
final class OAuthGrants {
  private OAuthGrants() {}

  /** The mail server a grant logs in to, with the words and the flag of {@code mailfetch oauth}. */
  enum Login {
    POP3("POP3", "--pop3", OAuthScopes.MICROSOFT_POP),
    IMAP("IMAP", "--imap", OAuthScopes.MICROSOFT_IMAP);

    final String word;
    final String flag;
    final String microsoftScope;

    Login(String word, String flag, String microsoftScope) {
      this.word = word;
      this.flag = flag;
      this.microsoftScope = microsoftScope;
    }

    /**
     * The scope a login needs at {@code provider} ("google", "microsoft"), or null where unknown:
     * Google's one mail scope serves POP3 and IMAP alike, Microsoft's are one per protocol.
     */
    String scope(String provider) {
      return provider.equals("google")
          ? OAuthScopes.GOOGLE_MAIL
          : provider.equals("microsoft") ? microsoftScope : null;
    }
  }

  /** A mail server login's tokens, and the advice that names the command that authorizes again. */
  record ServerGrant(TokenProvider tokens, AuthorizeAgain again) {}

  /**
   * The tokens of {@code file} (given with {@code option}) for the {@code login} account of {@code
   * user}. A grant without the scope of that protocol is refused here, before any connection, with
   * the command that writes one that has it.
   */
  static ServerGrant tokens(CommandSpec spec, String option, Path file, String user, Login login)
      throws FetchException {
    String why = unusable(file);
    String guess =
        "mailfetch oauth google|microsoft "
            + user
            + " "
            + login.flag
            + " --token-file "
            + file
            + " --client-file CLIENT.json (google) or --client-id-env NAME (microsoft)";
    if (why != null) {
      throw bad(
          spec, option + " " + file + ": " + why + "; authorize mailfetch once with: " + guess);
    }
    OAuthTokenProvider p = open(spec, option, file, guess);
    String provider = p.grant().endpoints().provider().id();
    String account = p.account().orElse(user);
    // At Microsoft a file may hold both protocols' scopes (--pop3 --imap): authorizing again must
    // keep both, or the other protocol's account stops working.
    Login other = login == Login.POP3 ? Login.IMAP : Login.POP3;
    boolean holdsOther =
        provider.equals("microsoft")
            && p.grant().scopes().stream().anyMatch(other.microsoftScope::equalsIgnoreCase);
    String both = "--pop3 --imap";
    String again = again(provider, account, holdsOther ? both : login.flag, file);
    String needed = login.scope(provider);
    if (needed != null && p.grant().scopes().stream().noneMatch(needed::equalsIgnoreCase)) {
      throw bad(
          spec,
          option
              + " "
              + file
              + ": the authorization does not allow logging in to "
              + login.word
              + " (it grants "
              + String.join(" ", p.grant().scopes())
              + ", not "
              + needed
              + (provider.equals("google")
                  ? "; an authorization for --to gmail: cannot log in to Gmail's " + login.word
                  : "")
              + "); authorize "
              + login.word
              + " once with: "
              + again
              + (holdsOther
                  ? " (the file then serves "
                      + other.word
                      + " and "
                      + login.word
                      + "), or give "
                      + login.flag
                      + " alone with another --token-file for a file of its own"
                  : " (a file of its own if the other is in use)"));
    }
    AuthorizeAgain advice = new AuthorizeAgain(again);
    return new ServerGrant(advice.tokens(p), advice);
  }

  /** The command that authorizes {@code account} again into {@code file}. */
  private static String again(String provider, String account, String flags, Path file) {
    return "mailfetch oauth "
        + (provider.equals("other") ? "google|microsoft" : provider)
        + " "
        + account
        + " "
        + flags
        + " --token-file "
        + file;
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
   * {@code user} (IMAP where {@code imap}, else SMTP). At Google the scope is POP3's, {@code
   * https://mail.google.com/}, so the authorization {@code mailfetch oauth google USER --pop3} (or
   * {@code --imap}) writes serves the sink too; at Microsoft an IMAP sink needs the IMAP scope.
   */
  static TokenProvider sinkTokens(
      CommandSpec spec, String option, Path file, String user, boolean imap) throws FetchException {
    String flag = imap ? Login.IMAP.flag : Login.POP3.flag;
    String again =
        "mailfetch oauth google|microsoft "
            + user
            + " "
            + flag
            + " --token-file "
            + file
            + " --client-file CLIENT.json (google) or --client-id-env NAME (microsoft)";
    String why = unusable(file);
    if (why != null) {
      throw bad(
          spec, option + " " + file + ": " + why + "; authorize mailfetch once with: " + again);
    }
    OAuthTokenProvider p = open(spec, option, file, again);
    OAuthEndpoints.Provider provider = p.grant().endpoints().provider();
    String needed =
        provider == OAuthEndpoints.Provider.GOOGLE
            ? OAuthScopes.GOOGLE_MAIL
            : provider == OAuthEndpoints.Provider.MICROSOFT && imap
                ? OAuthScopes.MICROSOFT_IMAP
                : null;
    if (needed != null && p.grant().scopes().stream().noneMatch(needed::equalsIgnoreCase)) {
      throw bad(
          spec,
          option
              + " "
              + file
              + ": the authorization does not allow logging in to "
              + (provider == OAuthEndpoints.Provider.GOOGLE ? "Gmail's IMAP or SMTP" : "IMAP")
              + " (it grants "
              + String.join(" ", p.grant().scopes())
              + ", not "
              + needed
              + (provider == OAuthEndpoints.Provider.GOOGLE
                  ? "; an authorization for --to gmail: cannot"
                  : "")
              + "); authorize once with: "
              + again(provider.id(), p.account().orElse(user), flag, file));
    }
    return new AuthorizeAgain(again(provider.id(), p.account().orElse(user), flag, file)).tokens(p);
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
