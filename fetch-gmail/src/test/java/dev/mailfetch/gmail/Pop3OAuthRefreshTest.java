package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.pop3.AuthMechanism;
import dev.mailfetch.pop3.Pop3Limits;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.Quirk;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * POP3 with XOAUTH2 and the refresh-token provider, end to end: the fake POP3 server asks the fake
 * Google whether a token is good (as Dovecot's oauth2 passdb asks an introspection URL); when the
 * access token has expired, the login invalidates it, the provider refreshes at the fake token
 * endpoint, and the same session logs in with the fresh one.
 */
@Timeout(60)
class Pop3OAuthRefreshTest {
  static final String ME = "me@gmail.com";
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;
  FakeGmailServer gmail;

  @BeforeEach
  void start() {
    gmail = FakeGmailServer.start().addAccount(ME);
  }

  @AfterEach
  void stop() {
    assertEquals(List.of(), gmail.internalErrors(), "the fake's own bugs");
    gmail.close();
  }

  /**
   * The fake Google's answer for this token: its profile, when the token is good and this
   * account's.
   */
  boolean introspect(String token) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(gmail.baseUri().resolve("gmail/v1/users/me/profile"))
                  .header("Authorization", "Bearer " + token)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("\"" + ME + "\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  FakePop3Server pop3() {
    return FakePop3Server.builder()
        .account(ME, "unused", FakeMailbox.create().add("Subject: a\r\n\r\nbody\r\n"))
        .oauthTokenCheck(ME, this::introspect)
        .quirk(Quirk.Q42_OAUTH_ERROR_CONTINUATION)
        .start();
  }

  Pop3Source source(FakePop3Server s, OAuthTokenProvider tokens) {
    return Pop3Source.builder()
        .host("localhost")
        .port(s.port())
        .security(Security.NONE)
        .allowPlaintextAuthentication(true)
        .user(ME)
        .oauthTokens(tokens)
        .mechanisms(AuthMechanism.XOAUTH2)
        .limits(
            Pop3Limits.builder()
                .readTimeout(Duration.ofSeconds(5))
                .commandTimeout(Duration.ofSeconds(10))
                .build())
        .build();
  }

  Path tokenFile(String refreshToken) throws IOException {
    Path file = dir.resolve("gmail-pop3.json");
    OAuthTokenFile.builder()
        .endpoints(OAuthEndpoints.google().at(gmail.authorizationUri(), gmail.tokenUri()))
        .clientId(FakeGmailServer.TEST_CLIENT_ID)
        .clientSecret(FakeGmailServer.TEST_CLIENT_SECRET)
        .scopes(OAuthScopes.GMAIL_POP3)
        .account(ME)
        .refreshToken(refreshToken)
        .build()
        .write(file);
    return file;
  }

  @Test
  void anExpiredAccessToken_isRefreshed_andTheSameSessionLogsIn() throws Exception {
    OAuthTokenProvider tokens =
        OAuthTokenProvider.fromFile(tokenFile(gmail.grant(ME, FakeGmailServer.SCOPE_MAIL)));
    try (FakePop3Server s = pop3()) {
      try (FetchSession session = source(s, tokens).open()) {
        assertTrue(session.quit());
      }
      assertEquals(1, gmail.refreshGrants());
      gmail.expireAccessTokens(); // the cached token is now refused, as Google refuses one past its
      // hour
      try (FetchSession session = source(s, tokens).open()) {
        assertTrue(session.quit());
      }
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(2, s.sessions().size());
      assertEquals(1, s.session(1).commands("AUTH").size());
      assertEquals(
          2,
          s.session(2).commands("AUTH").size(),
          "refused, then the fresh token in the same session");
      assertEquals(Optional.of(ME), s.session(2).loggedInUser());
      assertEquals(2, gmail.refreshGrants(), "one refresh after the refusal");
    }
  }

  @Test
  void aRevokedGrant_isAuthFailed_withTheRemedyInWords() throws Exception {
    String refresh = gmail.grant(ME, FakeGmailServer.SCOPE_MAIL);
    OAuthTokenProvider tokens = OAuthTokenProvider.fromFile(tokenFile(refresh));
    try (FakePop3Server s = pop3()) {
      try (FetchSession session = source(s, tokens).open()) {
        assertTrue(session.quit());
      }
      gmail.revoke(refresh);
      gmail.expireAccessTokens();
      FetchException e = assertThrows(FetchException.class, () -> source(s, tokens).open());
      assertEquals(FetchError.AUTH_FAILED, e.error(), e.getMessage());
      assertTrue(e.getMessage().contains("invalid_grant"), e.getMessage());
      assertTrue(
          e.remedy().commandLine().contains("mailfetch oauth")
              && e.remedy().commandLine().contains("7 days"),
          e.remedy().commandLine());
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(1, s.session(2).commands("AUTH").size(), "no second AUTH without a fresh token");
    }
  }
}
