package dev.mailfetch.gmail;

import static dev.mailfetch.api.MessageOutcome.Kind.DELIVERED;
import static dev.mailfetch.api.MessageOutcome.Kind.FAILED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.gmail.FaultRule;
import dev.mailfetch.testkit.gmail.GmailEndpoint;
import dev.mailfetch.testkit.gmail.GmailFault;
import dev.mailfetch.testkit.gmail.InjectedFault;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure the fake Gmail injects, met by a real fetch in delete mode: the typed outcome, and
 * nothing lost (every message in Gmail once, or still on the POP3 server), nothing deleted before
 * Gmail had it, nothing imported twice where the message has a Message-ID.
 */
@Timeout(120)
class GmailFaultsTest {
  @TempDir Path dir;

  private static void assertAllDeliveredOnce(GmailRig rig, FetchResult r, int n) {
    assertTrue(r.ok(), r::summary);
    assertEquals(n, r.count(DELIVERED), r::summary);
    assertEquals(
        GmailRig.once(1, n), rig.copiesByMessageId(), "each message in Gmail exactly once");
    assertEquals(
        Set.of(), rig.onServer(), "all deleted from the POP3 server, after Gmail had them");
  }

  /** Nothing deleted from the server that Gmail does not hold; nothing twice in Gmail. */
  private static void assertNothingLost(GmailRig rig, int n) {
    for (int i = 1; i <= n; i++) {
      int copies = rig.copiesByMessageId().getOrDefault("<m" + i + "@example.org>", 0);
      assertTrue(copies <= 1, "message " + i + " imported " + copies + " times");
      assertTrue(
          copies == 1 || rig.onServer().contains("u" + i),
          "message " + i + " neither in Gmail nor on the server");
    }
  }

  private static int failuresCounted(GmailRig rig, int n) {
    int sum = 0;
    for (int i = 1; i <= n; i++) {
      sum += rig.store.get("u" + i).map(UidRecord::failures).orElse(0);
    }
    return sum;
  }

