package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import dev.mailfetch.testkit.gmail.FaultRule;
import dev.mailfetch.testkit.gmail.GmailFault;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink with fetch-gmail's own refresh-token provider against the fake Google: an access token
 * Gmail refuses is refreshed once at the token endpoint and the run goes on; a grant gone ({@code
 * invalid_grant}) stops the run with AUTH_FAILED before anything is imported or deleted.
 */
@Timeout(120)
class GmailWithRefreshTokensTest {
  @TempDir Path dir;

  private static OAuthTokenProvider provider(GmailRig rig) throws FetchException {
    return OAuthTokenProvider.builder()
        .endpoints(OAuthEndpoints.google().at(rig.gmail.authorizationUri(), rig.gmail.tokenUri()))
        .clientId(FakeGmailServer.TEST_CLIENT_ID)
        .clientSecret(FakeGmailServer.TEST_CLIENT_SECRET)
        .refreshToken(
            rig.gmail.grant(
                GmailRig.ME,
                FakeGmailServer.SCOPE_INSERT,
                FakeGmailServer.SCOPE_LABELS,
                FakeGmailServer.SCOPE_READONLY))
        .build();
  }

  @Test
  void anAccessTokenExpiredBeforeItsTime_isRefreshedOnce_andEveryMessageArrives()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(5))) {
      OAuthTokenProvider tokens = provider(rig);
      tokens.accessToken();
      rig.gmail.expireAccessTokens(); // Gmail now refuses the token the provider holds
      FetchResult r;
      try (GmailImportSink sink = rig.sink().tokens(tokens).build()) {
        r = rig.run(sink);
      }
      assertTrue(r.ok(), r::summary);
      assertEquals(GmailRig.once(1, 5), rig.copiesByMessageId());
      assertEquals(2, rig.gmail.refreshGrants(), "one refresh at the start, one after the 401");
      assertEquals(Set.of(), rig.onServer());
    }
  }

  @Test
  void INVALID_GRANT_atTheTokenEndpoint_isAuthFailed_andNothingIsImportedOrDeleted()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(5))) {
      OAuthTokenProvider tokens = provider(rig);
      rig.gmail.inject(FaultRule.of(GmailFault.INVALID_GRANT).always());
      FetchResult r;
      try (GmailImportSink sink = rig.sink().tokens(tokens).build()) {
        r = rig.run(sink);
      }
      FetchException e = r.error().orElseThrow(() -> new AssertionError(r.summary()));
      assertEquals(FetchError.AUTH_FAILED, e.error(), e.getMessage());
      assertEquals(0, rig.inGmail().size());
      assertEquals(5, rig.onServer().size(), "nothing deleted");
    }
  }
}
