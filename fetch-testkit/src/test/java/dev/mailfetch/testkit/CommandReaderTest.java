package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link CommandReader} cuts command lines as RFC 1939 (or Q22) says and records them. */
class CommandReaderTest {
  private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
  private final RecordedSession rec = new RecordedSession(1);

  private CommandReader reader(InputStream in, boolean split) {
    ServerOutput out = new ServerOutput(null, sent, Segmentation.WHOLE, -1, false, 0, null);
    return new CommandReader(in, rec, new Replies(out, Dialect.of(Set.of(), true)), split);
  }

  private static InputStream ascii(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** A stream that gives at most {@code chunk} bytes per read, as TCP may. */
  private static InputStream inPieces(String s, int chunk) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1)) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }

  @Test
  void linesEndInCrlfOrLf_andAreRecordedWithThePlaintext() throws IOException {
    CommandReader r = reader(ascii("USER alice\r\nPASS secret\nQUIT\r\n"), false);
    assertEquals("USER alice", r.readLine());
    assertTrue(r.moreArrived());
    assertEquals("PASS secret", r.readLine());
    assertEquals("QUIT", r.readLine());
    assertNull(r.readLine());
    assertEquals(List.of("USER alice", "PASS secret", "QUIT"), rec.commandLines());
    assertTrue(rec.sentInPlaintext("secret"));
  }

  @Test
  void aCommandInPieces_isOneLine_butQ22TakesEachReadForACommand() throws IOException {
    assertEquals("STAT", reader(inPieces("STAT\r\n", 2), false).readLine());
    CommandReader split = reader(inPieces("STAT\r\n", 2), true);
    assertEquals("ST", split.readLine());
    assertEquals("AT", split.readLine());
    assertEquals("", split.readLine(), "the line end came alone: an empty command");
  }

  @Test
  void aLineOverTheLimit_isRefused_andEndsTheSession() throws IOException {
    String huge = "AUTH " + "A".repeat(CommandReader.MAX_COMMAND_LINE + 1) + "\r\n";
    assertNull(reader(ascii(huge), false).readLine());
    assertEquals("-ERR Command line too long\r\n", sent.toString(StandardCharsets.US_ASCII));
  }

  @Test
  void takeUnread_handsOverWhatFollowsTheCommand_forTheTlsHandshake() throws IOException {
    CommandReader r = reader(ascii("STLS\r\n\u0016\u0003\u0001"), false);
    assertEquals("STLS", r.readLine());
    assertEquals("\u0016\u0003\u0001", new String(r.takeUnread(), StandardCharsets.ISO_8859_1));
    assertFalse(r.moreArrived());
  }
}
