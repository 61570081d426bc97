package dev.mailfetch.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.imap.ImapDiagnosis;
import dev.mailfetch.imap.ImapSymptom;
import dev.mailfetch.pop3.Diagnosis;
import dev.mailfetch.pop3.Symptom;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A doctor's diagnosis as one JSON object (docs/doctor.md), the same fields for POP3's {@link
 * Diagnosis} and IMAP's {@link ImapDiagnosis}: the report's content, field by field.
 */
final class DoctorJson {
  private DoctorJson() {}

  private record Finding(
      String symptom,
      String status,
      String title,
      String evidence,
      String meaning,
      String remedy,
      Optional<FetchError> error,
      List<String> references) {}

  private record Step(
      String stage,
      String title,
      String status,
      Duration took,
      String summary,
      List<Finding> findings) {}

  /** What the object says before its steps. */
  private record Head(
      String protocol,
      String server,
      boolean healthy,
      int exitCode,
      Optional<String> firstProblem,
      Instant started,
      Duration took) {}

  static String of(Diagnosis d) throws IOException {
    List<Step> steps = new ArrayList<>();
    for (Diagnosis.Step s : d.steps()) {
      List<Finding> found = new ArrayList<>();
      s.findings()
          .forEach(f -> found.add(finding(f.symptom(), f.status(), f.evidence(), f.error())));
      steps.add(step(s.stage(), s.stage().title(), s.status(), s.took(), s.summary(), found));
    }
    return write(
        new Head(
            "pop3",
            d.server(),
            d.healthy(),
            d.exitCode(),
            d.firstBlocking().map(f -> f.symptom().name()),
            d.started(),
            d.took()),
        steps);
  }

  static String of(ImapDiagnosis d) throws IOException {
    List<Step> steps = new ArrayList<>();
    for (ImapDiagnosis.Step s : d.steps()) {
      List<Finding> found = new ArrayList<>();
      s.findings()
          .forEach(f -> found.add(finding(f.symptom(), f.status(), f.evidence(), f.error())));
      steps.add(step(s.stage(), s.stage().title(), s.status(), s.took(), s.summary(), found));
    }
    return write(
        new Head(
            "imap",
            d.server(),
            d.healthy(),
            d.exitCode(),
            d.firstBlocking().map(f -> f.symptom().name()),
            d.started(),
            d.took()),
        steps);
  }

  // The symptoms of the two protocols are two enums with the same words (docs/doctor.md): one
  // line each turns a finding into the JSON's
  private static Finding finding(
      Symptom s, Enum<?> status, String evidence, Optional<FetchError> error) {
    return finding(s, status, s.title(), evidence, s.cause(), s.remedy(), error, s.references());
  }

  private static Finding finding(
      ImapSymptom s, Enum<?> status, String evidence, Optional<FetchError> error) {
    return finding(s, status, s.title(), evidence, s.cause(), s.remedy(), error, s.references());
  }

  private static Finding finding(
      Enum<?> symptom,
      Enum<?> status,
      String title,
      String evidence,
      String cause,
      Remedy remedy,
      Optional<FetchError> error,
      List<String> references) {
    return new Finding(
        symptom.name(),
        status.name(),
        title,
        evidence,
        cause,
        remedy.commandLine(),
        error,
        references);
  }

  private static Step step(
      Enum<?> stage,
      String title,
      Enum<?> status,
      Duration took,
      String summary,
      List<Finding> findings) {
    return new Step(stage.name(), title, status.name(), took, summary, findings);
  }

  private static String write(Head head, List<Step> steps) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("server", head.server());
      g.writeStringField("protocol", head.protocol());
      g.writeBooleanField("healthy", head.healthy());
      g.writeNumberField("exit_code", head.exitCode());
      if (head.firstProblem().isPresent()) {
        g.writeStringField("first_problem", head.firstProblem().get());
      }
      g.writeStringField("started", head.started().toString());
      g.writeNumberField("took_ms", head.took().toMillis());
      g.writeArrayFieldStart("steps");
      for (Step s : steps) {
        g.writeStartObject();
        g.writeStringField("stage", s.stage());
        g.writeStringField("title", s.title());
        g.writeStringField("status", s.status());
        g.writeNumberField("took_ms", s.took().toMillis());
        g.writeStringField("summary", s.summary());
        g.writeArrayFieldStart("findings");
        for (Finding f : s.findings()) {
          g.writeStartObject();
          g.writeStringField("symptom", f.symptom());
          g.writeStringField("status", f.status());
          g.writeStringField("title", f.title());
          g.writeStringField("evidence", f.evidence());
          g.writeStringField("meaning", f.meaning());
          g.writeStringField("remedy", f.remedy());
          if (f.error().isPresent()) {
            g.writeStringField("error", f.error().get().name());
            g.writeNumberField("exit_code", f.error().get().exitCode());
          }
          g.writeArrayFieldStart("references");
          for (String r : f.references()) {
            g.writeString(r);
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return w.toString();
  }
}
