package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetrievalTest {
  private static final MessageRef ONE = new MessageRef(1, "u1", 10);
  private static final MessageRef TWO = new MessageRef(2, "u2", 20);
  private static final MessageRef THREE = new MessageRef(3, "u3", 30);

  @Test
  void ofABatch_announcesNothingToFollow_andWantsTheBytesAsSent() {
    Retrieval r = Retrieval.of(List.of(ONE, TWO));
    assertEquals(List.of(ONE, TWO), r.batch());
    assertEquals(List.of(), r.following());
    assertEquals(LineEnding.CRLF, r.lineEnding());
  }

  @Test
  void eachRefinement_isANewValue_theFirstUnchanged() {
    Retrieval first = Retrieval.of(List.of(ONE));
    Retrieval refined = first.followedBy(List.of(TWO, THREE)).withLineEnding(LineEnding.LF);
    assertEquals(new Retrieval(List.of(ONE), List.of(TWO, THREE), LineEnding.LF), refined);
    assertEquals(List.of(), first.following());
    assertEquals(LineEnding.CRLF, first.lineEnding());
  }

  @Test
  void theBatchIsCopied_whatFollowsIsAReadOnlyView() {
    List<MessageRef> batch = new ArrayList<>(List.of(ONE));
    List<MessageRef> rest = new ArrayList<>(List.of(TWO));
    Retrieval r = Retrieval.of(batch).followedBy(rest);
    batch.add(TWO);
    rest.add(THREE); // the engine's list of the run's work, not changed during a call
    assertEquals(List.of(ONE), r.batch());
    assertEquals(List.of(TWO, THREE), r.following(), "not copied: it can be the whole run");
    assertThrows(UnsupportedOperationException.class, () -> r.batch().add(THREE));
    assertThrows(UnsupportedOperationException.class, () -> r.following().add(THREE));
  }

  @Test
  void nulls_areRefusedWhenTheRequestIsMade() {
    assertThrows(NullPointerException.class, () -> Retrieval.of(null));
    assertThrows(NullPointerException.class, () -> Retrieval.of(Arrays.asList(ONE, null)));
    Retrieval r = Retrieval.of(List.of(ONE));
    assertThrows(NullPointerException.class, () -> r.followedBy(null));
    assertThrows(NullPointerException.class, () -> r.withLineEnding(null));
    assertThrows(NullPointerException.class, () -> r.convertingFromCrlf(null));
  }

  @Test
  void convertingFromCrlf_isTheHandlerItselfForCrlf() {
    MessageHandler h = new Collecting();
    assertSame(h, Retrieval.of(List.of(ONE)).convertingFromCrlf(h));
  }

  @Test
  void convertingFromCrlf_makesEachCrlfLf_acrossSlices() {
    Collecting got = new Collecting();
    MessageHandler h =
        Retrieval.of(List.of(ONE)).withLineEnding(LineEnding.LF).convertingFromCrlf(got);
    assertNotSame(got, h);
    h.start(ONE);
    h.data(bytes("Subject: a\r"));
    h.data(bytes("\n\r\nbody\rx\r\n"));
    h.end();
    assertEquals("Subject: a\n\nbody\rx\n", got.text());
  }

  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static final class Collecting implements MessageHandler {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @Override
    public void start(MessageRef ref) {}

    @Override
    public void data(ByteBuffer slice) {
      while (slice.hasRemaining()) {
        out.write(slice.get());
      }
    }

    @Override
    public void end() {}

    @Override
    public void failed(MessageRef ref, FetchException error) {}

    String text() {
      return out.toString(StandardCharsets.US_ASCII);
    }
  }
}
