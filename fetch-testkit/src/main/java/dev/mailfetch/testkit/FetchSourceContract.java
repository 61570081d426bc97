package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.HeaderReading;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.Retrieval;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link FetchSource} keeps, as tests: extend this class, implement {@link
 * #open(List)} to put messages on a server your source reads, and your source is checked on real
 * bytes through the calls the engine makes.
 *
 * <pre>{@code
 * class MyProtocolSourceContractTest extends FetchSourceContract {
 *   @Override
 *   protected SourceUnderTest open(List<byte[]> messages) throws Exception {
 *     MyServer server = MyServer.start(messages);
 *     return SourceUnderTest.of(MySource.at(server.address()), server::messages, server::close);
 *   }
 * }
 * }</pre>
 *
 * <p>What it checks: the listing (a count, then every message once, in ascending number, with
 * unique ids that stay the same in the next session); byte-exact retrieval of every message, with
 * CRLF line ends and with LF when asked, one by one and in batches that name what follows (so a
 * pipelining source requests ahead, and is then asked something else); the header section alone
 * where the session offers {@link FetchSession#headerReading()}; and deletion in two phases: a
 * session that ends without {@link FetchSession#quit()} removes nothing, one that quits removes
 * exactly what {@link FetchSession#delete} accepted.
 *
 * <p>The messages are {@link MailCorpus}'s, so they hold what servers must carry unchanged: lines
 * that start with a dot, 8-bit bytes, long lines, a NUL now and then.
 */
@Timeout(60)
public abstract class FetchSourceContract {
  /** A source under test, over a server holding the messages it was opened with. */
  public interface SourceUnderTest extends AutoCloseable {
    /** The source. */
    FetchSource source();

    /**
     * The messages the server still holds, as they were put (CRLF line ends), in any order: the
     * deletion checks compare it with what was deleted.
     */
    List<byte[]> remaining() throws IOException;

    /** Stops the server. */
    @Override
    void close() throws IOException;

    /** A source over a server read back with {@code remaining} and stopped with {@code close}. */
    static SourceUnderTest of(FetchSource source, Remaining remaining, Stop close) {
      return new SourceUnderTest() {
        @Override
        public FetchSource source() {
          return source;
        }

        @Override
        public List<byte[]> remaining() throws IOException {
          return remaining.messages();
        }

        @Override
        public void close() throws IOException {
          close.stop();
        }
      };
    }
  }

  /** What a server still holds. */
  @FunctionalInterface
  public interface Remaining {
    /** Its messages as put, CRLF line ends, in any order. */
    List<byte[]> messages() throws IOException;
  }

  /** How a server is stopped. */
  @FunctionalInterface
  public interface Stop {
    /** Stops it. */
    void stop() throws IOException;
  }

  /**
   * A server holding {@code messages} (CRLF line ends, each ending in CRLF), in this order, with
   * nothing else, and a source that reads it.
   */
  protected abstract SourceUnderTest open(List<byte[]> messages) throws Exception;

  /** For subclasses. */
  protected FetchSourceContract() {}

  /** How many messages each check puts on the server: enough for batches and a pipeline. */
  protected int messageCount() {
    return 12;
  }

  /**
   * Whether the server under test keeps and serves this message unchanged. True by default; a test
   * server that cannot (one that re-encodes 8-bit header bytes, say) answers false for the messages
   * it changes, and the contract puts only the others on it: the source is judged, not the server.
   */
  protected boolean serverCarries(byte[] message) {
    return true;
  }

  private List<byte[]> corpus() {
    List<byte[]> out = new ArrayList<>();
    for (MailCorpus.Message m : MailCorpus.generate(20_2612, messageCount() * 20).messages()) {
      if (out.size() < messageCount() && serverCarries(m.content())) {
        out.add(m.content());
      }
    }
    assertEquals(messageCount(), out.size(), "messages the server under test can carry");
    return out;
  }

  @Test
  void listsEveryMessageOnceInAscendingNumberWithUniqueIds() throws Exception {
    List<byte[]> messages = corpus();
    try (SourceUnderTest server = open(messages);
        FetchSession session = server.source().open()) {
      Listed listed = list(session);
      assertEquals(messages.size(), listed.refs.size(), "messages listed");
      assertEquals(messages.size(), listed.count, "the count announced before the listing");
      int last = 0;
      Set<String> uids = new HashSet<>();
      for (MessageRef ref : listed.refs) {
        assertTrue(ref.number() > last, "numbers ascend: " + ref.number() + " after " + last);
        last = ref.number();
        assertTrue(ref.hasUid(), "message " + ref.number() + " has a unique id");
        assertTrue(uids.add(ref.uid()), "unique id " + ref.uid() + " listed twice");
      }
    }
  }

  @Test
  void uniqueIdsStayTheSameInTheNextSession() throws Exception {
    List<byte[]> messages = corpus();
    try (SourceUnderTest server = open(messages)) {
      Map<String, byte[]> first;
      try (FetchSession session = server.source().open()) {
        first = retrieveByUid(session, LineEnding.CRLF);
        // Ended as a run ends. Dropped without it, a server may hold the mailbox locked until it
        // notices, and the next login can come first ("[IN-USE]", seen once on a loaded machine).
        session.quit();
      }
      try (FetchSession session = server.source().open()) {
        Map<String, byte[]> second = retrieveByUid(session, LineEnding.CRLF);
        assertEquals(first.keySet(), second.keySet(), "the same ids in a second session");
        for (Map.Entry<String, byte[]> e : first.entrySet()) {
          assertArrayEquals(e.getValue(), second.get(e.getKey()), "message " + e.getKey());
        }
      }
    }
  }

  @Test
  void retrievesEveryMessageByteForByteOneByOne() throws Exception {
    List<byte[]> messages = corpus();
    try (SourceUnderTest server = open(messages);
        FetchSession session = server.source().open()) {
      List<MessageRef> refs = list(session).refs;
      List<byte[]> got = new ArrayList<>();
      for (MessageRef ref : refs) {
        got.addAll(retrieve(session, List.of(ref), List.of(), LineEnding.CRLF));
      }
      assertSameMessages(messages, got);
    }
  }

  @Test
  void retrievesInBatchesThatNameWhatFollows() throws Exception {
    List<byte[]> messages = corpus();
    try (SourceUnderTest server = open(messages);
        FetchSession session = server.source().open()) {
      List<MessageRef> refs = list(session).refs;
      List<byte[]> got = new ArrayList<>();
      for (int at = 0; at < refs.size(); at += 5) {
        List<MessageRef> batch = refs.subList(at, Math.min(refs.size(), at + 5));
        List<MessageRef> following = refs.subList(at + batch.size(), refs.size());
        got.addAll(retrieve(session, batch, following, LineEnding.CRLF));
      }
      assertSameMessages(messages, got);
    }
  }

  @Test
  void retrievesWithLfLineEndsWhenAsked() throws Exception {
    List<byte[]> messages = corpus();
    try (SourceUnderTest server = open(messages);
        FetchSession session = server.source().open()) {
      List<MessageRef> refs = list(session).refs;
      List<byte[]> got = retrieve(session, refs, List.of(), LineEnding.LF);
      List<byte[]> expected = new ArrayList<>();
      for (byte[] m : messages) {
        expected.add(MailCorpus.toLf(m));
      }
      assertSameMessages(expected, got);
    }
  }

  @Test
  void aSessionAskedForLessThanItWasToldFollowsStillDeletesNothingUnasked() throws Exception {
    List<byte[]> messages = corpus();
    try (SourceUnderTest server = open(messages)) {
      try (FetchSession session = server.source().open()) {
        List<MessageRef> refs = list(session).refs;
        // Told the whole mailbox follows, then stopped: a pipelining source may have asked ahead.
        retrieve(session, refs.subList(0, 2), refs.subList(2, refs.size()), LineEnding.CRLF);
        session.quit();
      }
      assertSameMessages(messages, server.remaining());
    }
  }

  @Test
  void readsTheHeaderSectionAloneWhereOffered() throws Exception {
    List<byte[]> messages = corpus();
    try (SourceUnderTest server = open(messages);
        FetchSession session = server.source().open()) {
      List<MessageRef> refs = list(session).refs;
      Optional<HeaderReading> reading = session.headerReading();
      assumeTrue(reading.isPresent(), "this session cannot read a header section alone");
      Collector collector = new Collector();
      reading.get().readHeaders(refs, collector);
      collector.assertNoFailure();
      List<byte[]> expected = new ArrayList<>();
      for (byte[] m : messages) {
        expected.add(headerSection(m));
      }
      List<byte[]> got = new ArrayList<>();
      for (byte[] h : collector.messages.values()) {
        got.add(headerSection(h)); // a server may send the body's first bytes too; the section is
      }
      assertSameMessages(expected, got);
    }
  }

  @Test
  void aSessionThatEndsWithoutQuitDeletesNothing() throws Exception {
    List<byte[]> messages = corpus();
    try (SourceUnderTest server = open(messages)) {
      try (FetchSession session = server.source().open()) {
        List<MessageRef> refs = list(session).refs;
        retrieve(session, refs, List.of(), LineEnding.CRLF);
        session.delete(refs);
      } // closed without quit
      assertSameMessages(messages, server.remaining());
    }
  }

  @Test
  void quitDeletesExactlyWhatDeleteAccepted() throws Exception {
    List<byte[]> messages = corpus();
    try (SourceUnderTest server = open(messages)) {
      Set<String> deletedUids;
      Map<String, byte[]> byUid;
      try (FetchSession session = server.source().open()) {
        List<MessageRef> refs = list(session).refs;
        byUid = new LinkedHashMap<>();
        List<byte[]> bytes = retrieve(session, refs, List.of(), LineEnding.CRLF);
        for (int i = 0; i < refs.size(); i++) {
          byUid.put(refs.get(i).uid(), bytes.get(i));
        }
        List<MessageRef> doomed = new ArrayList<>();
        for (int i = 0; i < refs.size(); i += 3) {
          doomed.add(refs.get(i));
        }
        Set<MessageRef> accepted = session.delete(doomed);
        assertEquals(Set.copyOf(doomed), accepted, "a healthy server accepts every deletion");
        deletedUids = new HashSet<>();
        for (MessageRef ref : accepted) {
          deletedUids.add(ref.uid());
        }
        assertTrue(session.quit(), "the server confirmed the end of the session");
      }
      List<byte[]> expected = new ArrayList<>();
      byUid.forEach(
          (uid, bytes) -> {
            if (!deletedUids.contains(uid)) {
              expected.add(bytes);
            }
          });
      assertSameMessages(expected, server.remaining());
      try (FetchSession session = server.source().open()) {
        Set<String> listedAgain = new HashSet<>();
        for (MessageRef ref : list(session).refs) {
          listedAgain.add(ref.uid());
        }
        for (String uid : deletedUids) {
          assertFalse(listedAgain.contains(uid), "deleted message " + uid + " listed again");
        }
        assertEquals(byUid.size() - deletedUids.size(), listedAgain.size(), "messages left");
      }
    }
  }

  @Test
  void closeIsSafeToCallTwice() throws Exception {
    try (SourceUnderTest server = open(corpus())) {
      FetchSession session = server.source().open();
      list(session);
      session.close();
      session.close();
      assertNotNull(session.server(), "the server is still named after close");
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static final class Listed {
    int count = -1;
    final List<MessageRef> refs = new ArrayList<>();
  }

  private static Listed list(FetchSession session) throws FetchException {
    Listed listed = new Listed();
    session.list(
        new ListingHandler() {
          @Override
          public void count(int messages, long octets) {
            listed.count = messages;
          }

          @Override
          public void message(MessageRef ref) {
            listed.refs.add(ref);
          }
        });
    return listed;
  }

  private static List<byte[]> retrieve(
      FetchSession session, List<MessageRef> batch, List<MessageRef> following, LineEnding ends)
      throws FetchException {
    Collector collector = new Collector();
    session.retrieve(Retrieval.of(batch).followedBy(following).withLineEnding(ends), collector);
    collector.assertNoFailure();
    List<byte[]> out = new ArrayList<>();
    for (MessageRef ref : batch) {
      byte[] bytes = collector.messages.get(ref);
      assertNotNull(bytes, "message " + ref.number() + " was handed over whole");
      out.add(bytes);
    }
    assertEquals(batch.size(), collector.messages.size(), "only the messages of the batch");
    return out;
  }

  private static Map<String, byte[]> retrieveByUid(FetchSession session, LineEnding ends)
      throws FetchException {
    List<MessageRef> refs = list(session).refs;
    List<byte[]> bytes = retrieve(session, refs, List.of(), ends);
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (int i = 0; i < refs.size(); i++) {
      out.put(refs.get(i).uid(), bytes.get(i));
    }
    return out;
  }

  /** Gathers each message a session hands over, checking the order of the calls. */
  private static final class Collector implements MessageHandler {
    final Map<MessageRef, byte[]> messages = new LinkedHashMap<>();
    final List<String> failures = new ArrayList<>();
    private MessageRef current;
    private ByteArrayOutputStream bytes;

    @Override
    public void start(MessageRef ref) {
      if (current != null) {
        failures.add("start of " + ref.number() + " before the end of " + current.number());
      }
      current = ref;
      bytes = new ByteArrayOutputStream();
    }

    @Override
    public void data(ByteBuffer slice) {
      if (current == null) {
        failures.add("data outside a message");
        return;
      }
      byte[] b = new byte[slice.remaining()];
      slice.get(b);
      bytes.write(b, 0, b.length);
    }

    @Override
    public void end() {
      if (current == null) {
        failures.add("end outside a message");
        return;
      }
      if (messages.put(current, bytes.toByteArray()) != null) {
        failures.add("message " + current.number() + " handed over twice");
      }
      current = null;
    }

    @Override
    public void failed(MessageRef ref, FetchException error) {
      failures.add("message " + ref.number() + " failed: " + error.getMessage());
      current = null;
    }

    void assertNoFailure() {
      if (!failures.isEmpty()) {
        fail(String.join("; ", failures));
      }
      assertTrue(current == null, "a message was left open");
    }
  }

  /**
   * The header fields of a message: up to the line end before its first empty line, which some
   * servers leave out of a header section they send alone (and which carries nothing).
   */
  private static byte[] headerSection(byte[] message) {
    for (int i = 0; i + 1 < message.length; i++) {
      if (message[i] == '\n'
          && (message[i + 1] == '\n'
              || (message[i + 1] == '\r' && i + 2 < message.length && message[i + 2] == '\n'))) {
        byte[] out = new byte[i + 1];
        System.arraycopy(message, 0, out, 0, i + 1);
        return out;
      }
    }
    return message.clone();
  }

  private static void assertSameMessages(List<byte[]> expected, List<byte[]> actual) {
    List<String> want = new ArrayList<>();
    for (byte[] m : expected) {
      want.add(new String(m, StandardCharsets.ISO_8859_1));
    }
    List<String> got = new ArrayList<>();
    for (byte[] m : actual) {
      got.add(new String(m, StandardCharsets.ISO_8859_1));
    }
    want.sort(null);
    got.sort(null);
    assertEquals(want.size(), got.size(), "number of messages");
    for (int i = 0; i < want.size(); i++) {
      String w = want.get(i);
      String g = got.get(i);
      if (!w.equals(g)) {
        int at = 0;
        while (at < Math.min(w.length(), g.length()) && w.charAt(at) == g.charAt(at)) {
          at++;
        }
        fail(
            "a message's bytes changed on the way (the "
                + (i + 1)
                + "th in sorted order, from byte "
                + at
                + " of "
                + w.length()
                + ", now "
                + g.length()
                + " bytes): expected \""
                + FetchException.escape(w.substring(at, Math.min(w.length(), at + 60)))
                + "\", got \""
                + FetchException.escape(g.substring(at, Math.min(g.length(), at + 60)))
                + "\"");
      }
    }
  }
}
