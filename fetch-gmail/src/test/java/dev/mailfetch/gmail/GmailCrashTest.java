package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once into Gmail, proven with real processes: a child JVM ({@link GmailCrashChild})
 * fetches 1,000 messages from the testkit's POP3 server into the fake Gmail, both in this JVM, in
 * delete mode, through a {@link GmailImportSink} whose journal is in a real directory. The test
 * kills it with SIGKILL at random moments, 50 times, then lets it finish. At every kill, each
 * message gone from the POP3 mailbox is in Gmail (nothing deleted before Gmail had it); at the end,
 * every message is in Gmail exactly once, byte for byte, and none is left on the server.
 *
 * <p>Five per cent of the messages have no Message-ID. An import of one of those in doubt at a kill
 * is settled through the mailbox's history by its bytes (docs/gmail.md, "Exactly once, and its
 * window": the window is messages without one over 4 MiB, or a history that expired); every message
 * here is under 4 MiB and the fake keeps its history, so the test counts those duplicates apart,
 * prints them, and allows none, as for messages with a Message-ID.
 *
 * <p>Reproducible: {@code -Dmailfetch.gmail.crash.seed=N} (printed at the start) chooses the
 * mailbox and the moments; {@code -Dmailfetch.gmail.crash.kills} and {@code
 * -Dmailfetch.gmail.crash.messages} make a longer run. The fake's quota is raised to {@value
 * #UNITS_PER_SECOND} units a second (1,000 imports a second; Gmail's per-user quota is 6,000 units
 * a minute as the sink reads the reference, 4 imports a second) and the sink configured to match,
 * so that the run is bound by the crashes and not by the quota; {@link GmailQuotaTest} proves the
 * quota. The child's state store is a {@code JournalUidStore} as a user's, header fingerprints and
 * all.
 */
@Timeout(900)
class GmailCrashTest {
  static final String ACCOUNT = "alice@crash-test";
  private static final String PASSWORD = "crash test password";
  private static final long SEED = Long.getLong("mailfetch.gmail.crash.seed", 17L);
  private static final int KILLS = Integer.getInteger("mailfetch.gmail.crash.kills", 50);
  private static final int MESSAGES = Integer.getInteger("mailfetch.gmail.crash.messages", 1000);

  /** A twentieth of the messages without a Message-ID. */
  private static final int WITHOUT_MESSAGE_ID = MESSAGES / 20;

  /** 1,000 imports a second: the crashes, not the quota, bound the run. */
  static final int UNITS_PER_SECOND = 25_000;

  static final int PARALLELISM = 4;

  /**
   * Sessions of ten messages in batches of five, so that sessions end (and delete) between kills
   * and the check at each kill has deletions to check.
   */
  private static final int PER_SESSION = 10;

  @TempDir Path tmp;

