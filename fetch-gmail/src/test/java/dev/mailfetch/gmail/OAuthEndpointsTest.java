package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.gmail.internal.oauth.Pkce;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The presets' addresses, the tenants Microsoft knows, and PKCE's S256 as RFC 7636 computes it. */
class OAuthEndpointsTest {
  @Test
  void google_signsInAtAccountsAndRefreshesAtOauth2() {
    OAuthEndpoints g = OAuthEndpoints.google();
    assertEquals(
        URI.create("https://accounts.google.com/o/oauth2/v2/auth"), g.authorizationEndpoint());
    assertEquals(URI.create("https://oauth2.googleapis.com/token"), g.tokenEndpoint());
    assertEquals(OAuthEndpoints.Provider.GOOGLE, g.provider());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "common",
        "consumers",
        "organizations",
        "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "contoso.onmicrosoft.com"
      })
  void microsoft_takesEachFormOfTenant(String tenant) {
    OAuthEndpoints m = OAuthEndpoints.microsoft(tenant);
    assertEquals(
        URI.create("https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token"),
        m.tokenEndpoint());
    assertEquals(
        URI.create("https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/authorize"),
        m.authorizationEndpoint());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "common/../x", "contoso", "a b", "consumers?x=1"})
  void microsoft_refusesATenantItCannotBe_namingTheForms(String tenant) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> OAuthEndpoints.microsoft(tenant));
    assertTrue(e.getMessage().contains("common, consumers, organizations"), e.getMessage());
  }

  @Test
  void plainHttp_isOnlyForLoopback() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            OAuthEndpoints.of(
                URI.create("http://example.com/a"), URI.create("https://example.com/t")));
    OAuthEndpoints fake =
        OAuthEndpoints.google()
            .at(
                URI.create("http://127.0.0.1:8080/auth"),
                URI.create("http://127.0.0.1:8080/token"));
    assertEquals(OAuthEndpoints.Provider.GOOGLE, fake.provider());
  }

  @Test
  void pkce_s256_matchesRfc7636AppendixB() {
    assertEquals(
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        Pkce.challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    Pkce p = Pkce.create();
    assertEquals(43, p.verifier.length(), "32 octets, base64url without padding");
    assertTrue(p.verifier.matches("[A-Za-z0-9_-]{43}"), p.verifier);
  }
}
