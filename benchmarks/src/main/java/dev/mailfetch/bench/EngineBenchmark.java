package dev.mailfetch.bench;

import dev.mailfetch.api.Capabilities;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.Retrieval;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the engine costs on top of moving the bytes: one run over an in-memory mailbox of {@code
 * messages} messages of about {@code size} bytes each, handed over in 16 KiB slices as a network
 * reader would, into a sink that only counts bytes.
 *
 * <ul>
 *   <li>{@code baseline}: the same slices copied once into a scratch buffer (the least any fetcher
 *       must do with the bytes);
 *   <li>{@code engine}: a full {@link Fetcher#run()} (plan, batches, barriers, store records,
 *       outcomes) with no policy that reads headers, so slices go through without a copy;
 *   <li>{@code engineWithHeaderPolicy}: the same with a label policy that reads the headers, so
 *       each message's header section is held back once.
 * </ul>
 *
 * <p>Run: {@code ./mvnw -q -pl benchmarks -am package -DskipTests && java -jar
 * benchmarks/target/benchmarks.jar EngineBenchmark -prof gc}. Report the ratio of engine to
 * baseline measured in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EngineBenchmark {
  private static final int SLICE = 16 * 1024;

  @Param({"1000"})
  int messages;

  @Param({"8192"})
  int size;

  private byte[][] contents;
  private final byte[] scratch = new byte[SLICE];

  @Setup(Level.Trial)
  public void setUp() {
    Random random = new Random(42);
    contents = new byte[messages][];
    for (int i = 0; i < messages; i++) {
      StringBuilder sb =
          new StringBuilder()
              .append("Received: from mx.example.com by pop.example.com\r\n")
              .append("Message-ID: <")
              .append(i)
              .append("@example.com>\r\n")
              .append("Subject: benchmark message ")
              .append(i)
              .append("\r\n\r\n");
      while (sb.length() < size) {
        sb.append((char) ('a' + random.nextInt(26)));
        if (sb.length() % 76 == 0) {
          sb.append("\r\n");
        }
      }
      contents[i] = sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
  }

  @Benchmark
  public long baseline() {
    long total = 0;
    for (byte[] c : contents) {
      for (int off = 0; off < c.length; off += SLICE) {
        int n = Math.min(SLICE, c.length - off);
        System.arraycopy(c, off, scratch, 0, n);
        total += n + scratch[n - 1];
      }
    }
    return total;
  }

  @Benchmark
  public FetchResult engine() {
    return fetcher(false).run();
  }

  @Benchmark
  public FetchResult engineWithHeaderPolicy() {
    return fetcher(true).run();
  }

  private Fetcher fetcher(boolean headerPolicy) {
    Fetcher.Builder b =
        Fetcher.builder()
            .source(new MemorySource(contents))
            .sink(new CountingSink())
            .uidStore(InMemoryUidStore.create());
    if (headerPolicy) {
      b.labelPolicy(
          (account, h) ->
              h.first("Subject").isPresent()
                  ? new LabelDecision(Set.of("bench"), false)
                  : LabelDecision.INBOX);
    }
    return b.build();
  }

  /** A mailbox in memory that hands out each message in slices of one reused buffer. */
  static final class MemorySource implements FetchSource {
    private final byte[][] contents;

    MemorySource(byte[][] contents) {
      this.contents = contents;
    }

    @Override
    public String account() {
      return "bench@example.com";
    }

    @Override
    public FetchSession open() {
      return new FetchSession() {
        private final ByteBuffer buf = ByteBuffer.allocate(SLICE);

        @Override
        public Capabilities capabilities() {
          return Capabilities.standard();
        }

        @Override
        public String server() {
          return "memory:0";
        }

        @Override
        public void list(ListingHandler handler) throws dev.mailfetch.api.FetchException {
          long total = 0;
          for (byte[] c : contents) {
            total += c.length;
          }
          handler.count(contents.length, total);
          for (int i = 0; i < contents.length; i++) {
            handler.message(new MessageRef(i + 1, "uid" + i, contents[i].length));
          }
        }

        @Override
        public void retrieve(Retrieval request, MessageHandler to) {
          MessageHandler handler = request.convertingFromCrlf(to);
          for (MessageRef ref : request.batch()) {
            byte[] c = contents[ref.number() - 1];
            handler.start(ref);
            for (int off = 0; off < c.length; off += SLICE) {
              buf.clear();
              buf.put(c, off, Math.min(SLICE, c.length - off)).flip();
              handler.data(buf);
            }
            handler.end();
          }
        }

        @Override
        public Set<MessageRef> delete(List<MessageRef> messages) {
          return Set.copyOf(messages);
        }

        @Override
        public boolean quit() {
          return true;
        }

        @Override
        public void close() {}
      };
    }
  }

  /** A sink that keeps nothing: it counts bytes and remembers keys, as idempotency needs. */
  static final class CountingSink implements MessageSink {
    private final java.util.Set<DeliveryKey> keys = new java.util.HashSet<>();
    long bytes;

    @Override
    public Delivery begin(Envelope envelope) {
      return new Delivery() {
        private long n;

        @Override
        public void write(ByteBuffer b) {
          n += b.remaining();
          b.position(b.limit());
        }

        @Override
        public DeliveryReceipt complete(DeliveryKey key) {
          bytes += n;
          return new DeliveryReceipt(key, n, !keys.add(key));
        }

        @Override
        public void abort() {}
      };
    }

    @Override
    public boolean contains(DeliveryKey key) {
      return keys.contains(key);
    }

    @Override
    public void sync() {}
  }
}
