package dev.mailfetch.bench;

import dev.mailfetch.pop3.internal.Pop3Reader;
import dev.mailfetch.testkit.MailCorpus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.apache.commons.net.pop3.POP3Client;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading dot-stuffed POP3 bodies: the whole wire form of a mailbox (every RETR body with its
 * stuffing and terminator), read by
 *
 * <ul>
 *   <li>{@code arraycopy}: one {@code System.arraycopy} of the same bytes in 64 KiB blocks, the
 *       least anything can do with them;
 *   <li>{@code mailfetch}: mailfetch's {@code Pop3Reader}, unstuffing into slices of its buffer;
 *   <li>{@code commonsNet}: Apache Commons Net's {@code POP3Client.retrieveMessage} (its {@code
 *       DotTerminatedMessageReader}), reading every char;
 *   <li>{@code angusMail}: Angus Mail's POP3 provider, {@code Message.writeTo} of every message.
 * </ul>
 *
 * <p>The two libraries run their real protocol code over an {@link InMemoryPop3Socket}, so no
 * network is measured (their few command round trips per message are in, and small). Corpora:
 * {@code typical} (the corpus generator's messages under 100 KB), {@code dots} (half the lines
 * start with a dot) and {@code attachments} (100 KB to 1 MB base64 attachments).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ParserBenchmark -prof gc}. Report each
 * contender as a ratio to {@code arraycopy} from the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParserBenchmark {
  @Param({"typical", "dots", "attachments"})
  String corpus;

  private List<byte[]> wire;
  private long[] sizes;
  private byte[] all;
  private final byte[] scratch = new byte[64 * 1024];
  private SocketFactory sockets;

  @Setup(Level.Trial)
  public void setUp() {
    List<byte[]> contents = new ArrayList<>();
    switch (corpus) {
      case "typical":
        for (MailCorpus.Message m : MailCorpus.generate(11, 400).messages()) {
          if (m.size() < 100 * 1024 && contents.size() < 200) {
            contents.add(m.content());
          }
        }
        break;
      case "attachments":
        for (MailCorpus.Message m : MailCorpus.generate(12, 1000).messages()) {
          if (m.size() >= 100 * 1024 && contents.size() < 20) {
            contents.add(m.content());
          }
        }
        break;
      default:
        {
          Random r = new Random(13);
          for (int i = 0; i < 200; i++) {
            StringBuilder sb = new StringBuilder("Subject: dots " + i + "\r\n\r\n");
            while (sb.length() < 8192) {
              sb.append(r.nextBoolean() ? "." : "")
                  .append("line with a dot now and then ")
                  .append(r.nextInt())
                  .append("\r\n");
            }
            contents.add(sb.toString().getBytes(StandardCharsets.US_ASCII));
          }
        }
    }
    wire = new ArrayList<>();
    sizes = new long[contents.size()];
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    for (int i = 0; i < contents.size(); i++) {
      byte[] w = MailCorpus.wireForm(contents.get(i));
      wire.add(w);
      sizes[i] = contents.get(i).length;
      whole.writeBytes(w);
    }
    all = whole.toByteArray();
    sockets = InMemoryPop3Socket.factory(wire, sizes);
  }

  @Benchmark
  public long arraycopy() {
    long sum = 0;
    for (int off = 0; off < all.length; off += scratch.length) {
      int n = Math.min(scratch.length, all.length - off);
      System.arraycopy(all, off, scratch, 0, n);
      sum += n + scratch[n - 1];
    }
    return sum;
  }

  @Benchmark
  public long mailfetch() throws Exception {
    Pop3Reader reader = new Pop3Reader(new ByteArrayInputStream(all), 64 * 1024, false);
    long[] total = {0};
    Pop3Reader.BodySink sink =
        slice -> {
          total[0] += slice.remaining() + slice.get(slice.limit() - 1);
        };
    for (int i = 0; i < wire.size(); i++) {
      reader.readBody(sink, Long.MAX_VALUE);
    }
    return total[0];
  }

  @Benchmark
  public long commonsNet() throws Exception {
    POP3Client client = new POP3Client();
    client.setSocketFactory(sockets);
    client.connect("localhost", 110);
    client.login("user", "pass");
    long total = Contenders.retrieveAll(client, wire.size());
    client.logout();
    client.disconnect();
    return total;
  }

  @Benchmark
  public long angusMail() throws Exception {
    Properties props = new Properties();
    props.put("mail.pop3.socketFactory", sockets);
    props.put("mail.pop3.socketFactory.fallback", "false");
    props.put("mail.pop3.disablecapa", "true");
    props.put("mail.pop3.disabletop", "true");
    return Contenders.angusMail(
        props, new Contenders.Server("localhost", 110, "user", "pass", null));
  }
}
