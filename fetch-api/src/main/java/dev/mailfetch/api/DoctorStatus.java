package dev.mailfetch.api;

/**
 * How a doctor's step or finding came out, in the words every doctor reports in: POP3's {@code
 * Diagnosis.Status}, IMAP's {@code ImapDiagnosis.Status} and the Gmail checkup's {@code
 * GmailCheckup.Status} have the same constants, and a {@link DoctorReport} speaks of these.
 */
public enum DoctorStatus {
  /** Works. */
  OK,
  /**
   * Works, but something is wrong or will become so (a certificate that expires soon, a quirk that
   * is tolerated).
   */
  WARNING,
  /** Stops mail from being fetched. */
  FAILED,
  /** Not examined, because an earlier step failed or it was not asked for. */
  SKIPPED;

  /** The mark shown in the report: ✓, !, ✗ or -. */
  public String mark() {
    return switch (this) {
      case OK -> "✓";
      case WARNING -> "!";
      case FAILED -> "✗";
      case SKIPPED -> "-";
    };
  }
}
