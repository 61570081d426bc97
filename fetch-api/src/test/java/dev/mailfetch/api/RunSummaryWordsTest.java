package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The run's summary, as the log says it, names the account once and counts in words that agree with
 * the number ("1 duplicate", not "1 duplicates").
 */
class RunSummaryWordsTest {
  private static FetchResult oneDuplicateOneFailure(PrintStream err) {
    PrintStream before = System.err;
    System.setErr(err);
    try {
      Rig rig = new Rig();
      rig.mailbox.add("a", Rig.message(1)).add("b", Rig.message(2)).add("c", Rig.message(1));
      rig.faults.sinkWriteFails.add("b");
      return rig.fetcher(b -> b.dedupPolicy(new MessageIdDedup()).batchSize(1)).run();
    } finally {
      System.setErr(before);
    }
  }

  @Test
  void oneOfAKind_isCountedInTheSingular() {
    FetchResult r = oneDuplicateOneFailure(System.err);
    assertEquals(1, r.count(MessageOutcome.Kind.DUPLICATE), r.summary());
    assertTrue(r.summary().contains("1 duplicate,"), r.summary());
    assertFalse(r.summary().contains("1 duplicates"), r.summary());
  }

  @Test
  void theRunsLogLine_namesTheAccountOnce() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FetchResult r = oneDuplicateOneFailure(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    List<String> lines =
        bytes
            .toString(StandardCharsets.UTF_8)
            .lines()
            .filter(l -> l.contains(" listed, "))
            .toList();
    assertEquals(1, lines.size(), "the run's summary is logged once: " + lines);
    String line = lines.get(0);
    int first = line.indexOf(Rig.ACCOUNT);
    assertTrue(first >= 0 && line.indexOf(Rig.ACCOUNT, first + 1) < 0, "the account once: " + line);
    assertTrue(line.endsWith(r.summary()), line);
  }

  /**
   * Messages the run never tried because it had stopped are said apart from failed ones, as the
   * command says them.
   */
  @Test
  void messagesNeverTried_areCountedApart_fromTheOneThatFailed() {
    Rig rig = new Rig();
    rig.mailbox.add("a", Rig.message(1)).add("b", Rig.message(2)).add("c", Rig.message(3));
    rig.faults.dropAfterBytes.put("a", 5L);
    FetchResult r = rig.fetcher(b -> b.batchSize(1)).run();
    assertTrue(r.error().isPresent(), r.summary());
    assertTrue(r.summary().contains(" 1 failed, 2 not tried (the run had stopped), "), r.summary());
  }
}
