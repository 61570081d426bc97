package dev.mailfetch.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The SIGKILL proof of a sink into a {@link PrivateDovecot}: a child JVM fetches a corpus from the
 * testkit's POP3 server (in this JVM) in delete mode into a Dovecot mailbox, and is killed with
 * SIGKILL at random moments ({@link SigkillChild}), then run to the end. At every kill, each
 * message gone from the POP3 mailbox must be in Dovecot's storage; at the end the corpus is
 * compared with what Dovecot stored ({@link DeliveryTally}) and with what is left on the POP3
 * server. The caller asserts on the {@link Report}.
 *
 * <pre>{@code
 * CrashProof.Report r = CrashProof.builder(ImapCrashChild.class, corpus, Arrival.IMAP, dovecot)
 *     .childArgs(pop3Port -> List.of(...)).env(Map.of(...)).kills(50).seed(19).run();
 * }</pre>
 */
public final class CrashProof {
  private static final String USER = "alice";

  /** What a proof found. */
  public record Report(
      int kills,
      int runs,
      double seconds,
      DeliveryTally.Counts counts,
      int leftOnServer,
      int goneAtLastKill,
      int deletedBeforeDelivery,
      List<Integer> killsWithDeletedBeforeDelivery) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%d kills in %d runs, %.0f s; %s; %d left on the POP3 server;"
              + " at most %d deleted from the POP3 server before Dovecot had them (checked at every"
              + " kill, %d deleted by the last kill; found at kills %s)",
          kills,
          runs,
          seconds,
          counts,
          leftOnServer,
          deletedBeforeDelivery,
          goneAtLastKill,
          killsWithDeletedBeforeDelivery);
    }
  }

  /** A proof to run. */
  public static final class Builder {
    private final Class<?> child;
    private final MailCorpus corpus;
    private final DeliveryTally.Arrival arrival;
    private final PrivateDovecot dovecot;
    private IntFunction<List<String>> childArgs = port -> List.of(Integer.toString(port));
    private Map<String, String> env = Map.of();
    private String mailbox = "INBOX";
    private String password = "crash test password";
    private int kills = 50;
    private long seed = 1;
    private int maxDelayMicros = 3000;

    private Builder(
        Class<?> child, MailCorpus corpus, DeliveryTally.Arrival arrival, PrivateDovecot dovecot) {
      this.child = child;
      this.corpus = corpus;
      this.arrival = arrival;
      this.dovecot = dovecot;
    }

    /** The child's arguments, given the POP3 server's port. */
    public Builder childArgs(IntFunction<List<String>> args) {
      this.childArgs = args;
      return this;
    }

    /** Added to the child's environment (its passwords). */
    public Builder env(Map<String, String> env) {
      this.env = Map.copyOf(env);
      return this;
    }

    /** The POP3 password of user {@code alice} on the testkit server. */
    public Builder pop3Password(String password) {
      this.password = password;
      return this;
    }

    /** The Dovecot mailbox the child delivers into; INBOX by default. */
    public Builder mailbox(String mailbox) {
      this.mailbox = mailbox;
      return this;
    }

    /** How many times to kill the child; 50 by default. */
    public Builder kills(int kills) {
      this.kills = kills;
      return this;
    }

    /** Chooses the moments. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Runs it: the kills, then a run to the end; the report of what Dovecot holds. */
    public Report run() throws Exception {
      return CrashProof.run(this);
    }
  }

  private CrashProof() {}

  /** A proof of {@code child}'s main delivering {@code corpus} into {@code dovecot}. */
  public static Builder builder(
      Class<?> child, MailCorpus corpus, DeliveryTally.Arrival arrival, PrivateDovecot dovecot) {
    return new Builder(child, corpus, arrival, dovecot);
  }

  private static Report run(Builder b) throws Exception {
    Random random = new Random(b.seed);
    DeliveryTally tally = DeliveryTally.of(b.corpus, b.arrival);
    int kills = 0;
    int runs = 0;
    int deletedBeforeDelivery = 0;
    int goneAtLastKill = 0;
    List<Integer> killsWithDeletedBeforeDelivery = new ArrayList<>();
    long started = System.nanoTime();
    try (FakePop3Server pop3 =
        FakePop3Server.builder().account(USER, b.password, b.corpus.toMailbox()).start()) {
      List<String> args = b.childArgs.apply(pop3.port());
      while (kills < b.kills) {
        int remaining = pop3.mailbox(USER).size();
        // A message makes three or four events; a moment among the next 4 per message left,
        // spread over the kills still to come, makes the kills fall all through the run.
        int window = Math.max(4, 4 * remaining / (b.kills - kills + 1));
        SigkillChild.Outcome o =
            SigkillChild.run(
                b.child, args, b.env, 1 + random.nextInt(window), random, b.maxDelayMicros);
        runs++;
        if (!o.killed()) {
          if (!o.finished()) {
            throw new AssertionError("the child ended without finishing: " + o.lastLines());
          }
          break; // finished before the moment chosen: the report's kills say so
        }
        kills++;
        pop3.awaitSessionsEnded(Duration.ofSeconds(30));
        Set<String> onServer = pop3.mailbox(USER).uids();
        goneAtLastKill = b.corpus.messages().size() - onServer.size();
        int missing = tally.deletedBeforeDelivery(onServer, tally.stored(b.dovecot, b.mailbox));
        if (missing > 0) {
          killsWithDeletedBeforeDelivery.add(kills);
          deletedBeforeDelivery = Math.max(deletedBeforeDelivery, missing);
        }
      }
      SigkillChild.Outcome last = SigkillChild.run(b.child, args, b.env, -1, random, 0);
      runs++;
      if (!last.finished()) {
        throw new AssertionError("the last run did not finish: " + last.lastLines());
      }
      pop3.awaitSessionsEnded(Duration.ofSeconds(30));
      return new Report(
          kills,
          runs,
          (System.nanoTime() - started) / 1e9,
          tally.compare(tally.stored(b.dovecot, b.mailbox)),
          pop3.mailbox(USER).size(),
          goneAtLastKill,
          deletedBeforeDelivery,
          List.copyOf(killsWithDeletedBeforeDelivery));
    }
  }
}
