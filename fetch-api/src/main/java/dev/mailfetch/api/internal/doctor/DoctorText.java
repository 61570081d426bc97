package dev.mailfetch.api.internal.doctor;

import dev.mailfetch.api.DoctorFinding;
import dev.mailfetch.api.DoctorReport;
import dev.mailfetch.api.DoctorStatus;
import dev.mailfetch.api.DoctorStep;
import dev.mailfetch.api.DoctorSymptom;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The one reading of a {@link DoctorReport} (POP3's {@code Diagnosis}, IMAP's {@code
 * ImapDiagnosis}), in one place so that both read alike: which finding stops a fetch, and the
 * report's layout, a line per stage with its mark and what was measured, then the details of what
 * works, then each problem with what was seen, what it means, what to do and where to read more,
 * then the verdict.
 */
public final class DoctorText {
  private DoctorText() {}

  /** {@link DoctorReport#firstBlocking()}. */
  public static Optional<DoctorFinding> firstBlocking(List<? extends DoctorStep> steps) {
    Optional<DoctorFinding> all = first(steps, f -> !f.stopsOnlyItsMessage());
    return all.isPresent() ? all : first(steps, f -> true);
  }

  private static Optional<DoctorFinding> first(
      List<? extends DoctorStep> steps, Predicate<DoctorFinding> which) {
    for (DoctorStep step : steps) {
      for (DoctorFinding f : step.findings()) {
        if (f.doctorStatus() == DoctorStatus.FAILED && which.test(f)) {
          return Optional.of(f);
        }
      }
    }
    return Optional.empty();
  }

  /** {@link DoctorReport#text}. */
  public static String render(DoctorReport report, DoctorReport.Reader reader) {
    Objects.requireNonNull(reader, "reader");
    StringBuilder sb = new StringBuilder();
    sb.append("mailfetch doctor: ").append(report.server()).append('\n');
    for (DoctorStep s : report.steps()) {
      sb.append(s.doctorStatus().mark()).append(' ').append(pad(s.stage().title(), 26));
      sb.append(s.summary());
      if (s.doctorStatus() != DoctorStatus.SKIPPED) {
        sb.append(" (").append(seconds(s.took())).append(')');
      }
      sb.append('\n');
    }
    // what works, where its words say more than the stage's line
    StringBuilder details = new StringBuilder();
    for (DoctorStep s : report.steps()) {
      for (DoctorFinding f : s.findings()) {
        if (f.doctorStatus() == DoctorStatus.OK && !f.evidence().equals(s.summary())) {
          details.append("  · ").append(f.symptom().title()).append(": ");
          details.append(f.evidence()).append('\n');
        }
      }
    }
    if (!details.isEmpty()) {
      sb.append('\n').append(details);
    }
    boolean problems = false;
    for (DoctorStep s : report.steps()) {
      for (DoctorFinding f : s.findings()) {
        if (f.doctorStatus() != DoctorStatus.OK) {
          sb.append(problems ? "" : "\n");
          problems = true;
          problem(sb, f, reader);
        }
      }
    }
    sb.append('\n').append(verdict(report, problems)).append('\n');
    return sb.toString();
  }

  private static void problem(StringBuilder sb, DoctorFinding f, DoctorReport.Reader reader) {
    DoctorSymptom s = f.symptom();
    sb.append(f.doctorStatus().mark()).append(' ').append(s.title());
    f.error().ifPresent(e -> sb.append(" [").append(e.name()).append(']'));
    sb.append('\n');
    sb.append("    seen:   ").append(f.evidence()).append('\n');
    sb.append("    means:  ").append(s.cause()).append('\n');
    sb.append("    do:     ");
    sb.append(
        reader == DoctorReport.Reader.COMMAND_LINE
            ? s.remedy().commandLine()
            : s.remedy().library());
    sb.append('\n');
    if (!s.references().isEmpty()) {
      sb.append("    see:    ").append(String.join(", ", s.references())).append('\n');
    }
  }

  private static String verdict(DoctorReport report, boolean problemsShown) {
    Optional<? extends DoctorFinding> blocking = report.firstBlocking();
    if (blocking.isEmpty()) {
      return problemsShown
          ? "Mail can be fetched; see the warnings above."
          : "Healthy: mail can be fetched.";
    }
    DoctorFinding f = blocking.get();
    if (!f.stopsOnlyItsMessage()) {
      return "Mail cannot be fetched: " + f.symptom().title() + ".";
    }
    return "Not every message can be fetched: "
        + f.symptom().title()
        + "; the other messages can be fetched (a"
        + " fetch stores them, fails the message named above and ends with exit code "
        + report.exitCode()
        + ", as here).";
  }

  /** A stage's time in seconds, as every other time mailfetch says; under a second in words. */
  public static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms < 1000
        ? "under 1 s"
        : ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }
}
