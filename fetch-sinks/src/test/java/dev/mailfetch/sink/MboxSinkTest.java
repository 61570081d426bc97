package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an mbox holds, byte for byte, as mail readers parse it. */
class MboxSinkTest {
  private static final String ACCOUNT = "alice@example.org";
  @TempDir Path tmp;

  private static DeliveryKey deliver(MboxSink sink, String uid, String content, int slice)
      throws IOException {
    byte[] bytes = content.getBytes(StandardCharsets.ISO_8859_1);
    Delivery d = sink.begin(new Envelope(ACCOUNT, uid, bytes.length, Set.of(), false));
    for (int off = 0; off < bytes.length; off += slice) {
      d.write(ByteBuffer.wrap(bytes, off, Math.min(slice, bytes.length - off)));
    }
    DeliveryKey k = DeliveryKey.of(ACCOUNT, uid);
    d.complete(k);
    return k;
  }

  private static String body(Path mbox) throws IOException {
    return Files.readString(mbox, StandardCharsets.ISO_8859_1);
  }

  @Test
  void fromLines_areQuotedTheMboxrdWay_whateverTheSlices_andReadBackExactly() throws IOException {
    String message =
        "Subject: quoting\n\nFrom the start\n>From one\n>>From two\nFromage\nFrom\n"
            + "not at a From start\n>>>\n> From spaced\nFrom ";
    for (int slice : new int[] {1, 2, 3, 5, 64}) {
      Path file = tmp.resolve("q" + slice + ".mbox");
      try (MboxSink sink = MboxSink.open(file)) {
        DeliveryKey k = deliver(sink, "q", message, slice);
        sink.sync();
        String stored = body(file);
        String expectedBody =
            "Subject: quoting\n\n>From the start\n>>From one\n>>>From two\nFromage\nFrom\n"
                + "not at a From start\n>>>\n> From spaced\n>From \n\n";
        assertTrue(
            stored.startsWith(
                "From mailfetch+" + k + "." + (expectedBody.length() - 1) + "n@localhost "),
            "slices of " + slice + ": " + stored);
        assertTrue(stored.endsWith(expectedBody), "slices of " + slice + ": " + stored);
        assertArrayEquals(
            message.getBytes(StandardCharsets.ISO_8859_1), sink.read(k).orElseThrow());
      }
    }
  }

  @Test
  void anotherProgramsMail_staysAsItIs_andOursFollowsAfterABlankLine() throws IOException {
    Path file = tmp.resolve("inbox");
    String theirs =
        "From someone@example.net Sat Nov 21 10:00:00 2026\nSubject: theirs\n\nno final line end";
    Files.writeString(file, theirs, StandardCharsets.ISO_8859_1);
    try (MboxSink sink = MboxSink.open(file)) {
      deliver(sink, "ours", "Subject: ours\n\nhello\n", 7);
      sink.sync();
    }
    String all = body(file);
    assertTrue(all.startsWith(theirs + "\n\nFrom mailfetch+"), all);
    assertTrue(
        all.endsWith("\nSubject: ours\n\nhello\n\n"), "ours whole, then the blank line: " + all);
  }

  @Test
  void aLastMessageCutShortByACrash_isRemovedAtOpen_andDeliveredAgain() throws IOException {
    Path file = tmp.resolve("inbox");
    DeliveryKey whole;
    DeliveryKey cut;
    try (MboxSink sink = MboxSink.open(file)) {
      whole = deliver(sink, "whole", "Subject: whole\n\nwhole\n", 64);
      cut = deliver(sink, "cut", "Subject: cut\n\n" + "x".repeat(500) + "\n", 64);
      sink.sync();
    }
    long size = Files.size(file);
    byte[] all = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(all, (int) size - 200)); // the append a kill stopped
    try (MboxSink sink = MboxSink.open(file)) {
      assertTrue(sink.contains(whole));
      assertFalse(sink.contains(cut), "the cut message is not held: it will be delivered again");
      assertFalse(body(file).contains("Subject: cut"), "and nothing of it is left");
      deliver(sink, "cut", "Subject: cut\n\n" + "x".repeat(500) + "\n", 64);
      sink.sync();
      assertEquals(
          "Subject: cut\n\n" + "x".repeat(500) + "\n",
          new String(sink.read(cut).orElseThrow(), StandardCharsets.ISO_8859_1));
    }
  }

  @Test
  void aShortMessageOfOursFollowedByAnotherProgramsMail_isNotCountedAsHeld() throws IOException {
    Path file = tmp.resolve("inbox");
    DeliveryKey k;
    try (MboxSink sink = MboxSink.open(file)) {
      k = deliver(sink, "cut", "Subject: cut\n\n" + "y".repeat(300) + "\n", 64);
      sink.sync();
    }
    byte[] all = Files.readAllBytes(file);
    String cutThenTheirs =
        new String(all, 0, all.length - 150, StandardCharsets.ISO_8859_1)
            + "\n\nFrom other@example.net Sat Nov 21 10:00:00 2026\nSubject: theirs\n\nbody\n";
    Files.writeString(file, cutThenTheirs, StandardCharsets.ISO_8859_1);
    try (MboxSink sink = MboxSink.open(file)) {
      assertFalse(
          sink.contains(k), "never pass a partial message off as held: it is delivered again");
      assertTrue(body(file).contains("Subject: theirs"), "another program's mail is never cut");
    }
  }

  @Test
  void theDotlock_isTakenAndReleased_andAStaleOneIsCleared() throws IOException {
    Path file = tmp.resolve("inbox");
    Path dotlock = tmp.resolve("inbox.lock");
    Files.writeString(dotlock, "99999");
    Files.setLastModifiedTime(dotlock, FileTime.from(Instant.now().minusSeconds(3600)));
    try (MboxSink sink = MboxSink.open(file)) {
      deliver(sink, "m", "Subject: m\n\nm\n", 64);
      sink.sync();
    }
    assertFalse(Files.exists(dotlock), "released after each append, and the stale one was cleared");
  }
}
