package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.pop3.Pop3Limits;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.pop3.Tolerance;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import dev.mailfetch.testkit.RecordedCommand;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TOP, {@code UIDL n} and {@code LIST n}: what {@code mailfetch doctor} samples with and what a
 * caller checks single messages with, pipelined in the same window as RETR and DELE.
 */
@Timeout(60)
class SingleFormsAndTopTest {
  private static final MailCorpus CORPUS = MailCorpus.generate(21, 12);

  /** What the engine's handler would see, collected. */
  static final class Bodies implements MessageHandler {
    final Map<Integer, byte[]> whole = new LinkedHashMap<>();
    final Map<Integer, FetchException> failed = new LinkedHashMap<>();
    private ByteArrayOutputStream current;
    private int number;

    @Override
    public void start(MessageRef ref) {
      current = new ByteArrayOutputStream();
      number = ref.number();
    }

    @Override
    public void data(ByteBuffer slice) {
      byte[] b = new byte[slice.remaining()];
      slice.get(b);
      current.writeBytes(b);
    }

    @Override
    public void end() {
      whole.put(number, current.toByteArray());
    }

    @Override
    public void failed(MessageRef ref, FetchException error) {
      failed.put(ref.number(), error);
    }
  }

  private static final String PASSWORD = "correct horse battery staple";

  private static FakePop3Server.Builder server(FakeMailbox box) {
    return FakePop3Server.builder().account("alice", PASSWORD, box);
  }

  private static Pop3Source.Builder client(FakePop3Server server, Security security) {
    Pop3Source.Builder b =
        Pop3Source.builder()
            .host("localhost")
            .port(server.port())
            .security(security)
            .user("alice")
            .password(() -> PASSWORD)
            .limits(
                Pop3Limits.builder()
                    .readTimeout(Duration.ofSeconds(5))
                    .commandTimeout(Duration.ofSeconds(10))
                    .build());
    if (security == Security.NONE) {
      b.allowPlaintextAuthentication(true);
    }
    return b;
  }

  private static Pop3Session open(Pop3Source source) throws FetchException {
    return ((PipeliningFallback) source.open()).connection();
  }

  private static List<MessageRef> list(Pop3Session session) throws FetchException {
    List<MessageRef> refs = new ArrayList<>();
    session.list(
        new ListingHandler() {
          @Override
          public void count(int messages, long octets) {}

          @Override
          public void message(MessageRef ref) {
            refs.add(ref);
          }
        });
    return refs;
  }

