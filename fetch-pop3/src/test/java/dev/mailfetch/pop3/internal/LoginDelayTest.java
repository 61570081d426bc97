package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LoginDelayTest {
  @Test
  void loginDelaySeconds_becomeTheDelay_withOrWithoutUser() {
    assertEquals(
        Optional.of(Duration.ofSeconds(900)),
        LoginDelay.announcedIn(List.of("TOP", "LOGIN-DELAY 900", "UIDL")));
    assertEquals(
        Optional.of(Duration.ofMinutes(30)),
        LoginDelay.announcedIn(List.of("LOGIN-DELAY 1800 USER")));
    assertEquals(
        Optional.of(Duration.ofSeconds(60)), LoginDelay.announcedIn(List.of(" login-delay\t60 ")));
  }

  @Test
  void noDelayAnnounced_orOneThatIsNotANumber_isEmpty() {
    assertEquals(Optional.empty(), LoginDelay.announcedIn(List.of("TOP", "UIDL", "EXPIRE 31")));
    assertEquals(Optional.empty(), LoginDelay.announcedIn(List.of("LOGIN-DELAY")));
    assertEquals(Optional.empty(), LoginDelay.announcedIn(List.of("LOGIN-DELAY soon")));
    assertEquals(Optional.empty(), LoginDelay.announcedIn(List.of("LOGIN-DELAY -5")));
    assertEquals(Optional.empty(), LoginDelay.announcedIn(List.of("LOGIN-DELAY 1234567890")));
    assertEquals(Optional.empty(), LoginDelay.announcedIn(List.of("XLOGIN-DELAY 900")));
  }
}
