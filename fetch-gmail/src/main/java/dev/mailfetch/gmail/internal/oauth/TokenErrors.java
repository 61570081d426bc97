package dev.mailfetch.gmail.internal.oauth;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.gmail.OAuthEndpoints;
import java.util.Map;

/**
 * A token endpoint's refusal (RFC 6749 §5.2) as the error a person reads: what it means for this
 * provider and what to type. The provider's {@code error} and {@code error_description} are quoted
 * as the server's reply (escaped); nothing mailfetch sent is.
 */
final class TokenErrors {
  private TokenErrors() {}

  /** The 7-day rule, in the words docs/oauth.md uses too. */
  static final String GOOGLE_GONE =
      "Google drops a refresh token when the Google Cloud app's OAuth consent"
          + " screen is left in \"Testing\" (its refresh tokens stop working after 7 days: set the app's publishing"
          + " status to \"In production\", then authorize again), when access is removed at"
          + " myaccount.google.com/connections, after six months unused, when the account's password changes (the"
          + " grant covers Gmail), or when the account holds too many grants for this client (over 100)";

  static final String MICROSOFT_GONE =
      "Microsoft drops a refresh token when it goes unused for 90 days, when"
          + " the password changes or the account's sessions are revoked, or when an administrator's policy or"
          + " consent withdraws access (the AADSTS number in Microsoft's words says which)";

  static FetchException refusal(
      OAuthEndpoints endpoints,
      String where,
      int status,
      Map<String, Object> json,
      boolean refresh,
      boolean withSecret) {
    String error =
        json == null || !(json.get("error") instanceof String) ? null : (String) json.get("error");
    String description =
        json == null || !(json.get("error_description") instanceof String)
            ? null
            : (String) json.get("error_description");
    String reply =
        error == null ? "HTTP " + status : error + (description == null ? "" : ": " + description);
    OAuthEndpoints.Provider p = endpoints.provider();
    String again = "mailfetch oauth";
    if (status == 429 || status >= 500) {
      return new FetchException(
          FetchError.SERVER_TEMPORARY,
          where
              + " could not answer now (HTTP "
              + status
              + ")"
              + (status == 429 ? ": too many requests" : ""),
          reply,
          null,
          Remedy.of("Try again later: nothing was lost, and the refresh token is kept."));
    }
    if (error == null) {
      if (status == 404 || status == 405) {
        return new FetchException(
            FetchError.CONFIGURATION,
            where
                + " answered HTTP "
                + status
                + ": there is no"
                + " token endpoint at "
                + endpoints.tokenEndpoint(),
            reply,
            null,
            Remedy.of(
                "Check the token endpoint's"
                    + " address (the token file's token_endpoint); for Google and Microsoft authorize again with "
                    + again
                    + ", which writes the right one.",
                "Check the token endpoint's address (OAuthEndpoints)."));
      }
      return new FetchException(
          FetchError.PROTOCOL,
          where + " answered HTTP " + status + " without an OAuth error" + " code (RFC 6749 §5.2)",
          reply,
          null,
          Remedy.of(
              "Try again later; if it persists, the address is not"
                  + " an OAuth token endpoint or something between (a proxy) answers for it."));
    }
    switch (error) {
      case "invalid_grant":
        if (!refresh) {
          return new FetchException(
              FetchError.AUTH_FAILED,
              where
                  + " refused the sign-in's code (invalid_grant):"
                  + " it was used already, is more than a few minutes old, or was issued for another redirect",
              reply,
              null,
              Remedy.of(
                  "Authorize again with "
                      + again
                      + ", and finish the sign-in within a few minutes.",
                  "Authorize again (OAuthAuthorization), and finish the sign-in within a few minutes."));
        }
        String why =
            p == OAuthEndpoints.Provider.GOOGLE
                ? GOOGLE_GONE
                : p == OAuthEndpoints.Provider.MICROSOFT
                    ? MICROSOFT_GONE
                    : "The provider revoked it, or it expired";
        return new FetchException(
            FetchError.AUTH_FAILED,
            where
                + " refused the refresh token (invalid_grant): the"
                + " grant is gone, and no access token can be had with it",
            reply,
            null,
            Remedy.of(
                "Authorize again with " + again + ". " + why + ".",
                "Authorize again (OAuthAuthorization) and use the new token file. " + why + "."));
      case "invalid_client":
      case "unauthorized_client":
        String where2 =
            p == OAuthEndpoints.Provider.GOOGLE
                ? "the Google Cloud console (APIs & Services,"
                    + " Credentials: an OAuth client of type Desktop app)"
                : p == OAuthEndpoints.Provider.MICROSOFT
                    ? "the app registration in the Microsoft Entra admin center (its Application (client) ID, with the"
                        + " platform Mobile and desktop applications)"
                    : "the provider's client registration";
        return new FetchException(
            FetchError.CONFIGURATION,
            where
                + " does not accept this OAuth client ("
                + error
                + "): its client id is unknown or deleted, "
                + (withSecret
                    ? "its secret is wrong, "
                    : "it wants a client" + " secret and none was given, ")
                + "or it may not use this grant",
            reply,
            null,
            Remedy.of(
                "Check the client id"
                    + (withSecret ? " and secret" : "")
                    + " against "
                    + where2
                    + "; then authorize again with "
                    + again
                    + ".",
                "Check the client id"
                    + (withSecret ? " and secret" : "")
                    + " against "
                    + where2
                    + "; then authorize again (OAuthAuthorization)."));
      case "invalid_scope":
        return new FetchException(
            FetchError.CONFIGURATION,
            where + " refused the scopes asked for (invalid_scope)",
            reply,
            null,
            Remedy.of(
                "Ask for the scopes docs/oauth.md names for this provider, and add them to the"
                    + " app's consent screen (Google) or API permissions (Microsoft)."));
      default:
        // invalid_request, unsupported_grant_type, or a provider's own code.
        return new FetchException(
            FetchError.CONFIGURATION,
            where + " refused the request (" + error + ")",
            reply,
            null,
            Remedy.of(
                "Check the token file's endpoints and client against docs/oauth.md; if they are right,"
                    + " authorize again with "
                    + again
                    + ".",
                "Check the endpoints and client against docs/oauth.md; if"
                    + " they are right, authorize again (OAuthAuthorization)."));
    }
  }
}