  @Test
  void TOKEN_REFUSED_401_once_theTokenIsHandedBackAndTheImportTriedOnceMore() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(6))) {
      InjectedFault f = rig.gmail.inject(FaultRule.of(GmailFault.TOKEN_REFUSED_401));
      FetchResult r = rig.runOnce();
      assertAllDeliveredOnce(rig, r, 6);
      assertEquals(1, f.hits());
      assertEquals(1, rig.tokens.invalidated.get(), "the refused token was handed back once");
      assertEquals(2, rig.tokens.issued.get(), "and a fresh one fetched");
    }
  }

  @Test
  void TOKEN_REFUSED_401_twice_isAuthTokenExpired_andStopsTheRun_losingNothing()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(6))) {
      rig.gmail.inject(
          FaultRule.of(GmailFault.TOKEN_REFUSED_401).always().at(GmailEndpoint.PROFILE));
      FetchResult r = rig.runOnce();
      FetchException e = r.error().orElseThrow(() -> new AssertionError(r.summary()));
      assertEquals(FetchError.AUTH_TOKEN_EXPIRED, e.error(), e.getMessage());
      assertTrue(e.getMessage().contains("twice"), e.getMessage());
      assertFalse(e.getMessage().contains(rig.tokens.accessToken()), "no token in the words");
      assertEquals(0, rig.inGmail().size());
      assertEquals(6, rig.onServer().size(), "nothing deleted");
      assertEquals(
          0, failuresCounted(rig, 6), "the destination's failure counts against no message");
    }
  }

  @Test
  void INVALID_GRANT_isAuthFailed_stopsTheRunAtOnce_andImportsNothing() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(6))) {
      // What the refresh-token provider throws when Google answers invalid_grant.
      FetchResult r;
      try (GmailImportSink sink =
          rig.sink()
              .tokens(
                  () -> {
                    throw new FetchException(
                        FetchError.AUTH_FAILED,
                        "Google refused the refresh token for "
                            + GmailRig.ME
                            + " (invalid_grant: Token has been expired or revoked.)");
                  })
              .build()) {
        r = rig.run(sink);
      }
      FetchException e = r.error().orElseThrow(() -> new AssertionError(r.summary()));
      assertEquals(FetchError.AUTH_FAILED, e.error());
      assertTrue(e.getMessage().contains("invalid_grant"), e.getMessage());
      assertEquals(0, rig.inGmail().size());
      assertEquals(6, rig.onServer().size());
      assertEquals(0, failuresCounted(rig, 6));
    }
  }

  @Test
  void TOO_MANY_REQUESTS_429_withRetryAfter_isHonoured_andEveryMessageArrivesOnce()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(6))) {
      InjectedFault f =
          rig.gmail.inject(
              FaultRule.of(GmailFault.TOO_MANY_REQUESTS_429)
                  .times(2)
                  .retryAfter(Duration.ofSeconds(2)));
      long t0 = System.nanoTime();
      FetchResult r = rig.runOnce();
      long took = System.nanoTime() - t0;
      assertAllDeliveredOnce(rig, r, 6);
      assertEquals(2, f.hits());
      assertTrue(
          took >= Duration.ofSeconds(2).toNanos(),
          "Retry-After was honoured: " + took / 1_000_000 + " ms");
    }
  }

  @Test
  void
      TOO_MANY_REQUESTS_429_withARetryAfterLongerThanTheBudget_endsWithinTheBudget_withQuotaExceeded()
          throws Exception {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(2))) {
      // message 2 meets a 500 and waits to try again; meanwhile message 1 meets Retry-After: 900,
      // which
      // pauses every request of the sink: message 2's next try must not sleep past its budget
      rig.gmail.inject(
          FaultRule.of(GmailFault.BACKEND_ERROR_500).forMessageContaining("<m2@example.org>"));
      rig.gmail.inject(
          FaultRule.of(GmailFault.TOO_MANY_REQUESTS_429)
              .forMessageContaining("<m1@example.org>")
              .retryAfter(Duration.ofSeconds(900)));
      long t0 = System.nanoTime();
      FetchResult r =
          Assertions.assertTimeoutPreemptively(
              Duration.ofSeconds(60),
              () -> {
                try (GmailImportSink sink = rig.sink().retryBudget(Duration.ofSeconds(3)).build()) {
                  return rig.run(sink);
                }
              });
      long took = System.nanoTime() - t0;
      FetchException e = r.firstError().orElseThrow(() -> new AssertionError(r.summary()));
      assertEquals(FetchError.QUOTA_EXCEEDED, e.error(), e.getMessage());
      assertTrue(
          took < Duration.ofSeconds(20).toNanos(), "returned in " + took / 1_000_000 + " ms");
      assertTrue(
          rig.onServer().contains("u1"), "message 1, which Gmail never took, stays on the server");
      assertNothingLost(rig, 2);
    }
  }

  @Test
  void RATE_LIMIT_EXCEEDED_403_isRetriedWithBackoff() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(4))) {
      InjectedFault f = rig.gmail.inject(FaultRule.of(GmailFault.RATE_LIMIT_EXCEEDED_403).times(2));
      assertAllDeliveredOnce(rig, rig.runOnce(), 4);
      assertEquals(2, f.hits());
    }
  }

  @Test
  void USER_RATE_LIMIT_EXCEEDED_403_isRetriedWithBackoff() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(4))) {
      InjectedFault f =
          rig.gmail.inject(FaultRule.of(GmailFault.USER_RATE_LIMIT_EXCEEDED_403).times(2));
      assertAllDeliveredOnce(rig, rig.runOnce(), 4);
      assertEquals(2, f.hits());
    }
  }

  @Test
  void rateLimitedBeyondTheRetryBudget_isQuotaExceeded_andLosesNothing() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(4))) {
      rig.gmail.inject(FaultRule.of(GmailFault.USER_RATE_LIMIT_EXCEEDED_403).always());
      FetchResult r;
      try (GmailImportSink sink = rig.sink().retryBudget(Duration.ofSeconds(2)).build()) {
        r = rig.run(sink);
      }
      FetchException e = r.error().orElseThrow(() -> new AssertionError(r.summary()));
      assertEquals(FetchError.QUOTA_EXCEEDED, e.error(), e.getMessage());
      assertTrue(e.retryable());
      assertTrue(e.getMessage().contains("slow down"), e.getMessage());
      assertEquals(4, rig.onServer().size(), "nothing deleted");
      assertEquals(0, failuresCounted(rig, 4));
    }
  }

  @Test
  void DAILY_LIMIT_EXCEEDED_403_endsTheRunWithQuotaExceeded_retryable_andTheNextRunFinishes()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(12))) {
      // The limit is met at the fourth import: the first three arrive, the run stops after its
      // batch.
      InjectedFault f =
          rig.gmail.inject(
              FaultRule.of(GmailFault.DAILY_LIMIT_EXCEEDED_403)
                  .always()
                  .forMessageContaining("Message-ID: <m4@"));
      FetchResult r;
      try (GmailImportSink sink = rig.sink().parallelism(1).build()) {
        r = rig.run(sink);
      }
      FetchException e = r.error().orElseThrow(() -> new AssertionError(r.summary()));
      assertEquals(FetchError.QUOTA_EXCEEDED, e.error());
      assertTrue(e.retryable());
      assertTrue(e.getMessage().contains("daily limit"), e.getMessage());
      assertTrue(rig.onServer().contains("u4"), "the message Gmail refused stays");
      assertTrue(rig.onServer().size() >= 9, "the run stopped: " + rig.onServer());
      assertNothingLost(rig, 12);
      assertEquals(0, failuresCounted(rig, 12), "a quota counts against no message");
      f.remove();
      FetchResult next = rig.runOnce();
      assertTrue(next.ok(), next::summary);
      assertEquals(
          GmailRig.once(1, 12), rig.copiesByMessageId(), "each message in Gmail exactly once");
      assertEquals(Set.of(), rig.onServer());
    }
  }

  @Test
  void BACKEND_ERROR_500_isRetried_andNoMessageArrivesTwice() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(5))) {
      InjectedFault f = rig.gmail.inject(FaultRule.of(GmailFault.BACKEND_ERROR_500).times(3));
      assertAllDeliveredOnce(rig, rig.runOnce(), 5);
      assertEquals(3, f.hits());
    }
  }

  @Test
  void SERVICE_UNAVAILABLE_503_isRetried_andNoMessageArrivesTwice() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(5))) {
      InjectedFault f = rig.gmail.inject(FaultRule.of(GmailFault.SERVICE_UNAVAILABLE_503).times(2));
      assertAllDeliveredOnce(rig, rig.runOnce(), 5);
      assertEquals(2, f.hits());
    }
  }

  @Test
  void SERVICE_UNAVAILABLE_503_beyondTheRetryBudget_isSinkFailed_andLosesNothing()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(5))) {
      rig.gmail.inject(FaultRule.of(GmailFault.SERVICE_UNAVAILABLE_503).always());
      FetchResult r;
      try (GmailImportSink sink = rig.sink().retryBudget(Duration.ofSeconds(2)).build()) {
        r = rig.run(sink);
      }
      FetchException e = r.error().orElseThrow(() -> new AssertionError(r.summary()));
      assertEquals(FetchError.SINK_FAILED, e.error(), e.getMessage());
      assertTrue(e.getMessage().contains("503"), e.getMessage());
      assertEquals(5, rig.onServer().size(), "nothing deleted");
      assertEquals(0, rig.inGmail().size());
    }
  }

  @Test
  void MESSAGE_REJECTED_400_failsThatMessageAlone_withGmailsReason_andTheOthersArrive()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(7))) {
      rig.gmail.inject(
          FaultRule.of(GmailFault.MESSAGE_REJECTED_400)
              .always()
              .forMessageContaining("<m3@")
              .reason("Invalid From header"));
      FetchResult r = rig.runOnce();
      assertEquals(6, r.count(DELIVERED), r::summary);
      assertEquals(1, r.count(FAILED), r::summary);
      assertTrue(r.error().isEmpty(), "one refusal does not stop the run: " + r.summary());
      MessageOutcome refused =
          r.outcomes().stream().filter(o -> o.kind() == FAILED).findFirst().orElseThrow();
      assertEquals(FetchError.SINK_REJECTED, refused.error().error());
      assertTrue(
          refused.error().getMessage().contains("Invalid From header"),
          refused.error().getMessage());
      assertEquals(Set.of("u3"), rig.onServer(), "the refused message stays on the server");
      assertEquals(
          1,
          rig.store.get("u3").orElseThrow().failures(),
          "and the refusal counts towards its quarantine");
      assertNothingLost(rig, 7);
    }
  }

  @Test
  void SLOW_UPLOAD_isWaitedFor() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(3))) {
      InjectedFault f =
          rig.gmail.inject(FaultRule.of(GmailFault.SLOW_UPLOAD).delay(Duration.ofSeconds(2)));
      assertAllDeliveredOnce(rig, rig.runOnce(), 3);
      assertEquals(1, f.hits());
    }
  }

  @Test
  void SLOW_UPLOAD_longerThanTheRequestTimeout_isRetried_withoutImportingTwice()
      throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(3))) {
      rig.gmail.inject(FaultRule.of(GmailFault.SLOW_UPLOAD).delay(Duration.ofSeconds(3)));
      FetchResult r;
      try (GmailImportSink sink = rig.sink().requestTimeout(Duration.ofSeconds(1)).build()) {
        r = rig.run(sink);
      }
      assertAllDeliveredOnce(rig, r, 3);
    }
  }

  @Test
  void CONNECTION_CUT_MID_UPLOAD_isRetried_andTheMessageArrivesOnce() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(4))) {
      InjectedFault f =
          rig.gmail.inject(FaultRule.of(GmailFault.CONNECTION_CUT_MID_UPLOAD).times(2));
      assertAllDeliveredOnce(rig, rig.runOnce(), 4);
      assertEquals(2, f.hits());
    }
  }

  @Test
  void RESPONSE_LOST_afterGmailStoredTheMessage_doesNotImportItTwice() throws IOException {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(5))) {
      InjectedFault f = rig.gmail.inject(FaultRule.of(GmailFault.RESPONSE_LOST).times(2));
      assertAllDeliveredOnce(rig, rig.runOnce(), 5);
      assertEquals(2, f.hits());
      assertEquals(
          5, rig.inGmail().size(), "asked Gmail for the Message-ID instead of importing again");
    }
  }

  @Test
  void RESPONSE_LOST_forAMessageWithoutMessageId_isFoundInTheHistoryByItsBytes_notImportedAgain()
      throws IOException {
    FakeMailbox box = FakeMailbox.create().add("u1", GmailRig.messageWithoutId(1));
    try (GmailRig rig = new GmailRig(dir, box)) {
      rig.gmail.inject(FaultRule.of(GmailFault.RESPONSE_LOST));
      FetchResult r = rig.runOnce();
      assertTrue(r.ok(), r::summary);
      assertEquals(Set.of(), rig.onServer());
      assertEquals(
          1,
          rig.inGmail().size(),
          "the history names the lost answer's import, and its raw bytes match the intent's SHA-256");
      assertFalse(rig.inGmail().get(0).messageId() != null);
    }
  }
}
