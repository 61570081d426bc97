package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.Quirk;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A token the server refuses as expired or revoked: the client tells the provider ({@code
 * invalidate}), asks it once more and, where it gives another token, logs in with it in the same
 * session; only a second refusal (or no fresher token) ends in AUTH_TOKEN_EXPIRED.
 */
@Timeout(60)
class OAuthRetryTest {
  /** Hands out its tokens in order, the next one only after the current one was invalidated. */
  static final class RefreshingProvider implements TokenProvider {
    private final Deque<String> next;
    private String current;
    final List<String> invalidated = new ArrayList<>();
    int asked;

    RefreshingProvider(String... tokens) {
      this.next = new ArrayDeque<>(List.of(tokens));
      this.current = next.poll();
    }

    @Override
    public synchronized String accessToken() {
      asked++;
      return current;
    }

    @Override
    public synchronized void invalidate(String token) {
      invalidated.add(token);
      if (token.equals(current) && !next.isEmpty()) {
        current = next.poll();
      }
    }
  }

  static FakePop3Server.Builder server(boolean q42) {
    FakePop3Server.Builder b =
        FakePop3Server.builder()
            .account(
                "alice", "unused-password", FakeMailbox.create().add("Subject: a\r\n\r\nbody\r\n"));
    return q42 ? b.quirk(Quirk.Q42_OAUTH_ERROR_CONTINUATION) : b;
  }

  static Pop3Source client(FakePop3Server s, TokenProvider tokens, AuthMechanism m) {
    return Pop3Source.builder()
        .host("localhost")
        .port(s.port())
        .security(Security.NONE)
        .allowPlaintextAuthentication(true)
        .user("alice")
        .oauthTokens(tokens)
        .mechanisms(m)
        .limits(
            Pop3Limits.builder()
                .readTimeout(Duration.ofSeconds(5))
                .commandTimeout(Duration.ofSeconds(10))
                .build())
        .build();
  }

  /**
   * Q42: the JSON continuation says 401 (XOAUTH2) or invalid_token (OAUTHBEARER); without: -ERR
   * [AUTH] Token expired.
   */
  @ParameterizedTest(name = "{0}, Google/Microsoft JSON error: {1}")
  @EnumSource(
      value = AuthMechanism.class,
      names = {"XOAUTH2", "OAUTHBEARER"})
  void anExpiredToken_isInvalidated_andAFreshOneLogsInInTheSameSession(AuthMechanism m)
      throws Exception {
    for (boolean q42 : new boolean[] {true, false}) {
      try (FakePop3Server s =
          server(q42).expiredOauthToken("alice", "old").oauthToken("alice", "fresh").start()) {
        RefreshingProvider tokens = new RefreshingProvider("old", "fresh");
        try (FetchSession session = client(s, tokens, m).open()) {
          assertTrue(session.quit(), "logged in, and the session ended well");
        }
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals(Optional.of("alice"), s.session(1).loggedInUser());
        assertEquals(1, s.sessions().size(), "one session");
        assertEquals(
            2, s.session(1).commands("AUTH").size(), m + " q42=" + q42 + ": " + s.session(1));
        assertEquals(List.of("old"), tokens.invalidated);
        assertEquals(2, tokens.asked);
      }
    }
  }

  @ParameterizedTest(name = "Google/Microsoft JSON error: {0}")
  @ValueSource(booleans = {true, false})
  void aFreshTokenRefusedToo_isAuthTokenExpired_afterOneRetryOnly(boolean q42) {
    try (FakePop3Server s =
        server(q42)
            .expiredOauthToken("alice", "t1")
            .expiredOauthToken("alice", "t2")
            .expiredOauthToken("alice", "t3")
            .start()) {
      RefreshingProvider tokens = new RefreshingProvider("t1", "t2", "t3");
      FetchException e =
          assertThrows(FetchException.class, () -> client(s, tokens, AuthMechanism.XOAUTH2).open());
      // What the server said of the second token decides: expired (Q42's JSON) or a bare refusal.
      assertEquals(
          q42 ? FetchError.AUTH_TOKEN_EXPIRED : FetchError.AUTH_FAILED, e.error(), e.getMessage());
      assertTrue(e.getMessage().contains("a fresh one"), e.getMessage());
      assertTrue(
          e.remedy().commandLine().contains("mailfetch oauth")
              && e.remedy().commandLine().contains("https://mail.google.com/"),
          e.remedy().commandLine());
      assertFalse(
          e.getMessage().contains("t1") || e.getMessage().contains("t2"), "no token in the words");
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(2, s.session(1).commands("AUTH").size(), "one retry, no more");
      assertEquals(List.of("t1", "t2"), tokens.invalidated, "both refused tokens invalidated");
    }
  }

