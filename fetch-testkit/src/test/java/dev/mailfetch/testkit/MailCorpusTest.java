package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailCorpusTest {
  private static final MailCorpus CORPUS = MailCorpus.generate(7, 2000);

  @Test
  void theSameSeed_givesTheSameBytes_anotherSeedOthers() {
    MailCorpus again = MailCorpus.generate(7, 300); // a shorter corpus is a prefix of a longer one
    for (int i = 0; i < 300; i++) {
      assertArrayEquals(CORPUS.messages().get(i).content(), again.messages().get(i).content());
    }
    assertNotEquals(again.totalBytes(), MailCorpus.generate(8, 300).totalBytes());
  }

  @Test
  void sizes_haveAMedianNear8KB_andATailOfLargeAttachments() {
    int[] sizes = CORPUS.messages().stream().mapToInt(MailCorpus.Message::size).sorted().toArray();
    int median = sizes[sizes.length / 2];
    assertTrue(median > 6_000 && median < 10_000, "median " + median);
    long large = CORPUS.messages().stream().filter(m -> m.size() > 100 * 1024).count();
    assertTrue(large >= 40 && large <= 160, large + " messages over 100 KB");
    assertTrue(sizes[sizes.length - 1] < 1_500_000, "largest " + sizes[sizes.length - 1]);
  }

  @Test
  void theAwkwardCases_arePresent() {
    int dotLines = 0;
    int eightBit = 0;
    int longLines = 0;
    int nul = 0;
    int noId = 0;
    Set<String> ids = new HashSet<>();
    int duplicateIds = 0;
    for (MailCorpus.Message m : CORPUS.messages()) {
      String text = new String(m.content(), StandardCharsets.ISO_8859_1);
      dotLines += text.contains("\r\n.\r\n") ? 1 : 0;
      eightBit += text.chars().anyMatch(c -> c >= 0x80) ? 1 : 0;
      nul += text.indexOf('\0') >= 0 ? 1 : 0;
      longLines += Arrays.stream(text.split("\r\n")).anyMatch(l -> l.length() > 998) ? 1 : 0;
      if (m.messageId() == null) {
        noId++;
      } else if (!ids.add(m.messageId())) {
        duplicateIds++;
      }
      assertTrue(text.contains("\r\n\r\n"), "a header section and a body");
    }
    assertTrue(dotLines > 500, "lone-dot lines in " + dotLines);
    assertTrue(eightBit > 1000, "8-bit text in " + eightBit);
    assertTrue(longLines > 100, "long lines in " + longLines);
    assertTrue(nul > 50, "NUL in " + nul);
    assertTrue(noId > 20 && noId < 120, noId + " without Message-ID");
    assertTrue(duplicateIds > 10 && duplicateIds < 100, duplicateIds + " duplicates");
  }

  @Test
  void writeMaildir_laysOutNewWithLfLineEnds_inOrder(@TempDir Path tmp) throws IOException {
    MailCorpus small = MailCorpus.generate(3, 30);
    List<Path> files = small.writeMaildir(tmp.resolve("Maildir"));
    assertTrue(
        Files.isDirectory(tmp.resolve("Maildir/cur"))
            && Files.isDirectory(tmp.resolve("Maildir/tmp")));
    assertEquals(30, files.size());
    for (int i = 0; i < 30; i++) {
      byte[] stored = Files.readAllBytes(files.get(i));
      assertArrayEquals(MailCorpus.toLf(small.messages().get(i).content()), stored);
      assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains("\r\n"));
    }
    assertEquals(files, files.stream().sorted().toList(), "file names sort in corpus order");
  }

  @Test
  void aCorpusServedByTheFakeServer_arrivesByteExact() throws Exception {
    MailCorpus small = MailCorpus.generate(11, 25);
    try (FakePop3Server server =
            FakePop3Server.builder().account("u", "p", small.toMailbox()).start();
        RawClient c = new RawClient(server)) {
      c.line();
      c.ask("USER u");
      c.ask("PASS p");
      for (int i = 0; i < 25; i++) {
        c.ask("RETR " + (i + 1));
        byte[] wire = c.multiline();
        assertArrayEquals(small.messages().get(i).content(), unstuff(wire), "message " + (i + 1));
      }
    }
  }

  /** The reference unstuffer: drop the terminator, and one leading dot of each line. */
  static byte[] unstuff(byte[] wire) {
    byte[] body = Arrays.copyOf(wire, wire.length - 3);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean lineStart = true;
    for (byte b : body) {
      if (!(lineStart && b == '.')) {
        out.write(b);
        lineStart = b == '\n';
      } else {
        lineStart = false;
      }
    }
    return out.toByteArray();
  }
}
