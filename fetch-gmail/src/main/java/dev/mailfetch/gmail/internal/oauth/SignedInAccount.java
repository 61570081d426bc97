package dev.mailfetch.gmail.internal.oauth;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.gmail.internal.BoundedExchange;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Which Gmail mailbox a sign-in's access token opens ({@code users.getProfile}), read before its
 * grant is written: {@code login_hint} is only a hint, and a browser signed in to another Google
 * account grants access to that one. Every scope set mailfetch asks Google for allows the read
 * ({@code gmail.readonly} in the import preset, {@code https://mail.google.com/} for POP3).
 */
public final class SignedInAccount {
  private SignedInAccount() {}

  /**
   * The address of the mailbox {@code accessToken} opens, lower case.
   *
   * @throws FetchException AUTH_FAILED when Gmail does not answer with a profile (nothing is saved
   *     then), a network error as it is
   */
  public static String gmailAddress(HttpClient http, URI api, String accessToken, Duration timeout)
      throws FetchException {
    URI profile = api.resolve("gmail/v1/users/me/profile");
    HttpRequest req =
        HttpRequest.newBuilder(profile)
            .timeout(timeout)
            .header("Accept", "application/json")
            .header("Authorization", "Bearer " + accessToken)
            .GET()
            .build();
    HttpResponse<byte[]> resp;
    try {
      resp = BoundedExchange.send(http, req, timeout, TokenEndpoint.MAX_ANSWER).response();
    } catch (InterruptedIOException e) {
      throw new FetchException(
          FetchError.STOPPED,
          "checking which account signed in was interrupted; nothing" + " was saved",
          e);
    } catch (IOException e) {
      throw new FetchException(
          FetchError.CONNECTION_RESET,
          "access was granted, but Gmail ("
              + profile.getHost()
              + ") could not be asked which account signed in ("
              + e.getClass().getSimpleName()
              + "); nothing was"
              + " saved",
          null,
          e,
          Remedy.of("Check this machine's network, then sign in again."));
    }
    Map<String, Object> json = TokenEndpoint.TokenJson.object(resp.body());
    Object address = json == null ? null : json.get("emailAddress");
    if (resp.statusCode() != 200 || !(address instanceof String) || ((String) address).isBlank()) {
      throw new FetchException(
          FetchError.AUTH_FAILED,
          "access was granted, but Gmail did not say which account"
              + " signed in (users.getProfile answered status "
              + resp.statusCode()
              + "); nothing was saved",
          null,
          null,
          Remedy.of(
              "Sign in again and leave every permission on the consent page ticked; an account without"
                  + " Gmail cannot be used."));
    }
    return ((String) address).strip().toLowerCase(Locale.ROOT);
  }
}
