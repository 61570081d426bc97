package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.pop3.Pop3Limits;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What the command's options set in the POP3 client's limits: --timeout its deadlines, and
 * --max-message-size, beyond the client's own cap of one message's bytes, that cap too, so that a
 * message the option lets through is never cut off by a limit no option reaches.
 */
class ServerOptionsLimitsTest {
  @Test
  void aMaxMessageSizeBeyondTheClientsOwnCap_raisesTheCap_withRoomForASizeListedLow() {
    long fiveGb = 5_000_000_000L;
    Pop3Limits l = ServerOptions.limits(null, fiveGb);
    assertTrue(
        l.maxBodyBytesOnTheWire() > fiveGb,
        "a message --max-message-size 5G lets through is read whole: " + l.maxBodyBytesOnTheWire());
    assertEquals(
        Pop3Limits.defaults().readTimeout(),
        l.readTimeout(),
        "--timeout not given: the default deadlines");
  }

  @Test
  void
      aSmallMaxMessageSize_keepsTheClientsCap_theDefaultGetsItsQuarter_andANearlyUnboundedOneDoesNotOverflow() {
    assertEquals(
        Pop3Limits.defaults().maxBodyBytesOnTheWire(),
        ServerOptions.limits(null, 10_000_000L).maxBodyBytesOnTheWire());
    assertEquals(
        1_250_000_000L,
        ServerOptions.limits(null, FetchCommand.DEFAULT_MAX_MESSAGE_SIZE).maxBodyBytesOnTheWire());
    assertEquals(
        Long.MAX_VALUE, ServerOptions.limits(null, Long.MAX_VALUE - 1).maxBodyBytesOnTheWire());
  }

  @Test
  void theTimeout_setsTheHandshakeAndReadDeadlines_andTwiceThatForAReply() {
    Pop3Limits l = ServerOptions.limits(7, FetchCommand.DEFAULT_MAX_MESSAGE_SIZE);
    assertEquals(Duration.ofSeconds(7), l.handshakeTimeout());
    assertEquals(Duration.ofSeconds(7), l.readTimeout());
    assertEquals(Duration.ofSeconds(14), l.commandTimeout());
  }
}
