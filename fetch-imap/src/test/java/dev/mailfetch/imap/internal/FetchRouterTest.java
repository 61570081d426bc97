package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The responses of pipelined UID FETCHes, message by message: LF made of each CRLF however the
 * slices fall, literals by their UID, a message whole only once a response after its own parsed,
 * one that sent nothing failed in its turn.
 */
class FetchRouterTest {
  /** The handler's calls, in order, and the bytes of the last message. */
  static final class Calls implements MessageHandler {
    final List<String> calls = new ArrayList<>();
    final List<FetchException> errors = new ArrayList<>();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public void start(MessageRef ref) {
      calls.add("start " + ref.number());
      bytes = new ByteArrayOutputStream();
    }

    @Override
    public void data(ByteBuffer slice) {
      byte[] b = new byte[slice.remaining()];
      slice.get(b);
      bytes.writeBytes(b);
    }

    @Override
    public void end() {
      calls.add("end");
    }

    @Override
    public void failed(MessageRef ref, FetchException error) {
      calls.add("failed " + ref.number());
      errors.add(error);
    }
  }

  private static FetchRouter.Wanted wanted(int number, long uid) {
    FetchRouter.Wanted w =
        new FetchRouter.Wanted(
            new MessageRef(number, "INBOX;UIDVALIDITY=1/;UID=" + uid, 9),
            uid,
            "INBOX",
            "A" + number,
            null);
    w.inCall = true;
    return w;
  }

  private static TaggedReply ok(String tag) {
    return new TaggedReply("UID FETCH", ImapLine.of(tag + " OK done"), List.of());
  }

  private static void literal(FetchRouter r, long uid, byte[] body, int... cuts) {
    r.begin("* 1 FETCH (UID " + uid + " BODY[] {" + body.length + "}");
    int from = 0;
    for (int cut : cuts) {
      int to = Math.min(body.length, Math.max(from, cut));
      r.accept(ByteBuffer.wrap(body, from, to - from).asReadOnlyBuffer());
      from = to;
    }
    r.accept(ByteBuffer.wrap(body, from, body.length - from).asReadOnlyBuffer());
    r.end(body.length);
    r.take(ImapLine.of("* 1 FETCH (UID " + uid + " BODY[] {0}\r\n)"));
  }

