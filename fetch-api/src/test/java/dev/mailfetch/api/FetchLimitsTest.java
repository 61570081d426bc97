package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FetchLimitsTest {
  @Test
  void theDefaults_areThePublicConstants() {
    FetchLimits d = FetchLimits.defaults();
    assertEquals(FetchLimits.DEFAULT_MAX_LISTING, d.maxListing());
    assertEquals(100_000, d.maxListing());
    assertEquals(FetchLimits.DEFAULT_MAX_MESSAGES_PER_RUN, d.maxMessagesPerRun());
    assertEquals(FetchLimits.DEFAULT_MAX_BYTES_PER_RUN, d.maxBytesPerRun());
    assertEquals(FetchLimits.DEFAULT_MAX_MESSAGE_SIZE, d.maxMessageSize());
    assertEquals(100L << 20, d.maxMessageSize());
    assertEquals(FetchLimits.DEFAULT_MAX_HEADER_BYTES, d.maxHeaderBytes());
    assertEquals(d, FetchLimits.builder().build());
  }

  @Test
  void toBuilder_keepsEveryValue_andLetsEachBeChangedOnce() {
    FetchLimits mine =
        FetchLimits.builder()
            .maxListing(7)
            .maxMessagesPerRun(8)
            .maxBytesPerRun(9)
            .maxMessageSize(10)
            .maxHeaderBytes(2048)
            .build();
    assertEquals(mine, mine.toBuilder().build());
    assertEquals(mine.hashCode(), mine.toBuilder().build().hashCode());
    FetchLimits larger = mine.toBuilder().maxMessageSize(11).build();
    assertEquals(11, larger.maxMessageSize());
    assertEquals(7, larger.maxListing());
    assertNotEquals(mine, larger);
    IllegalStateException twice =
        assertThrows(
            IllegalStateException.class,
            () -> mine.toBuilder().maxMessageSize(11).maxMessageSize(12));
    assertEquals("maxMessageSize was already set to 11", twice.getMessage());
  }

  @Test
  void aLimitSetTwice_isRefused_showingTheFirstValue() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> FetchLimits.builder().maxListing(500).maxListing(600));
    assertEquals("maxListing was already set to 500", e.getMessage());
  }

  @Test
  void aBadValue_namesTheSetting() {
    assertEquals(
        "maxListing must be positive: -1",
        assertThrows(IllegalArgumentException.class, () -> FetchLimits.builder().maxListing(-1))
            .getMessage());
    assertEquals(
        "maxHeaderBytes must be from 1024 to 16 MiB: 1023",
        assertThrows(
                IllegalArgumentException.class, () -> FetchLimits.builder().maxHeaderBytes(1023))
            .getMessage());
  }
}
