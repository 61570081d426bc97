package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.Quirk;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Case A-08: with the protocol trace at its most verbose, no password, token or SASL payload
 * reaches the log, whatever the mechanism, and whether the login succeeds or fails.
 */
@Isolated
@Timeout(60)
class SecretsNeverLoggedTest {
  private static final String PASSWORD = "s3cret pässword";
  private static final String TOKEN = "ya29.SECRET-TOKEN-" + "x".repeat(300);

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theTraceShowsTheConversation_butNoSecret() throws Exception {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      try (FakePop3Server server =
          FakePop3Server.builder()
              .account("alice", PASSWORD, FakeMailbox.create().add("Subject: a\r\n\r\nbody\r\n"))
              .oauthToken("alice", TOKEN)
              .expiredOauthToken("alice", "expired-" + TOKEN)
              .saslMechanisms("PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER", "CRAM-MD5")
              .quirk(Quirk.Q42_OAUTH_ERROR_CONTINUATION)
              .start()) {
        for (AuthMechanism m :
            new AuthMechanism[] {
              AuthMechanism.USER,
              AuthMechanism.PLAIN,
              AuthMechanism.LOGIN,
              AuthMechanism.XOAUTH2,
              AuthMechanism.OAUTHBEARER,
              AuthMechanism.CRAM_MD5
            }) {
          Pop3Source.Builder b =
              Pop3Source.builder()
                  .host("localhost")
                  .port(server.port())
                  .security(Security.NONE)
                  .allowPlaintextAuthentication(true)
                  .user("alice")
                  .mechanisms(m)
                  .limits(Pop3Limits.builder().commandTimeout(Duration.ofSeconds(5)).build());
          if (m == AuthMechanism.XOAUTH2 || m == AuthMechanism.OAUTHBEARER) {
            b.oauthTokens(() -> TOKEN);
          } else {
            b.password(() -> PASSWORD);
          }
          FetchResult r =
              Fetcher.builder()
                  .source(b.build())
                  .sink(InMemorySink.create())
                  .uidStore(InMemoryUidStore.create())
                  .retention(Retention.KEEP)
                  .build()
                  .run();
          assertTrue(r.ok(), m + ": " + r.summary());
        }
        // A failed login, and an expired token answered with Google's JSON continuation.
        Fetcher.builder()
            .source(
                Pop3Source.builder()
                    .host("localhost")
                    .port(server.port())
                    .security(Security.NONE)
                    .allowPlaintextAuthentication(true)
                    .user("alice")
                    .password(() -> "wrong " + PASSWORD)
                    .build())
            .sink(InMemorySink.create())
            .uidStore(InMemoryUidStore.create())
            .build()
            .run();
        Fetcher.builder()
            .source(
                Pop3Source.builder()
                    .host("localhost")
                    .port(server.port())
                    .security(Security.NONE)
                    .allowPlaintextAuthentication(true)
                    .user("alice")
                    .oauthTokens(() -> "expired-" + TOKEN)
                    .build())
            .sink(InMemorySink.create())
            .uidStore(InMemoryUidStore.create())
            .build()
            .run();
        // The expired token refused, invalidated, and the login retried with a fresh one.
        AtomicReference<String> current = new AtomicReference<>("expired-" + TOKEN);
        TokenProvider refreshing =
            new TokenProvider() {
              @Override
              public String accessToken() {
                return current.get();
              }

              @Override
              public void invalidate(String token) {
                current.set(TOKEN);
              }
            };
        FetchResult retried =
            Fetcher.builder()
                .source(
                    Pop3Source.builder()
                        .host("localhost")
                        .port(server.port())
                        .security(Security.NONE)
                        .allowPlaintextAuthentication(true)
                        .user("alice")
                        .oauthTokens(refreshing)
                        .mechanisms(AuthMechanism.XOAUTH2)
                        .build())
                .sink(InMemorySink.create())
                .uidStore(InMemoryUidStore.create())
                .retention(Retention.KEEP)
                .build()
                .run();
        assertTrue(retried.ok(), "the retry logged in: " + retried.summary());
      }
    } finally {
      System.setErr(saved);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertTrue(
        log.contains("C: PASS <redacted>"), "the trace is on and shows the login: " + log.length());
    assertTrue(log.contains("C: AUTH PLAIN <redacted>"));
    assertTrue(log.contains("S: +OK Logged in"));
    assertTrue(log.contains("C: AUTH CRAM-MD5"), "the CRAM-MD5 exchange is traced too");
    for (String secret :
        new String[] {
          PASSWORD,
          TOKEN,
          b64(PASSWORD),
          b64("\0alice\0" + PASSWORD),
          b64("user=alice\u0001auth=Bearer " + TOKEN + "\u0001\u0001"),
          "SECRET-TOKEN",
          "s3cret"
        }) {
      assertFalse(
          log.contains(secret),
          "the log holds a secret: " + secret.substring(0, Math.min(12, secret.length())));
    }
  }
}
