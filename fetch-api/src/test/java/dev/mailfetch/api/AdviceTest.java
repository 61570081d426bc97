package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.internal.Sizes;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the engine tells a person about a limit or a setting the server cannot honour: words in the
 * detail, and a remedy whose command-line form names the {@code mailfetch fetch} option and whose
 * library form names the builder call. No Java name in what the command shows.
 */
class AdviceTest {
  /** A Java name: a dotted or camel-case identifier, or a call. */
  private static final Pattern JAVA =
      Pattern.compile(
          "\\b[A-Z][a-z]{2,}[A-Z]\\w*|\\b(?!kB\\b)[a-z]+[A-Z]\\w*|\\b[A-Z][A-Za-z]+\\.[A-Za-z_]+|\\w\\(\\w*\\)|[A-Z]{2,}_[A-Z]");

  private static void noJavaNames(FetchException e) {
    for (String text : new String[] {e.detail(), e.remedy().commandLine()}) {
      assertFalse(
          JAVA.matcher(text).find(),
          () ->
              "a Java name in \""
                  + text
                  + "\": "
                  + JAVA.matcher(text).results().map(MatchResult::group).toList());
    }
  }

  @Test
  void leavingMailWithoutUidl_namesTheDeleteOption_andTheRetentionValue() {
    Rig rig = new Rig().withMessages(1);
    rig.mailbox.stableUids = false;
    FetchException e = rig.fetcher().run().error().orElseThrow();
    assertEquals(FetchError.POLICY, e.error());
    noJavaNames(e);
    assertTrue(e.remedy().commandLine().contains("--delete"), e.remedy().commandLine());
    assertTrue(
        e.remedy().library().contains("Retention.DELETE_AFTER_DELIVERY"), e.remedy().library());

    FetchException onlyNew =
        rig.fetcher(b -> b.onlyNew(true).retention(Retention.DELETE_AFTER_DELIVERY))
            .run()
            .error()
            .orElseThrow();
    noJavaNames(onlyNew);
    assertTrue(
        onlyNew.remedy().commandLine().contains("--only-new"), onlyNew.remedy().commandLine());
    assertTrue(onlyNew.remedy().library().contains("onlyNew(false)"), onlyNew.remedy().library());
  }

  @Test
  void expireZero_namesTheDeleteOption() {
    Rig rig = new Rig().withMessages(1);
    rig.mailbox.expire = Optional.of(Duration.ZERO);
    FetchException e = rig.fetcher().run().error().orElseThrow();
    assertEquals(FetchError.POLICY, e.error());
    noJavaNames(e);
    assertTrue(e.remedy().commandLine().contains("--delete"));
    assertTrue(e.remedy().library().contains("Retention.DELETE_AFTER_DELIVERY"));
  }

  @Test
  void aListingOverTheLimit_namesMaxListing_withTheNumberNeeded() {
    Rig rig = new Rig().withMessages(5);
    FetchException e =
        rig.fetcher(b -> b.limits(FetchLimits.builder().maxListing(3).build()))
            .run()
            .error()
            .orElseThrow();
    assertEquals(FetchError.TOO_MANY_MESSAGES, e.error());
    noJavaNames(e);
    assertTrue(e.detail().contains("more than the listing limit of 3"), e.detail());
    assertTrue(
        e.remedy().commandLine().contains("--max-listing N (N at least "),
        e.remedy().commandLine());
    assertTrue(
        e.remedy().library().contains("FetchLimits.Builder.maxListing(int)"), e.remedy().library());
  }

  @Test
  void aMessageOverTheSizeLimit_isSkippedWithItsSize_theLimit_andTheOptionThatFetchesIt() {
    Rig rig = new Rig().withMessages(1);
    rig.mailbox.add("big", "Subject: big\r\n\r\n" + "x".repeat(3000) + "\r\n");
    FetchResult r =
        rig.fetcher(b -> b.limits(FetchLimits.builder().maxMessageSize(2048).build())).run();
    MessageOutcome big = r.outcomes().get(1);
    assertEquals(SkipReason.MESSAGE_SIZE_LIMIT, big.skipReason());
    FetchException e = big.error();
    assertEquals(FetchError.LIMIT_EXCEEDED, e.error());
    noJavaNames(e);
    assertTrue(
        e.detail()
            .startsWith("message 2 (uid big) is 3 kB, larger than the message size limit of 2 kB"),
        e.detail());
    assertTrue(
        e.remedy().commandLine().contains("--max-message-size 4K (or more)"),
        e.remedy().commandLine());
    assertTrue(
        e.remedy().library().contains("FetchLimits.Builder.maxMessageSize(long)"),
        e.remedy().library());
    assertTrue(
        big.describe().contains("skipped (MESSAGE_SIZE_LIMIT): LIMIT_EXCEEDED: message 2"),
        big.describe());
  }

