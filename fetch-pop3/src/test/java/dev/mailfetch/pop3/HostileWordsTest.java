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
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.HostileCase;
import dev.mailfetch.testkit.MailCorpus;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a hostile server's replies are said as: not as a limit to raise or a deadline to lengthen,
 * which would only let it do more of the same.
 */
@Timeout(120)
class HostileWordsTest {
  private static FetchException run(HostileCase c, Pop3Limits limits) {
    try (FakePop3Server s =
        c.applyTo(
                FakePop3Server.builder()
                    .account("alice", "pw", MailCorpus.generate(7, 2).toMailbox()),
                Pop3SourceTest.CERTS)
            .start()) {
      Pop3Source source =
          Pop3Source.builder()
              .host("localhost")
              .port(s.port())
              .security(Security.NONE)
              .allowPlaintextAuthentication(true)
              .user("alice")
              .password(() -> "pw")
              .limits(limits)
              .build();
      FetchResult r =
          Fetcher.builder()
              .source(source)
              .sink(InMemorySink.create())
              .uidStore(InMemoryUidStore.create())
              .build()
              .run();
      return r.firstError().orElseThrow(() -> new AssertionError("no error: " + r.summary()));
    }
  }

  @Test
  void R07_aCountNoMailboxHolds_isSaidAsHostile_notAsALimitToRaise() {
    FetchException e = run(HostileCase.R07_HUGE_NUMBERS, Pop3Limits.builder().build());
    assertEquals(FetchError.PROTOCOL, e.error(), e.getMessage());
    assertTrue(
        e.detail().contains("2147483647") && e.detail().contains("broken or hostile"), e.detail());
    assertFalse(e.remedy().commandLine().contains("--max-listing"), e.remedy().commandLine());
    assertFalse(e.remedy().library().contains("maxListing"), e.remedy().library());
  }

  @Test
  void R03_anEndlessBody_whoseDeadlinePasses_isSaidAsEndless_notAsASlowServer() {
    FetchException e =
        run(
            HostileCase.R03_ENDLESS_BODY,
            Pop3Limits.builder()
                .readTimeout(Duration.ofSeconds(2))
                .commandTimeout(Duration.ofSeconds(2))
                .maxBodyBytesOnTheWire(1L << 40)
                .build());
    assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error(), e.getMessage());
    assertTrue(e.detail().contains("without end"), e.detail());
    assertFalse(e.remedy().commandLine().contains("--timeout"), e.remedy().commandLine());
    assertFalse(e.remedy().library().contains("Timeout"), e.remedy().library());
  }
}
