package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * A file delivery gathers the slices it is handed (line by line, when the engine converts line
 * ends) into few writes: whatever the slicing, the announced size (right or wrong) and the buffer
 * size it leads to, the file holds exactly the bytes handed over, in order.
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
}
