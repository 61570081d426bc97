package dev.mailfetch.pop3;

import dev.mailfetch.api.DoctorFinding;
import dev.mailfetch.api.DoctorReport;
import dev.mailfetch.api.DoctorStage;
import dev.mailfetch.api.DoctorStatus;
import dev.mailfetch.api.DoctorStep;
import dev.mailfetch.api.FetchError;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link Pop3Doctor} found: one {@link Step} per stage of a fetch, in the order a fetch goes
 * through them, each with what was measured and, for anything wrong, a {@link Finding} that says
 * what it means and what to do. It is a {@link DoctorReport}, the shape every doctor shares, whose
 * {@link #text} is its {@link #report(Reader)}.
 *
 * @param server the server as {@code host:port}
 * @param started when the examination began
 * @param took how long it took
 * @param steps the seven stages, each present (a stage that could not run is {@link
 *     Status#SKIPPED})
 */
public record Diagnosis(String server, Instant started, Duration took, List<Step> steps)
    implements DoctorReport {
  /**
   * Checks the components and keeps a copy of {@code steps}.
   *
   * @param server the server as {@code host:port}
   * @param started when the examination began
   * @param took how long it took
   * @param steps the seven stages, each present (a stage that could not run is {@link
   *     Status#SKIPPED})
   * @throws NullPointerException if a component (or a step) is null
   */
  public Diagnosis {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(took, "took");
    steps = List.copyOf(steps);
  }

  /** How a step or finding came out: the {@link DoctorStatus} of the same name. */
  public enum Status {
    /** Works. */
    OK,
    /**
     * Works, but something is wrong or will become so (a certificate that expires soon, a quirk we
     * tolerate).
     */
    WARNING,
    /** Stops mail from being fetched. */
    FAILED,
    /** Not examined, because an earlier step failed or it was not asked for. */
    SKIPPED;

    /** The mark shown in the report: ✓, !, ✗ or -. */
    public String mark() {
      return shared().mark();
    }

    DoctorStatus shared() {
      return DoctorStatus.valueOf(name());
    }
  }

  /**
   * Who reads a {@link #report(Reader)}: its advice ({@link Symptom#remedy()}) comes in the form
   * that reader can act on.
   */
  public enum Reader {
    /** A person running {@code mailfetch doctor}: the advice names the command's options. */
    COMMAND_LINE,
    /** A developer calling the library: the advice names the builder calls. */
    LIBRARY
  }

  /** The stages of a fetch, in order. */
  public enum Stage implements DoctorStage {
    DNS("name resolution"),
    TCP("connection"),
    TLS("encryption"),
    CAPABILITIES("greeting and capabilities"),
    AUTHENTICATION("login"),
    MAILBOX("mailbox"),
    COMPLIANCE("protocol compliance");

    private final String title;

    Stage(String title) {
      this.title = title;
    }

    /** The stage in words, as the report shows it. */
    @Override
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
   * @param summary one line of what was measured ("pop.example.com → 192.0.2.10")
   * @param findings what is wrong or worth knowing, most important first
   */
  public record Step(
      Stage stage, Status status, Duration took, String summary, List<Finding> findings)
      implements DoctorStep {
    /**
     * Checks the components and keeps a copy of {@code findings}.
     *
     * @param stage which stage
     * @param status the worst status among its findings, OK when it has none, or SKIPPED
     * @param took how long the stage took (zero when skipped)
     * @param summary one line of what was measured ("pop.example.com → 192.0.2.10")
     * @param findings what is wrong or worth knowing, most important first
     * @throws NullPointerException if a component (or a finding) is null
     */
    public Step {
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(took, "took");
      Objects.requireNonNull(summary, "summary");
      findings = List.copyOf(findings);
    }

    /** Its {@link #status()} in the words every doctor shares. */
    @Override
    public DoctorStatus doctorStatus() {
      return status.shared();
    }
  }

  /**
   * One thing found: what it is (a {@link Symptom}, whose wording is stable and documented in
   * docs/doctor.md) and what was seen.
   *
   * @param symptom what was found
   * @param evidence what the server did or sent, in words, with any server text escaped
   */
  public record Finding(Symptom symptom, String evidence) implements DoctorFinding {
    /**
     * Checks the components.
     *
     * @param symptom what was found
     * @param evidence what the server did or sent, in words, with any server text escaped
     * @throws NullPointerException if a component is null
     */
    public Finding {
      Objects.requireNonNull(symptom, "symptom");
      Objects.requireNonNull(evidence, "evidence");
    }

    /** How the finding came out: its symptom's status. */
    public Status status() {
      return symptom.status();
    }

    /** The error a fetch would stop with, for a finding that stops it. */
    @Override
    public Optional<FetchError> error() {
      return symptom.error();
    }

    /** Its {@link #status()} in the words every doctor shares. */
    @Override
    public DoctorStatus doctorStatus() {
      return status().shared();
    }

    /**
     * Whether it stops only the message it names: a fetch stores the others and fails that one (its
     * exit code then that message's error's), so the verdict must not say that no mail can be
     * fetched.
     */
    @Override
    public boolean stopsOnlyItsMessage() {
      return ONE_MESSAGE.contains(symptom);
    }
  }

  /** Whether nothing stops mail from being fetched (warnings allowed). */
  @Override
  public boolean healthy() {
    return DoctorReport.super.healthy();
  }

  /** The symptoms of {@link Finding#stopsOnlyItsMessage()}. */
  private static final Set<Symptom> ONE_MESSAGE = EnumSet.of(Symptom.LISTED_MESSAGE_REFUSED);

  /**
   * The first finding that stops mail from being fetched: one that stops all mail, in stage order,
   * before one that stops only the message it names (as a fetch ends with the error that stopped
   * the run before a failed message's).
   */
  @Override
  public Optional<Finding> firstBlocking() {
    return DoctorReport.super.firstBlocking().map(Finding.class::cast);
  }

  /**
   * 0 when healthy, else the exit code of the first blocking finding's error (docs/errors.md): the
   * code a fetch with these settings would end with.
   */
  @Override
  public int exitCode() {
    return DoctorReport.super.exitCode();
  }

  /** Every finding of every step, in order. */
  public List<Finding> findings() {
    return steps.stream().flatMap(s -> s.findings().stream()).toList();
  }

  /** Whether a finding of this symptom was made. */
  public boolean found(Symptom symptom) {
    return findings().stream().anyMatch(f -> f.symptom() == symptom);
  }

  /** The step of a stage. */
  public Step step(Stage stage) {
    return steps.stream().filter(s -> s.stage() == stage).findFirst().orElseThrow();
  }

  /** {@code pop3}. */
  @Override
  public String protocol() {
    return "pop3";
  }

  /**
   * The report for a developer ({@link Reader#LIBRARY}): what to do names the builder calls. A
   * program that shows the report to a person who runs the {@code mailfetch} command uses {@link
   * #report(Reader)} with {@link Reader#COMMAND_LINE}.
   */
  public String report() {
    return report(Reader.LIBRARY);
  }

  /**
   * The report a person reads ({@link #text}): one line per stage with its mark, then, for each
   * finding, what was seen, what it means and what to do, in the form {@code reader} can act on.
   * Never a stack trace, never a secret.
   */
  public String report(Reader reader) {
    Objects.requireNonNull(reader, "reader");
    return text(DoctorReport.Reader.valueOf(reader.name()));
  }
}
