package dev.mailfetch.api.internal.doctor;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The layout of a doctor's report (POP3's {@code Diagnosis}, IMAP's {@code ImapDiagnosis}), in one
 * place so that both read alike: a line per stage with its mark, what was measured, then the
 * details of what works, then each problem with what was seen, what it means, what to do and where
 * to read more, then the verdict.
 */
public final class DoctorText {
  private DoctorText() {}

  /**
   * One stage's line.
   *
   * @param mark ✓, !, ✗ or -
   * @param title the stage in words
   * @param summary what was measured
   * @param took how long it took; empty for a stage that was skipped
   */
  public record StepLine(String mark, String title, String summary, Optional<Duration> took) {}

  /**
   * A finding that is not OK, as shown under the stages.
   *
   * @param mark its status's mark
   * @param title the symptom's title
   * @param error the code a fetch would stop with, if any
   * @param evidence what was seen
   * @param cause what it means
   * @param remedy what to do, in the reader's form
   * @param references where to read more
   */
  public record Problem(
      String mark,
      String title,
      Optional<String> error,
      String evidence,
      String cause,
      String remedy,
      List<String> references) {}

  /**
   * The report.
   *
   * @param server host:port
   * @param steps a line per stage
   * @param details the lines of what works ("title: evidence"), each shown with a dot
   * @param problems the findings that are not OK, in order
   * @param verdict the last line
   */
  public static String render(
      String server,
      List<StepLine> steps,
      List<String> details,
      List<Problem> problems,
      String verdict) {
    StringBuilder sb = new StringBuilder();
    sb.append("mailfetch doctor: ").append(server).append('\n');
    for (StepLine s : steps) {
      sb.append(s.mark()).append(' ').append(pad(s.title(), 26)).append(s.summary());
      s.took().ifPresent(d -> sb.append(" (").append(seconds(d)).append(')'));
      sb.append('\n');
    }
    if (!details.isEmpty()) {
      sb.append('\n');
      details.forEach(line -> sb.append("  · ").append(line).append('\n'));
    }
    if (!problems.isEmpty()) {
      sb.append('\n');
    }
    for (Problem p : problems) {
      sb.append(p.mark()).append(' ').append(p.title());
      p.error().ifPresent(e -> sb.append(" [").append(e).append(']'));
      sb.append('\n');
      sb.append("    seen:   ").append(p.evidence()).append('\n');
      sb.append("    means:  ").append(p.cause()).append('\n');
      sb.append("    do:     ").append(p.remedy()).append('\n');
      if (!p.references().isEmpty()) {
        sb.append("    see:    ").append(String.join(", ", p.references())).append('\n');
      }
    }
    sb.append('\n').append(verdict).append('\n');
    return sb.toString();
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
