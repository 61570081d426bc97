package dev.mailfetch.bench;

import dev.mailfetch.sink.MaildirSink;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fetching a whole mailbox over loopback, end to end: every contender of {@link Contenders} fetches
 * the same {@code messages} typical messages (the corpus generator's, under 100 KB) from the same
 * server in one run, so each is read as a ratio to {@code bare}, the pipelined socket loop that
 * only frames messages (the practical limit).
 *
 * <p>{@code server=testkit} serves from memory in this JVM; {@code server=dovecot} is a private
 * Dovecot on loopback (root and Dovecot installed: .ci/run installs it). {@code security=tls} is
 * implicit TLS with the JDK's provider for every contender. The score is milliseconds per whole
 * mailbox; {@code clientCpuMs} is the CPU time of the fetching thread per mailbox (the testkit
 * server's threads and Dovecot are not counted).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar EndToEndBenchmark}; see
 * benchmarks/README.md for the short and the full profile.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx3g"})
public class EndToEndBenchmark {
  @Param({"testkit"})
  String server;

  @Param({"plain", "tls"})
  String security;

  @Param({"10000"})
  int messages;

  private FakePop3Server testkit;
  private PrivateDovecot dovecot;
  private Contenders.Server target;
  private Path maildirs;
  private int round;

  /** CPU time of the fetching thread, reported per operation next to the wall time. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Cpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    public double clientCpuMs;
    public long ops;
    private long start;

    void begin() {
      start = clientCpu();
    }

    void end() {
      clientCpuMs += (clientCpu() - start) / 1e6;
      ops++;
    }

    /**
     * The fetching thread's CPU time, and that of the Maildir's flushing threads (alive for 30 s
     * after use).
     */
    private static long clientCpu() {
      long sum = THREADS.getCurrentThreadCpuTime();
      for (java.lang.management.ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
        if (t != null && t.getThreadName().startsWith("mailfetch-maildir-flush")) {
          sum += Math.max(0, THREADS.getThreadCpuTime(t.getThreadId()));
        }
      }
      return sum;
    }
  }

  /** The corpus: {@code count} typical messages (the generator's, under 100 KB). */
  static MailCorpus typical(int count) {
    for (int generated = count + count / 4; ; generated += count / 4 + 1) {
      MailCorpus c = MailCorpus.generate(2026, generated).filter(m -> m.size() < 100 * 1024);
      if (c.messages().size() >= count) {
        int[] n = {0};
        return c.filter(m -> n[0]++ < count);
      }
    }
  }

  @Setup(Level.Trial)
  public void start() throws Exception {
    TestCertificates certs = TestCertificates.generate();
    MailCorpus corpus = typical(messages);
    boolean tls = security.equals("tls");
    if (server.equals("dovecot")) {
      dovecot = PrivateDovecot.start(corpus, certs);
      target =
          new Contenders.Server(
              "localhost",
              tls ? dovecot.tlsPort() : dovecot.port(),
              PrivateDovecot.USER,
              PrivateDovecot.PASSWORD,
              tls ? certs.clientContext() : null);
    } else {
      FakeMailbox box = corpus.toMailbox();
      FakePop3Server.Builder b = FakePop3Server.builder().account("alice", "bench", box);
      if (tls) {
        b.tls(TlsMode.IMPLICIT, certs);
      }
      testkit = b.maxSessions(1000).start();
      target =
          new Contenders.Server(
              "localhost", testkit.port(), "alice", "bench", tls ? certs.clientContext() : null);
    }
    maildirs = Files.createTempDirectory("mailfetch-e2e");
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    if (testkit != null) {
      testkit.close();
    }
    if (dovecot != null) {
      dovecot.stop();
    }
    delete(maildirs);
  }

  /** A Maildir per operation, removed after it: the disk does not fill over a run. */
  @TearDown(Level.Invocation)
  public void clearMaildirs() throws IOException {
    try (Stream<Path> s = Files.list(maildirs)) {
      for (Path p : s.toList()) {
        delete(p);
      }
    }
  }

  @Benchmark
  public long bare(Cpu cpu) throws IOException {
    cpu.begin();
    long n = Contenders.bare(target);
    cpu.end();
    return n;
  }

  /**
   * {@code bare}, writing every message durably into a Maildir: the practical limit into a Maildir.
   */
  @Benchmark
  public long bareMaildir(Cpu cpu) throws IOException {
    cpu.begin();
    long n = Contenders.bare(target, maildirs.resolve("b" + round++));
    cpu.end();
    return n;
  }

  @Benchmark
  public long mailfetchDiscard(Cpu cpu) {
    cpu.begin();
    long n = Contenders.mailfetch(target, new EngineBenchmark.CountingSink());
    cpu.end();
    return n;
  }

  @Benchmark
  public long mailfetchMaildir(Cpu cpu) throws IOException {
    cpu.begin();
    long n;
    try (MaildirSink sink = MaildirSink.open(maildirs.resolve("m" + round++))) {
      n = Contenders.mailfetch(target, sink);
    }
    cpu.end();
    return n;
  }

  @Benchmark
  public long angusMail(Cpu cpu) throws Exception {
    cpu.begin();
    long n = Contenders.angusMail(target);
    cpu.end();
    return n;
  }

  @Benchmark
  public long commonsNet(Cpu cpu) throws IOException {
    cpu.begin();
    long n = Contenders.commonsNet(target);
    cpu.end();
    return n;
  }

  static void delete(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