  @Property(tries = 300)
  void lfEnding_turnsEachCrlfIntoLf_whereverTheSlicesAreCut(
      @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 3) Integer> parts,
      @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 60) Integer> cuts) {
    String[] pieces = {"a", "\r\n", "\r", "\n"};
    StringBuilder sb = new StringBuilder();
    parts.forEach(p -> sb.append(pieces[p]));
    byte[] body = sb.toString().getBytes(StandardCharsets.US_ASCII);
    FetchRouter r = new FetchRouter("imap.example.org:993");
    r.asking("BODY[]", LineEnding.LF);
    r.expect(wanted(1, 7));
    Calls h = new Calls();
    r.call(h, 1);
    literal(r, 7, body, cuts.stream().sorted().mapToInt(Integer::intValue).toArray());
    r.answered("A1", ok("A1"), true);
    assertEquals(List.of("start 1", "end"), h.calls);
    assertEquals(sb.toString().replace("\r\n", "\n"), h.bytes.toString(StandardCharsets.US_ASCII));
  }

  @Test
  void aLiteralOutOfTurn_isDroppedAndAskedAgain_andOneThatSentNothingFailsInItsPlace() {
    FetchRouter r = new FetchRouter("imap.example.org:993");
    r.asking("BODY[]", LineEnding.CRLF);
    FetchRouter.Wanted first = wanted(1, 7);
    FetchRouter.Wanted second = wanted(2, 8);
    r.expect(first);
    r.expect(second);
    Calls h = new Calls();
    r.call(h, 2);
    // Dovecot's parallel answers: 8 comes before the OK of 7, which sent nothing
    literal(r, 8, "x\r\n".getBytes(StandardCharsets.US_ASCII));
    assertEquals(List.of(), h.calls, "8 cannot be handed on before 7");
    assertEquals(List.of(), r.answered("A1", ok("A1"), true));
    assertEquals(List.of("failed 1"), h.calls);
    assertEquals(FetchError.SERVER_TEMPORARY, h.errors.get(0).error());
    assertEquals(List.of(second), r.answered("A2", ok("A2"), true), "8 is asked for again");
    second.tag = "A3";
    literal(r, 8, "x\r\n".getBytes(StandardCharsets.US_ASCII));
    r.answered("A3", ok("A3"), true);
    assertEquals(List.of("failed 1", "start 2", "end"), h.calls);
    assertEquals("x\r\n", h.bytes.toString(StandardCharsets.US_ASCII));
  }

  @Test
  void aMessageIsNotWhole_untilAResponseAfterItsOwnParsed() {
    FetchRouter r = new FetchRouter("imap.example.org:993");
    r.asking("BODY[]", LineEnding.CRLF);
    r.expect(wanted(1, 7));
    Calls h = new Calls();
    r.call(h, 1);
    literal(r, 7, "x\r\n".getBytes(StandardCharsets.US_ASCII));
    assertEquals(List.of("start 1"), h.calls, "the literal and its response alone prove nothing");
    r.broke(new FetchException(FetchError.CONNECTION_RESET, "the connection broke"));
    assertEquals(List.of("start 1"), h.calls, "closed, not streaming: the caller's error says it");
  }

  @Test
  void aResponseNamingAnotherUid_afterTheLiteral_failsTheMessage() {
    FetchRouter r = new FetchRouter("imap.example.org:993");
    r.asking("BODY[]", LineEnding.CRLF);
    r.expect(wanted(1, 7));
    Calls h = new Calls();
    r.call(h, 1);
    r.begin("* 1 FETCH (BODY[] {3}"); // the UID comes after the literal, and it is another
    r.accept(ByteBuffer.wrap("x\r\n".getBytes(StandardCharsets.US_ASCII)));
    r.end(3);
    r.take(ImapLine.of("* 1 FETCH (BODY[] {0}\r\n UID 8)"));
    r.answered("A1", ok("A1"), true);
    assertEquals(List.of("start 1", "failed 1"), h.calls);
    assertEquals(FetchError.PROTOCOL, h.errors.get(0).error());
  }

  private static FetchRouter.Wanted shared(int number, long uid, String tag) {
    FetchRouter.Wanted w = wanted(number, uid);
    w.tag = tag;
    w.shared = true;
    return w;
  }

  @Test
  void aNoToACommandOfSeveral_asksAgainAloneForWhatItLeftOut_andTheRefusalNamesOnlyItsOwn() {
    FetchRouter r = new FetchRouter("imap.example.org:993");
    r.asking("BODY[]", LineEnding.CRLF);
    FetchRouter.Wanted first = shared(1, 7, "A1");
    FetchRouter.Wanted second = shared(2, 8, "A1");
    r.expect(first);
    r.expect(second);
    Calls h = new Calls();
    r.call(h, 2);
    // UID 7 was expunged meanwhile: 8 is sent, then NO for the set (RFC 2180 §4.1.2)
    literal(r, 8, "x\r\n".getBytes(StandardCharsets.US_ASCII));
    TaggedReply no =
        new TaggedReply(
            "UID FETCH",
            ImapLine.of("A1 NO [EXPUNGEISSUED] Some of the requested messages no longer exist"),
            List.of());
    assertEquals(List.of(first, second), r.answered("A1", no, true), "each asked for alone");
    assertEquals(List.of(), h.calls);
    first.tag = "A2";
    second.tag = "A3";
    assertEquals(
        List.of(),
        r.answered(
            "A2",
            new TaggedReply(
                "UID FETCH", ImapLine.of("A2 NO [EXPUNGEISSUED] It is gone"), List.of()),
            true),
        "asked alone, a NO is its own");
    assertEquals(List.of("failed 1"), h.calls);
    literal(r, 8, "x\r\n".getBytes(StandardCharsets.US_ASCII));
    r.answered("A3", ok("A3"), true);
    assertEquals(List.of("failed 1", "start 2", "end"), h.calls);
    assertEquals("x\r\n", h.bytes.toString(StandardCharsets.US_ASCII));
  }

  @Test
  void aLiteralWithoutUid_inTheAnswerToACommandOfSeveral_isDroppedAndEachAskedForAlone() {
    FetchRouter r = new FetchRouter("imap.example.org:993");
    r.asking("BODY[]", LineEnding.CRLF);
    FetchRouter.Wanted first = shared(1, 7, "A1");
    FetchRouter.Wanted second = shared(2, 8, "A1");
    r.expect(first);
    r.expect(second);
    Calls h = new Calls();
    r.call(h, 2);
    r.begin("* 1 FETCH (BODY[] {3}"); // whose? 7 or 8 cannot be told
    r.accept(ByteBuffer.wrap("x\r\n".getBytes(StandardCharsets.US_ASCII)));
    r.end(3);
    r.take(ImapLine.of("* 1 FETCH (BODY[] {0}\r\n)"));
    assertEquals(List.of(), h.calls, "nothing handed on");
    assertEquals(List.of(first, second), r.answered("A1", ok("A1"), true));
    first.tag = "A2";
    literal(r, 7, "a\r\n".getBytes(StandardCharsets.US_ASCII));
    r.answered("A2", ok("A2"), true);
    assertEquals(List.of("start 1", "end"), h.calls);
  }

  /** Courier-IMAP's notice for a message deleted meanwhile (its fetch.c), with CRLF line ends. */
  static final String NOTICE =
      "From: System Administrator <root@localhost>\r\n"
          + "Subject: message unavailable\r\n"
          + "\r\n"
          + "This message is no longer available on the server.\r\n";

  private static FetchRouter.Wanted listed(int number, long uid, long size) {
    FetchRouter.Wanted w =
        new FetchRouter.Wanted(
            new MessageRef(number, "INBOX;UIDVALIDITY=1/;UID=" + uid, size),
            uid,
            "INBOX",
            "A" + number,
            null);
    w.inCall = true;
    return w;
  }

  @Test
  void I26_courierNoticeInPlaceOfAMessageListedWithAnotherSize_failsItAsDeletedMeanwhile() {
    Set<QuirkId> noticed = EnumSet.noneOf(QuirkId.class);
    FetchRouter r = new FetchRouter("imap.example.org:993", noticed);
    r.asking("BODY[]", LineEnding.LF);
    r.expect(listed(1, 7, 2048));
    r.expect(listed(2, 8, 3));
    Calls h = new Calls();
    r.call(h, 2);
    literal(r, 7, NOTICE.getBytes(StandardCharsets.US_ASCII), 40, 41, 100);
    assertEquals(List.of(), h.calls, "the notice is held, not handed on");
    literal(r, 8, "x\r\n".getBytes(StandardCharsets.US_ASCII));
    r.answered("A1", ok("A1"), true);
    r.answered("A2", ok("A2"), true);
    assertEquals(List.of("failed 1", "start 2", "end"), h.calls);
    assertEquals("x\n", h.bytes.toString(StandardCharsets.US_ASCII));
    FetchException e = h.errors.get(0);
    assertEquals(FetchError.SERVER_TEMPORARY, e.error());
    assertEquals(Optional.of(QuirkId.I26), e.quirk());
    assertTrue(
        e.getMessage().contains("it was deleted or moved since the listing"), e.getMessage());
    assertEquals(Set.of(QuirkId.I26), noticed);
  }

  /**
   * A real message of the notice's length is delivered byte for byte (LF made of CRLF where asked):
   * the notice's own bytes listed with their own size, or other bytes listed with another size.
   */
  @Property(tries = 200)
  void aGenuineMessageOfTheNoticesLength_isDelivered_whereItsSizeOrItsBytesSayItIsNotTheNotice(
      @ForAll boolean listedWithItsOwnSize,
      @ForAll @IntRange(min = 0, max = 128) int changed,
      @ForAll boolean lf,
      @ForAll @Size(max = 4) List<@IntRange(min = 0, max = 129) Integer> cuts) {
    byte[] body = NOTICE.getBytes(StandardCharsets.US_ASCII);
    if (!listedWithItsOwnSize) {
      body[changed] = body[changed] == 'x' ? (byte) 'y' : (byte) 'x';
    }
    assertEquals(129, body.length);
    Set<QuirkId> noticed = EnumSet.noneOf(QuirkId.class);
    FetchRouter r = new FetchRouter("imap.example.org:993", noticed);
    r.asking("BODY[]", lf ? LineEnding.LF : LineEnding.CRLF);
    r.expect(listed(1, 7, listedWithItsOwnSize ? 129 : 130));
    Calls h = new Calls();
    r.call(h, 1);
    literal(r, 7, body, cuts.stream().sorted().mapToInt(Integer::intValue).toArray());
    r.answered("A1", ok("A1"), true);
    assertEquals(List.of("start 1", "end"), h.calls);
    String sent = new String(body, StandardCharsets.US_ASCII);
    assertEquals(
        lf ? sent.replace("\r\n", "\n") : sent, h.bytes.toString(StandardCharsets.US_ASCII));
    assertEquals(Set.of(), noticed);
  }
}
