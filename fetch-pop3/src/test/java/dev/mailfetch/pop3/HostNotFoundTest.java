package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.Poller;
import dev.mailfetch.testkit.FakeDnsServer;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server name that does not resolve is HOST_NOT_FOUND, retryable: a misspelt name and a resolver
 * that is down right now look the same from here, and a poll must back off and try again, not pause
 * the account until someone restarts it. The names end in {@code .invalid}, which RFC 6761 §6.4
 * reserves so that no resolver anywhere gives them an address; nothing leaves this machine but, at
 * most, the resolver's own question.
 */
@Timeout(120)
class HostNotFoundTest {
  private static final String NOWHERE = "pop.mailfetch-test.invalid";

  private static Pop3Source nowhere() {
    return Pop3Source.builder().host(NOWHERE).user("alice").password(() -> "pw").build();
  }

  @Test
  void aNameThatDoesNotResolve_isHostNotFound_retryable_withItsOwnAdvice() {
    FetchException e = assertThrows(FetchException.class, () -> nowhere().open());
    assertEquals(FetchError.HOST_NOT_FOUND, e.error(), e.getMessage());
    assertTrue(e.error().retryable());
    assertTrue(e.detail().contains(NOWHERE), e.detail());
    assertTrue(e.remedy().commandLine().contains("mailfetch doctor"), e.remedy().commandLine());
    assertTrue(e.remedy().library().contains("host(String)"), e.remedy().library());
  }

  @Test
  void anAddressThatIsNoAddress_isABadSetting_notAHostToLookUpAgain() {
    Pop3Source source =
        Pop3Source.builder().host("[1:2:zz]").user("alice").password(() -> "pw").build();
    FetchException e = assertThrows(FetchException.class, source::open);
    assertEquals(FetchError.CONFIGURATION, e.error(), e.getMessage());
    assertTrue(e.detail().contains("not a valid") && e.detail().contains("[1:2:zz]"), e.detail());
  }

  @Test
  void aPoll_backsOffAfterAFailedLookup_andDoesNotPauseTheAccount() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Poller poller = Poller.builder().executor(threads).build();
      Fetcher f =
          Fetcher.builder()
              .source(nowhere())
              .sink(InMemorySink.create())
              .uidStore(InMemoryUidStore.create())
              .build();
      poller.add(f, NOWHERE);
      CheckRecord r = poller.checkNow(f.account()).get(60, TimeUnit.SECONDS);
      assertEquals(CheckRecord.Outcome.FAILED, r.outcome(), r.summary());
      assertEquals(FetchError.HOST_NOT_FOUND, r.error().orElseThrow().error());
      assertFalse(poller.status(f.account()).pausedBy().isPresent(), "not paused until restart");
      assertTrue(poller.status(f.account()).next().isPresent(), "a next check is scheduled");
      poller.close(Duration.ofSeconds(10));
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void theDoctor_saysNoSuchHost_withTheCodeAFetchStopsWith() {
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      Diagnosis d =
          Pop3Doctor.builder()
              .source(nowhere())
              .dnsServer(dns.socketAddress())
              .otherPorts()
              .timeout(Duration.ofSeconds(3))
              .build()
              .examine();
      assertTrue(d.found(Symptom.NO_SUCH_HOST), d.report());
      assertEquals(FetchError.HOST_NOT_FOUND.exitCode(), d.exitCode(), d.report());
    }
  }

  @Test
  void theDoctor_saysANameWithoutAddress_withTheCodeAFetchStopsWith() {
    try (FakeDnsServer dns = FakeDnsServer.start()) {
      dns.exists(NOWHERE);
      Diagnosis d =
          Pop3Doctor.builder()
              .source(nowhere())
              .dnsServer(dns.socketAddress())
              .otherPorts()
              .timeout(Duration.ofSeconds(3))
              .build()
              .examine();
      assertTrue(d.found(Symptom.NO_ADDRESS), d.report());
      assertEquals(FetchError.HOST_NOT_FOUND.exitCode(), d.exitCode(), d.report());
    }
  }
}
