package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The OAuth builders under mailfetch's one builder policy: each setting once, no secret shown. */
class OAuthBuildersTest {
  private static OAuthTokenFile grant() {
    return OAuthTokenFile.builder()
        .endpoints(OAuthEndpoints.google())
        .clientId("cid")
        .clientSecret("csecret")
        .refreshToken("rtoken")
        .build();
  }

  @Test
  void aGrantsSettingSetTwice_isRefused_showingItsValue_butNeverASecret() {
    assertEquals(
        "clientId was already set to cid",
        assertThrows(
                IllegalStateException.class,
                () -> OAuthTokenFile.builder().clientId("cid").clientId("other"))
            .getMessage());
    assertEquals(
        "refreshToken was already set",
        assertThrows(
                IllegalStateException.class,
                () -> OAuthTokenFile.builder().refreshToken("rtoken").refreshToken("next"))
            .getMessage());
  }

  @Test
  void aGrantsToBuilder_startsWithNoneGiven_soEachMayBeChangedOnce() {
    OAuthTokenFile rotated = grant().toBuilder().refreshToken("next").build();
    assertEquals("next", rotated.refreshToken());
    assertEquals("cid", rotated.clientId());
  }

  @Test
  void theProvidersAndTheSignInsSettings_areTakenOnce() {
    assertEquals(
        "requestTimeout was already set to PT30S",
        assertThrows(
                IllegalStateException.class,
                () ->
                    OAuthTokenProvider.builder()
                        .requestTimeout(Duration.ofSeconds(30))
                        .requestTimeout(Duration.ofSeconds(5)))
            .getMessage());
    assertEquals(
        "clientSecret was already set",
        assertThrows(
                IllegalStateException.class,
                () -> OAuthAuthorization.builder().clientSecret("s1").clientSecret("s2"))
            .getMessage());
    assertEquals(
        "port was already set to 8080",
        assertThrows(
                IllegalStateException.class,
                () -> OAuthAuthorization.builder().port(8080).port(8081))
            .getMessage());
  }
}
