package dev.mailfetch.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.imap.ImapDiagnosis;
import dev.mailfetch.pop3.Diagnosis;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
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

  static String of(Diagnosis d) throws IOException {
    List<Step> steps =
        d.steps().stream()
            .map(
                s ->
                    new Step(
                        s.stage().name(),
                        s.stage().title(),
                        s.status().name(),
                        s.took(),
                        s.summary(),
                        s.findings().stream()
                            .map(
                                f ->
                                    new Finding(
                                        f.symptom().name(),
                                        f.status().name(),
                                        f.symptom().title(),
                                        f.evidence(),
                                        f.symptom().cause(),
                                        f.symptom().remedy().commandLine(),
                                        f.error(),
                                        f.symptom().references()))
                            .toList()))
            .toList();
    return write(
        "pop3",
        d.server(),
        d.healthy(),
        d.exitCode(),
        d.firstBlocking().map(f -> f.symptom().name()),
        d.started(),
        d.took(),
        steps);
  }

  static String of(ImapDiagnosis d) throws IOException {
    List<Step> steps =
        d.steps().stream()
            .map(
                s ->
                    new Step(
                        s.stage().name(),
                        s.stage().title(),
                        s.status().name(),
                        s.took(),
                        s.summary(),
                        s.findings().stream()
                            .map(
                                f ->
                                    new Finding(
                                        f.symptom().name(),
                                        f.status().name(),
                                        f.symptom().title(),
                                        f.evidence(),
                                        f.symptom().cause(),
                                        f.symptom().remedy().commandLine(),
                                        f.error(),
                                        f.symptom().references()))
                            .toList()))
            .toList();
    return write(
        "imap",
        d.server(),
        d.healthy(),
        d.exitCode(),
        d.firstBlocking().map(f -> f.symptom().name()),
        d.started(),
        d.took(),
        steps);
  }

  private static String write(
      String protocol,
      String server,
      boolean healthy,
      int exitCode,
      Optional<String> firstProblem,
      Instant started,
      Duration took,
      List<Step> steps)
      throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("server", server);
      g.writeStringField("protocol", protocol);
      g.writeBooleanField("healthy", healthy);
      g.writeNumberField("exit_code", exitCode);
      if (firstProblem.isPresent()) {
        g.writeStringField("first_problem", firstProblem.get());
      }
      g.writeStringField("started", started.toString());
      g.writeNumberField("took_ms", took.toMillis());
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
