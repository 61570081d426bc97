package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * Exactly once, proven with real processes: a child JVM fetches from a POP3 server — a private
 * Dovecot where one can run (root, Dovecot 2.3 installed: PrivateDovecot.whyUnavailable), else the
 * testkit's server in this JVM — into a Maildir with the durable state; the test kills it with
 * SIGKILL at random moments, then lets it finish, and compares the Maildir and the server with the
 * mailbox: every message once, none lost, none twice, and in delete mode nothing delivered left on
 * the server. {@code -Dmailfetch.crash.kills=2000} runs the long profile (200 by default). The
 * report says which server was used.
 */
@Timeout(1800)
class CrashTest {
  static final String ACCOUNT = "alice@crash-test";
  private static final String PASSWORD = "crash test password";
  private static final int KILLS = Integer.getInteger("mailfetch.crash.kills", 200);
  @TempDir Path tmp;

  @Test
  void keepMode_sigkillAtRandomMoments_everyMessageOnceInTheMaildir_andAllStillOnTheServer()
      throws Exception {
    Report r = kill("keep", KILLS / 2, 1);
    System.out.println("crash test, keep mode: " + r);
    assertEquals(0, r.lost, r::toString);
    assertEquals(0, r.twice, r::toString);
    assertTrue(r.kills >= KILLS / 2, r::toString);
  }

  @Test
  void deleteMode_sigkillAtRandomMoments_everyMessageOnce_andNothingDeliveredLeftOnTheServer()
      throws Exception {
    Report r = kill("delete", KILLS - KILLS / 2, 2);
    System.out.println("crash test, delete mode: " + r);
    assertEquals(0, r.lost, r::toString);
    assertEquals(0, r.twice, r::toString);
    assertEquals(0, r.leftOnServer, r::toString);
    assertTrue(r.kills >= KILLS - KILLS / 2, r::toString);
  }

