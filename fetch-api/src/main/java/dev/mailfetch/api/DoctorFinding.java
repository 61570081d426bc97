package dev.mailfetch.api;

import java.util.Optional;

/** One thing a doctor found: what it is and what was seen. */
public interface DoctorFinding {
  /** What was found (its wording is stable, docs/doctor.md). */
  DoctorSymptom symptom();

  /** How it came out: its symptom's status. */
  DoctorStatus doctorStatus();

  /** What the server did or sent, in words, with any server text escaped. */
  String evidence();

  /**
   * The error a fetch would stop with: the symptom's, or one the server's reply decides (a refused
   * login); empty when it stops nothing.
   */
  Optional<FetchError> error();

  /**
   * For a FAILED finding: whether it stops only the message it names (a fetch stores the others and
   * fails that one) rather than all mail. False unless a doctor says otherwise.
   */
  default boolean stopsOnlyItsMessage() {
    return false;
  }
}
