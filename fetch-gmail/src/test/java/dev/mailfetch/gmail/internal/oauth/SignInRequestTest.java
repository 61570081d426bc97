package dev.mailfetch.gmail.internal.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.gmail.OAuthEndpoints;
import dev.mailfetch.gmail.OAuthScopes;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The sign-in's address asks for what RFC 8252 and the providers need, and the provider's answer is
 * judged in words.
 */
class SignInRequestTest {
  private static final URI REDIRECT = URI.create("http://127.0.0.1:4711/");

  @Test
  void google_isAskedForARefreshTokenEveryTime_withPkceAndTheAccountAsHint() {
    URI a =
        SignInRequest.address(
            OAuthEndpoints.google(),
            "id 1",
            List.of("s1", "s2"),
            "me@gmail.com",
            REDIRECT,
            "st",
            "ch");
    String q = a.getRawQuery();
    assertEquals(
        "response_type=code&client_id=id%201&redirect_uri=http%3A%2F%2F127.0.0.1%3A4711%2F"
            + "&scope=s1%20s2&state=st&code_challenge=ch&code_challenge_method=S256"
            + "&access_type=offline&prompt=consent&login_hint=me%40gmail.com",
        q);
    assertTrue(a.toString().startsWith(OAuthEndpoints.google().authorizationEndpoint() + "?"));
  }

  @Test
  void anotherProvider_withAQueryInItsEndpoint_getsNoGoogleParameters_andNoHintWithoutAccount() {
    OAuthEndpoints e =
        OAuthEndpoints.of(
            URI.create("https://login.example/authorize?tenant=x"),
            URI.create("https://login.example/token"));
    URI a = SignInRequest.address(e, "id", List.of("s"), null, REDIRECT, "st", "ch");
    assertTrue(
        a.toString().startsWith("https://login.example/authorize?tenant=x&response_type=code"));
    assertFalse(a.toString().contains("access_type"));
    assertFalse(a.toString().contains("prompt="));
    assertFalse(a.toString().contains("login_hint"));
  }

  @Test
  void missingScopes_areThoseNotGranted_inAnyCase_butNeverOfflineAccess() {
    assertEquals(
        Set.of("b"),
        CodeGrant.missing(
            List.of("A", "b", OAuthScopes.MICROSOFT_OFFLINE_ACCESS), List.of("a", "c")));
    assertEquals(Set.of(), CodeGrant.missing(List.of("a"), List.of("A")));
  }

  @Test
  void accessDenied_isTheRefusalOfAccess_andAnyOtherError_isTheClientsConfiguration() {
    FetchException denied = CodeGrant.refused("access_denied", "access_denied: no");
    assertEquals(FetchError.AUTH_FAILED, denied.error());
    assertTrue(denied.getMessage().contains("access was not granted in the browser"));
    FetchException other = CodeGrant.refused("invalid_client", "invalid_client");
    assertEquals(FetchError.CONFIGURATION, other.error());
    assertTrue(other.getMessage().contains("the provider refused the sign-in (invalid_client)"));
  }

  @Test
  void noAnswerInTime_saysHowLongItWaited_andHowManyAnswersOfAnotherSignInWereIgnored() {
    FetchException e = SignInFailures.noAnswer(Duration.ofMinutes(5), REDIRECT, 2);
    assertEquals(FetchError.AUTH_FAILED, e.error());
    assertTrue(e.getMessage().contains("no answer from the sign-in within 5 minutes"));
    assertTrue(e.getMessage().contains("2 answers for another sign-in arrived and were ignored"));
    String one = SignInFailures.noAnswer(Duration.ofSeconds(90), REDIRECT, 0).getMessage();
    assertTrue(one.contains("within 90 seconds: it was not finished"), one);
    assertFalse(one.contains("another sign-in"), one);
  }
}