  /** The header section and the first {@code lines} body lines, as RFC 1939 §7 defines TOP. */
  static byte[] topOf(byte[] content, int lines) {
    int p = 0;
    int lineStart = 0;
    boolean inHeaders = true;
    int bodyLines = 0;
    while (p < content.length) {
      if (content[p++] != '\n') {
        continue;
      }
      if (inHeaders) {
        if (p - lineStart <= 2 && (p - lineStart == 1 || content[lineStart] == '\r')) {
          inHeaders = false;
          if (lines == 0) {
            return Arrays.copyOf(content, p);
          }
        }
      } else if (++bodyLines >= lines) {
        return Arrays.copyOf(content, p);
      }
      lineStart = p;
    }
    return content;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 3})
  void top_givesTheHeadersAndTheFirstLines_pipelined_andRetrievesNothing(int lines)
      throws FetchException {
    try (FakePop3Server s =
        server(CORPUS.toMailbox()).replyDelay(Duration.ofMillis(10)).pipelining(true).start()) {
      Bodies bodies = new Bodies();
      try (Pop3Session session = open(client(s, Security.NONE).build())) {
        session.top(list(session), lines, bodies);
        session.quit();
      }
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(Map.of(), bodies.failed);
      for (int i = 0; i < CORPUS.messages().size(); i++) {
        assertArrayEquals(
            topOf(CORPUS.messages().get(i).content(), lines),
            bodies.whole.get(i + 1),
            "message " + (i + 1));
      }
      List<RecordedCommand> tops = s.session(1).commands("TOP");
      assertEquals(CORPUS.messages().size(), tops.size());
      assertTrue(
          tops.stream().filter(RecordedCommand::pipelined).count() >= 8,
          "TOPs pipelined: " + s.session(1).commandLines());
      assertEquals(List.of(), s.session(1).commands("RETR"), "read-only: no RETR");
      assertEquals(CORPUS.messages().size(), s.mailbox("alice").size());
    }
  }

  @Test
  void top_withoutPipelining_goesOneAtATime() throws FetchException {
    try (FakePop3Server s = server(CORPUS.toMailbox()).pipelining(false).start()) {
      Bodies bodies = new Bodies();
      try (Pop3Session session = open(client(s, Security.NONE).build())) {
        session.top(list(session), 1, bodies);
        session.quit();
      }
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(CORPUS.messages().size(), bodies.whole.size());
      assertTrue(
          s.session(1).commands().stream().noneMatch(RecordedCommand::pipelined),
          s.session(1).commandLines()::toString);
    }
  }

  @Test
  void Q33_topRefused_failsEachMessageOnly_andTheSessionGoesOn() throws FetchException {
    try (FakePop3Server s = server(CORPUS.toMailbox()).quirk(Quirk.Q33_TOP_ERR).start()) {
      Bodies bodies = new Bodies();
      try (Pop3Session session = open(client(s, Security.NONE).build())) {
        session.top(list(session), 0, bodies);
        assertEquals(CORPUS.messages().size(), bodies.failed.size());
        bodies
            .failed
            .values()
            .forEach(e -> assertEquals(FetchError.SERVER_TEMPORARY, e.error(), e.getMessage()));
        assertTrue(
            session.quirksNoticed().contains(QuirkId.Q33), session.quirksNoticed()::toString);
        assertEquals(
            CORPUS.messages().get(0).uid(),
            session.uids(List.of(1)).get(1),
            "the session still works");
        assertTrue(session.quit());
      }
    }
  }

  @Test
  void Q33_topAnsweredTwice_theSecondOkIsDropped_andTheContentIsExact() throws FetchException {
    try (FakePop3Server s = server(CORPUS.toMailbox()).quirk(Quirk.Q33_TOP_DOUBLE_OK).start()) {
      Bodies bodies = new Bodies();
      try (Pop3Session session = open(client(s, Security.NONE).build())) {
        session.top(list(session), 2, bodies);
        assertTrue(
            session.quirksNoticed().contains(QuirkId.Q33), session.quirksNoticed()::toString);
        assertTrue(session.quit());
      }
      assertEquals(Map.of(), bodies.failed);
      for (int i = 0; i < CORPUS.messages().size(); i++) {
        assertArrayEquals(
            topOf(CORPUS.messages().get(i).content(), 2),
            bodies.whole.get(i + 1),
            "message " + (i + 1));
      }
    }
  }

  @Test
  void Q33_topIgnoringItsCount_isHandedOverAsSent_forTheCallerToJudge() throws FetchException {
    try (FakePop3Server s = server(CORPUS.toMailbox()).quirk(Quirk.Q33_TOP_IGNORES_N).start()) {
      Bodies bodies = new Bodies();
      try (Pop3Session session = open(client(s, Security.NONE).build())) {
        session.top(list(session), 5, bodies);
        assertTrue(session.quit());
      }
      for (int i = 0; i < CORPUS.messages().size(); i++) {
        assertArrayEquals(
            topOf(CORPUS.messages().get(i).content(), 1),
            bodies.whole.get(i + 1),
            "message " + (i + 1));
      }
    }
  }

  @Test
  void uidsAndSizes_oneByOne_pipelined_agreeWithTheBulkListing_andUnknownNumbersAreAbsent()
      throws FetchException {
    try (FakePop3Server s =
        server(CORPUS.toMailbox()).replyDelay(Duration.ofMillis(10)).pipelining(true).start()) {
      try (Pop3Session session = open(client(s, Security.NONE).build())) {
        List<MessageRef> refs = list(session);
        List<Integer> numbers =
            IntStream.rangeClosed(1, refs.size() + 2).boxed().collect(Collectors.toList());
        Map<Integer, String> uids = session.uids(numbers);
        Map<Integer, Long> sizes = session.sizes(numbers);
        assertEquals(
            refs.stream().collect(Collectors.toMap(MessageRef::number, MessageRef::uid)), uids);
        assertEquals(
            refs.stream().collect(Collectors.toMap(MessageRef::number, MessageRef::size)), sizes);
        assertEquals(
            numbers.subList(0, refs.size()), new ArrayList<>(uids.keySet()), "in the order asked");
        assertTrue(session.quit());
      }
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      long pipelined =
          s.session(1).commands().stream()
              .filter(c -> c.verb().equals("UIDL") || c.verb().equals("LIST"))
              .filter(c -> !c.argument().isEmpty())
              .filter(RecordedCommand::pipelined)
              .count();
      assertTrue(pipelined >= 16, "single forms pipelined: " + s.session(1).commandLines());
    }
  }

  @Test
  void Q28_anAnswerWithoutItsNumber_isTakenWhenTheRestIsOneToken() throws FetchException {
    try (FakePop3Server s =
        server(CORPUS.toMailbox()).quirk(Quirk.Q28_SINGLE_FORM_NO_NUMBER).start()) {
      try (Pop3Session session = open(client(s, Security.NONE).build())) {
        assertEquals(Map.of(2, CORPUS.messages().get(1).uid()), session.uids(List.of(2)));
        assertEquals(Map.of(2, (long) CORPUS.messages().get(1).size()), session.sizes(List.of(2)));
        assertTrue(session.quirksNoticed().contains(QuirkId.Q28));
        assertTrue(session.quit());
      }
    }
  }

  @Test
  void Q28_anAnswerForAnotherMessage_isWrongOrder_orDroppedWhenTolerated() throws FetchException {
    try (FakePop3Server s =
        server(CORPUS.toMailbox()).quirk(Quirk.Q28_SINGLE_FORM_WRONG_NUMBER).start()) {
      try (Pop3Session session = open(client(s, Security.NONE).build())) {
        FetchException e = assertThrows(FetchException.class, () -> session.uids(List.of(1, 2)));
        assertEquals(FetchError.WRONG_ORDER, e.error(), e.getMessage());
        assertTrue(e.getMessage().contains("Q28"), e.getMessage());
      }
      s.awaitSessionsEnded(
          Duration.ofSeconds(5)); // the dropped session's maildrop lock is released
      try (Pop3Session session =
          open(client(s, Security.NONE).tolerate(Tolerance.UNORDERED_LISTING).build())) {
        assertEquals(
            Map.of(),
            session.uids(List.of(1, 2)),
            "another message's id is never taken for this one's");
        assertTrue(session.quit());
      }
    }
  }

  @Test
  void Q28_aMultiLineAnswer_isReadError_andTheNextSessionUsesTheBulkForm() throws FetchException {
    try (FakePop3Server s =
        server(CORPUS.toMailbox()).quirk(Quirk.Q28_SINGLE_FORM_MULTILINE).start()) {
      Pop3Source source = client(s, Security.NONE).build();
      try (Pop3Session session = open(source)) {
        FetchException e = assertThrows(FetchException.class, () -> session.uids(List.of(3)));
        assertEquals(FetchError.READ_ERROR, e.error(), e.getMessage());
      }
      s.awaitSessionsEnded(
          Duration.ofSeconds(5)); // the dropped session's maildrop lock is released
      try (Pop3Session session = open(source)) {
        assertEquals(
            Map.of(3, CORPUS.messages().get(2).uid(), 5, CORPUS.messages().get(4).uid()),
            session.uids(List.of(3, 5)));
        assertTrue(session.quit());
      }
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      // Only the bulk form: the one sent with CAPA after login (the session lists first, as the
      // engine does), dropped as this caller asked for ids first, and the one that answered.
      assertEquals(
          List.of("UIDL", "UIDL"),
          s.session(2).commands("UIDL").stream()
              .map(RecordedCommand::line)
              .collect(Collectors.toList()));
    }
  }
}
