package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link MessageSink} keeps, as tests: extend this class, implement {@link
 * #open(Path)}, and your sink is checked on real bytes.
 *
 * <pre>{@code
 * class MyDatabaseSinkContractTest extends MessageSinkContract {
 *   @Override
 *   protected SinkUnderTest open(Path location) {
 *     MyDatabaseSink sink = MyDatabaseSink.at(location);
 *     return SinkUnderTest.of(sink, key -> sink.read(key));
 *   }
 * }
 * }</pre>
 *
 * <p>What it checks: byte-exact delivery of every byte value through buffers that are lent, not
 * given, in the line ends the sink asks for ({@link MessageSink#lineEnding()}: the contract hands
 * an LF sink what the engine would, every CRLF made LF, and expects exactly that stored); {@code
 * abort} leaves nothing; a key completed twice yields one message; {@code sync} makes messages
 * survive a new sink over the same location; labels, the archive flag and {@code addLabels} where
 * the sink supports them; and, for a file-based sink, a clear {@link IOException} naming the place
 * and the reason on a full disk, on a read-only location and on a location that vanished. The disk
 * tests mount a small tmpfs, which needs root (CI runs as root); elsewhere they are skipped and the
 * report says why.
 */
@Timeout(60)
public abstract class MessageSinkContract {
  /** A sink under test, with a way to read back what it holds. */
  public interface SinkUnderTest {
    /** The sink. */
    MessageSink sink();

    /** The bytes held under {@code key}, as stored, or empty if none. */
    Optional<byte[]> read(DeliveryKey key) throws IOException;

    /** The labels the message under {@code key} is filed under, where the sink has labels. */
    default Optional<Set<String>> labels(DeliveryKey key) throws IOException {
      return Optional.empty();
    }

    /** Whether the sink keeps messages in files (the disk-full and read-only tests apply). */
    default boolean fileBased() {
      return false;
    }

    /** Closes the sink; by default {@link MessageSink#close()}. */
    default void close() throws IOException {
      sink().close();
    }

    /** A sink read back through {@code reader}. */
    static SinkUnderTest of(MessageSink sink, Reader reader) {
      return new SinkUnderTest() {
        @Override
        public MessageSink sink() {
          return sink;
        }

        @Override
        public Optional<byte[]> read(DeliveryKey key) throws IOException {
          return reader.read(key);
        }
      };
    }
  }

  /** Reads one message back from a sink. */
  @FunctionalInterface
  public interface Reader {
    /** The bytes held under {@code key}, or empty. */
    Optional<byte[]> read(DeliveryKey key) throws IOException;
  }

  /**
   * A new sink over {@code location}: an empty directory the first time; the same directory again
   * when a test asks for a second sink over the same place (it must see what the first synced).
   */
  protected abstract SinkUnderTest open(Path location) throws IOException;

  @TempDir Path tmp;

  /** For subclasses. */
  protected MessageSinkContract() {}

  private static final String ACCOUNT = "contract@example.org";

  private static Envelope envelope(String uid, Set<String> labels, boolean archived) {
    return new Envelope(ACCOUNT, uid, 0, labels, archived);
  }

  /**
   * The message as the engine hands it to {@code sink}: with LF line ends when the sink asks for
   * them ({@link MessageSink#lineEnding()}), as sent otherwise. The sink must store exactly this.
   */
  private static byte[] handedTo(MessageSink sink, byte[] wire) {
    return sink.lineEnding() == LineEnding.LF ? MailCorpus.toLf(wire) : wire;
  }

  /**
   * Delivers {@code message} (CRLF, as sent) in the sink's line ends, in slices of a reused buffer
   * that is scribbled over after each write.
   */
  private static DeliveryReceipt deliver(
      MessageSink sink, Envelope env, DeliveryKey key, byte[] message, int slice)
      throws IOException {
    byte[] bytes = handedTo(sink, message);
    Delivery d = sink.begin(env);
    ByteBuffer buf = ByteBuffer.allocate(Math.max(1, slice));
    for (int off = 0; off < bytes.length; off += slice) {
      buf.clear();
      buf.put(bytes, off, Math.min(slice, bytes.length - off)).flip();
      d.write(buf);
      buf.clear();
      while (buf.hasRemaining()) {
        buf.put((byte) 0x5A); // the buffer was lent: a sink that kept it now holds garbage
      }
    }
    return d.complete(key);
  }

  /** Every byte value, CRLF and bare LF, lone dots, a long line, NUL. */
  private static byte[] awkwardMessage(long seed) {
    Random r = new Random(seed);
    StringBuilder sb =
        new StringBuilder("Subject: contract ").append(seed).append("\r\n\r\n.\r\n..\r\n");
    sb.append("x".repeat(5000)).append("\r\nbare LF line\n");
    byte[] text = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[text.length + 256 + 2000];
    System.arraycopy(text, 0, all, 0, text.length);
    for (int i = 0; i < 256; i++) {
      all[text.length + i] = (byte) i;
    }
    byte[] noise = new byte[2000];
    r.nextBytes(noise);
    System.arraycopy(noise, 0, all, text.length + 256, noise.length);
    return all;
  }

  @Test
  void deliversEveryByteExactly_throughLentBuffers_ofAnySliceSize() throws IOException {
    SinkUnderTest s = open(tmp.resolve("sink"));
    try {
      int[] slices = {1, 3, 7, 512, 65536};
      List<DeliveryKey> keys = new ArrayList<>();
      List<byte[]> sent = new ArrayList<>();
      for (int i = 0; i < slices.length; i++) {
        byte[] m = awkwardMessage(i);
        DeliveryKey k = DeliveryKey.of(ACCOUNT, "exact-" + i);
        DeliveryReceipt r =
            deliver(s.sink(), envelope("exact-" + i, Set.of(), false), k, m, slices[i]);
        assertFalse(r.alreadyHeld());
        assertEquals(k, r.key());
        assertEquals(
            handedTo(s.sink(), m).length,
            r.bytes(),
            "the receipt counts the bytes the sink received");
        keys.add(k);
        sent.add(m);
      }
      s.sink().sync();
      for (int i = 0; i < keys.size(); i++) {
        assertTrue(s.sink().contains(keys.get(i)));
        assertArrayEquals(
            handedTo(s.sink(), sent.get(i)),
            s.read(keys.get(i)).orElseThrow(),
            "message " + i + " (slices of " + slices[i] + " bytes)");
      }
    } finally {
      s.close();
    }
  }

  @Test
  void anEmptyMessage_isAMessage() throws IOException {
    SinkUnderTest s = open(tmp.resolve("sink"));
    try {
      DeliveryKey k = DeliveryKey.of(ACCOUNT, "empty");
      deliver(s.sink(), envelope("empty", Set.of(), false), k, new byte[0], 1);
      s.sink().sync();
      assertTrue(s.sink().contains(k));
      assertArrayEquals(new byte[0], s.read(k).orElseThrow());
    } finally {
      s.close();
    }
  }

  @Test
  void abort_leavesNothingBehind_evenAfterSyncAndReopen() throws IOException {
    Path location = tmp.resolve("sink");
    SinkUnderTest s = open(location);
    DeliveryKey k = DeliveryKey.of(ACCOUNT, "aborted");
    try {
      Delivery d = s.sink().begin(envelope("aborted", Set.of(), false));
      d.write(ByteBuffer.wrap(awkwardMessage(9)));
      d.abort();
      d.abort(); // safe twice
      s.sink().begin(envelope("never-written", Set.of(), false)).abort();
      s.sink().sync();
      assertFalse(s.sink().contains(k));
      assertTrue(s.read(k).isEmpty());
    } finally {
      s.close();
    }
    SinkUnderTest again = open(location);
    try {
      assertFalse(again.sink().contains(k));
      assertTrue(again.read(k).isEmpty());
    } finally {
      again.close();
    }
  }

  @Test
  void aKeyCompletedTwice_yieldsOneMessage_beforeAndAfterSyncAndReopen() throws IOException {
    Path location = tmp.resolve("sink");
    byte[] first = "Subject: first\r\n\r\nfirst copy\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] second = "Subject: second\r\n\r\nsecond copy\r\n".getBytes(StandardCharsets.US_ASCII);
    DeliveryKey k = DeliveryKey.of(ACCOUNT, "twice");
    SinkUnderTest s = open(location);
    try {
      assertFalse(
          deliver(s.sink(), envelope("twice", Set.of(), false), k, first, 16).alreadyHeld());
      assertTrue(
          deliver(s.sink(), envelope("twice", Set.of(), false), k, second, 16).alreadyHeld(),
          "a key the sink holds (not yet synced) is not stored again");
      s.sink().sync();
      assertArrayEquals(handedTo(s.sink(), first), s.read(k).orElseThrow(), "the first copy stays");
    } finally {
      s.close();
    }
    SinkUnderTest again = open(location);
    try {
      assertTrue(
          deliver(again.sink(), envelope("twice", Set.of(), false), k, second, 16).alreadyHeld(),
          "a key synced before a restart is not stored again");
      again.sink().sync();
      assertArrayEquals(handedTo(again.sink(), first), again.read(k).orElseThrow());
    } finally {
      again.close();
    }
  }

  @Test
  void sync_makesMessagesSurviveANewSinkOverTheSameLocation() throws IOException {
    Path location = tmp.resolve("sink");
    List<byte[]> sent = new ArrayList<>();
    SinkUnderTest s = open(location);
    try {
      for (int i = 0; i < 20; i++) {
        byte[] m =
            ("Subject: durable " + i + "\r\n\r\n" + "line\r\n".repeat(i))
                .getBytes(StandardCharsets.US_ASCII);
        deliver(
            s.sink(),
            envelope("durable-" + i, Set.of(), false),
            DeliveryKey.of(ACCOUNT, "durable-" + i),
            m,
            64);
        sent.add(m);
      }
      s.sink().sync();
    } finally {
      s.close();
    }
    SinkUnderTest again = open(location);
    try {
      for (int i = 0; i < 20; i++) {
        DeliveryKey k = DeliveryKey.of(ACCOUNT, "durable-" + i);
        assertTrue(again.sink().contains(k), "message " + i + " survived");
        assertArrayEquals(handedTo(again.sink(), sent.get(i)), again.read(k).orElseThrow());
      }
      assertFalse(again.sink().contains(DeliveryKey.of(ACCOUNT, "never-delivered")));
    } finally {
      again.close();
    }
  }

  @Test
  void labelsAndArchive_areKept_whereTheSinkHasLabels() throws IOException {
    SinkUnderTest s = open(tmp.resolve("sink"));
    try {
      DeliveryKey k = DeliveryKey.of(ACCOUNT, "labelled");
      deliver(
          s.sink(),
          envelope("labelled", Set.of("Lists", "Work"), true),
          k,
          "Subject: l\r\n\r\nl\r\n".getBytes(StandardCharsets.US_ASCII),
          8);
      s.sink().sync();
      Optional<Set<String>> labels = s.labels(k);
      assumeTrue(
          labels.isPresent(), "this sink does not keep labels: the label check does not apply");
      assertEquals(Set.of("Lists", "Work"), labels.get());
    } finally {
      s.close();
    }
  }

  @Test
  void addLabels_filesAHeldMessageUnderMoreLabels_whereTheSinkHasLabels() throws IOException {
    Path location = tmp.resolve("sink");
    SinkUnderTest s = open(location);
    DeliveryKey k = DeliveryKey.of(ACCOUNT, "first-copy");
    try {
      deliver(
          s.sink(),
          envelope("first-copy", Set.of("Work"), false),
          k,
          "Subject: f\r\n\r\nf\r\n".getBytes(StandardCharsets.US_ASCII),
          8);
      s.sink().sync();
      assumeTrue(
          s.labels(k).isPresent(),
          "this sink does not keep labels: the label check does not apply");
      assertFalse(
          s.sink().addLabels(DeliveryKey.of(ACCOUNT, "not-held"), Set.of("Lists")),
          "a key the sink does not hold is not labelled");
      assertTrue(s.sink().addLabels(k, Set.of("Lists", "Work")));
      s.sink().sync();
      assertEquals(
          Set.of("Lists", "Work"), s.labels(k).orElseThrow(), "the labels it had, and the new one");
    } finally {
      s.close();
    }
    SinkUnderTest again = open(location);
    try {
      assertEquals(
          Set.of("Lists", "Work"),
          again.labels(k).orElseThrow(),
          "labels added survive a new sink");
      assertEquals(1, again.sink().contains(k) ? 1 : 0);
    } finally {
      again.close();
    }
  }

  @Test
  void aVanishedLocation_isAClearError_namingIt() throws IOException {
    SinkUnderTest probe = open(tmp.resolve("probe"));
    boolean fileBased = probe.fileBased();
    probe.close();
    assumeTrue(
        fileBased, "this sink is not file-based: the vanished-directory check does not apply");
    Path location = tmp.resolve("vanishing");
    SinkUnderTest s = open(location);
    try {
      deleteTree(location);
      DeliveryKey k = DeliveryKey.of(ACCOUNT, "into-nothing");
      IOException e =
          assertThrows(
              IOException.class,
              () -> {
                deliver(
                    s.sink(),
                    envelope("into-nothing", Set.of(), false),
                    k,
                    "Subject: v\r\n\r\nv\r\n".getBytes(StandardCharsets.US_ASCII),
                    8);
                s.sink().sync();
              });
      String msg = String.valueOf(e.getMessage());
      assertTrue(msg.contains(location.toString()), "the error names the place: " + msg);
      assertFalse(s.sink().contains(k), "nothing is held");
    } finally {
      s.close();
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> children = Files.list(p)) {
        for (Path c : (Iterable<Path>) children::iterator) {
          deleteTree(c);
        }
      }
    }
    Files.deleteIfExists(p);
  }

  @Test
  void aFullDisk_isAClearError_andLeavesNoPartialMessage() throws IOException {
    SinkUnderTest probe = open(tmp.resolve("probe"));
    boolean fileBased = probe.fileBased();
    probe.close();
    assumeTrue(fileBased, "this sink is not file-based: the full-disk check does not apply");
    try (SmallFileSystem fs = SmallFileSystem.mount(tmp.resolve("full"), 256 * 1024)) {
      SinkUnderTest s = open(fs.path().resolve("sink"));
      byte[] big = new byte[1024 * 1024];
      Arrays.fill(big, (byte) 'a');
      DeliveryKey k = DeliveryKey.of(ACCOUNT, "too-big");
      IOException e =
          assertThrows(
              IOException.class,
              () -> {
                deliver(s.sink(), envelope("too-big", Set.of(), false), k, big, 8192);
                s.sink().sync();
              });
      String msg = String.valueOf(e.getMessage());
      assertTrue(msg.contains(fs.path().toString()), "the error names the place: " + msg);
      assertTrue(
          msg.toLowerCase(Locale.ROOT).contains("space"), "the error gives the reason: " + msg);
      assertFalse(s.sink().contains(k), "no partial message is held");
      s.close();
    }
  }

  @Test
  void aReadOnlyLocation_isAClearError() throws IOException {
    SinkUnderTest probe = open(tmp.resolve("probe"));
    boolean fileBased = probe.fileBased();
    probe.close();
    assumeTrue(fileBased, "this sink is not file-based: the read-only check does not apply");
    try (SmallFileSystem fs = SmallFileSystem.mount(tmp.resolve("readonly"), 256 * 1024)) {
      Path location = fs.path().resolve("sink");
      SinkUnderTest setUp = open(location); // lets the sink lay out its directories
      setUp.close();
      fs.remountReadOnly();
      IOException e =
          assertThrows(
              IOException.class,
              () -> {
                SinkUnderTest s = open(location);
                try {
                  deliver(
                      s.sink(),
                      envelope("ro", Set.of(), false),
                      DeliveryKey.of(ACCOUNT, "ro"),
                      "Subject: ro\r\n\r\nro\r\n".getBytes(StandardCharsets.US_ASCII),
                      8);
                  s.sink().sync();
                } finally {
                  s.close();
                }
              });
      String msg = String.valueOf(e.getMessage());
      assertTrue(msg.contains(fs.path().toString()), "the error names the place: " + msg);
    }
  }
}