  @Test
  void
      deleteMode_sigkillAtRandomMoments_everyMessageInGmailOnce_noneLeftOnTheServer_noneDeletedBeforeGmailHadIt()
          throws Exception {
    System.out.println(
        "Gmail crash test: seed "
            + SEED
            + " (-Dmailfetch.gmail.crash.seed="
            + SEED
            + " repeats it)");
    Random random = new Random(SEED);
    ProofMailbox mailbox = ProofMailbox.generate(SEED, MESSAGES, WITHOUT_MESSAGE_ID);
    System.out.println("Gmail crash test: the mailbox: " + mailbox);
    Report report = new Report();
    report.messages = mailbox.messages().size();
    report.withoutMessageId = mailbox.withoutMessageId();
    long started = System.nanoTime();
    try (FakePop3Server pop3 =
            FakePop3Server.builder().account("alice", PASSWORD, mailbox.toFakeMailbox()).start();
        FakeGmailServer gmail = GmailProof.fake(UNITS_PER_SECOND)) {
      Path journal = tmp.resolve("gmail-journal");
      Path state = tmp.resolve("state");
      while (report.kills < KILLS) {
        int remaining = pop3.mailbox("alice").size();
        // A message makes three or four events (started, received, finished, its share of a
        // batch's and a session's); a moment among the next 4 per message left, spread over the
        // kills still to come, makes the kills fall all through the run.
        int window = Math.max(4, 4 * remaining / (KILLS - report.kills + 1));
        Outcome o =
            runChild(pop3.port(), gmail, journal, state, 1 + random.nextInt(window), random);
        report.runs++;
        if (!o.killed) {
          assertTrue(
              o.finished, () -> "the child ended by itself without finishing: " + o.lastLines);
          break; // finished before the moment chosen: the assertion on the kills below says so
        }
        report.kills++;
        pop3.awaitSessionsEnded(Duration.ofSeconds(30));
        checkNothingDeletedBeforeGmailHadIt(mailbox, pop3.mailbox("alice"), gmail, report);
      }
      Outcome last = runChild(pop3.port(), gmail, journal, state, -1, random);
      report.runs++;
      assertTrue(last.finished, () -> "the last run did not finish: " + last.lastLines);
      pop3.awaitSessionsEnded(Duration.ofSeconds(30));
      report.leftOnServer = pop3.mailbox("alice").size();
      compare(mailbox, gmail, report);
    }
    report.seconds = (System.nanoTime() - started) / 1e9;
    System.out.println("Gmail crash test: " + report);
    assertEquals(KILLS, report.kills, report::toString);
    assertEquals(0, report.deletedBeforeGmailHadIt, report::toString);
    assertEquals(0, report.lost, report::toString);
    assertEquals(0, report.notInTheMailbox, report::toString);
    assertEquals(0, report.twiceWithMessageId, report::toString);
    assertEquals(0, report.leftOnServer, report::toString);
    // The window (docs/gmail.md) is messages without a Message-ID over 4 MiB or a history that
    // expired: neither happens here, so none may arrive twice.
    assertEquals(0, report.twiceWithoutMessageId, report::toString);
  }

  static final class Report {
    int messages;
    int withoutMessageId;
    int kills;
    int runs;
    int checks;

    /**
     * Messages gone from the POP3 server at the last kill: how much the checks at the kills
     * covered.
     */
    int goneAtLastKill;

    int deletedBeforeGmailHadIt;
    int lost;

    /**
     * Of the lost, those whose Message-ID Gmail holds under other bytes (another copy, or another
     * run's import).
     */
    int lostToAnotherCopy;

    int twiceWithMessageId;
    int twiceWithoutMessageId;
    int notInTheMailbox;
    int leftOnServer;
    double seconds;
    final List<String> lostNames = new ArrayList<>();

    /**
     * Messages found gone from the POP3 server but not in Gmail at a kill: content → most copies
     * missing.
     */
    final Map<String, Integer> missingAtKills = new HashMap<>();

    final List<Integer> killsWithDeletedBeforeGmailHadIt = new ArrayList<>();

    @Override
    public String toString() {
      return String.format(
              Locale.ROOT,
              "%d messages (%d without a Message-ID), %d kills in %d runs, %.0f s: %d deleted from the POP3 server before"
                  + " Gmail had them (checked at every kill, %d deleted by the last kill; found at kills %s), %d lost (%d of them"
                  + " while Gmail holds another message with their Message-ID), %d twice with a Message-ID, %d twice without one"
                  + " (the window), %d in Gmail that are no message of the mailbox, %d left on the server",
              messages,
              withoutMessageId,
              kills,
              runs,
              seconds,
              deletedBeforeGmailHadIt,
              goneAtLastKill,
              killsWithDeletedBeforeGmailHadIt,
              lost,
              lostToAnotherCopy,
              twiceWithMessageId,
              twiceWithoutMessageId,
              notInTheMailbox,
              leftOnServer)
          + (lostNames.isEmpty() ? "" : "; lost: " + lostNames);
    }
  }

  private static final class Outcome {
    boolean killed;
    boolean finished;
    final List<String> lastLines = new ArrayList<>();
  }

