package dev.mailfetch.api.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class RequireTest {
  @Test
  void aSettingSetTwice_isRefused_showingTheValueItHas() {
    Require.Once once = new Require.Once();
    once.set("maxStatusLine", 64 * 1024);
    assertTrue(once.isSet("maxStatusLine"));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> once.set("maxStatusLine", 512));
    assertEquals("maxStatusLine was already set to 512", e.getMessage());
    once.set("maxListingLine", 8192); // another setting is another matter
  }

  @Test
  void aSecretSetTwice_isRefused_withoutItsValue() {
    Require.Once once = new Require.Once();
    once.setSecret("password");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> once.setSecret("password"));
    assertEquals("password was already set", e.getMessage());
  }

  @Test
  void anArgumentOutOfRange_namesTheSettingTheRangeAndTheValue() {
    assertEquals(5, Require.range("batchSize", 5, 1, 10_000));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Require.range("batchSize", 0, 1, 10_000));
    assertEquals("batchSize must be from 1 to 10000: 0", e.getMessage());
    IllegalArgumentException big =
        assertThrows(
            IllegalArgumentException.class,
            () -> Require.range("maxBodyBytesOnTheWire", 0L, 1L, Long.MAX_VALUE));
    assertEquals(
        "maxBodyBytesOnTheWire must be from 1 to 9223372036854775807: 0", big.getMessage());
  }

  @Test
  void positive_refusesZeroAndBelow_andNamesTheSetting() {
    assertEquals(1, Require.positive("maxListing", 1));
    assertEquals(
        "maxListing must be positive: -1",
        assertThrows(IllegalArgumentException.class, () -> Require.positive("maxListing", -1))
            .getMessage());
    assertEquals(
        "maxBytesPerRun must be positive: 0",
        assertThrows(IllegalArgumentException.class, () -> Require.positive("maxBytesPerRun", 0L))
            .getMessage());
    assertEquals(
        "readTimeout must be positive: PT0S",
        assertThrows(
                IllegalArgumentException.class,
                () -> Require.positive("readTimeout", Duration.ZERO))
            .getMessage());
    assertEquals(
        "readTimeout",
        assertThrows(
                NullPointerException.class, () -> Require.positive("readTimeout", (Duration) null))
            .getMessage());
  }

  @Test
  void numbersAreFormattedTheSameOnEveryMachine() {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("ar-EG"));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> Require.range("port", 70_000, 1, 65_535));
      assertEquals("port must be from 1 to 65535: 70000", e.getMessage());
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  void requireStateAndArgument_throwOnlyWhenFalse() {
    Require.requireState(true, "never %s", "shown");
    Require.requireArgument(true, "never %s", "shown");
    assertEquals(
        "sslContext cannot be combined with trustPem",
        assertThrows(
                IllegalStateException.class,
                () ->
                    Require.requireState(
                        false, "%s cannot be combined with %s", "sslContext", "trustPem"))
            .getMessage());
    assertFalse(
        assertThrows(IllegalArgumentException.class, () -> Require.notEmpty("host", ""))
            .getMessage()
            .isEmpty());
  }
}
