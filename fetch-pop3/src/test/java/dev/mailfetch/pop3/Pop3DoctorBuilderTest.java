package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The doctor's builder under the one builder policy: each setting once, checked when given. */
class Pop3DoctorBuilderTest {
  @Test
  void aSettingSetTwice_isRefused_showingTheValueItHas() {
    IllegalStateException timeout =
        assertThrows(
            IllegalStateException.class,
            () ->
                Pop3Doctor.builder().timeout(Duration.ofSeconds(3)).timeout(Duration.ofSeconds(6)));
    assertEquals("timeout was already set to PT3S", timeout.getMessage());
    IllegalStateException ports =
        assertThrows(
            IllegalStateException.class, () -> Pop3Doctor.builder().otherPorts(995).otherPorts());
    assertEquals("otherPorts was already set to [995]", ports.getMessage());
    IllegalStateException samples =
        assertThrows(IllegalStateException.class, () -> Pop3Doctor.builder().samples(2).samples(3));
    assertEquals("samples was already set to 2", samples.getMessage());
  }

  @Test
  void anArgumentOutOfRange_isRefusedWhenGiven() {
    assertThrows(IllegalArgumentException.class, () -> Pop3Doctor.builder().samples(101));
    assertThrows(IllegalArgumentException.class, () -> Pop3Doctor.builder().otherPorts(0));
    assertThrows(IllegalArgumentException.class, () -> Pop3Doctor.builder().timeout(Duration.ZERO));
  }
}
