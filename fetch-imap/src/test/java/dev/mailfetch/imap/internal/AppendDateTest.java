package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class AppendDateTest {
  private static final Instant FETCHED = Instant.parse("2026-12-06T14:15:00Z");

  @Test
  void theDateHeader_becomesTheInternalDate_withItsOwnZone() {
    assertEquals(
        "21-Nov-2026 20:48:21 +0100",
        AppendDate.of("Subject: x\r\nDate: Sat, 21 Nov 2026 20:48:21 +0100\r\n\r\n", FETCHED));
  }

  @Test
  void aOneDigitDay_isPaddedWithASpace_asImapsDateTimeWantsIt() {
    assertEquals(
        " 3-Jun-2008 11:05:30 -0500",
        AppendDate.of("Date: Tue, 3 Jun 2008 11:05:30 -0500\r\n\r\n", FETCHED));
  }

  @Test
  void obsoleteForms_areRead_foldedNamedZonesCommentsTwoDigitYearsNoSeconds() {
    assertEquals(
        " 3-Jun-2008 11:05:00 -0400",
        AppendDate.of("Date: 3 Jun 08\r\n 11:05 EDT (Eastern)\r\n\r\n", FETCHED));
    assertEquals(
        " 1-Jan-1999 00:00:00 +0000",
        AppendDate.of("DATE:   1 jan 1999 00:00:00 GMT\n\n", FETCHED));
  }

  @Test
  void noDateHeader_orOneThatCannotBeRead_isTheFetchTime_notAnError() {
    assertEquals(" 6-Dec-2026 14:15:00 +0000", AppendDate.of("Subject: none\r\n\r\n", FETCHED));
    assertEquals(
        " 6-Dec-2026 14:15:00 +0000", AppendDate.of("Date: yesterday-ish\r\n\r\n", FETCHED));
    assertEquals(
        " 6-Dec-2026 14:15:00 +0000",
        AppendDate.of("Date: 31 Feb 2020 10:00:00 +0000\r\n\r\n", FETCHED));
    assertEquals(
        " 6-Dec-2026 14:15:00 +0000",
        AppendDate.of("Subject: x\r\n\r\nDate: 1 Jan 2000 00:00:00 +0000\r\n", FETCHED),
        "a Date line in the body is not the header");
  }
}
