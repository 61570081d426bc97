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
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.HostileCase;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A listing the tolerant client had to mend (Tolerance.UNORDERED_LISTING, the command's default):
 * whatever it dropped or could not match, so that a message STAT counts (or a listing names) is not
 * fetched, the run says so as a WRONG_ORDER warning naming what disagreed and which messages stay
 * behind, with what to do; never only a quirk ID in the summary.
 */
@Timeout(60)
class ListingDisagreementTest {
  private static final String PASSWORD = "pw";

  private static FetchResult run(
      int messages, Retention retention, Consumer<FakePop3Server.Builder> server) {
    FakePop3Server.Builder b =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(31, messages).toMailbox());
    server.accept(b);
    try (FakePop3Server s = b.start()) {
      Pop3Source source =
          Pop3Source.builder()
              .host("localhost")
              .port(s.port())
              .security(Security.NONE)
              .allowPlaintextAuthentication(true)
              .user("alice")
              .password(() -> PASSWORD)
              .tolerate(Tolerance.UNORDERED_LISTING)
              .limits(
                  Pop3Limits.builder()
                      .readTimeout(Duration.ofSeconds(5))
                      .commandTimeout(Duration.ofSeconds(5))
                      .build())
              .build();
      return Fetcher.builder()
          .source(source)
          .sink(InMemorySink.create())
          .uidStore(InMemoryUidStore.create())
          .retention(retention)
          .build()
          .run();
    }
  }

  private static FetchException onlyWarning(FetchResult r) {
    assertTrue(r.ok(), r::summary);
    assertEquals(FetchResult.Status.WARNING, r.status(), r::summary);
    assertEquals(1, r.warnings().size(), () -> r.warnings().toString());
    FetchException w = r.warnings().get(0);
    assertEquals(FetchError.WRONG_ORDER, w.error(), w.getMessage());
    assertTrue(
        w.getMessage().chars().noneMatch(c -> c < 0x20 || c == 0x7f),
        "no raw control bytes: " + w.getMessage());
    assertTrue(
        w.remedy() != null && w.remedy().commandLine().contains("--strict"),
        String.valueOf(w.remedy()));
    assertTrue(w.remedy().library().contains("Tolerance.UNORDERED_LISTING"), w.remedy().library());
    return w;
  }

  @Test
  void R09_BAD_MESSAGE_NUMBERS_tolerated_warnsThatMessagesTwoToFourAreNotFetched() {
    FetchResult r =
        run(
            4,
            Retention.DELETE_AFTER_DELIVERY,
            b -> HostileCase.R09_BAD_MESSAGE_NUMBERS.applyTo(b, null));
    assertEquals(1, r.listed(), r::summary);
    FetchException w = onlyWarning(r);
    String d = w.detail();
    assertTrue(d.contains("STAT counts 4 messages"), d);
    assertTrue(d.contains("UIDL"), d);
    assertTrue(d.contains("messages 2, 3 and 4") && d.contains("not fetched"), d);
    assertFalse(
        d.contains("abc") || d.contains("4294967296"), "the server's tokens are not echoed: " + d);
  }

  @Test
  void U06_UIDL_STAT_MISMATCH_tolerated_warnsOfTheEntryBeyondStat_andFetchesTheRest() {
    FetchResult r =
        run(3, Retention.KEEP, b -> HostileCase.U06_UIDL_STAT_MISMATCH.applyTo(b, null));
    assertEquals(3, r.listed(), r::summary);
    String d = onlyWarning(r).detail();
    assertTrue(d.contains("STAT counts 3 messages") && d.contains("beyond"), d);
    assertTrue(d.contains("every message STAT counts is fetched"), d);
  }

  @Test
  void Q29_NUMBERING_GAPS_tolerated_warnsOfTheMessagesTheListingsNeverName() {
    FetchResult r = run(5, Retention.KEEP, b -> b.quirk(Quirk.Q29_NUMBERING_GAPS));
    String d = onlyWarning(r).detail();
    assertTrue(d.contains("messages 3 and 4") && d.contains("not fetched"), d);
  }

  @Test
  void Q29_NUMBERING_ZERO_BASED_tolerated_withoutUidl_warnsOfTheMessageLeftBehind() {
    FetchResult r =
        run(
            3,
            Retention.DELETE_AFTER_DELIVERY,
            b -> b.quirk(Quirk.Q29_NUMBERING_ZERO_BASED, Quirk.Q24_NO_UIDL));
    String d = onlyWarning(r).detail();
    assertTrue(d.contains("LIST") && d.contains("message 3") && d.contains("not fetched"), d);
  }

  @Test
  void Q29_NUMBERING_SHUFFLED_tolerated_isSortedWholly_withoutAWarning() {
    FetchResult r = run(4, Retention.KEEP, b -> b.quirk(Quirk.Q29_NUMBERING_SHUFFLED));
    assertTrue(r.ok(), r::summary);
    assertEquals(List.of(), r.warnings());
    assertEquals(4, r.listed());
  }
}
