package dev.mailfetch.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The SIGKILL proof of a fetch: a child JVM fetches a corpus from a server into a destination and
 * is killed with SIGKILL at random moments ({@link SigkillChild}), then run to the end. At every
 * kill, each message gone from the server must be in the destination; at the end the corpus is
 * compared with what the destination holds ({@link DeliveryTally}) and with what is left on the
 * server. The caller asserts on the {@link Report}. Two shapes:
 *
 * <ul>
 *   <li>{@link #builder}: a sink's proof. The server is the testkit's POP3 server (in this JVM), in
 *       delete mode; the destination a mailbox of a {@link PrivateDovecot} (fetch-imap's {@code
 *       ImapCrashTest}, fetch-smtp's {@code LmtpCrashTest}).
 *   <li>{@link #fromDovecot}: a source's proof. The server is a {@link PrivateDovecot} whose
 *       mailbox holds the corpus (written into its Maildir before it started); the destination a
 *       Maildir the child writes ({@link Builder#intoMaildir}); delete mode, or keep mode ({@link
 *       Builder#keepMode}: nothing may leave the server, and nothing may arrive twice). A message
 *       is on the server while Dovecot's own file of it is there (fetch-imap's {@code
 *       ImapSourceCrashTest}).
 * </ul>
 *
 * <pre>{@code
 * CrashProof.Report r = CrashProof.builder(ImapCrashChild.class, corpus, Arrival.IMAP, dovecot)
 *     .childArgs(pop3Port -> List.of(...)).env(Map.of(...)).kills(50).seed(19).run();
 * CrashProof.Report s = CrashProof.fromDovecot(ImapSourceCrashChild.class, corpus, dovecot)
 *     .intoMaildir(tmp.resolve("Maildir")).keepMode(true)
 *     .childArgs(imapPort -> List.of(...)).kills(50).seed(20).run();
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
          "%d kills in %d runs, %.0f s; %s; %d left on the server;"
              + " at most %d deleted from the server before the destination had them (checked at"
              + " every kill, %d deleted by the last kill; found at kills %s)",
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
    private final boolean dovecotIsTheServer;
    private IntFunction<List<String>> childArgs = port -> List.of(Integer.toString(port));
    private Map<String, String> env = Map.of();
    private String mailbox = "INBOX";
    private String password = "crash test password";
    private Path maildir;
    private boolean keep;
    private int kills = 50;
    private long seed = 1;
    private int maxDelayMicros = 3000;

    private Builder(
        Class<?> child,
        MailCorpus corpus,
        DeliveryTally.Arrival arrival,
        PrivateDovecot dovecot,
        boolean dovecotIsTheServer) {
      this.child = Objects.requireNonNull(child, "child");
      this.corpus = Objects.requireNonNull(corpus, "corpus");
      this.arrival = Objects.requireNonNull(arrival, "arrival");
      this.dovecot = Objects.requireNonNull(dovecot, "dovecot");
      this.dovecotIsTheServer = dovecotIsTheServer;
    }

    /**
     * The child's arguments, given the server's port: the testkit POP3 server's, or for {@link
     * #fromDovecot} Dovecot's plain IMAP port.
     */
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

    /**
     * The Dovecot mailbox the child delivers into ({@link #builder}) or fetches from ({@link
     * #fromDovecot}); INBOX by default.
     */
    public Builder mailbox(String mailbox) {
      this.mailbox = mailbox;
      return this;
    }

    /**
     * For {@link #fromDovecot}: the Maildir the child delivers into (its {@code new/}, {@code
     * cur/}).
     */
    public Builder intoMaildir(Path maildir) {
      this.maildir = maildir;
      return this;
    }

    /**
     * For {@link #fromDovecot}: the child keeps what it fetched on the server (the kills then fall
     * among the messages the Maildir does not hold yet); delete mode by default.
     */
    public Builder keepMode(boolean keep) {
      this.keep = keep;
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

    /** Runs it: the kills, then a run to the end; the report of what the destination holds. */
    public Report run() throws Exception {
      if (dovecotIsTheServer && maildir == null) {
        throw new IllegalStateException(
            "fromDovecot needs intoMaildir(path): where the child delivers");
      }
      if (!dovecotIsTheServer && (maildir != null || keep)) {
        throw new IllegalStateException("intoMaildir and keepMode are for fromDovecot only");
      }
      return CrashProof.run(this);
    }
  }

  /** Where the child fetches from, as the proof sees it between two runs. */
  private interface Server extends AutoCloseable {
    int port();

    /** Waits until the server side of every session has ended. */
    void awaitQuiet() throws Exception;

    /** The corpus uids of the messages still there. */
    Set<String> remaining() throws Exception;

    @Override
    void close();
  }

  private CrashProof() {}

  /** A sink's proof: {@code child}'s main delivering {@code corpus} into {@code dovecot}. */
  public static Builder builder(
      Class<?> child, MailCorpus corpus, DeliveryTally.Arrival arrival, PrivateDovecot dovecot) {
    return new Builder(child, corpus, arrival, dovecot, false);
  }

  /**
   * A source's proof: {@code child}'s main fetching {@code corpus}, which {@code dovecot}'s mailbox
   * holds ({@code PrivateDovecot.start(services, corpus::writeMaildir, certs)}), into the Maildir
   * named by {@link Builder#intoMaildir}. The files Dovecot holds are checked to be the corpus (LF
   * line ends) before the first run, so that the final comparison is against Dovecot's own files
   * (as IMAP serves them: {@link DeliveryTally.Arrival#IMAP_FETCH}).
   */
  public static Builder fromDovecot(Class<?> child, MailCorpus corpus, PrivateDovecot dovecot) {
    return new Builder(child, corpus, DeliveryTally.Arrival.IMAP_FETCH, dovecot, true);
  }

  private static Report run(Builder b) throws Exception {
    Random random = new Random(b.seed);
    DeliveryTally tally = DeliveryTally.of(b.corpus, b.arrival);
    int kills = 0;
    int runs = 0;
    int deletedBeforeDelivery = 0;
    int goneAtLastKill = 0;
    int total = b.corpus.messages().size();
    List<Integer> killsWithDeletedBeforeDelivery = new ArrayList<>();
    long started = System.nanoTime();
    try (Server server = b.dovecotIsTheServer ? dovecotServer(b, tally) : pop3Server(b)) {
      List<String> args = b.childArgs.apply(server.port());
      int toGo = total;
      while (kills < b.kills) {
        // A message makes three or four events; a moment among the next 4 per message left,
        // spread over the kills still to come, makes the kills fall all through the run.
        int window = Math.max(4, 4 * toGo / (b.kills - kills + 1));
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
        server.awaitQuiet();
        Set<String> onServer = server.remaining();
        Map<String, Integer> stored = stored(b, tally);
        goneAtLastKill = total - onServer.size();
        int missing = tally.deletedBeforeDelivery(onServer, stored);
        if (missing > 0) {
          killsWithDeletedBeforeDelivery.add(kills);
          deletedBeforeDelivery = Math.max(deletedBeforeDelivery, missing);
        }
        toGo = b.keep ? total - tally.held(stored) : onServer.size();
      }
      SigkillChild.Outcome last = SigkillChild.run(b.child, args, b.env, -1, random, 0);
      runs++;
      if (!last.finished()) {
        throw new AssertionError("the last run did not finish: " + last.lastLines());
      }
      server.awaitQuiet();
      return new Report(
          kills,
          runs,
          (System.nanoTime() - started) / 1e9,
          tally.compare(stored(b, tally)),
          server.remaining().size(),
          goneAtLastKill,
          deletedBeforeDelivery,
          List.copyOf(killsWithDeletedBeforeDelivery));
    }
  }

  private static Map<String, Integer> stored(Builder b, DeliveryTally tally)
      throws IOException, InterruptedException {
    return b.dovecotIsTheServer ? tally.stored(b.maildir) : tally.stored(b.dovecot, b.mailbox);
  }

  private static Server pop3Server(Builder b) throws IOException {
    FakePop3Server pop3 =
        FakePop3Server.builder().account(USER, b.password, b.corpus.toMailbox()).start();
    return new Server() {
      @Override
      public int port() {
        return pop3.port();
      }

      @Override
      public void awaitQuiet() {
        pop3.awaitSessionsEnded(Duration.ofSeconds(30));
      }

      @Override
      public Set<String> remaining() {
        return pop3.mailbox(USER).uids();
      }

      @Override
      public void close() {
        pop3.close();
      }
    };
  }

  private static Server dovecotServer(Builder b, DeliveryTally tally) throws Exception {
    Map<String, String> uidByFile = tally.corpusUidsOf(b.dovecot.files(b.mailbox));
    return new Server() {
      @Override
      public int port() {
        return b.dovecot.imapPort();
      }

      @Override
      public void awaitQuiet() throws Exception {
        b.dovecot.awaitSessionsEnded(Duration.ofSeconds(30));
      }

      @Override
      public Set<String> remaining() throws Exception {
        Set<String> uids = new HashSet<>();
        for (Path p : b.dovecot.files(b.mailbox)) {
          String uid = uidByFile.get(DeliveryTally.baseName(p));
          if (uid == null) {
            throw new AssertionError(
                "Dovecot's mailbox holds a file it did not hold at the start: " + p);
          }
          uids.add(uid);
        }
        return uids;
      }

      @Override
      public void close() {}
    };
  }
}
