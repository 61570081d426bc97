package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.pop3.Symptom;

/**
 * The symptom of an error the examination met where no stage has a finding of its own for it: by
 * the quirk the error shows ({@link FetchException#quirk()}, set by the code that raised it), else
 * by its code. Never by its words.
 */
final class ErrorSymptoms {
  private ErrorSymptoms() {}

  /** The symptom of {@code e}, met anywhere in a session. */
  static Symptom of(FetchException e) {
    QuirkId quirk = e.quirk().orElse(null);
    if (quirk == QuirkId.Q01) {
      return Symptom.BARE_LF;
    }
    if (quirk == QuirkId.Q04) {
      return Symptom.UNSTUFFED_DOT;
    }
    if (quirk == QuirkId.Q02 || quirk == QuirkId.Q03) {
      return Symptom.GLUED_TERMINATOR;
    }
    return switch (e.error()) {
      case CONNECTION_TIMED_OUT -> Symptom.SESSION_STALLED;
      case CONNECTION_RESET -> Symptom.SESSION_DROPPED;
      case READ_ERROR -> Symptom.FRAMING_BROKEN;
      case EMPTY_LINE -> Symptom.EMPTY_LINE_REPLY;
      case LIMIT_EXCEEDED -> Symptom.LIMIT_EXCEEDED;
      case LOCKED -> Symptom.MAILBOX_IN_USE;
      case LOGIN_DELAY -> Symptom.LOGIN_DELAY;
      case SERVER_TEMPORARY -> Symptom.SERVER_TEMPORARY;
      case SERVER_PERMANENT -> Symptom.SERVER_PERMANENT;
      case TLS_FAILED -> Symptom.TLS_HANDSHAKE_FAILED;
      default -> Symptom.PROTOCOL_ERROR;
    };
  }

  /** The symptom of {@code e}, met while connecting. */
  static Symptom ofConnecting(FetchException e) {
    return switch (e.error()) {
      case CONNECTION_TIMED_OUT -> Symptom.CONNECTION_TIMED_OUT;
      case CONNECTION_REFUSED -> Symptom.CONNECTION_REFUSED;
      default -> Symptom.CONNECTION_RESET;
    };
  }
}
