package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once, proven with real processes: a child JVM fetches from a POP3 server (the testkit's,
 * in this JVM) into a Maildir with the durable state; the test kills it with SIGKILL at random
 * moments, then lets it finish, and compares the Maildir and the server with the mailbox:
 * every message once, none lost, none twice, and in delete mode nothing delivered left on the
 * server. {@code -Dmailfetch.crash.kills=2000} runs the long profile (200 by default).
 */
@Timeout(1800)
class CrashTest {
  static final String ACCOUNT = "alice@crash-test";
  private static final String PASSWORD = "crash test password";
  private static final int KILLS = Integer.getInteger("mailfetch.crash.kills", 200);
  @TempDir Path tmp;

  @Test
  void keepMode_sigkillAtRandomMoments_everyMessageOnceInTheMaildir_andAllStillOnTheServer() throws Exception {
    Report r = kill("keep", KILLS / 2, 1);
    System.out.println("crash test, keep mode: " + r);
    assertEquals(0, r.lost, r::toString);
    assertEquals(0, r.twice, r::toString);
    assertTrue(r.kills >= KILLS / 2, r::toString);
  }

  @Test
  void deleteMode_sigkillAtRandomMoments_everyMessageOnce_andNothingDeliveredLeftOnTheServer() throws Exception {
    Report r = kill("delete", KILLS - KILLS / 2, 2);
    System.out.println("crash test, delete mode: " + r);
    assertEquals(0, r.lost, r::toString);
    assertEquals(0, r.twice, r::toString);
    assertEquals(0, r.leftOnServer, r::toString);
    assertTrue(r.kills >= KILLS - KILLS / 2, r::toString);
  }

  static final class Report {
    int kills;
    int rounds;
    int messages;
    int lost;
    int twice;
    int leftOnServer;
    int tmpLeftOvers;
    int killedMidMessage;

    @Override
    public String toString() {
      return kills + " kills in " + rounds + " rounds, " + messages + " messages: " + lost + " lost, " + twice
          + " twice, " + leftOnServer + " delivered but left on the server; " + killedMidMessage
          + " kills between a message's start and finish, " + tmpLeftOvers + " unfinished files in tmp/";
    }
  }

  private Report kill(String mode, int kills, long seed) throws Exception {
    Random random = new Random(seed);
    Report report = new Report();
    while (report.kills < kills) {
      report.rounds++;
      MailCorpus corpus = MailCorpus.generate(seed * 1000 + report.rounds, 24);
      FakeMailbox box = corpus.toMailbox();
      Path round = tmp.resolve(mode + "-" + report.rounds);
      Path maildir = round.resolve("Maildir");
      Path state = round.resolve("state");
      try (FakePop3Server server = FakePop3Server.builder().account("alice", PASSWORD, box)
          .pipelining(random.nextBoolean()).start()) {
        while (true) {
          boolean killThisOne = report.kills < kills;
          int at = 1 + random.nextInt(3 * corpus.messages().size());
          Outcome o = runChild(server.port(), maildir, state, mode, killThisOne ? at : -1, random);
          if (o.killed) {
            report.kills++;
            if (o.midMessage) {
              report.killedMidMessage++;
            }
            continue;
          }
          assertTrue(o.finished, "the child ended by itself without finishing: " + o.lastLines);
          break;
        }
        server.awaitSessionsEnded(java.time.Duration.ofSeconds(10));
        check(corpus, maildir, mode.equals("delete") ? server.mailbox("alice") : null, report);
        if (mode.equals("keep")) {
          assertEquals(corpus.messages().size(), server.mailbox("alice").size(), "keep mode deletes nothing");
        }
      }
    }
    return report;
  }

  private static final class Outcome {
    boolean killed;
    boolean finished;
    boolean midMessage;
    final List<String> lastLines = new ArrayList<>();
  }

  private static Outcome runChild(int port, Path maildir, Path state, String mode, int killAtEvent, Random random)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
        Integer.toString(port), maildir.toString(), state.toString(), mode).redirectErrorStream(true);
    pb.environment().put("CRASH_TEST_PASSWORD", PASSWORD);
    Process child = pb.start();
    Outcome o = new Outcome();
    boolean inMessage = false;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        o.lastLines.add(line);
        if (o.lastLines.size() > 20) {
          o.lastLines.remove(0);
        }
        if (line.startsWith("done ")) {
          o.finished = true;
        }
        if (!line.startsWith("E ")) {
          continue;
        }
        String[] f = line.split(" ", 4);
        inMessage = f[2].equals("started");
        if (Integer.parseInt(f[1]) == killAtEvent) {
          int micros = random.nextInt(3000);
          if (micros > 0) {
            TimeUnit.MICROSECONDS.sleep(micros);
          }
          child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally, no flush
          o.killed = true;
          o.midMessage = inMessage;
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

  /** Every corpus message exactly once in the Maildir, byte for byte; in delete mode, none left on the server. */
  private static void check(MailCorpus corpus, Path maildir, FakeMailbox serverAfterDelete, Report report)
      throws IOException {
    Map<DeliveryKey, List<Path>> files = new HashMap<>();
    for (String sub : new String[] {"new", "cur"}) {
      try (Stream<Path> s = Files.list(maildir.resolve(sub))) {
        s.forEach(p -> files.computeIfAbsent(MaildirSink.keyOf(p.getFileName().toString()), k -> new ArrayList<>()).add(p));
      }
    }
    try (Stream<Path> s = Files.list(maildir.resolve("tmp"))) {
      report.tmpLeftOvers += (int) s.count();
    }
    int expected = 0;
    for (MailCorpus.Message m : corpus.messages()) {
      report.messages++;
      expected++;
      List<Path> copies = files.getOrDefault(DeliveryKey.of(ACCOUNT, m.uid()), List.of());
      if (copies.isEmpty()) {
        report.lost++;
        continue;
      }
      if (copies.size() > 1) {
        report.twice++;
      }
      assertArrayEquals(MailCorpus.toLf(m.content()), Files.readAllBytes(copies.get(0)), m.uid());
    }
    assertEquals(expected, files.size(), "no file in the Maildir that is not a message of the mailbox: " + files.keySet());
    if (serverAfterDelete != null) {
      report.leftOnServer += serverAfterDelete.size();
    }
  }
}