  @ParameterizedTest(name = "Google/Microsoft JSON error: {0}")
  @ValueSource(booleans = {true, false})
  void aProviderWithoutAFresherToken_failsAtOnce_withoutASecondAuth(boolean q42) {
    try (FakePop3Server s = server(q42).expiredOauthToken("alice", "old").start()) {
      RefreshingProvider tokens = new RefreshingProvider("old");
      FetchException e =
          assertThrows(FetchException.class, () -> client(s, tokens, AuthMechanism.XOAUTH2).open());
      assertEquals(
          q42 ? FetchError.AUTH_TOKEN_EXPIRED : FetchError.AUTH_FAILED, e.error(), e.getMessage());
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(1, s.session(1).commands("AUTH").size());
      assertEquals(List.of("old"), tokens.invalidated);
    }
  }

  @ParameterizedTest(name = "Google/Microsoft JSON error: {0}")
  @ValueSource(booleans = {true, false})
  void Q41_theRetryGoesTwoStepToo(boolean q42) throws Exception {
    try (FakePop3Server s =
        server(q42)
            .quirk(Quirk.Q41_XOAUTH2_TWO_STEP)
            .expiredOauthToken("alice", "old")
            .oauthToken("alice", "fresh")
            .start()) {
      RefreshingProvider tokens = new RefreshingProvider("old", "fresh");
      try (FetchSession session = client(s, tokens, AuthMechanism.XOAUTH2).open()) {
        assertTrue(session.quit());
      }
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(Optional.of("alice"), s.session(1).loggedInUser());
      assertEquals(List.of("old"), tokens.invalidated);
    }
  }

  @ParameterizedTest(name = "Google/Microsoft JSON error: {0}")
  @ValueSource(booleans = {true, false})
  void Q39_aServerThatHangsUpOnTheRefusal_keepsTheFreshTokenForTheNextLogin(boolean q42) {
    try (FakePop3Server s =
        server(q42)
            .quirk(Quirk.Q39_CLOSE_ON_AUTH_FAIL)
            .expiredOauthToken("alice", "old")
            .oauthToken("alice", "fresh")
            .start()) {
      RefreshingProvider tokens = new RefreshingProvider("old", "fresh");
      FetchException e =
          assertThrows(FetchException.class, () -> client(s, tokens, AuthMechanism.XOAUTH2).open());
      assertEquals(
          FetchError.AUTH_TOKEN_EXPIRED, e.error(), "retryable: the next login has a fresh token");
      assertTrue(e.getMessage().contains("the next login uses the fresh one"), e.getMessage());
      assertEquals(Optional.of(QuirkId.Q39), e.quirk(), "the error is marked with its quirk");
      assertEquals(
          List.of("old"),
          tokens.invalidated,
          "the fresh token, which never reached the server, is kept");
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(1, s.session(1).commands("AUTH").size(), "the server saw one AUTH");
    }
  }

  /**
   * A token refused even fresh says the grant is at fault, not the mechanism: OAUTHBEARER is not
   * tried after XOAUTH2 with yet more fresh tokens (which would only cost refreshes).
   */
  @ParameterizedTest(name = "Google/Microsoft JSON error: {0}")
  @ValueSource(booleans = {true, false})
  void aGrantRefusedTwice_isNotTriedAgainWithTheOtherOAuthMechanism(boolean q42) {
    try (FakePop3Server s =
        server(q42)
            .saslMechanisms("XOAUTH2", "OAUTHBEARER")
            .expiredOauthToken("alice", "t1")
            .expiredOauthToken("alice", "t2")
            .expiredOauthToken("alice", "t3")
            .expiredOauthToken("alice", "t4")
            .start()) {
      RefreshingProvider tokens = new RefreshingProvider("t1", "t2", "t3", "t4");
      Pop3Source both =
          Pop3Source.builder()
              .host("localhost")
              .port(s.port())
              .security(Security.NONE)
              .allowPlaintextAuthentication(true)
              .user("alice")
              .oauthTokens(tokens)
              .mechanisms(AuthMechanism.XOAUTH2, AuthMechanism.OAUTHBEARER)
              .limits(
                  Pop3Limits.builder()
                      .readTimeout(Duration.ofSeconds(5))
                      .commandTimeout(Duration.ofSeconds(10))
                      .build())
              .build();
      FetchException e = assertThrows(FetchException.class, both::open);
      assertTrue(e.getMessage().contains("a fresh one"), e.getMessage());
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(
          2,
          s.session(1).commands("AUTH").size(),
          "XOAUTH2 twice, no OAUTHBEARER: " + s.session(1));
      assertEquals(List.of("t1", "t2"), tokens.invalidated);
    }
  }
}
