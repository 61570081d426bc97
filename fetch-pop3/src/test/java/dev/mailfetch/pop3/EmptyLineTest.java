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
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Quirk Q11, empty lines where a reply is due: the advice given ({@code --quirk Q11}) works for
 * every form of it that it names, and the one form no setting can mend (a stray end marker after a
 * message, which cannot be told from a lone '.' left unescaped) is said as what it is, EMPTY_LINE
 * as docs/quirks.md files it, with advice that can help.
 */
@Timeout(60)
class EmptyLineTest {
  private static FetchResult run(Quirk q, Tolerance... tolerances) {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "pw", MailCorpus.generate(31, 3).toMailbox())
            .quirk(q)
            .start()) {
      Pop3Source source =
          Pop3Source.builder()
              .host("localhost")
              .port(s.port())
              .security(Security.NONE)
              .allowPlaintextAuthentication(true)
              .user("alice")
              .password(() -> "pw")
              .tolerate(tolerances)
              .limits(
                  Pop3Limits.builder()
                      .readTimeout(Duration.ofSeconds(3))
                      .commandTimeout(Duration.ofSeconds(3))
                      .build())
              .build();
      return Fetcher.builder()
          .source(source)
          .sink(InMemorySink.create())
          .uidStore(InMemoryUidStore.create())
          .retention(Retention.DELETE_AFTER_DELIVERY)
          .build()
          .run();
    }
  }

  @Test
  void Q11_EMPTY_LINES_withTheQuirkItIsAdvised_isWorkedAround() {
    FetchResult without = run(Quirk.Q11_EMPTY_LINES);
    FetchException e = without.firstError().orElseThrow();
    assertEquals(FetchError.EMPTY_LINE, e.error(), e.getMessage());
    assertTrue(e.remedy().commandLine().contains("--quirk Q11"), e.remedy().commandLine());
    FetchResult with = run(Quirk.Q11_EMPTY_LINES, Tolerance.EMPTY_LINES);
    assertTrue(with.ok(), with::summary);
    assertEquals(3, with.deleted(), with::summary);
    assertTrue(with.quirks().contains(QuirkId.Q11), "worked around, and said so: " + with.quirks());
  }

  @Test
  void Q11_STRAY_TERMINATOR_isEmptyLine_namingBothReadings_withAdviceThatCanHelp() {
    for (Tolerance[] t : new Tolerance[][] {{}, {Tolerance.EMPTY_LINES}}) {
      FetchResult r = run(Quirk.Q11_STRAY_TERMINATOR, t);
      FetchException e = r.firstError().orElseThrow();
      assertEquals(FetchError.EMPTY_LINE, e.error(), e.getMessage());
      assertTrue(
          e.detail().contains("stray end marker")
              && e.detail().contains("Q11")
              && e.detail().contains("Q04"),
          e.detail());
      String advice = e.remedy().commandLine();
      assertFalse(advice.contains("--quirk"), "no setting mends it: " + advice);
      assertTrue(advice.toLowerCase(Locale.ROOT).contains("provider"), advice);
      assertEquals(
          0,
          r.count(MessageOutcome.Kind.DELIVERED),
          "the message with the stray marker is not stored");
      assertFalse(
          r.quirks().contains(QuirkId.Q11) && r.ok(), "never said worked around when it failed");
    }
  }
}