  private static Outcome runChild(
      int port, FakeGmailServer gmail, Path journal, Path state, int killAtEvent, Random random)
      throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx128m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                GmailCrashChild.class.getName(),
                Integer.toString(port),
                GmailProof.baseUri(gmail).toString(),
                journal.toString(),
                state.toString(),
                Integer.toString(PER_SESSION),
                Integer.toString(UNITS_PER_SECOND),
                Integer.toString(PARALLELISM))
            .redirectErrorStream(true);
    pb.environment().put("CRASH_TEST_PASSWORD", PASSWORD);
    pb.environment().put("CRASH_TEST_TOKEN", GmailProof.accessToken(gmail));
    Process child = pb.start();
    Outcome o = new Outcome();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        o.lastLines.add(line);
        if (o.lastLines.size() > 30) {
          o.lastLines.remove(0);
        }
        if (line.startsWith("done ")) {
          o.finished = true;
        }
        if (!line.startsWith("E ")) {
          continue;
        }
        if (Integer.parseInt(line.split(" ", 3)[1]) == killAtEvent) {
          // a moment a little after the event, so that kills land inside the imports in flight too
          TimeUnit.MICROSECONDS.sleep(random.nextInt(8000));
          child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally, no flush
          o.killed = true;
          break;
        }
      }
    }
    if (!child.waitFor(60, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      throw new AssertionError("the child did not end: " + o.lastLines);
    }
    if (o.killed && child.exitValue() == 0) {
      o.killed = false; // it had finished before the signal landed
      o.finished = true;
    }
    return o;
  }

  /** Every message gone from the POP3 mailbox is in Gmail, as often as it was in the mailbox. */
  private static void checkNothingDeletedBeforeGmailHadIt(
      ProofMailbox mailbox, FakeMailbox pop3, FakeGmailServer gmail, Report report) {
    report.checks++;
    Set<String> onServer = pop3.uids();
    report.goneAtLastKill = mailbox.messages().size() - onServer.size();
    Map<String, Integer> gone = new HashMap<>();
    for (ProofMailbox.Message m : mailbox.messages()) {
      if (!onServer.contains(m.uid())) {
        gone.merge(GmailProof.sha256(m.content()), 1, Integer::sum);
      }
    }
    Map<String, Integer> inGmail = GmailProof.stored(gmail);
    boolean any = false;
    for (Map.Entry<String, Integer> e : gone.entrySet()) {
      int missing = e.getValue() - inGmail.getOrDefault(e.getKey(), 0);
      if (missing > 0) {
        report.missingAtKills.merge(e.getKey(), missing, Math::max);
        any = true;
      }
    }
    if (any) {
      report.killsWithDeletedBeforeGmailHadIt.add(report.kills);
    }
    report.deletedBeforeGmailHadIt =
        report.missingAtKills.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * Gmail against the mailbox, by content (two identical messages in the mailbox must be two in
   * Gmail).
   */
  private static void compare(ProofMailbox mailbox, FakeGmailServer gmail, Report report) {
    Map<String, Integer> inGmail = GmailProof.stored(gmail);
    Map<String, Integer> expected = new HashMap<>();
    Map<String, Boolean> hasMessageId = new HashMap<>();
    Map<String, String> names = new HashMap<>();
    Map<String, String> messageIds = new HashMap<>();
    for (ProofMailbox.Message m : mailbox.messages()) {
      String h = GmailProof.sha256(m.content());
      expected.merge(h, 1, Integer::sum);
      hasMessageId.put(h, m.hasMessageId());
      if (m.hasMessageId()) {
        messageIds.put(h, m.messageId());
      }
      names.merge(
          h,
          m.uid()
              + (m.messageId() == null
                  ? " (no Message-ID)"
                  : " "
                      + m.messageId()
                      + (mailbox.sharing(m.messageId()) > 1
                          ? " (shared by " + mailbox.sharing(m.messageId()) + ")"
                          : "")),
          (a, b) -> a + " = " + b);
    }
    for (Map.Entry<String, Integer> e : expected.entrySet()) {
      int got = inGmail.getOrDefault(e.getKey(), 0);
      if (got < e.getValue()) {
        report.lostNames.add(names.get(e.getKey()));
        String id = messageIds.get(e.getKey());
        if (id != null && !gmail.messagesWithMessageId(GmailProof.MAILBOX, id).isEmpty()) {
          // Gmail holds other bytes under its Message-ID: taken for that copy after a crash
          // (docs/gmail.md)
          report.lostToAnotherCopy += e.getValue() - got;
        }
      }
      report.lost += Math.max(0, e.getValue() - got);
      int extra = Math.max(0, got - e.getValue());
      if (hasMessageId.get(e.getKey())) {
        report.twiceWithMessageId += extra;
      } else {
        report.twiceWithoutMessageId += extra;
      }
    }
    for (Map.Entry<String, Integer> e : inGmail.entrySet()) {
      if (!expected.containsKey(e.getKey())) {
        report.notInTheMailbox += e.getValue(); // a broken or altered copy
      }
    }
  }
}