  static final class Report {
    String server;
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
      return "against "
          + server
          + ": "
          + kills
          + " kills in "
          + rounds
          + " rounds, "
          + messages
          + " messages: "
          + lost
          + " lost, "
          + twice
          + " twice, "
          + leftOnServer
          + " delivered but left on the server; "
          + killedMidMessage
          + " kills between a message's start and finish, "
          + tmpLeftOvers
          + " unfinished files in tmp/";
    }
  }

  /** The POP3 server the child fetches from: one mailbox per round. */
  private interface Server {
    /** Serves {@code corpus} afresh to user alice; returns the port. */
    int serve(MailCorpus corpus) throws Exception;

    /** How many messages the server still holds, once the last session has ended. */
    int held() throws Exception;

    String name();

    /** Alice's password there. */
    String password();

    void stop() throws Exception;
  }

  /** The testkit's server, in this JVM. */
  private static final class Testkit implements Server {
    private final Random random;
    private FakePop3Server server;

    Testkit(Random random) {
      this.random = random;
    }

    @Override
    public int serve(MailCorpus corpus) {
      stop();
      server =
          FakePop3Server.builder()
              .account("alice", PASSWORD, corpus.toMailbox())
              .pipelining(random.nextBoolean())
              .start();
      return server.port();
    }

    @Override
    public int held() {
      server.awaitSessionsEnded(Duration.ofSeconds(10));
      return server.mailbox("alice").size();
    }

    @Override
    public String name() {
      return "the testkit server";
    }

    @Override
    public String password() {
      return PASSWORD;
    }

    @Override
    public void stop() {
      if (server != null) {
        server.close();
        server = null;
      }
    }
  }

  /** A private Dovecot, refilled for each round. */
  private static final class Dovecot implements Server {
    private PrivateDovecot dovecot;

    @Override
    public int serve(MailCorpus corpus) throws Exception {
      if (dovecot == null) {
        dovecot = PrivateDovecot.start(corpus, TestCertificates.generate());
      } else {
        dovecot.refill(corpus::writeMaildir);
      }
      return dovecot.port();
    }

    @Override
    public int held() throws Exception {
      Thread.sleep(200); // Dovecot expunges at the end of the session it confirmed
      return dovecot.files().size();
    }

    @Override
    public String name() {
      return "Dovecot";
    }

    @Override
    public String password() {
      return PrivateDovecot.PASSWORD;
    }

    @Override
    public void stop() throws Exception {
      if (dovecot != null) {
        dovecot.stop();
      }
    }
  }

  /**
   * Dovecot where it can run; {@code -Dmailfetch.crash.server=testkit} chooses the testkit server
   * anyway.
   */
  private static Server server(Random random) {
    boolean dovecot =
        PrivateDovecot.whyUnavailable().isEmpty()
            && !"testkit".equals(System.getProperty("mailfetch.crash.server"));
    return dovecot ? new Dovecot() : new Testkit(random);
  }

  private Report kill(String mode, int kills, long seed) throws Exception {
    Random random = new Random(seed);
    Report report = new Report();
    Server server = server(random);
    try {
      report.server = server.name();
      while (report.kills < kills) {
        report.rounds++;
        MailCorpus corpus = MailCorpus.generate(seed * 1000 + report.rounds, 24);
        Path round = tmp.resolve(mode + "-" + report.rounds);
        Path maildir = round.resolve("Maildir");
        Path state = round.resolve("state");
        int port = server.serve(corpus);
        while (true) {
          boolean killThisOne = report.kills < kills;
          int at = 1 + random.nextInt(3 * corpus.messages().size());
          Outcome o =
              runChild(
                  port, server.password(), maildir, state, mode, killThisOne ? at : -1, random);
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
        int held = server.held();
        check(corpus, maildir, report);
        if (mode.equals("delete")) {
          report.leftOnServer += held;
        } else {
          assertEquals(corpus.messages().size(), held, "keep mode deletes nothing");
        }
      }
    } finally {
      server.stop();
    }
    return report;
  }

  private static final class Outcome {
    boolean killed;
    boolean finished;
    boolean midMessage;
    final List<String> lastLines = new ArrayList<>();
  }

  private static Outcome runChild(
      int port,
      String password,
      Path maildir,
      Path state,
      String mode,
      int killAtEvent,
      Random random)
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
                CrashChild.class.getName(),
                Integer.toString(port),
                maildir.toString(),
                state.toString(),
                mode)
            .redirectErrorStream(true);
    pb.environment().put("CRASH_TEST_PASSWORD", password);
    Process child = pb.start();
    Outcome o = new Outcome();
    boolean inMessage = false;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
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

  /**
   * Every corpus message exactly once in the Maildir, byte for byte: compared by content, since
   * each server names messages its own way (two identical messages in the mailbox must be two
   * files).
   */
  private static void check(MailCorpus corpus, Path maildir, Report report) throws IOException {
    Map<String, Integer> stored = new HashMap<>();
    for (String sub : new String[] {"new", "cur"}) {
      try (Stream<Path> s = Files.list(maildir.resolve(sub))) {
        for (Path p : (Iterable<Path>) s::iterator) {
          stored.merge(
              new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1), 1, Integer::sum);
        }
      }
    }
    try (Stream<Path> s = Files.list(maildir.resolve("tmp"))) {
      report.tmpLeftOvers += (int) s.count();
    }
    Map<String, Integer> expected = new HashMap<>();
    for (MailCorpus.Message m : corpus.messages()) {
      report.messages++;
      expected.merge(
          new String(MailCorpus.toLf(m.content()), StandardCharsets.ISO_8859_1), 1, Integer::sum);
    }
    for (Map.Entry<String, Integer> e : expected.entrySet()) {
      int got = stored.getOrDefault(e.getKey(), 0);
      report.lost += Math.max(0, e.getValue() - got);
      report.twice += Math.max(0, got - e.getValue());
    }
    for (Map.Entry<String, Integer> e : stored.entrySet()) {
      if (!expected.containsKey(e.getKey())) {
        report.twice += e.getValue(); // a file that is no message of the mailbox: a broken copy
      }
    }
  }
}
