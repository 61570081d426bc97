package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.pop3.Symptom;
import org.junit.jupiter.api.Test;

class ErrorSymptomsTest {
  private static FetchException error(FetchError code, String words) {
    return new FetchException(code, words);
  }

  @Test
  void theQuirkAnErrorShows_decides_beforeItsCode() {
    assertEquals(
        Symptom.BARE_LF,
        ErrorSymptoms.of(error(FetchError.READ_ERROR, "a bare LF").withQuirk(QuirkId.Q01)));
    assertEquals(
        Symptom.UNSTUFFED_DOT,
        ErrorSymptoms.of(error(FetchError.READ_ERROR, "a lone dot").withQuirk(QuirkId.Q04)));
    assertEquals(
        Symptom.GLUED_TERMINATOR,
        ErrorSymptoms.of(error(FetchError.READ_ERROR, "ran on").withQuirk(QuirkId.Q02)));
    assertEquals(
        Symptom.GLUED_TERMINATOR,
        ErrorSymptoms.of(error(FetchError.CONNECTION_TIMED_OUT, "stopped").withQuirk(QuirkId.Q03)));
  }

  @Test
  void theWordsOfAnError_decideNothing() {
    assertEquals(
        Symptom.FRAMING_BROKEN,
        ErrorSymptoms.of(error(FetchError.READ_ERROR, "it says quirk Q01 and Q04 in words")));
    assertEquals(
        Symptom.SESSION_STALLED,
        ErrorSymptoms.of(error(FetchError.CONNECTION_TIMED_OUT, "(quirk Q02, Cyrus 3.4)")));
  }

  @Test
  void aQuirkWithoutASymptomOfItsOwn_leavesTheCodeToDecide() {
    assertEquals(
        Symptom.SESSION_DROPPED,
        ErrorSymptoms.of(error(FetchError.CONNECTION_RESET, "dropped").withQuirk(QuirkId.Q21)));
  }

  @Test
  void withoutAQuirk_theCodeDecides() {
    assertEquals(Symptom.EMPTY_LINE_REPLY, ErrorSymptoms.of(error(FetchError.EMPTY_LINE, "x")));
    assertEquals(Symptom.LIMIT_EXCEEDED, ErrorSymptoms.of(error(FetchError.LIMIT_EXCEEDED, "x")));
    assertEquals(Symptom.MAILBOX_IN_USE, ErrorSymptoms.of(error(FetchError.LOCKED, "x")));
    assertEquals(Symptom.LOGIN_DELAY, ErrorSymptoms.of(error(FetchError.LOGIN_DELAY, "x")));
    assertEquals(
        Symptom.SERVER_TEMPORARY, ErrorSymptoms.of(error(FetchError.SERVER_TEMPORARY, "x")));
    assertEquals(
        Symptom.SERVER_PERMANENT, ErrorSymptoms.of(error(FetchError.SERVER_PERMANENT, "x")));
    assertEquals(Symptom.TLS_HANDSHAKE_FAILED, ErrorSymptoms.of(error(FetchError.TLS_FAILED, "x")));
    assertEquals(Symptom.PROTOCOL_ERROR, ErrorSymptoms.of(error(FetchError.PROTOCOL, "x")));
  }

  @Test
  void whileConnecting_aTimeoutARefusalAndAnythingElse_areTheirOwnSymptoms() {
    assertEquals(
        Symptom.CONNECTION_TIMED_OUT,
        ErrorSymptoms.ofConnecting(error(FetchError.CONNECTION_TIMED_OUT, "x")));
    assertEquals(
        Symptom.CONNECTION_REFUSED,
        ErrorSymptoms.ofConnecting(error(FetchError.CONNECTION_REFUSED, "x")));
    assertEquals(
        Symptom.CONNECTION_RESET, ErrorSymptoms.ofConnecting(error(FetchError.READ_ERROR, "x")));
  }
}
