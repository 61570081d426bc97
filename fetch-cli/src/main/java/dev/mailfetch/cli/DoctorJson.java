package dev.mailfetch.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mailfetch.api.DoctorFinding;
import dev.mailfetch.api.DoctorReport;
import dev.mailfetch.api.DoctorStep;
import dev.mailfetch.api.DoctorSymptom;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Optional;

/**
 * A doctor's diagnosis as one JSON object (docs/doctor.md), the same fields for every doctor
 * (POP3's {@code Diagnosis}, IMAP's {@code ImapDiagnosis}): the {@link DoctorReport} they are,
 * field by field.
 */
final class DoctorJson {
  private DoctorJson() {}

  static String of(DoctorReport d) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("server", d.server());
      g.writeStringField("protocol", d.protocol());
      g.writeBooleanField("healthy", d.healthy());
      g.writeNumberField("exit_code", d.exitCode());
      Optional<? extends DoctorFinding> first = d.firstBlocking();
      if (first.isPresent()) {
        g.writeStringField("first_problem", first.get().symptom().name());
      }
      g.writeStringField("started", d.started().toString());
      g.writeNumberField("took_ms", d.took().toMillis());
      g.writeArrayFieldStart("steps");
      for (DoctorStep s : d.steps()) {
        g.writeStartObject();
        g.writeStringField("stage", s.stage().name());
        g.writeStringField("title", s.stage().title());
        g.writeStringField("status", s.doctorStatus().name());
        g.writeNumberField("took_ms", s.took().toMillis());
        g.writeStringField("summary", s.summary());
        g.writeArrayFieldStart("findings");
        for (DoctorFinding f : s.findings()) {
          finding(g, f);
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return w.toString();
  }

  private static void finding(JsonGenerator g, DoctorFinding f) throws IOException {
    DoctorSymptom s = f.symptom();
    g.writeStartObject();
    g.writeStringField("symptom", s.name());
    g.writeStringField("status", f.doctorStatus().name());
    g.writeStringField("title", s.title());
    g.writeStringField("evidence", f.evidence());
    g.writeStringField("meaning", s.cause());
    g.writeStringField("remedy", s.remedy().commandLine());
    if (f.error().isPresent()) {
      g.writeStringField("error", f.error().get().name());
      g.writeNumberField("exit_code", f.error().get().exitCode());
    }
    g.writeArrayFieldStart("references");
    for (String r : s.references()) {
      g.writeString(r);
    }
    g.writeEndArray();
    g.writeEndObject();
  }
}
