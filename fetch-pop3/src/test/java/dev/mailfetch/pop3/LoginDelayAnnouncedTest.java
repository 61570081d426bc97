package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchSession;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The POP3 source reads {@code LOGIN-DELAY} from CAPA itself and hands the poller a duration: the
 * protocol-neutral {@code Capabilities} parses no POP3 words.
 */
@Timeout(60)
class LoginDelayAnnouncedTest {
  @Test
  void loginDelayInCapa_isTheSessionsLoginDelay() throws Exception {
    try (FakePop3Server server =
        Pop3SourceTest.server(FakeMailbox.create().add("Subject: a\r\n\r\nbody\r\n"))
            .loginDelay(900)
            .start()) {
      try (FetchSession session = Pop3SourceTest.client(server, Security.NONE).build().open()) {
        assertEquals(Optional.of(Duration.ofSeconds(900)), session.capabilities().loginDelay());
        assertTrue(
            session.capabilities().announced().stream().anyMatch(c -> c.startsWith("LOGIN-DELAY")),
            session.capabilities().toString());
      }
    }
  }

  @Test
  void noLoginDelayInCapa_isNone() throws Exception {
    try (FakePop3Server server = Pop3SourceTest.server(FakeMailbox.create()).start()) {
      try (FetchSession session = Pop3SourceTest.client(server, Security.NONE).build().open()) {
        assertEquals(Optional.empty(), session.capabilities().loginDelay());
      }
    }
  }
}
