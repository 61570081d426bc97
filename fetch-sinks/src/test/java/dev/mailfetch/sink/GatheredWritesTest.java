package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * A file delivery gathers the slices it is handed into few writes, through a buffer the next
 * delivery takes over when it ends: whatever the slicing, the announced size (right or wrong), and
 * however deliveries overlap, end or are aborted, each file holds exactly the bytes handed to its
 * delivery, in order.
 */
class GatheredWritesTest {
  @Property(tries = 60)
  void theFileHoldsEveryByteInOrder_howeverTheMessageIsSliced(
      @ForAll @IntRange(min = 0, max = 300_000) int size,
      @ForAll @IntRange(min = 1, max = 140_000) int maxSlice,
      @ForAll @LongRange(min = 0, max = 200_000) long announced,
      @ForAll long seed)
      throws IOException {
    Random random = new Random(seed);
    byte[] message = new byte[size];
    random.nextBytes(message);
    Path dir = Files.createTempDirectory("gathered");
    try {
      Path root = dir.resolve("Maildir");
      DeliveryKey key = DeliveryKey.of("alice@example.org", "u" + seed);
      try (MaildirSink sink = MaildirSink.open(root)) {
        Delivery d =
            sink.begin(new Envelope("alice@example.org", "u" + seed, announced, Set.of(), false));
        int at = 0;
        while (at < size) {
          int n =
              Math.min(
                  size - at,
                  1 + random.nextInt(random.nextInt(10) == 0 ? maxSlice : Math.min(maxSlice, 100)));
          d.write(ByteBuffer.wrap(message, at, n));
          at += n;
        }
        assertEquals(size, d.complete(key).bytes());
        sink.sync();
      }
      List<Path> files;
      try (Stream<Path> s = Files.list(root.resolve("new"))) {
        files = s.collect(Collectors.toList());
      }
      assertEquals(1, files.size());
      assertArrayEquals(message, Files.readAllBytes(files.get(0)));
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Property(tries = 40)
  void overlappingAndAbortedDeliveries_eachFileHoldsItsOwnBytes_andTheAbortedLeaveNone(
      @ForAll @IntRange(min = 1, max = 8) int messages, @ForAll long seed) throws IOException {
    Random random = new Random(seed);
    Path dir = Files.createTempDirectory("gathered");
    try {
      Path root = dir.resolve("Maildir");
      List<byte[]> kept = new ArrayList<>();
      try (MaildirSink sink = MaildirSink.open(root)) {
        Delivery open = null; // a delivery left open while the next one writes
        byte[] openBytes = null;
        for (int m = 0; m < messages; m++) {
          byte[] message = new byte[random.nextInt(150_000)];
          random.nextBytes(message);
          message = withNumber(message, m);
          Delivery d = sink.begin(new Envelope("alice@example.org", "u" + m, 10, Set.of(), false));
          int at = 0;
          while (at < message.length) {
            int n = Math.min(message.length - at, 1 + random.nextInt(20_000));
            d.write(ByteBuffer.wrap(message, at, n));
            at += n;
            if (open != null && random.nextInt(4) == 0) {
              open.write(ByteBuffer.wrap(new byte[0])); // still open, still its own buffer
            }
          }
          if (open != null && random.nextBoolean()) {
            end(open, openBytes, random, kept);
            open = null;
          }
          if (open == null && random.nextInt(3) == 0) {
            open = d;
            openBytes = message;
          } else {
            end(d, message, random, kept);
          }
        }
        if (open != null) {
          end(open, openBytes, random, kept);
        }
        sink.sync();
      }
      List<byte[]> files;
      try (Stream<Path> s = Files.list(root.resolve("new"))) {
        files =
            s.map(
                    p -> {
                      try {
                        return Files.readAllBytes(p);
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                    })
                .collect(Collectors.toList());
      }
      assertEquals(kept.size(), files.size());
      Comparator<byte[]> byNumber = Comparator.comparingInt(b -> b[0]);
      files.sort(byNumber);
      kept.sort(byNumber);
      for (int i = 0; i < kept.size(); i++) {
        assertArrayEquals(kept.get(i), files.get(i));
      }
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** The message's number in its first byte, to pair files with messages. */
  private static byte[] withNumber(byte[] message, int m) {
    byte[] b = message.length == 0 ? new byte[1] : message;
    b[0] = (byte) m;
    return b;
  }

  private static void end(Delivery d, byte[] message, Random random, List<byte[]> kept)
      throws IOException {
    if (random.nextInt(3) == 0) {
      d.abort();
    } else {
      DeliveryKey key = DeliveryKey.of("alice@example.org", "u" + message[0]);
      assertEquals(message.length, d.complete(key).bytes());
      kept.add(message);
    }
  }
}
