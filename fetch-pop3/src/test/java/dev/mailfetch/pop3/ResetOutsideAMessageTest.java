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
import dev.mailfetch.testkit.Quirk;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection that ends outside any message (while listing, case R-05) is CONNECTION_RESET with
 * advice of its own: there is no message that was cut off. One that ends inside a message (quirk
 * Q36) keeps the code's advice about that message.
 */
@Timeout(60)
class ResetOutsideAMessageTest {
  private static FetchException firstError(java.util.function.Consumer<FakePop3Server.Builder> server) {
    FakePop3Server.Builder b = FakePop3Server.builder().account("alice", "pw", MailCorpus.generate(31, 3).toMailbox());
    server.accept(b);
    try (FakePop3Server s = b.start()) {
      Pop3Source source = Pop3Source.builder().host("localhost").port(s.port()).security(Security.NONE)
          .allowPlaintextAuthentication(true).user("alice").password(() -> "pw")
          .limits(Pop3Limits.builder().readTimeout(Duration.ofSeconds(3)).commandTimeout(Duration.ofSeconds(3)).build())
          .build();
      FetchResult r = Fetcher.builder().source(source).sink(InMemorySink.create()).uidStore(InMemoryUidStore.create())
          .build().run();
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
    assertTrue(advice.contains("outside any message") && advice.contains("nothing was deleted"), advice);
    assertTrue(e.remedy().library().contains("Pop3Doctor"), e.remedy().library());
  }

  @Test
  void Q36_DROP_MID_RETR_isAReset_withTheAdviceForTheMessageCutOff() {
    FetchException e = firstError(b -> b.quirk(Quirk.Q36_DROP_MID_RETR));
    assertEquals(FetchError.CONNECTION_RESET, e.error(), e.getMessage());
    assertEquals(FetchError.CONNECTION_RESET.remedy(), e.remedy(), "the code's own advice: a message was cut off");
  }
}
