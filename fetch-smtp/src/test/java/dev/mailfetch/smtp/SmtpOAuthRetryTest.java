package dev.mailfetch.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.testkit.smtp.FakeSmtpServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An access token the server refuses as expired is invalidated at the provider and a fresh one
 * tried once, with a new AUTH, as fetch-pop3 does; a fresh one refused too is the grant's fault.
 */
@Timeout(30)
class SmtpOAuthRetryTest {

  /** Hands out its tokens in turn (the last one again when they run out); records invalidations. */
  static final class Tokens implements TokenProvider {
    final Deque<String> next;
    final List<String> invalidated = new CopyOnWriteArrayList<>();
    private String current;

    Tokens(String... tokens) {
      this.next = new ArrayDeque<>(List.of(tokens));
      this.current = next.poll();
    }

    @Override
    public synchronized String accessToken() {
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

  private static SmtpSink sink(FakeSmtpServer fake, TokenProvider tokens) {
    return SmtpSink.builder()
        .host("localhost")
        .port(fake.port())
        .security(SmtpSecurity.NONE)
        .user("bob@example.org")
        .oauthTokens(tokens)
        .allowPlaintextAuthentication(true)
        .recipients("bob@example.org")
        .build();
  }

  private static void deliver(SmtpSink sink) throws IOException {
    Delivery d = sink.begin(new Envelope("a", "u", 0, Set.of(), false));
    d.write(ByteBuffer.wrap("Subject: oauth\n\nb\n".getBytes(StandardCharsets.US_ASCII)));
    d.complete(DeliveryKey.of("a", "u"));
  }

  @Test
  void anExpiredToken_isInvalidated_andAFreshOneLogsIn() throws IOException {
    Tokens tokens = new Tokens("expired-token", "fresh-token");
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp("AUTH XOAUTH2").refuseTokens("expired-token").start();
        SmtpSink sink = sink(fake, tokens)) {
      deliver(sink);
      assertEquals(1, fake.messages().size(), "delivered after the second AUTH");
      assertEquals(List.of("expired-token", "fresh-token"), fake.tokensOffered());
      assertEquals(List.of("expired-token"), tokens.invalidated);
    }
  }

  @Test
  void anExpiredToken_overLmtp_isRetriedWithAFreshOne() throws IOException {
    Tokens tokens = new Tokens("expired-token", "fresh-token");
    try (FakeSmtpServer fake =
            FakeSmtpServer.lmtp("AUTH OAUTHBEARER").refuseTokens("expired-token").start();
        LmtpSink sink =
            LmtpSink.builder()
                .host("localhost")
                .port(fake.port())
                .user("bob@example.org")
                .oauthTokens(tokens)
                .allowPlaintextAuthentication(true)
                .recipients("bob")
                .build()) {
      assertTrue(sink.check().contains("logged in as bob@example.org with AUTH OAUTHBEARER"));
      assertEquals(List.of("expired-token", "fresh-token"), fake.tokensOffered());
    }
  }

  @Test
  void aFreshTokenRefusedToo_isTokenExpired_naming_theGrant() throws IOException {
    Tokens tokens = new Tokens("expired-token", "fresh-token");
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp("AUTH XOAUTH2")
                .refuseTokens("expired-token", "fresh-token")
                .start();
        SmtpSink sink = sink(fake, tokens)) {
      FetchException e = assertThrows(FetchException.class, () -> deliver(sink));
      assertEquals(FetchError.AUTH_TOKEN_EXPIRED, e.error());
      assertTrue(e.detail().contains("and then a fresh one"), e.detail());
      assertTrue(e.remedy().commandLine().contains("--sink-oauth-grant-file"));
      assertEquals(List.of("expired-token", "fresh-token"), fake.tokensOffered());
      assertEquals(List.of("expired-token", "fresh-token"), tokens.invalidated);
      assertTrue(fake.messages().isEmpty());
    }
  }

  @Test
  void aProviderThatCannotRefresh_isAskedOnce_andTheRefusalStands() throws IOException {
    Tokens tokens = new Tokens("expired-token");
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp("AUTH XOAUTH2").refuseTokens("expired-token").start();
        SmtpSink sink = sink(fake, tokens)) {
      FetchException e = assertThrows(FetchException.class, () -> deliver(sink));
      assertEquals(FetchError.AUTH_TOKEN_EXPIRED, e.error());
      assertEquals(List.of("expired-token"), fake.tokensOffered(), "the same token is not resent");
      assertEquals(List.of("expired-token"), tokens.invalidated);
    }
  }
}
