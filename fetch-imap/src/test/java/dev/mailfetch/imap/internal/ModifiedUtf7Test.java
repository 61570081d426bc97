package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Modified UTF-7 (RFC 3501 §5.1.3): the RFC's examples, and any name back from its encoding. */
class ModifiedUtf7Test {
  @Test
  void theRfcExample_encodesAndDecodes() {
    // RFC 3501 §5.1.3: "~peter/mail/台北/日本語"
    String name = "~peter/mail/\u53f0\u5317/\u65e5\u672c\u8a9e";
    assertEquals("~peter/mail/&U,BTFw-/&ZeVnLIqe-", ModifiedUtf7.encode(name));
    assertEquals(name, ModifiedUtf7.decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"));
  }

  @Test
  void anAmpersand_isAmpersandDash_andAsciiStandsForItself() {
    assertEquals("Tom &- Jerry", ModifiedUtf7.encode("Tom & Jerry"));
    assertEquals("Tom & Jerry", ModifiedUtf7.decode("Tom &- Jerry"));
    assertEquals("INBOX.Sent Items", ModifiedUtf7.encode("INBOX.Sent Items"));
  }

  @Test
  void commonFolderNames_encodeAsServersShowThem() {
    assertEquals("Entw&APw-rfe", ModifiedUtf7.encode("Entw\u00fcrfe"));
    assertEquals("&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-", ModifiedUtf7.encode("Отправленные"));
    assertEquals("Отправленные", ModifiedUtf7.decode("&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"));
  }

  @Test
  void anAmpersandWithoutItsDash_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> ModifiedUtf7.decode("a&ZeVnLIqe"));
  }

  @Property(tries = 500)
  void anyName_comesBackFromItsEncoding(@ForAll String name) {
    String encoded = ModifiedUtf7.encode(name);
    assertEquals(true, encoded.chars().allMatch(c -> c >= 0x20 && c <= 0x7e), encoded);
    assertEquals(name, ModifiedUtf7.decode(encoded));
  }
}
