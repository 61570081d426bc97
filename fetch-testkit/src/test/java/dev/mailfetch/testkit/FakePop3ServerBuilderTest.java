package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The fake server's builder under mailfetch's one builder policy. */
class FakePop3ServerBuilderTest {
  @Test
  void aSettingSetTwice_isRefused_showingTheValueItHas() {
    IllegalStateException greeting =
        assertThrows(
            IllegalStateException.class,
            () -> FakePop3Server.builder().greeting("ready").greeting("again"));
    assertEquals("greeting was already set to ready", greeting.getMessage());
    IllegalStateException delay =
        assertThrows(
            IllegalStateException.class,
            () ->
                FakePop3Server.builder()
                    .replyDelay(Duration.ofMillis(5))
                    .replyDelay(Duration.ofMillis(9)));
    assertEquals("replyDelay was already set to PT0.005S", delay.getMessage());
  }

  @Test
  void aScriptedReply_isOncePerCommand_andShowsItsBytes() {
    FakePop3Server.Builder b =
        FakePop3Server.builder()
            .respond("STAT", "+OK 1 2\r\n", FakePop3Server.After.CONTINUE)
            .respond("LIST", "+OK\r\n.\r\n", FakePop3Server.After.CONTINUE);
    IllegalStateException again =
        assertThrows(
            IllegalStateException.class,
            () -> b.respond("stat", "-ERR\r\n", FakePop3Server.After.CONTINUE));
    assertEquals(
        "respond(STAT) was already set to \"+OK 1 2\\r\\n\", then CONTINUE", again.getMessage());
  }

  @Test
  void whatAddsUp_mayBeGivenAgain() {
    assertDoesNotThrow(
        () ->
            FakePop3Server.builder()
                .quirk(Quirk.Q01_BARE_LF)
                .quirk(Quirk.Q16_GREETING_JUNK)
                .account("alice", "a", FakeMailbox.create())
                .account("bob", "b", FakeMailbox.create())
                .fault(Fault.greetingDelay(Duration.ofMillis(1)))
                .fault(Fault.greetingDelay(Duration.ofMillis(2))));
    assertThrows(
        IllegalStateException.class,
        () ->
            FakePop3Server.builder()
                .account("alice", "a", FakeMailbox.create())
                .account("alice", "b", FakeMailbox.create()));
  }
}
