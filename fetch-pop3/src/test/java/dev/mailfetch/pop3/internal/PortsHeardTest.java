package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.pop3.internal.PortProbe.PortSpeaks;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PortsHeardTest {
  private static PortsHeard heard(Object... portsAndSpeaks) {
    TreeMap<Integer, PortSpeaks> others = new TreeMap<>();
    for (int i = 0; i < portsAndSpeaks.length; i += 2) {
      others.put((Integer) portsAndSpeaks[i], (PortSpeaks) portsAndSpeaks[i + 1]);
    }
    return new PortsHeard(PortSpeaks.REFUSED, others);
  }

  @Test
  void theOtherPorts_areSaidInTheOrderOfTheirNumbers() {
    assertEquals(
        "110 plain POP3, 995 TLS", heard(995, PortSpeaks.TLS, 110, PortSpeaks.POP3).alternatives());
    assertEquals("", heard().alternatives());
  }

  @Test
  void aTlsPortIsSuggestedBeforeAPlainOne_andNothingWhereNoneSpeaksPop3() {
    assertEquals(
        "; port 995 speaks POP3 over TLS",
        heard(110, PortSpeaks.POP3, 995, PortSpeaks.TLS).suggestion());
    assertEquals("; port 110 speaks plain POP3", heard(110, PortSpeaks.POP3).suggestion());
    assertEquals("", heard(143, PortSpeaks.IMAP, 110, PortSpeaks.REFUSED).suggestion());
  }

  @Test
  void whetherAnotherPortSpeaksTls() {
    assertTrue(heard(995, PortSpeaks.TLS).otherPortSpeaksTls());
    assertFalse(heard(110, PortSpeaks.POP3).otherPortSpeaksTls());
  }
}
