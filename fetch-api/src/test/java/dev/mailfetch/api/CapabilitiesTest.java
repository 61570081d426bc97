package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CapabilitiesTest {
  @Test
  void theLoginDelay_isWhatTheSourceRead_notParsedFromTheAnnouncedNames() {
    Capabilities c =
        new Capabilities(
            true, Optional.empty(), Optional.of(Duration.ofSeconds(900)), Set.of("UIDL", "TOP"));
    assertEquals(Optional.of(Duration.ofSeconds(900)), c.loginDelay());
    Capabilities announcedOnly =
        new Capabilities(true, Optional.empty(), Optional.empty(), Set.of("LOGIN-DELAY 900"));
    assertEquals(Optional.empty(), announcedOnly.loginDelay(), "the source's to read, not ours");
    assertEquals(Optional.empty(), Capabilities.standard().loginDelay());
  }

  @Test
  void negativeDurations_andNulls_areRefused() {
    Optional<Duration> minus = Optional.of(Duration.ofSeconds(-1));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Capabilities(true, Optional.empty(), minus, Set.of()));
    assertEquals("loginDelay must not be negative: PT-1S", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Capabilities(true, minus, Optional.empty(), Set.of()));
    assertThrows(
        NullPointerException.class, () -> new Capabilities(true, Optional.empty(), null, Set.of()));
    assertThrows(
        NullPointerException.class, () -> new Capabilities(true, null, Optional.empty(), Set.of()));
  }

  @Test
  void expireZero_forbidsLeavingMail_andTheAnnouncedNamesAreACopy() {
    Set<String> names = new HashSet<>(Set.of("EXPIRE 0"));
    Capabilities c = new Capabilities(true, Optional.of(Duration.ZERO), Optional.empty(), names);
    names.add("UIDL");
    assertFalse(c.allowsLeavingMail());
    assertEquals(Set.of("EXPIRE 0"), c.announced());
    assertTrue(Capabilities.standard().allowsLeavingMail());
  }
}
