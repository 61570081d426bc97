package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.testkit.MailCorpus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Pop3ReaderTest {

  /** An input stream that returns at most the next chunk size per read: any split of the bytes. */
  static final class Chunked extends InputStream {
    private final byte[] data;
    private final int[] chunks;
    private int pos;
    private int next;

    Chunked(byte[] data, int... chunks) {
      this.data = data;
      this.chunks = chunks.length == 0 ? new int[] {Integer.MAX_VALUE} : chunks;
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException("the reader reads in blocks");
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos == data.length) {
        return -1;
      }
      int n =
          Math.min(Math.min(len, data.length - pos), Math.max(1, chunks[next++ % chunks.length]));
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The body the reader hands out, copied out of the lent slices. */
  private static byte[] body(Pop3Reader r, long max) throws FetchException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.readBody(
        slice -> {
          byte[] tmp = new byte[slice.remaining()];
          slice.get(tmp);
          out.write(tmp, 0, tmp.length);
        },
        max);
    return out.toByteArray();
  }

  private static Pop3Reader reader(byte[] wire, int bufferSize, boolean bareLf, int... chunks) {
    return new Pop3Reader(new Chunked(wire, chunks), bufferSize, bareLf);
  }

  /** The server side: RFC 1939 stuffing after CRLF, CRLF added if missing, then the terminator. */
  static byte[] stuff(byte[] content) {
    return MailCorpus.wireForm(content);
  }

  // ---------------------------------------------------------------- bodies: fixed cases

  @Test
  void unstuffsTheWayRfc1939Says() throws FetchException {
    byte[] wire = ascii("..\r\n...\r\n.x\r\n..x\r\nplain\r\n.\r\nNEXT");
    Pop3Reader r = reader(wire, 64, false);
    assertArrayEquals(ascii(".\r\n..\r\nx\r\n.x\r\nplain\r\n"), body(r, 1 << 20));
    assertEquals(4, r.buffered(), "the reader stops right after the terminator");
  }

  @Test
  void anEmptyBody_endsAtOnce() throws FetchException {
    assertArrayEquals(new byte[0], body(reader(ascii(".\r\n"), 16, false), 100));
  }

  @Test
  void aDotCrFollowedByData_keepsTheCr() throws FetchException {
    assertArrayEquals(ascii("\rX\r\n"), body(reader(ascii(".\rX\r\n.\r\n"), 16, false), 100));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 64})
  void Q02_crTerminatorTolerance_endsTheBodyAtDotCr_whenAReplyFollows(int chunk)
      throws FetchException {
    byte[] wire = ascii("a\r\n..b\r\n.\r+OK next\r\n");
    Pop3Reader r = new Pop3Reader(new Chunked(wire, chunk), 64, false, true);
    assertArrayEquals(ascii("a\r\n.b\r\n"), body(r, 100));
    assertTrue(r.lastBodyEndedAtCr());
    assertEquals(
        "+OK next",
        r.readLine(512, Limit.STATUS_LINE),
        "the reply is left for the caller to check");
  }

  @Test
  void Q02_crTerminatorTolerance_stillEndsAtDotCrLf_andKeepsDotCrData() throws FetchException {
    Pop3Reader r = new Pop3Reader(new Chunked(ascii(".\rX\r\n.\r\n+OK\r\n"), 5), 64, false, true);
    assertArrayEquals(ascii("\rX\r\n"), body(r, 100));
    assertFalse(r.lastBodyEndedAtCr());
  }

  /** Sends {@code before}, then one read times out (the server is silent), then {@code after}. */
  private static final class SilentOnce extends InputStream {
    private final byte[] before;
    private final byte[] after;
    private int pos;
    private boolean silenced;

    SilentOnce(String before, String after) {
      this.before = ascii(before);
      this.after = ascii(after);
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos < before.length) {
        int n = Math.min(len, before.length - pos);
        System.arraycopy(before, pos, b, off, n);
        pos += n;
        return n;
      }
      if (!silenced) {
        silenced = true;
        throw new SocketTimeoutException("silent");
      }
      int at = pos - before.length;
      if (at >= after.length) {
        return -1;
      }
      int n = Math.min(len, after.length - at);
      System.arraycopy(after, at, b, off, n);
      pos += n;
      return n;
    }
  }

  /** A probe that counts what the reader asked of it. */
  private static final class CountingProbe implements DotCrProbe {
    int sent;
    final List<Duration> timeouts = new ArrayList<>();

    @Override
    public void readTimeout(Duration wait) {
      timeouts.add(wait);
    }

    @Override
    public Duration grace() {
      return Duration.ofSeconds(5);
    }

    @Override
    public void send() {
      sent++;
    }
  }

  @Test
  void Q02_probe_aSilenceAtDotCr_sendsOneProbe_andItsReplyEndsTheBody() throws FetchException {
    CountingProbe probe = new CountingProbe();
    Pop3Reader r = new Pop3Reader(new SilentOnce("a\r\n.\r", "+OK probe\r\n"), 64, false, true);
    assertArrayEquals(ascii("a\r\n"), bodyWith(r, probe));
    assertEquals(1, probe.sent);
    assertTrue(r.lastBodyProbed() && r.lastBodyEndedAtCr());
    assertEquals(
        Arrays.asList(Duration.ofSeconds(5), null), probe.timeouts, "grace set, then restored");
    assertEquals("+OK probe", r.readLine(512, Limit.STATUS_LINE));
  }

  @Test
  void Q02_probe_aLateLf_isNotMisjudged_theBodyEndsNormally_andTheProbeAnswerFollows()
      throws FetchException {
    CountingProbe probe = new CountingProbe();
    Pop3Reader r = new Pop3Reader(new SilentOnce("a\r\n.\r", "\n+OK probe\r\n"), 64, false, true);
    assertArrayEquals(ascii("a\r\n"), bodyWith(r, probe));
    assertTrue(r.lastBodyProbed());
    assertFalse(r.lastBodyEndedAtCr());
    assertEquals("+OK probe", r.readLine(512, Limit.STATUS_LINE));
  }

  @Test
  void Q02_probe_aSilenceElsewhere_isNoReasonToProbe() {
    CountingProbe probe = new CountingProbe();
    Pop3Reader r = new Pop3Reader(new SilentOnce("a\r\nb", "c\r\n.\r\n"), 64, false, true);
    FetchException e = assertThrows(FetchException.class, () -> bodyWith(r, probe));
    assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error());
    assertEquals(0, probe.sent);
  }

  @Test
  void Q02_aSilenceAtDotCr_withoutTheProbe_isATimeoutThatNamesQ02() {
    Pop3Reader r = new Pop3Reader(new SilentOnce("a\r\n.\r", ""), 64, false);
    FetchException e = assertThrows(FetchException.class, () -> body(r, 1 << 20));
    assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error());
    assertEquals(Optional.of(QuirkId.Q02), e.quirk());
    assertTrue(e.detail().contains("quirk Q02"), e.detail());
  }

  @Test
  void Q03_aSilenceRightAfterALineEndingInDot_isATimeoutThatNamesQ03() {
    Pop3Reader r = new Pop3Reader(new SilentOnce("a\r\nlast words.\r\n", ""), 64, false);
    FetchException e = assertThrows(FetchException.class, () -> body(r, 1 << 20));
    assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error());
    assertEquals(Optional.of(QuirkId.Q03), e.quirk());
    assertTrue(e.detail().contains("quirk Q03"), e.detail());
  }

  @Test
  void aSilenceElsewhereInABody_namesNoQuirk() {
    Pop3Reader r = new Pop3Reader(new SilentOnce("a\r\nb", ""), 64, false);
    FetchException e = assertThrows(FetchException.class, () -> body(r, 1 << 20));
    assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error());
    assertEquals(Optional.empty(), e.quirk());
  }

  private static byte[] bodyWith(Pop3Reader r, DotCrProbe probe) throws FetchException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.readBody(
        slice -> {
          byte[] tmp = new byte[slice.remaining()];
          slice.get(tmp);
          out.write(tmp, 0, tmp.length);
        },
        1 << 20,
        probe);
    return out.toByteArray();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 7, 64})
  void Q03_whenAReplyMayFollow_aStatusLineAfterALineEndingInDot_isReadError_howeverTheReadsSplit(
      int chunk) {
    byte[] wire =
        ascii("Subject: a\r\n\r\nlast words.\r\n+OK 20 octets\r\nSubject: b\r\n\r\nb\r\n.\r\n");
    Pop3Reader r = reader(wire, 16, false, chunk);
    r.replyMayFollow(true);
    FetchException e = assertThrows(FetchException.class, () -> body(r, 1 << 20));
    assertEquals(FetchError.READ_ERROR, e.error());
    assertTrue(e.getMessage().contains("Q03"), e.getMessage());
    assertEquals(Optional.of(QuirkId.Q03), e.quirk());
  }

  @Test
  void Q03_withoutPipelining_orWithoutAStatusLine_itIsData() throws FetchException {
    byte[] wire = ascii("done.\r\n+OK 20 octets\r\n.\r\n");
    assertArrayEquals(ascii("done.\r\n+OK 20 octets\r\n"), body(reader(wire, 64, false), 100));
    Pop3Reader pipelined = reader(ascii("done.\r\n+1 from me\r\n-- \r\n.\r\n"), 64, false, 3);
    pipelined.replyMayFollow(true);
    assertArrayEquals(ascii("done.\r\n+1 from me\r\n-- \r\n"), body(pipelined, 100));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 64})
  void Q02_withoutTheTolerance_whenAReplyMayFollow_dotCrAndAStatusLine_isReadError(int chunk) {
    Pop3Reader r = reader(ascii("a\r\n.\r+OK 9 octets\r\nb\r\n.\r"), 64, false, chunk);
    r.replyMayFollow(true);
    FetchException e = assertThrows(FetchException.class, () -> body(r, 100));
    assertEquals(FetchError.READ_ERROR, e.error());
    assertEquals(QuirkId.Q02, r.lastBodyRanIntoReply());
    assertEquals(Optional.of(QuirkId.Q02), e.quirk());
  }

  @Test
  void Q02_withoutTheTolerance_dotCrAndAReplyIsData() throws FetchException {
    Pop3Reader r = reader(ascii("a\r\n.\r+OK\r\n.\r\n"), 64, false);
    assertArrayEquals(ascii("a\r\n\r+OK\r\n"), body(r, 100));
    assertFalse(r.lastBodyEndedAtCr());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 7})
  void theTerminatorSplitAnywhere_isFound(int chunk) throws FetchException {
    byte[] wire = ascii("a\r\n..b\r\n.\r\n+OK next\r\n");
    Pop3Reader r = reader(wire, 64, false, chunk);
    assertArrayEquals(ascii("a\r\n.b\r\n"), body(r, 100));
    assertEquals("+OK next", r.readLine(512, Limit.STATUS_LINE));
  }

  @Test
  void strictMode_aBareLfIsData_andNoLineStartsAfterIt() throws FetchException {
    byte[] wire = ascii("x\n.\ny\r\n.\r\n");
    assertArrayEquals(ascii("x\n.\ny\r\n"), body(reader(wire, 64, false), 100));
  }

  @Test
  void bareLfTolerance_endsLinesAndBodiesAtLf() throws FetchException {
    byte[] wire = ascii("x\n..y\n.\n+OK\n");
    Pop3Reader r = reader(wire, 64, true);
    assertArrayEquals(ascii("x\n.y\n"), body(r, 100));
    assertEquals("+OK", r.readLine(512, Limit.STATUS_LINE));
  }

  @Test
  void endOfStreamInsideABody_isConnectionReset() {
    FetchException e =
        assertThrows(
            FetchException.class, () -> body(reader(ascii("partial\r\nbody"), 8, false), 100));
    assertEquals(FetchError.CONNECTION_RESET, e.error());
  }

  @Test
  void aBodyOverTheCap_isLimitExceeded_inWords_withTheSettingInTheLibrarysAdvice() {
    byte[] wire = ascii("x".repeat(10_000) + "\r\n.\r\n");
    FetchException e =
        assertThrows(FetchException.class, () -> body(reader(wire, 1024, false), 4096));
    assertEquals(FetchError.LIMIT_EXCEEDED, e.error());
    assertTrue(e.detail().contains("the largest message this client reads (4.1 kB)"), e.detail());
    assertFalse(e.detail().contains("Pop3Limits"), e.detail());
    assertTrue(
        e.remedy().library().contains("Pop3Limits.Builder.maxBodyBytesOnTheWire"),
        e.remedy().library());
    // The command raises the cap with --max-message-size: its advice names it, for a message really
    // this large.
    assertTrue(e.remedy().commandLine().contains("--max-message-size"), e.remedy().commandLine());
    assertFalse(e.remedy().commandLine().contains("no option"), e.remedy().commandLine());
  }

  @Test
  @SuppressWarnings("ByteBufferBackingArray") // the backing array is what this test inspects
  void slicesAreViewsOfTheBuffer_notCopies() throws FetchException {
    byte[] wire = ascii("line one\r\nline two\r\n.\r\n");
    Pop3Reader r = reader(wire, 64, false);
    List<Boolean> backed = new ArrayList<>();
    r.readBody(slice -> backed.add(slice.hasArray() && slice.array().length == 64), 100);
    assertTrue(backed.stream().allMatch(b -> b), "every slice views the 64-byte read buffer");
  }

  @Test
  void crlfMadeLf_andStuffedDots_reachTheSinkAsOneSlicePerBuffer_notOnePerLine()
      throws FetchException {
    byte[] wire = ascii("Subject: a\r\n\r\nline one\r\n..two\r\n\r\nline three\r\n.\r\n");
    Pop3Reader r = reader(wire, 128, false);
    r.lineEndsToLf(true);
    List<String> slices = new ArrayList<>();
    r.readBody(slice -> slices.add(StandardCharsets.US_ASCII.decode(slice).toString()), 1000);
    assertEquals(List.of("Subject: a\n\nline one\n.two\n\nline three\n"), slices);
  }

  // ---------------------------------------------------------------- lines

  @Test
  void lines_crlfStripped_bareLfRefusedUnlessTolerated() throws FetchException {
    Pop3Reader strict = reader(ascii("+OK a\r\n+OK b\n"), 64, false);
    assertEquals("+OK a", strict.readLine(512, Limit.STATUS_LINE));
    FetchException e =
        assertThrows(FetchException.class, () -> strict.readLine(512, Limit.STATUS_LINE));
    assertEquals(FetchError.READ_ERROR, e.error());
    assertTrue(e.detail().contains("quirk Q01") && !e.detail().contains("Tolerance"), e.detail());
    assertEquals(Optional.of(QuirkId.Q01), e.quirk());
    assertTrue(e.remedy().commandLine().contains("--quirk Q01"), e.remedy().commandLine());
    assertTrue(e.remedy().library().contains("tolerate(Tolerance.BARE_LF)"), e.remedy().library());
  }

  @Test
  void aLineLongerThanTheBuffer_isRead_andOneOverTheCapIsRefused() throws FetchException {
    String long1 = "+OK " + "x".repeat(5000);
    Pop3Reader r =
        reader(ascii(long1 + "\r\n+OK " + "y".repeat(20_000) + "\r\n"), 1024, false, 700);
    assertEquals(long1, r.readLine(8192, Limit.STATUS_LINE));
    FetchException e =
        assertThrows(FetchException.class, () -> r.readLine(8192, Limit.STATUS_LINE));
    assertEquals(FetchError.LIMIT_EXCEEDED, e.error());
    assertTrue(e.detail().contains("the longest reply line (8.2 kB)"), e.detail());
    assertTrue(
        e.remedy().library().contains("Pop3Limits.Builder.maxStatusLine (now 8.2 kB)"),
        e.remedy().library());
  }

  @Test
  void anEndlessLine_stopsAtTheCap_withBoundedMemory() {
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            return 'A';
          }

          @Override
          public int read(byte[] b, int off, int len) {
            Arrays.fill(b, off, off + len, (byte) 'A');
            return len;
          }
        };
    Pop3Reader r = new Pop3Reader(endless, 4096, false);
    FetchException e =
        assertThrows(FetchException.class, () -> r.readLine(65536, Limit.STATUS_LINE));
    assertEquals(FetchError.LIMIT_EXCEEDED, e.error());
  }

  // ---------------------------------------------------------------- properties

  @Provide
  Arbitrary<byte[]> mailLike() {
    Arbitrary<String> token =
        Arbitraries.of(
            "\r\n",
            "\r\n.\r\n",
            ".",
            "..",
            "\r",
            "\n",
            "x",
            "+OK",
            "-ERR",
            "\u0000",
            "\u00ff",
            ".\r",
            "a line of text",
            "\r\n..\r\n");
    return token.list().ofMaxSize(60).map(list -> ascii(String.join("", list)));
  }

  @Provide
  Arbitrary<int[]> splits() {
    return Arbitraries.integers().between(1, 40).array(int[].class).ofMinSize(1).ofMaxSize(20);
  }

  @Property(tries = 2000)
  void unstuff_of_stuff_isIdentity_forAnyBytes_andAnySplit(
      @ForAll("mailLike") byte[] content,
      @ForAll("splits") int[] chunks,
      @ForAll @IntRange(min = 8, max = 256) int bufferSize)
      throws FetchException {
    byte[] expected = content;
    if (!(content.length == 0
        || (content.length >= 2
            && content[content.length - 1] == '\n'
            && content[content.length - 2] == '\r'))) {
      expected = Arrays.copyOf(content, content.length + 2);
      expected[content.length] = '\r';
      expected[content.length + 1] = '\n';
    }
    byte[] wire = stuff(content);
    byte[] trailer = ascii("+OK after\r\n");
    byte[] all = Arrays.copyOf(wire, wire.length + trailer.length);
    System.arraycopy(trailer, 0, all, wire.length, trailer.length);
    Pop3Reader r = reader(all, bufferSize, false, chunks);
    assertArrayEquals(expected, body(r, Long.MAX_VALUE));
    assertEquals(
        "+OK after",
        r.readLine(512, Limit.STATUS_LINE),
        "framing holds: the next status line follows");
  }

  /**
   * With a reply possibly following (pipelining), the Q03 guard fires exactly when the wire holds a
   * line ending in '.' followed by a status line, and otherwise changes nothing, for any split.
   */
  @Property(tries = 2000)
  void Q03_guard_firesOnlyOnItsPattern_forAnyBytes_andAnySplit(
      @ForAll("mailLike") byte[] content,
      @ForAll("splits") int[] chunks,
      @ForAll @IntRange(min = 8, max = 256) int bufferSize)
      throws FetchException {
    byte[] wire = stuff(content);
    String body =
        new String(wire, 0, wire.length - 3, StandardCharsets.ISO_8859_1); // without ".\r\n"
    boolean pattern = Pattern.compile("\\.\r\n(\\+OK[ \r\\[]|-ERR)").matcher(body).find();
    Statistics.label("Q03 pattern").collect(pattern);
    Statistics.label("Q03 pattern").coverage(c -> c.check(true).percentage(p -> p >= 5.0));
    byte[] trailer = ascii("+OK after\r\n");
    byte[] all = Arrays.copyOf(wire, wire.length + trailer.length);
    System.arraycopy(trailer, 0, all, wire.length, trailer.length);
    Pop3Reader guarded = reader(all, bufferSize, false, chunks);
    guarded.replyMayFollow(true);
    if (pattern) {
      FetchException e = assertThrows(FetchException.class, () -> body(guarded, Long.MAX_VALUE));
      assertEquals(FetchError.READ_ERROR, e.error());
      assertEquals(QuirkId.Q03, guarded.lastBodyRanIntoReply());
      assertEquals(Optional.of(QuirkId.Q03), e.quirk());
    } else {
      byte[] plain = body(reader(all, bufferSize, false, chunks), Long.MAX_VALUE);
      assertArrayEquals(plain, body(guarded, Long.MAX_VALUE));
      assertEquals("+OK after", guarded.readLine(512, Limit.STATUS_LINE));
    }
  }

  /**
   * The dot scan (whole lines without a '.' in one search) decides exactly as the line-by-line
   * state machine does, for any bytes, whether or not they are well stuffed, under every tolerance,
   * with or without pipelining, for any split and buffer size.
   */
  @Property(tries = 4000)
  void theDotScan_agreesWithTheLineByLinePath_forAnyBytes(
      @ForAll("mailLike") byte[] raw,
      @ForAll boolean stuffed,
      @ForAll boolean bareLf,
      @ForAll boolean crTerminator,
      @ForAll boolean replyMayFollow,
      @ForAll("splits") int[] chunks,
      @ForAll @IntRange(min = 8, max = 96) int bufferSize,
      @ForAll boolean endsInSilence) {
    byte[] body = stuffed ? stuff(raw) : raw;
    byte[] trailer = endsInSilence ? new byte[0] : ascii("+OK after\r\n.\r\n");
    byte[] wire = Arrays.copyOf(body, body.length + trailer.length);
    System.arraycopy(trailer, 0, wire, body.length, trailer.length);
    Pop3Reader oracle =
        new Pop3Reader(stream(wire, chunks, endsInSilence), bufferSize, bareLf, crTerminator);
    oracle.lineByLine();
    Pop3Reader scan =
        new Pop3Reader(stream(wire, chunks, endsInSilence), bufferSize, bareLf, crTerminator);
    oracle.replyMayFollow(replyMayFollow);
    scan.replyMayFollow(replyMayFollow);
    String expected = outcome(oracle);
    Statistics.label("outcome").collect(expected.substring(0, expected.indexOf(' ')));
    assertEquals(expected, outcome(scan));
  }

  /**
   * Bodies for a sink that stores LF: exactly the CRLF body with each CRLF made LF, and the same
   * errors and the same bytes after, for any bytes, tolerance, pipelining, split and silence.
   */
  @Property(tries = 3000)
  void lfBodies_areTheCrlfBodiesWithEachCrlfMadeLf_forAnyBytes(
      @ForAll("mailLike") byte[] raw,
      @ForAll boolean stuffed,
      @ForAll boolean bareLf,
      @ForAll boolean crTerminator,
      @ForAll boolean replyMayFollow,
      @ForAll("splits") int[] chunks,
      @ForAll @IntRange(min = 8, max = 96) int bufferSize,
      @ForAll boolean endsInSilence) {
    byte[] body = stuffed ? stuff(raw) : raw;
    byte[] trailer = endsInSilence ? new byte[0] : ascii("+OK after\r\n.\r\n");
    byte[] wire = Arrays.copyOf(body, body.length + trailer.length);
    System.arraycopy(trailer, 0, wire, body.length, trailer.length);
    Pop3Reader crlf =
        new Pop3Reader(stream(wire, chunks, endsInSilence), bufferSize, bareLf, crTerminator);
    Pop3Reader lf =
        new Pop3Reader(stream(wire, chunks, endsInSilence), bufferSize, bareLf, crTerminator);
    lf.lineEndsToLf(true);
    crlf.replyMayFollow(replyMayFollow);
    lf.replyMayFollow(replyMayFollow);
    String expected;
    try {
      byte[] b = body(crlf, 4096);
      expected =
          "body "
              + new String(MailCorpus.toLf(b), StandardCharsets.ISO_8859_1)
              + " endedAtCr="
              + crlf.lastBodyEndedAtCr()
              + " then "
              + rest(crlf);
    } catch (FetchException e) {
      expected = "error " + e.error() + " " + crlf.lastBodyRanIntoReply() + " " + e.getMessage();
    }
    String actual;
    try {
      byte[] b = body(lf, 4096);
      actual =
          "body "
              + new String(b, StandardCharsets.ISO_8859_1)
              + " endedAtCr="
              + lf.lastBodyEndedAtCr()
              + " then "
              + rest(lf);
    } catch (FetchException e) {
      actual = "error " + e.error() + " " + lf.lastBodyRanIntoReply() + " " + e.getMessage();
    }
    Statistics.label("outcome").collect(expected.substring(0, expected.indexOf(' ')));
    Statistics.label("has CRLF")
        .collect(new String(raw, StandardCharsets.ISO_8859_1).contains("\r\n"));
    assertEquals(expected, actual);
  }

  private static String rest(Pop3Reader r) {
    StringBuilder rest = new StringBuilder();
    try {
      while (true) {
        rest.append(r.readLineTruncating(256)).append('|');
      }
    } catch (FetchException end) {
      rest.append(end.error());
    }
    return rest.toString();
  }

  /**
   * Where the reads split the input and how big the buffer is change nothing, for any bytes,
   * tolerance and pipelining, line ends as sent or made LF: an oracle that does not share the
   * reader's buffer handling (the properties above compare two readers that do).
   */
  @Property(tries = 4000)
  void theOutcome_dependsOnTheBytesAlone_notOnSplitsOrBufferSize(
      @ForAll("mailLike") byte[] raw,
      @ForAll boolean stuffed,
      @ForAll boolean bareLf,
      @ForAll boolean crTerminator,
      @ForAll boolean replyMayFollow,
      @ForAll boolean lf,
      @ForAll("splits") int[] chunks,
      @ForAll @IntRange(min = 8, max = 96) int bufferSize) {
    byte[] body = stuffed ? stuff(raw) : raw;
    byte[] trailer = ascii("+OK after\r\n.\r\n");
    byte[] wire = Arrays.copyOf(body, body.length + trailer.length);
    System.arraycopy(trailer, 0, wire, body.length, trailer.length);
    Pop3Reader whole = new Pop3Reader(new Chunked(wire), 1 << 16, bareLf, crTerminator);
    Pop3Reader split = new Pop3Reader(new Chunked(wire, chunks), bufferSize, bareLf, crTerminator);
    for (Pop3Reader r : List.of(whole, split)) {
      r.replyMayFollow(replyMayFollow);
      r.lineEndsToLf(lf);
    }
    assertEquals(outcome(whole), outcome(split));
  }

  /**
   * Found by the property above on a fresh clone: while pipelining, ".\r" then a '+' line that is
   * not a status line made the reader refill its buffer to look, and the bytes it remembered from
   * before the refill pointed at the wrong place, so a later line start was misjudged.
   */
  @Example
  void dotCrThenAPlusLine_atABufferEnd_whilePipelining_keepsTheLineStartsRight() {
    int[] v = {
      13, 45, 69, 82, 82, 97, 32, 108, 105, 110, 101, 32, 111, 102, 32, 116, 101, 120, 116, 13, 10,
      46, 13, 10, 43, 79, 75, 10, 46, 13, 43, 79, 75, 46, 46, 13, 10, 46, 13, 10, 10, 43, 79, 75, 0,
      97, 32, 108, 105, 110, 101, 32, 111, 102, 32, 116, 101, 120, 116, 46, 13, 13, 10, 13, 10, 46,
      46, 13, 10, 46, 0, 97, 32, 108, 105, 110, 101, 32, 111, 102, 32, 116, 101, 120, 116, 46, 13,
      120, 97, 32, 108, 105, 110, 101, 32, 111, 102, 32, 116, 101, 120, 116, 13, 10, 13, 10, 46, 46,
      13, 10, 10
    };
    byte[] raw = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      raw[i] = (byte) v[i];
    }
    lfBodies_areTheCrlfBodiesWithEachCrlfMadeLf_forAnyBytes(
        raw, true, true, false, true, new int[] {25, 31, 8}, 16, false);
    theOutcome_dependsOnTheBytesAlone_notOnSplitsOrBufferSize(
        raw, true, true, false, true, false, new int[] {25, 31, 8}, 16);
  }

  /** The bytes in chunks; then end of stream, or a read timeout (a server gone silent). */
  private static InputStream stream(byte[] wire, int[] chunks, boolean endsInSilence) {
    Chunked chunked = new Chunked(wire, chunks);
    if (!endsInSilence) {
      return chunked;
    }
    return new InputStream() {
      @Override
      public int read() {
        throw new UnsupportedOperationException("the reader reads in blocks");
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = chunked.read(b, off, len);
        if (n < 0) {
          throw new SocketTimeoutException("silence");
        }
        return n;
      }
    };
  }

  /** What reading one body and the rest of the stream gave, as text to compare. */
  private static String outcome(Pop3Reader r) {
    try {
      String body = new String(body(r, 4096), StandardCharsets.ISO_8859_1);
      StringBuilder rest = new StringBuilder();
      try {
        while (true) {
          rest.append(r.readLineTruncating(256)).append('|');
        }
      } catch (FetchException end) {
        rest.append(end.error());
      }
      return "body " + body + " endedAtCr=" + r.lastBodyEndedAtCr() + " then " + rest;
    } catch (FetchException e) {
      return "error "
          + e.error()
          + " "
          + r.lastBodyRanIntoReply()
          + " at "
          + r.offset()
          + " "
          + e.getMessage();
    }
  }

  @Property(tries = 1000)
  void anyPartition_givesTheSameResultAsTheWhole(
      @ForAll @Size(max = 3000) byte[] raw, @ForAll("splits") int[] chunks) throws FetchException {
    byte[] wire = stuff(raw);
    byte[] whole = body(reader(wire, 1 << 16, false), Long.MAX_VALUE);
    byte[] split = body(reader(wire, 64, false, chunks), Long.MAX_VALUE);
    assertArrayEquals(whole, split);
  }

  @Property(tries = 1000)
  void garbageNeverThrowsAnythingButTypedErrors(
      @ForAll @Size(max = 400) byte[] garbage,
      @ForAll boolean bareLf,
      @ForAll("splits") int[] chunks) {
    Pop3Reader r = reader(garbage, 32, bareLf, chunks);
    try {
      for (int i = 0; i < 5; i++) {
        r.readLine(64, Limit.STATUS_LINE);
      }
      body(r, 100);
    } catch (FetchException expected) {
      // typed: fine
    }
  }

  @Property(tries = 500)
  void theTerminatorSplitAtEveryByte(@ForAll @IntRange(min = 1, max = 12) int cut)
      throws FetchException {
    byte[] wire = ascii("ab\r\n..\r\n.\r\n+OK\r\n");
    int[] chunks =
        Combinators.combine(Arbitraries.just(cut), Arbitraries.just(1))
            .as((a, b) -> new int[] {a, b})
            .sample();
    Pop3Reader r = reader(wire, 16, false, chunks);
    assertArrayEquals(ascii("ab\r\n.\r\n"), body(r, 100));
    assertEquals("+OK", r.readLine(512, Limit.STATUS_LINE));
  }
}
