package dev.mailfetch.pop3.internal;

import dev.mailfetch.pop3.Symptom;
import java.util.List;

/**
 * The doctor's cheap evidence for quirk Q51, unique ids derived from message numbers: every id of
 * the listing is its message's number (or that number plus one constant). Such a server gives the
 * next message to arrive, once one was deleted elsewhere, an id seen before (RFC 1939 §7 forbids
 * it). From one session it cannot be told from ids that are counters of a mailbox from which
 * nothing was ever deleted, which look the same; the finding says both, and no read-only step (deep
 * or not) can tell more, since only a deletion shows it.
 */
final class NumberedUids {
  private NumberedUids() {}

  /**
   * Adds UIDS_FROM_NUMBERS to {@code d} where every id of {@code uids} (listed for {@code numbers})
   * is one.
   */
  static void check(StepDraft d, List<Integer> numbers, List<String> uids) {
    if (numbers.size() < 2) {
      return; // one message proves nothing
    }
    long offset = 0;
    for (int i = 0; i < numbers.size(); i++) {
      String uid = uids.get(i);
      if (uid.isEmpty() || uid.length() > 18 || !uid.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return;
      }
      long o = Long.parseLong(uid) - numbers.get(i);
      if (i > 0 && o != offset) {
        return;
      }
      offset = o;
    }
    d.add(
        Symptom.UIDS_FROM_NUMBERS,
        "every one of the "
            + numbers.size()
            + " unique ids is its message's number"
            + (offset == 0 ? "" : (offset > 0 ? " plus " : " minus ") + Math.abs(offset))
            + " (message "
            + numbers.get(0)
            + " has \""
            + uids.get(0)
            + "\", message "
            + numbers.get(numbers.size() - 1)
            + " \""
            + uids.get(uids.size() - 1)
            + "\")");
  }
}
