package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageOutcome.Kind;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.HostileCase;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection that ends outside any message (while listing, case R-05) is CONNECTION_RESET with
 * advice of its own: there is no message that was cut off. One that ends inside a message (quirk
 * Q36) keeps the code's advice about that message.
 */
@Timeout(60)
class ResetOutsideAMessageTest {
  private static FetchException firstError(Consumer<FakePop3Server.Builder> server) {
    FakePop3Server.Builder b =
        FakePop3Server.builder().account("alice", "pw", MailCorpus.generate(31, 3).toMailbox());
    server.accept(b);
    try (FakePop3Server s = b.start()) {
      Pop3Source source =
          Pop3Source.builder()
              .host("localhost")
              .port(s.port())
              .security(Security.NONE)
              .allowPlaintextAuthentication(true)
              .user("alice")
              .password(() -> "pw")
              .limits(
                  Pop3Limits.builder()
                      .readTimeout(Duration.ofSeconds(3))
                      .commandTimeout(Duration.ofSeconds(3))
                      .build())
              .build();
      FetchResult r =
          Fetcher.builder()
              .source(source)
              .sink(InMemorySink.create())
              .uidStore(InMemoryUidStore.create())
              .build()
              .run();
      return r.firstError().orElseThrow();
    }
  }

  @Test
  void R05_DISCONNECT_MID_LISTING_isAReset_withoutTheAdviceForAMessageCutOff() {
    FetchException e = firstError(b -> HostileCase.R05_DISCONNECT_MID_LISTING.applyTo(b, null));
    assertEquals(FetchError.CONNECTION_RESET, e.error(), e.getMessage());
    assertTrue(e.detail().contains("listing"), e.detail());
    String advice = e.remedy().commandLine().toLowerCase(Locale.ROOT);
    assertFalse(advice.contains("cut off"), advice);
    assertTrue(
        advice.contains("outside any message") && advice.contains("nothing was deleted"), advice);
    assertTrue(e.remedy().library().contains("Pop3Doctor"), e.remedy().library());
  }

  @Test
  void Q36_DROP_MID_RETR_isAReset_withTheAdviceForTheMessageCutOff() {
    FetchException e = firstError(b -> b.quirk(Quirk.Q36_DROP_MID_RETR));
    assertEquals(FetchError.CONNECTION_RESET, e.error(), e.getMessage());
    assertEquals(
        FetchError.CONNECTION_RESET.remedy(),
        e.remedy(),
        "the code's own advice: a message was cut off");
  }

  /**
   * Pipelined, the reset of a connection cut inside RETR 1 can reach the client while it still
   * sends RETR 2 (the kernel then drops what of message 1 had arrived). It is the same failure
   * inside message 1 and must be charged to message 1 every run, so that a message that breaks the
   * connection is quarantined after as many runs as the setting says, not after a number that
   * depends on timing. Twenty runs, so that both orders occur.
   */
  @Test
  void Q36_DROP_MID_RETR_pipelined_everyRunChargesTheMessageCutOff_whereverTheResetIsMet() {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "pw", MailCorpus.generate(36, 3).toMailbox())
            .quirk(Quirk.Q36_DROP_MID_RETR)
            .start()) {
      Pop3Source source =
          Pop3Source.builder()
              .host("localhost")
              .port(s.port())
              .security(Security.NONE)
              .allowPlaintextAuthentication(true)
              .user("alice")
              .password(() -> "pw")
              .build();
      for (int run = 1; run <= 20; run++) {
        FetchResult r =
            Fetcher.builder()
                .source(source)
                .sink(InMemorySink.create())
                .uidStore(InMemoryUidStore.create())
                .build()
                .run();
        s.awaitSessionsEnded(Duration.ofSeconds(10));
        FetchException e = r.error().orElseThrow();
        assertEquals(FetchError.CONNECTION_RESET, e.error(), e.getMessage());
        MessageOutcome m1 = r.outcomes().get(0);
        int n = run;
        assertEquals(
            Kind.FAILED, m1.kind(), () -> "run " + n + ": " + r.summary() + " / " + e.getMessage());
        assertTrue(m1.attempted(), () -> "run " + n + ": charged to message 1: " + e.getMessage());
        assertTrue(m1.error().detail().contains("message 1"), m1.error().detail());
      }
    }
  }
}
