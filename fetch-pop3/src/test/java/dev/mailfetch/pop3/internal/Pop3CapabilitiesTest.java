package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One CAPA reply as a value: its lines, read once. */
class Pop3CapabilitiesTest {
  private static Pop3Capabilities of(String... received) {
    Set<String> lines = new LinkedHashSet<>();
    for (String line : List.of(received)) {
      lines.add(Pop3Capabilities.line(line));
    }
    return Pop3Capabilities.announced(lines);
  }

  @Test
  void lines_areUpperCase_withUnderscoresReadAsHyphens() {
    Pop3Capabilities c = of("uidl", " Login_Delay 900 ", "sasl plain xoauth2");
    assertEquals(Set.of("UIDL", "LOGIN-DELAY 900", "SASL PLAIN XOAUTH2"), c.lines());
    assertTrue(c.worked());
  }

  @Test
  void has_matchesTheWholeTag_orTheTagAndArguments() {
    Pop3Capabilities c = of("UIDL", "SASL PLAIN", "PIPELININGX");
    assertTrue(c.has("UIDL"));
    assertTrue(c.has("SASL"));
    assertFalse(c.has("PIPELINING"));
    assertFalse(c.has("UID"));
  }

  @Test
  void saslMechanisms_inTheServersOrder() {
    assertEquals(
        List.of("XOAUTH2", "PLAIN", "CRAM-MD5"),
        List.copyOf(of("SASL XOAUTH2  PLAIN", "SASL CRAM-MD5").saslMechanisms()));
  }

  @Test
  void expire_isDaysOrNever_theLastReadableLineHolding() {
    assertEquals(Optional.of(Duration.ofDays(31)), of("EXPIRE 31 USER").expire());
    assertEquals(Optional.empty(), of("EXPIRE NEVER").expire());
    assertEquals(Optional.of(Duration.ZERO), of("EXPIRE 5", "EXPIRE 0").expire());
    assertEquals(Optional.of(Duration.ofDays(5)), of("EXPIRE 5", "EXPIRE soon").expire());
    assertEquals(Optional.empty(), of("UIDL").expire());
  }

  @Test
  void loginDelay_inSeconds() {
    assertEquals(Optional.of(Duration.ofSeconds(900)), of("LOGIN-DELAY 900 USER").loginDelay());
    assertEquals(Optional.empty(), of("LOGIN-DELAY x").loginDelay());
  }

  @Test
  void none_andForgotten_holdNoLines_butForgottenKeepsWhetherCapaWorked() {
    assertFalse(Pop3Capabilities.NONE.worked());
    assertTrue(Pop3Capabilities.NONE.lines().isEmpty());
    Pop3Capabilities forgotten = of("STLS", "UIDL").forgotten();
    assertTrue(forgotten.worked());
    assertFalse(forgotten.has("UIDL"));
  }
}
