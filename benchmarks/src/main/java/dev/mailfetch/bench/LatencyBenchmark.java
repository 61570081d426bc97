package dev.mailfetch.bench;

import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * Fetching 1,000 small messages from a server {@code rtt} milliseconds away (a {@link DelayRelay}
 * on loopback in front of the testkit server): a client that waits for each reply pays a round trip
 * per command, a pipelined one about one per window. Every contender of {@link Contenders} in one
 * run; read each as a ratio to {@code bare}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar LatencyBenchmark -p rtt=10,50}. One
 * operation of Angus Mail or Commons Net takes over a thousand round trips (10 s at 10 ms), so the
 * modes are single-shot.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g"})
public class LatencyBenchmark {
  @Param({"10"})
  int rtt;

  @Param({"1000"})
  int messages;

  private FakePop3Server server;
  private DelayRelay relay;
  private Contenders.Server target;

  @Setup(Level.Trial)
  public void start() throws IOException {
    MailCorpus small = MailCorpus.generate(99, messages * 3).filter(m -> m.size() < 8 * 1024);
    int[] n = {0};
    small = small.filter(m -> n[0]++ < messages);
    server =
        FakePop3Server.builder()
            .account("alice", "bench", small.toMailbox())
            .maxSessions(1000)
            .start();
    relay =
        new DelayRelay(new InetSocketAddress("127.0.0.1", server.port()), Duration.ofMillis(rtt));
    target = new Contenders.Server("127.0.0.1", relay.port(), "alice", "bench", null);
  }

  @TearDown(Level.Trial)
  public void stop() throws IOException {
    relay.close();
    server.close();
  }

  @Benchmark
  public long bare() throws IOException {
    return Contenders.bare(target);
  }

  @Benchmark
  public long mailfetch() {
    return Contenders.mailfetch(target, new EngineBenchmark.CountingSink());
  }

  @Benchmark
  public long angusMail() throws Exception {
    return Contenders.angusMail(target);
  }

  @Benchmark
  public long commonsNet() throws IOException {
    return Contenders.commonsNet(target);
  }
}
