package dev.mailfetch.imap;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.internal.doctor.DoctorText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ImapDoctor} found: one {@link Step} per stage of a fetch, in the order a fetch goes
 * through them, each with what was measured and, for anything wrong, a {@link Finding} that says
 * what it means and what to do. The same shape as the POP3 doctor's {@code Diagnosis}, and the same
 * report layout.
 *
 * @param server the server as {@code host:port}
 * @param started when the examination began
 * @param took how long it took
 * @param steps the seven stages, each present (a stage that could not run is {@link
 *     Status#SKIPPED})
 */
public record ImapDiagnosis(String server, Instant started, Duration took, List<Step> steps) {
  /**
   * Checks the components and keeps a copy of {@code steps}.
   *
   * @throws NullPointerException if a component (or a step) is null
   */
  public ImapDiagnosis {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(took, "took");
    steps = List.copyOf(steps);
  }

  /** How a step or finding came out. */
  public enum Status {
    /** Works. */
    OK("✓"),
    /** Works, but something is wrong or will become so. */
    WARNING("!"),
    /** Stops mail from being fetched. */
    FAILED("✗"),
    /** Not examined, because an earlier step failed or it was not asked for. */
    SKIPPED("-");

    private final String mark;

    Status(String mark) {
      this.mark = mark;
    }

    /** The mark shown in the report: ✓, !, ✗ or -. */
    public String mark() {
      return mark;
    }
  }

  /** Who reads a {@link #report(Reader)}: its advice comes in the form that reader can act on. */
  public enum Reader {
    /** A person running {@code mailfetch doctor}: the advice names the command's options. */
    COMMAND_LINE,
    /** A developer calling the library: the advice names the builder calls. */
    LIBRARY
  }

  /** The stages of a fetch from IMAP, in order. */
  public enum Stage {
    DNS("name resolution"),
    TCP("connection"),
    TLS("encryption"),
    CAPABILITIES("greeting and capabilities"),
    AUTHENTICATION("login"),
    FOLDERS("folders"),
    COMPLIANCE("IMAP extensions");

    private final String title;

    Stage(String title) {
      this.title = title;
    }

    /** The stage in words, as the report shows it. */
    public String title() {
      return title;
    }
  }

  /**
   * One stage.
   *
   * @param stage which stage
   * @param status the worst status among its findings, OK when it has none, or SKIPPED
   * @param took how long the stage took (zero when skipped)
   * @param summary one line of what was measured
   * @param findings what is wrong or worth knowing, most important first
   */
  public record Step(
      Stage stage, Status status, Duration took, String summary, List<Finding> findings) {
    /**
     * Checks the components and keeps a copy of {@code findings}.
     *
     * @throws NullPointerException if a component (or a finding) is null
     */
    public Step {
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(took, "took");
      Objects.requireNonNull(summary, "summary");
      findings = List.copyOf(findings);
    }
  }

  /**
   * One thing found.
   *
   * @param symptom what was found (its wording is stable, docs/doctor.md)
   * @param evidence what the server did or sent, in words, with any server text escaped
   * @param error the error a fetch would stop with: the symptom's, or for a refusal whose code
   *     depends on the server's reply (a login, a STATUS), the reply's; empty when it stops nothing
   */
  public record Finding(ImapSymptom symptom, String evidence, Optional<FetchError> error) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if a component is null
     */
    public Finding {
      Objects.requireNonNull(symptom, "symptom");
      Objects.requireNonNull(evidence, "evidence");
      Objects.requireNonNull(error, "error");
    }

    /** A finding with its symptom's error. */
    public Finding(ImapSymptom symptom, String evidence) {
      this(symptom, evidence, symptom.error());
    }

    /** How the finding came out: its symptom's status. */
    public Status status() {
      return symptom.status();
    }
  }

  /** Whether nothing stops mail from being fetched (warnings allowed). */
  public boolean healthy() {
    return firstBlocking().isEmpty();
  }

  /** The first finding that stops mail from being fetched, in stage order. */
  public Optional<Finding> firstBlocking() {
    return findings().stream().filter(f -> f.status() == Status.FAILED).findFirst();
  }

  /**
   * 0 when healthy, else the exit code of the first blocking finding's error (docs/errors.md): the
   * code a fetch with these settings would end with.
   */
  public int exitCode() {
    return firstBlocking().flatMap(Finding::error).map(FetchError::exitCode).orElse(0);
  }

  /** Every finding of every step, in order. */
  public List<Finding> findings() {
    return steps.stream().flatMap(s -> s.findings().stream()).toList();
  }

  /** Whether a finding of this symptom was made. */
  public boolean found(ImapSymptom symptom) {
    return findings().stream().anyMatch(f -> f.symptom() == symptom);
  }

  /** The step of a stage. */
  public Step step(Stage stage) {
    return steps.stream().filter(s -> s.stage() == stage).findFirst().orElseThrow();
  }

  /** The report for a developer: what to do names the builder calls. */
  public String report() {
    return report(Reader.LIBRARY);
  }

  /**
   * The report a person reads: one line per stage with its mark, then what works, then for each
   * problem what was seen, what it means and what to do, in the form {@code reader} can act on.
   * Never a stack trace, never a secret.
   */
  public String report(Reader reader) {
    Objects.requireNonNull(reader, "reader");
    List<DoctorText.StepLine> lines = new ArrayList<>();
    List<String> details = new ArrayList<>();
    List<DoctorText.Problem> problems = new ArrayList<>();
    for (Step s : steps) {
      lines.add(
          new DoctorText.StepLine(
              s.status().mark(),
              s.stage().title(),
              s.summary(),
              s.status() == Status.SKIPPED ? Optional.empty() : Optional.of(s.took())));
      for (Finding f : s.findings()) {
        if (f.status() == Status.OK && !f.evidence().equals(s.summary())) {
          details.add(f.symptom().title() + ": " + f.evidence());
        }
      }
    }
    for (Finding f : findings()) {
      if (f.status() != Status.OK) {
        problems.add(
            new DoctorText.Problem(
                f.status().mark(),
                f.symptom().title(),
                f.error().map(FetchError::name),
                f.evidence(),
                f.symptom().cause(),
                reader == Reader.COMMAND_LINE
                    ? f.symptom().remedy().commandLine()
                    : f.symptom().remedy().library(),
                f.symptom().references()));
      }
    }
    String verdict =
        healthy()
            ? problems.isEmpty()
                ? "Healthy: mail can be fetched."
                : "Mail can be fetched; see the warnings above."
            : "Mail cannot be fetched: " + firstBlocking().orElseThrow().symptom().title() + ".";
    return DoctorText.render(server, lines, details, problems, verdict);
  }
}
