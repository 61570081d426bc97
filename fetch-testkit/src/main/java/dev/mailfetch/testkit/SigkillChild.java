package dev.mailfetch.testkit;

import dev.mailfetch.api.FetchLimits;
import dev.mailfetch.api.FetchListener;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.UidStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A fetch in a child JVM, killed with SIGKILL at a chosen moment: the crash tests' harness. The
 * child's main prints a line per engine event ({@link #events(PrintStream)}: {@code E <n> <what>})
 * and {@code done …} when it has finished; the parent counts the events and, at the chosen one and
 * a random few microseconds later, kills it (no shutdown hook, no finally, no flush).
 *
 * <pre>{@code
 * SigkillChild.Outcome o =
 *     SigkillChild.run(MyChild.class, List.of("--port", "1110"), Map.of("PW", pw), 17, random, 3000);
 * }</pre>
 */
public final class SigkillChild {
  private SigkillChild() {}

  /** How a child run ended. */
  public static final class Outcome {
    private boolean killed;
    private boolean finished;
    private final List<String> lastLines = new ArrayList<>();

    private Outcome() {}

    /** Whether it was killed (and had not finished before the signal landed). */
    public boolean killed() {
      return killed;
    }

    /** Whether it printed {@code done} and ended by itself. */
    public boolean finished() {
      return finished;
    }

    /** Its last 30 lines of output, for the report of a failure. */
    public List<String> lastLines() {
      return List.copyOf(lastLines);
    }
  }

  /**
   * Runs {@code main} in a child JVM with this JVM's class path, {@code args} and {@code env} added
   * to the environment (passwords go there, never on the command line), and kills it with SIGKILL
   * up to {@code maxDelayMicros} after its event number {@code killAtEvent} ({@code -1}: never);
   * waits for it to end.
   */
  public static Outcome run(
      Class<?> main,
      List<String> args,
      Map<String, String> env,
      int killAtEvent,
      Random random,
      int maxDelayMicros)
      throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-Xmx128m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
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
        if (line.startsWith("done")) {
          o.finished = true;
        }
        if (line.startsWith("E ") && Integer.parseInt(line.split(" ", 3)[1]) == killAtEvent) {
          int micros = maxDelayMicros > 0 ? random.nextInt(maxDelayMicros) : 0;
          TimeUnit.MICROSECONDS.sleep(micros);
          child.destroyForcibly(); // SIGKILL on Linux
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

  /**
   * A listener for the child's fetch that prints {@code E <n> <what>} per engine event (a message
   * started, received, finished; a batch synced; deletions committed) on {@code out}, flushed: the
   * moments the parent counts.
   */
  public static FetchListener events(PrintStream out) {
    return new FetchListener() {
      private int n;

      private void event(String what) {
        out.println("E " + (++n) + " " + what);
        out.flush();
      }

      @Override
      public void messageStarted(MessageRef ref) {
        event("started " + ref.uid());
      }

      @Override
      public void messageReceived(MessageRef ref, long octets) {
        event("received " + ref.uid());
      }

      @Override
      public void messageFinished(MessageOutcome outcome) {
        if (outcome.kind() != MessageOutcome.Kind.SKIPPED) {
          event("finished " + outcome.kind());
        }
      }

      @Override
      public void batchSynced(int messages) {
        event("synced " + messages);
      }

      @Override
      public void deletionsCommitted(int count, boolean confirmed) {
        event("deleted " + count);
      }
    };
  }

  /**
   * A crash child's fetch, as the crash tests run it: from {@code source} into {@code sink}, in
   * delete mode ({@link #fetchUntilDone} with {@link Retention#DELETE_AFTER_DELIVERY}).
   *
   * @return how many sessions it took, for the child's {@code done after <n> sessions}
   */
  public static int fetchUntilEmpty(
      FetchSource source, MessageSink sink, UidStore store, int perSession, PrintStream out) {
    return fetchUntilDone(source, sink, store, Retention.DELETE_AFTER_DELIVERY, perSession, out);
  }

  /**
   * A crash child's fetch: from {@code source} into {@code sink} with {@code retention}, batches of
   * five, sessions of at most {@code perSession} messages, each engine event printed ({@link
   * #events}); one session after another (each prints {@code session <n>} first) until there is
   * nothing left to do, as a poll would: in delete mode until the server lists nothing, otherwise
   * until a session fetched everything it listed and had nothing left for the next (no message held
   * back by the per-session limit). A session that does not end ok prints {@code failed <summary>}
   * and ends the JVM with status 1.
   *
   * @return how many sessions it took, for the child's {@code done after <n> sessions}
   */
  public static int fetchUntilDone(
      FetchSource source,
      MessageSink sink,
      UidStore store,
      Retention retention,
      int perSession,
      PrintStream out) {
    Fetcher fetcher =
        Fetcher.builder()
            .source(source)
            .sink(sink)
            .uidStore(store)
            .retention(retention)
            .batchSize(5)
            .limits(FetchLimits.builder().maxMessagesPerRun(perSession).build())
            .listener(events(out))
            .build();
    boolean deletes = retention.equals(Retention.DELETE_AFTER_DELIVERY);
    int sessions = 0;
    while (true) {
      sessions++;
      out.println("session " + sessions);
      out.flush();
      FetchResult r = fetcher.run();
      if (!r.ok()) {
        out.println("failed " + r.summary().replace('\n', ' '));
        out.flush();
        System.exit(1);
      }
      if (deletes ? r.listed() == 0 : r.count(MessageOutcome.Kind.SKIPPED) == 0) {
        return sessions;
      }
    }
  }
}
