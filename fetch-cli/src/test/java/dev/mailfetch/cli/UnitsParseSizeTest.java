package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class UnitsParseSizeTest {
  @Test
  void aSize_isBytesOrDecimalKMG_inAnyCase() {
    assertEquals(512, Units.parseSize("--max-message-size", "512"));
    assertEquals(30_000, Units.parseSize("--max-message-size", "30k"));
    assertEquals(25_000_000, Units.parseSize("--max-message-size", " 25M "));
    assertEquals(2_000_000_000L, Units.parseSize("--max-message-size", "2G"));
  }

  @Test
  void whatIsNotASize_isRefusedInWordsNamingTheOption() {
    assertEquals(
        "--max-message-size 25MB: write a size in bytes, or with K, M or G (25M)", message("25MB"));
    assertEquals(
        "--max-message-size 99999999999G: far too large; write a size in bytes, or with K, M or G"
            + " (25M)",
        message("99999999999G"));
    assertEquals("--max-message-size 0: must be 1 byte or more", message("0"));
  }

  private static String message(String text) {
    return assertThrows(
            IllegalArgumentException.class, () -> Units.parseSize("--max-message-size", text))
        .getMessage();
  }
}
