package dev.mailfetch.jdbc;

import dev.mailfetch.api.UidRecord;
import java.util.Optional;

/**
 * {@link UidRecord.State} in {@code mailfetch_uid.state}, a {@code CHAR(1)}: the state's {@link
 * UidRecord.State#letter() letter}, the same the journal file writes.
 */
final class UidStates {
  private UidStates() {}

  static String code(UidRecord.State s) {
    return String.valueOf(s.letter());
  }

  static UidRecord.State of(String code) {
    Optional<UidRecord.State> s =
        code.length() == 1 ? UidRecord.State.fromLetter(code.charAt(0)) : Optional.empty();
    return s.orElseThrow(() -> new IllegalArgumentException("no state \"" + code + "\""));
  }
}
