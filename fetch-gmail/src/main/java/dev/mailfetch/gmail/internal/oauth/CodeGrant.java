package dev.mailfetch.gmail.internal.oauth;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.gmail.OAuthEndpoints;
import dev.mailfetch.gmail.OAuthScopes;
import dev.mailfetch.gmail.OAuthTokenFile;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the provider's answer to a sign-in becomes (RFC 6749 §4.1.2): an error said in words, or the
 * code traded for tokens (with the PKCE verifier), checked (a refresh token, every scope asked for,
 * for Google the mailbox that signed in) and written as the grant. Nothing is saved unless all of
 * it holds. The work of {@code OAuthAuthorization.Pending} once an answer with its state came.
 */
public final class CodeGrant {
  private final OAuthEndpoints endpoints;
  private final String clientId;
  private final String clientSecret;
  private final List<String> scopes;
  private final String account;
  private final Path tokenFile;
  private final URI gmailApi;
  private final HttpClient http;
  private final Clock clock;
  private final Duration timeout;

  /**
   * @param account the address that should sign in, or null for any
   * @param tokenFile where to write the grant, or null to only return it
   * @param timeout how long the exchange at the token endpoint (and the profile read) may take
   */
  public CodeGrant(
      OAuthEndpoints endpoints,
      String clientId,
      String clientSecret,
      List<String> scopes,
      String account,
      Path tokenFile,
      URI gmailApi,
      HttpClient http,
      Clock clock,
      Duration timeout) {
    this.endpoints = endpoints;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.scopes = List.copyOf(scopes);
    this.account = account;
    this.tokenFile = tokenFile;
    this.gmailApi = gmailApi;
    this.http = http;
    this.clock = clock;
    this.timeout = timeout;
  }

  /**
   * The grant of an answer whose {@code state} is this sign-in's.
   *
   * @param params the answer's query parameters ({@code code}, or {@code error})
   */
  public OAuthTokenFile finish(Map<String, String> params, String verifier, URI redirect)
      throws FetchException {
    String error = params.get("error");
    if (error != null) {
      String said =
          error
              + (params.containsKey("error_description")
                  ? ": " + params.get("error_description")
                  : "");
      throw refused(error, said);
    }
    TokenResponse r =
        new TokenEndpoint(endpoints, clientId, clientSecret, http, timeout)
            .exchange(params.get("code"), verifier, redirect);
    if (r.refreshToken == null) {
      throw new FetchException(
          FetchError.AUTH_FAILED,
          "the provider granted access but gave no refresh token,"
              + " so mailfetch could not keep working unattended; nothing was saved",
          null,
          null,
          Remedy.of(
              endpoints.provider() == OAuthEndpoints.Provider.MICROSOFT
                  ? "Ask for the offline_access scope"
                      + " too (mailfetch oauth does for Microsoft), then sign in again."
                  : "Remove mailfetch's access at the"
                      + " provider (for Google, myaccount.google.com/connections), then sign in again."));
    }
    List<String> granted = r.scope == null ? scopes : List.of(r.scope.trim().split("\\s+"));
    Set<String> missing = missing(scopes, granted);
    if (!missing.isEmpty()) {
      throw new FetchException(
          FetchError.AUTH_FAILED,
          "access was granted without "
              + String.join(", ", missing)
              + ", which mailfetch asked for and needs; nothing was saved",
          null,
          null,
          Remedy.of("Sign in again and" + " leave every permission on the consent page ticked."));
    }
    String signedIn = account;
    if (endpoints.provider() == OAuthEndpoints.Provider.GOOGLE) {
      signedIn = SignedInAccount.gmailAddress(http, gmailApi, r.accessToken, timeout);
      if (account != null && !account.equalsIgnoreCase(signedIn)) {
        throw otherAccount(signedIn);
      }
    }
    OAuthTokenFile grant =
        OAuthTokenFile.builder()
            .endpoints(endpoints)
            .clientId(clientId)
            .clientSecret(clientSecret)
            .scopes(scopes)
            .account(signedIn)
            .authorizedAt(clock.instant())
            .refreshToken(r.refreshToken)
            .build();
    if (tokenFile != null) {
      try {
        grant.write(tokenFile);
      } catch (IOException e) {
        throw new FetchException(
            FetchError.CONFIGURATION,
            "access was granted, and the token file "
                + tokenFile
                + " could not be written ("
                + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage())
                + "); nothing was saved",
            null,
            e,
            Remedy.of(
                "Choose a token file in a"
                    + " directory this user can write to, then sign in again."));
      }
    }
    return grant;
  }

  /**
   * The provider's {@code error} answer ({@code said}: with its description) in words: {@code
   * access_denied} is the person's (or their administrator's) refusal, anything else a client or
   * scopes the provider does not accept.
   */
  static FetchException refused(String error, String said) {
    if (error.equals("access_denied")) {
      return new FetchException(
          FetchError.AUTH_FAILED,
          "access was not granted in the browser (access_denied);" + " nothing was saved",
          said,
          null,
          Remedy.of(
              "Sign in again and allow access. If the provider"
                  + " refused it for you (\"access blocked\", \"app not verified\"), add your account to the Google"
                  + " Cloud app's test users or publish the app (docs/oauth.md)."));
    }
    return new FetchException(
        FetchError.CONFIGURATION,
        "the provider refused the sign-in (" + error + ");" + " nothing was saved",
        said,
        null,
        Remedy.of(
            "Check the client id and the scopes against docs/oauth.md"
                + " (the provider's words say which is wrong), then sign in again."));
  }

  private FetchException otherAccount(String signedIn) {
    return new FetchException(
        FetchError.AUTH_FAILED,
        "the browser signed in as "
            + signedIn
            + ", not as "
            + account
            + ", so this authorization would open "
            + signedIn
            + "'s mailbox; nothing was saved"
            + (tokenFile == null ? "" : " (" + tokenFile + " is as it was)"),
        null,
        null,
        Remedy.of(
            "Sign in"
                + " again and choose "
                + account
                + " in the browser (sign out of "
                + signedIn
                + " there, or use a"
                + " private window); or, if "
                + signedIn
                + " is the mailbox you mean, authorize that address.",
            "Sign in again as "
                + account
                + ", or give OAuthAuthorization.Builder.account the address that"
                + " signed in."));
  }

  /**
   * The scopes asked for that the answer does not list, in any case ({@code offline_access} is
   * never listed).
   */
  static Set<String> missing(List<String> asked, List<String> granted) {
    Set<String> have = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    have.addAll(granted);
    Set<String> missing = new TreeSet<>();
    for (String s : asked) {
      if (!have.contains(s) && !s.equals(OAuthScopes.MICROSOFT_OFFLINE_ACCESS)) {
        missing.add(s);
      }
    }
    return missing;
  }
}
