package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a message that did not arrive whole is said. */
class BodyFailuresTest {
  private static final MessageRef REF = new MessageRef(4, "u4", 2_000);

  @Test
  void aBodyPastTwiceItsSizeAndAMegabyte_whenTimeRanOut_isSentWithoutEnd() {
    FetchException deadline =
        new FetchException(FetchError.CONNECTION_TIMED_OUT, "message 4 took too long");
    assertSame(deadline, BodyFailures.endless(deadline, REF, 1_002_000));
    FetchException endless = BodyFailures.endless(deadline, REF, 1_002_001);
    assertEquals(FetchError.CONNECTION_TIMED_OUT, endless.error());
    assertTrue(endless.detail().contains("the server sends it without end"), endless.detail());
  }

  @Test
  void silence_orAnotherError_staysAsItIs() {
    FetchException silence =
        new FetchException(
            FetchError.CONNECTION_TIMED_OUT,
            "no answer",
            new SocketTimeoutException("Read timed out"));
    assertSame(silence, BodyFailures.endless(silence, REF, 10_000_000));
    FetchException reset = new FetchException(FetchError.CONNECTION_RESET, "reset");
    assertSame(reset, BodyFailures.endless(reset, REF, 10_000_000));
  }

  @Test
  void aReplyThatDoesNotParseAfterABody_isQ04_elseTheErrorItself() {
    FetchException bad =
        new FetchException(FetchError.READ_ERROR, "not a status line", "Hello", null);
    FetchException q04 = BodyFailures.notWhereTerminatorSaid(REF, bad);
    assertEquals(FetchError.READ_ERROR, q04.error());
    assertTrue(q04.detail().startsWith("message 4 did not end where its terminator said"));
    assertEquals("Hello", q04.serverReply().orElseThrow());
    assertEquals(Optional.of(QuirkId.Q04), q04.quirk());
    FetchException reset = new FetchException(FetchError.CONNECTION_RESET, "reset");
    assertSame(reset, BodyFailures.notWhereTerminatorSaid(REF, reset));
  }

  @Test
  void aResetWhileSending_isChargedToTheMessageInFlight() {
    FetchException e =
        new FetchException(
            FetchError.CONNECTION_RESET,
            "the connection broke while sending RETR",
            new IOException("Broken pipe"));
    FetchException cut = BodyFailures.cutWhileSending(REF, e);
    assertEquals(FetchError.CONNECTION_RESET, cut.error());
    assertEquals(
        "the connection broke while message 4 was due (met while sending the next command):"
            + " Broken pipe",
        cut.detail());
  }

  @Test
  void Q04_aStrayEndMarker_isMarkedQ04_asTheWordsNamedIt() {
    FetchException dot = new FetchException(FetchError.READ_ERROR, "not a status line", ".", null);
    FetchException stray = BodyFailures.strayTerminator(null, REF, dot);
    assertEquals(FetchError.EMPTY_LINE, stray.error());
    assertEquals(Optional.of(QuirkId.Q04), stray.quirk());
  }

  @Test
  void theWrappersOfAnError_passItsQuirkOn() {
    FetchException q04 =
        BodyFailures.notWhereTerminatorSaid(
            REF, new FetchException(FetchError.READ_ERROR, "not a status line", "Hello", null));
    assertEquals(Optional.of(QuirkId.Q04), new PipelinedUnanswered(q04).quirk());
    FetchException q01 =
        new FetchException(FetchError.CONNECTION_RESET, "closed").withQuirk(QuirkId.Q01);
    assertEquals(Optional.of(QuirkId.Q01), new Pop3Connection.CapaBroken(q01).quirk());
    FetchException none = new FetchException(FetchError.CONNECTION_TIMED_OUT, "no answer");
    assertEquals(Optional.empty(), new PipelinedUnanswered(none).quirk());
    assertEquals(Optional.empty(), new Pop3Connection.CapaBroken(none).quirk());
  }
}
