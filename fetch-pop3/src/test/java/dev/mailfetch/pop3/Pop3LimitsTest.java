package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchLimits;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Pop3LimitsTest {
  @Test
  void theDefaults_areThePublicConstants() {
    Pop3Limits d = Pop3Limits.defaults();
    assertEquals(Pop3Limits.DEFAULT_CONNECT_TIMEOUT, d.connectTimeout());
    assertEquals(Pop3Limits.DEFAULT_HANDSHAKE_TIMEOUT, d.handshakeTimeout());
    assertEquals(Pop3Limits.DEFAULT_READ_TIMEOUT, d.readTimeout());
    assertEquals(Pop3Limits.DEFAULT_COMMAND_TIMEOUT, d.commandTimeout());
    assertEquals(Pop3Limits.DEFAULT_MAX_STATUS_LINE, d.maxStatusLine());
    assertEquals(Pop3Limits.DEFAULT_MAX_LISTING_LINE, d.maxListingLine());
    assertEquals(Pop3Limits.DEFAULT_MAX_LISTING_LINES_ON_THE_WIRE, d.maxListingLinesOnTheWire());
    assertEquals(Pop3Limits.DEFAULT_MAX_BODY_BYTES_ON_THE_WIRE, d.maxBodyBytesOnTheWire());
    assertEquals(Pop3Limits.DEFAULT_MAX_SASL_ROUNDS, d.maxSaslRounds());
    assertEquals(Pop3Limits.DEFAULT_MAX_SASL_CHALLENGE, d.maxSaslChallenge());
    assertEquals(Pop3Limits.DEFAULT_KEEP_ALIVE_INTERVAL, d.keepAliveInterval());
    assertEquals(d, Pop3Limits.builder().build());
  }

  /**
   * The wire caps are framing safety, above the engine's policy: with nothing set, the engine's
   * caps are reached first, so its words (TOO_MANY_MESSAGES, a skipped large message) decide.
   */
  @Test
  void theWireCaps_lieAboveTheEnginesPolicy_byDefault() {
    assertTrue(Pop3Limits.DEFAULT_MAX_LISTING_LINES_ON_THE_WIRE > FetchLimits.DEFAULT_MAX_LISTING);
    assertTrue(
        Pop3Limits.DEFAULT_MAX_BODY_BYTES_ON_THE_WIRE > FetchLimits.DEFAULT_MAX_MESSAGE_SIZE);
  }

  @Test
  void toBuilder_keepsEveryValue_andLetsEachBeChangedOnce() {
    Pop3Limits mine =
        Pop3Limits.builder()
            .connectTimeout(Duration.ofSeconds(1))
            .handshakeTimeout(Duration.ofSeconds(2))
            .readTimeout(Duration.ofSeconds(3))
            .commandTimeout(Duration.ofSeconds(4))
            .maxStatusLine(600)
            .maxListingLine(700)
            .maxListingLinesOnTheWire(800)
            .maxBodyBytesOnTheWire(900)
            .maxSaslRounds(11)
            .maxSaslChallenge(1000)
            .keepAliveInterval(Duration.ofSeconds(5))
            .build();
    assertEquals(mine, mine.toBuilder().build());
    assertEquals(mine.hashCode(), mine.toBuilder().build().hashCode());
    assertEquals(mine.toString(), mine.toBuilder().build().toString());
    Pop3Limits other = mine.toBuilder().maxStatusLine(512).build();
    assertEquals(512, other.maxStatusLine());
    assertEquals(700, other.maxListingLine());
    assertNotEquals(mine, other);
  }

  @Test
  void aSettingSetTwice_isRefused_showingTheValueItHas() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> Pop3Limits.builder().maxStatusLine(512).maxStatusLine(1024));
    assertEquals("maxStatusLine was already set to 512", e.getMessage());
    IllegalStateException d =
        assertThrows(
            IllegalStateException.class,
            () ->
                Pop3Limits.builder()
                    .readTimeout(Duration.ofSeconds(9))
                    .readTimeout(Duration.ofSeconds(10)));
    assertEquals("readTimeout was already set to PT9S", d.getMessage());
  }

  @Test
  void aBadValue_namesTheSettingAndTheRange() {
    assertEquals(
        "maxStatusLine must be from 512 to 16777216: 511",
        assertThrows(IllegalArgumentException.class, () -> Pop3Limits.builder().maxStatusLine(511))
            .getMessage());
    assertEquals(
        "keepAliveInterval must be positive: PT0S",
        assertThrows(
                IllegalArgumentException.class,
                () -> Pop3Limits.builder().keepAliveInterval(Duration.ZERO))
            .getMessage());
  }
}
