package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveriesFailed;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import dev.mailfetch.testkit.gmail.FaultRule;
import dev.mailfetch.testkit.gmail.GmailEndpoint;
import dev.mailfetch.testkit.gmail.GmailFault;
import dev.mailfetch.testkit.gmail.InjectedFault;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gmail (or Google's token endpoint) sends the headers of its answer, then nothing: in JDK 17 an
 * {@code HttpRequest.timeout} ends at the headers, so the whole exchange must be bounded by the
 * client. Nothing hangs; the answer that never came is treated as lost.
 */
@Timeout(120)
class GmailStalledAnswerTest {
  @TempDir Path dir;

  @Test
  void STALLED_ANSWER_toAnImport_isALostAnswer_theMessageIsInGmailOnce_andNothingHangs()
      throws Exception {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(3))) {
      InjectedFault f = rig.gmail.inject(FaultRule.of(GmailFault.STALLED_ANSWER));
      FetchResult r =
          assertTimeoutPreemptively(
              Duration.ofSeconds(40),
              () -> {
                try (GmailImportSink sink =
                    rig.sink().requestTimeout(Duration.ofSeconds(2)).build()) {
                  return rig.run(sink);
                }
              });
      assertEquals(1, f.hits());
      assertTrue(r.ok(), r::summary);
      assertEquals(
          GmailRig.once(1, 3),
          rig.copiesByMessageId(),
          "the stalled import is found, not imported again");
      assertEquals(Set.of(), rig.onServer());
    }
  }

  @Test
  void STALLED_ANSWER_always_toTheProfile_endsTheRunWithinTheBudget_withSinkFailed()
      throws Exception {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(2))) {
      rig.gmail.inject(FaultRule.of(GmailFault.STALLED_ANSWER).always().at(GmailEndpoint.PROFILE));
      long start = System.nanoTime();
      FetchResult r =
          assertTimeoutPreemptively(
              Duration.ofSeconds(40),
              () -> {
                try (GmailImportSink sink =
                    rig.sink()
                        .requestTimeout(Duration.ofSeconds(1))
                        .retryBudget(Duration.ofSeconds(3))
                        .build()) {
                  return rig.run(sink);
                }
              });
      FetchException e = r.firstError().orElseThrow(() -> new AssertionError(r.summary()));
      assertEquals(FetchError.SINK_FAILED, e.error(), e.getMessage());
      assertTrue(e.getMessage().contains("no whole answer"), e.getMessage());
      assertTrue(
          r.error().isPresent() && e.detail().contains("does not answer, so the run stopped"),
          "Gmail not answering stops the run at the first message, not each message alike: "
              + e.getMessage());
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos());
      assertEquals(2, rig.onServer().size(), "nothing deleted");
      assertEquals(0, rig.inGmail().size());
    }
  }

  @Test
  void STALLED_ANSWER_atTheTokenEndpoint_theProviderGivesUpInTime_withATypedError()
      throws Exception {
    try (FakeGmailServer gmail = FakeGmailServer.start().addAccount(GmailRig.ME)) {
      OAuthTokenProvider tokens =
          OAuthTokenProvider.builder()
              .endpoints(OAuthEndpoints.google().at(gmail.authorizationUri(), gmail.tokenUri()))
              .clientId(FakeGmailServer.TEST_CLIENT_ID)
              .clientSecret(FakeGmailServer.TEST_CLIENT_SECRET)
              .refreshToken(gmail.grant(GmailRig.ME, FakeGmailServer.SCOPE_INSERT))
              .requestTimeout(Duration.ofSeconds(2))
              .build();
      InjectedFault f =
          gmail.inject(FaultRule.of(GmailFault.STALLED_ANSWER).at(GmailEndpoint.TOKEN));
      FetchException e =
          assertTimeoutPreemptively(
              Duration.ofSeconds(20),
              () -> assertThrows(FetchException.class, tokens::accessToken));
      assertEquals(1, f.hits());
      assertTrue(e.getMessage().contains("token"), e.getMessage());
      assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error(), e.getMessage());
      assertTrue(
          !tokens.accessToken().isEmpty(),
          "the refresh lock is free again: the next refresh works");
    }
  }

  @Test
  void anImportStuckWhereNoRequestBoundReaches_syncStopsWaitingAtItsBackstop_andReportsItFailed()
      throws Exception {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(1))) {
      AtomicBoolean hang = new AtomicBoolean();
      TokenProvider hanging =
          new TokenProvider() {
            @Override
            public String accessToken() throws IOException {
              if (hang.get()) {
                try {
                  Thread.sleep(Duration.ofMinutes(10).toMillis());
                } catch (InterruptedException e) {
                  throw new InterruptedIOException("stopped");
                }
              }
              return rig.tokens.accessToken();
            }

            @Override
            public void invalidate(String token) {
              rig.tokens.invalidate(token);
            }
          };
      try (GmailImportSink sink =
          rig.sink()
              .tokens(hanging)
              .retryBudget(Duration.ofSeconds(1))
              .requestTimeout(Duration.ofSeconds(1))
              .searchSettleTime(Duration.ZERO)
              .build()) {
        DeliveryKey key = DeliveryKey.of("alice@pop", "u1");
        Delivery d = sink.begin(new Envelope("alice@pop", "u1", 10, Set.of(), false));
        hang.set(true); // the import's own token never comes
        d.write(ByteBuffer.wrap(GmailRig.message(1)));
        d.complete(key);
        long start = System.nanoTime();
        DeliveriesFailed failed =
            assertTimeoutPreemptively(
                Duration.ofSeconds(40), () -> assertThrows(DeliveriesFailed.class, sink::sync));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(30).toNanos());
        FetchException e = failed.failures().get(key);
        assertEquals(FetchError.SINK_FAILED, e.error(), e.getMessage());
        assertTrue(e.getMessage().contains("in doubt"), e.getMessage());
        hang.set(false);
      }
    }
  }
}
