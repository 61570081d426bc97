package dev.mailfetch.jdbc;

import dev.mailfetch.api.UidRecord;

/** The one-letter codes of {@link UidRecord.State} in {@code mailfetch_uid.state}. */
final class UidStates {
  private UidStates() {}

  static String code(UidRecord.State s) {
    switch (s) {
      case BASELINE:
        return "B";
      case DELIVERED:
        return "D";
      case DUPLICATE:
        return "U";
      case DELETED:
        return "X";
      default: // FAILED
        return "F";
    }
  }

  static UidRecord.State of(String code) {
    switch (code) {
      case "B":
        return UidRecord.State.BASELINE;
      case "D":
        return UidRecord.State.DELIVERED;
      case "U":
        return UidRecord.State.DUPLICATE;
      case "X":
        return UidRecord.State.DELETED;
      case "F":
        return UidRecord.State.FAILED;
      default:
        throw new IllegalArgumentException("no state \"" + code + "\"");
    }
  }
}