  @Test
  void aMessageThatTurnsOutLargerThanTheLimit_failsWithWords_andTheOption() {
    Rig rig = new Rig();
    rig.mailbox.add("big", "Subject: big\r\n\r\n" + "x".repeat(3000) + "\r\n");
    rig.mailbox.listedSize.put("big", 100L); // the server understates (quirk Q32)
    MessageOutcome big =
        rig.fetcher(b -> b.limits(FetchLimits.builder().maxMessageSize(2048).build()))
            .run()
            .outcomes()
            .get(0);
    assertEquals(MessageOutcome.Kind.FAILED, big.kind());
    noJavaNames(big.error());
    assertTrue(
        big.error()
            .detail()
            .contains(
                "turned out larger than the message size limit of 2 kB as it arrived"
                    + " (the server announced 100 B)"),
        big.error().detail());
    assertTrue(big.error().remedy().commandLine().contains("--max-message-size"));
  }

  @Test
  void messagesLeftForTheNextRun_sayWhichLimit_andTheOption() {
    Rig rig = new Rig().withMessages(3);
    FetchResult r =
        rig.fetcher(b -> b.limits(FetchLimits.builder().maxMessagesPerRun(2).build())).run();
    MessageOutcome third = r.outcomes().get(2);
    assertEquals(SkipReason.RUN_LIMIT, third.skipReason());
    noJavaNames(third.error());
    assertTrue(
        third.error().detail().contains("this run reached its limit of 2 messages"),
        third.error().detail());
    assertTrue(third.error().remedy().commandLine().contains("--max-messages N"));
    assertTrue(
        third.error().remedy().library().contains("FetchLimits.Builder.maxMessagesPerRun(int)"));
  }

  @Test
  void aSinkThatCannotWrite_saysWhyInWords_notJustAPath() {
    Rig rig = new Rig().withMessages(1);
    MessageSink refusing =
        new MessageSink() {
          @Override
          public Delivery begin(Envelope envelope) throws IOException {
            throw new AccessDeniedException("/var/mail/alice/tmp/1.eml");
          }

          @Override
          public boolean contains(DeliveryKey key) {
            return false;
          }

          @Override
          public void sync() {}
        };
    FetchResult r =
        Fetcher.builder()
            .source(rig.mailbox.source(Rig.ACCOUNT))
            .sink(refusing)
            .uidStore(InMemoryUidStore.create())
            .build()
            .run();
    FetchException e = r.outcomes().get(0).error();
    assertEquals(FetchError.SINK_FAILED, e.error());
    assertTrue(
        e.detail()
            .contains(
                "/var/mail/alice/tmp/1.eml: permission denied; mailfetch may not write there"),
        e.detail());
  }

  @Test
  void whatThEngineSaysOfSizes_isInWords_neverARawByteCount() {
    Rig rig = new Rig();
    rig.mailbox
        .add("big", "Subject: big\r\n\r\n" + "x".repeat(25_000) + "\r\n")
        .add("m2", Rig.message(2));
    FetchResult r =
        rig.fetcher(b -> b.limits(FetchLimits.builder().maxMessageSize(20_000).build())).run();
    assertTrue(r.summary().contains("1 delivered (1"), r.summary());
    assertTrue(r.summary().matches(".*delivered \\(\\d+ B\\).*"), r.summary());
    assertTrue(
        r.outcomes().get(1).describe().matches(".*: delivered, \\d+ B"),
        r.outcomes().get(1).describe());
    FetchException big = r.outcomes().get(0).error();
    assertTrue(
        big.remedy().library().matches(".*maxMessageSize\\(long\\) to at least \\d+ \\(25 kB\\).*"),
        big.remedy().library());
    assertFalse(
        big.remedy().library().matches(".*to at least \\d+ bytes.*"), big.remedy().library());
  }

  @Test
  void sizesAreInTheUnitsEveryReportUses_decimal_asTheCommandsOptionsAreRead() {
    assertEquals("0 B", LimitAdvice.human(0));
    assertEquals("999 B", LimitAdvice.human(999));
    assertEquals("1 kB", LimitAdvice.human(1000));
    assertEquals("1.5 kB", LimitAdvice.human(1536));
    assertEquals("105 MB", LimitAdvice.human(100L << 20));
    assertEquals("5.4 GB", LimitAdvice.human(5L << 30));
    assertEquals("4K", Sizes.sizeOption(3030), "the option value that fetches it");
    assertEquals("105M", Sizes.sizeOption(100L << 20));
  }
}
