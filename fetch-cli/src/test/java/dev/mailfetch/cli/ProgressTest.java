package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageRef;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The progress bar and its numbers, under a clock moved by hand. */
class ProgressTest {
  private long now = 1_000_000_000L;

  private void advance(long millis) {
    now += TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static MessageOutcome delivered(int n, long bytes) {
    return new MessageOutcome(
        new MessageRef(n, "u" + n, bytes),
        MessageOutcome.Kind.DELIVERED,
        DeliveryKey.of("a", "u" + n),
        null,
        null,
        null,
        null,
        true,
        bytes);
  }

  /** Every "N s left" / "N min left" the output shows, in seconds. */
  private static List<Long> estimates(String out) {
    List<Long> left = new ArrayList<>();
    Matcher m = Pattern.compile("((?:\\d+ (?:h|min|s) )+)left").matcher(out);
    while (m.find()) {
      long s = 0;
      Matcher part = Pattern.compile("(\\d+) (h|min|s)").matcher(m.group(1));
      while (part.find()) {
        s +=
            Long.parseLong(part.group(1))
                * (part.group(2).equals("h") ? 3600 : part.group(2).equals("min") ? 60 : 1);
      }
      left.add(s);
    }
    return left;
  }

  /**
   * What is done is counted in the unit of the total (the listed sizes), so the last figures reach
   * it, "5/5 messages 55.9 kB of 55.9 kB", also when what a message brings (the bytes stored, with
   * other line ends, without dot-stuffing) differs from its listed size, and when one fails part
   * way.
   */
  @Test
  void theTotal_isReached_whenWhatIsStoredDiffersFromWhatIsListed() {
    for (boolean terminal : new boolean[] {true, false}) {
      StringWriter w = new StringWriter();
      Progress p = new Progress(new PrintWriter(w, true), terminal, () -> now);
      long listed = 11_180;
      p.planned(5, 5 * listed);
      for (int i = 1; i <= 4; i++) {
        advance(400);
        p.messageReceived(
            new MessageRef(i, "u" + i, listed), listed - 120); // stored smaller than listed
      }
      advance(400); // the fifth is cut off after a part of it
      p.messageFinished(
          new MessageOutcome(
              new MessageRef(5, "u5", listed),
              MessageOutcome.Kind.FAILED,
              null,
              null,
              null,
              null,
              new FetchException(FetchError.CONNECTION_RESET, "cut off"),
              true,
              300));
      p.runFinished(
          new FetchResult(
              "a",
              "h:995",
              Instant.EPOCH,
              Duration.ofSeconds(2),
              List.of(),
              Optional.empty(),
              Set.of(),
              0,
              0,
              Optional.empty()));
      String out = w.toString();
      String total = Units.size(5 * listed);
      String[] draws = out.split("[\r\n]");
      String last = "";
      for (String d : draws) {
        last = d.isBlank() ? last : d;
      }
      assertTrue(
          last.contains("5/5 messages  " + total + " of " + total), "the total is reached: " + out);
      assertFalse(out.contains(" of " + Units.size(5 * listed - 5 * 120)), out);
    }
  }

  @Test
  void aSixSecondFetch_neverEstimatesMinutes_evenWhenConnectingAndTheFirstMessageAreSlow() {
    for (boolean terminal : new boolean[] {true, false}) {
      StringWriter w = new StringWriter();
      Progress p = new Progress(new PrintWriter(w, true), terminal, () -> now);
      advance(2_000); // connect, TLS, login, listing: the bar exists, nothing flows yet
      int messages = 1000;
      long each = 26_700;
      p.planned(messages, messages * each);
      advance(300); // the first reply's latency
      for (int i = 1; i <= messages; i++) {
        advance(6);
        p.messageFinished(delivered(i, each));
      }
      p.runFinished(
          new FetchResult(
              "a",
              "h:995",
              Instant.EPOCH,
              Duration.ofSeconds(6),
              List.of(),
              Optional.empty(),
              Set.of(),
              0,
              0,
              Optional.empty()));
      String out = w.toString();
      List<Long> left = estimates(out);
      assertFalse(left.isEmpty(), "an estimate once the rate is known: " + out);
      for (long s : left) {
        assertTrue(s <= 8, "the whole fetch takes 6.3 s; estimated " + s + " s left in: " + out);
      }
      assertFalse(out.contains("KB") || out.contains("bytes"), "one system of units: " + out);
      assertTrue(out.contains("26.7 MB"), out);
      assertTrue(out.contains("MB/s"), out);
    }
  }

  @Test
  void sizes_areDecimal_withOneSystemOfUnits() {
    assertEquals("0 B", Units.size(0));
    assertEquals("999 B", Units.size(999));
    assertEquals("1 kB", Units.size(1000));
    assertEquals("1.5 kB", Units.size(1500));
    assertEquals("29 kB", Units.size(29_040));
    assertEquals("812 kB", Units.size(812_345));
    assertEquals("1 MB", Units.size(999_999));
    assertEquals("4.1 MB", Units.size(4_066_668));
    assertEquals("26.7 MB", Units.size(26_700_000));
    assertEquals("100 MB", Units.size(100_000_000));
    assertEquals("105 MB", Units.size(100L << 20));
    assertEquals("1 GB", Units.size(1_000_000_000));
    assertEquals("2.5 GB", Units.size(2_500_000_000L));
    assertEquals("9.2 MB/s", Units.rate(9_237_000));
    assertEquals("4 s", Units.duration(4));
    assertEquals("2 min 5 s", Units.duration(125));
    assertEquals("1 h 2 min", Units.duration(3720));
  }

  @Test
  void theSizeToType_isTheSmallestWholeKOrMAtLeastTheSize() {
    assertEquals("30K", Units.sizeOption(29_040));
    assertEquals("1K", Units.sizeOption(1));
    assertEquals("1000K", Units.sizeOption(999_999));
    assertEquals("201M", Units.sizeOption(200_000_001));
    assertEquals("2500M", Units.sizeOption(2_500_000_000L));
  }

  private static int occurrences(String text, String of) {
    int n = 0;
    for (int at = text.indexOf(of); at >= 0; at = text.indexOf(of, at + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void theBarMovesAsEachMessageArrives_notAtEachBatchsBarrier_andTheLastBarIsDrawnOnce() {
    StringWriter w = new StringWriter();
    Progress p = new Progress(new PrintWriter(w, true), true, () -> now);
    p.planned(60, 60 * 1000);
    for (int i = 1; i <= 50; i++) { // the first batch: received one by one, durable together
      advance(200);
      p.messageReceived(new MessageRef(i, "u" + i, 1000), 1000);
      assertTrue(w.toString().contains(i + "/60 messages"), "moved at message " + i + ": " + w);
    }
    for (int i = 1; i <= 50; i++) {
      p.messageFinished(delivered(i, 1000));
    }
    assertFalse(
        w.toString().contains("51/60") || w.toString().contains("100/60"), "counted once: " + w);
    for (int i = 51; i <= 60; i++) {
      advance(200);
      p.messageReceived(new MessageRef(i, "u" + i, 1000), 1000);
    }
    for (int i = 51; i <= 60; i++) {
      p.messageFinished(delivered(i, 1000));
    }
    p.runFinished(
        new FetchResult(
            "a",
            "h:995",
            Instant.EPOCH,
            Duration.ofSeconds(12),
            List.of(),
            Optional.empty(),
            Set.of(),
            0,
            0,
            Optional.empty()));
    assertEquals(1, occurrences(w.toString(), "60/60 messages"), "the last bar once: " + w);
    assertTrue(w.toString().endsWith("\n"), "the line ends after the bar");
  }
}
