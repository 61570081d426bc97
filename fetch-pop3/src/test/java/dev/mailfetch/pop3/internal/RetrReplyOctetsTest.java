package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The size a RETR reply names, read by hand on every message, is what splitting its text at runs of
 * blanks gave (quirk Q21's check depends on it).
 */
class RetrReplyOctetsTest {
  /** The split this replaced. */
  private static long bySplit(String text) {
    String[] f = text.strip().split("[ \t]+");
    return f.length >= 2 && f[1].equalsIgnoreCase("octets") ? ListingReader.number(f[0]) : -1;
  }

  @Test
  void theSizeOfTheUsualReplies() {
    assertEquals(1234, MisplacedReply.octets("1234 octets"));
    assertEquals(1234, MisplacedReply.octets("1234\t OCTETS follow"));
    assertEquals(-1, MisplacedReply.octets("message follows"));
    assertEquals(-1, MisplacedReply.octets("1234 octetsx"));
    assertEquals(-1, MisplacedReply.octets("1234"));
    assertEquals(-1, MisplacedReply.octets(""));
    assertEquals(-1, MisplacedReply.octets("-5 octets"));
  }

  @Test
  void asTheSplitGave_forAnyText() {
    Random random = new Random(21);
    String[] words = {
      "12", "0", "octets", "Octets", "octet", "x", " ", "\t", "  ", "\u000B", "99999"
    };
    for (int n = 0; n < 20000; n++) {
      StringBuilder sb = new StringBuilder();
      for (int i = random.nextInt(7); i > 0; i--) {
        sb.append(words[random.nextInt(words.length)]);
      }
      String text = sb.toString().strip();
      assertEquals(bySplit(text), MisplacedReply.octets(text), () -> "for '" + text + "'");
    }
  }
}
