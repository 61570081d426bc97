package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.imap.ImapDiagnosis.Finding;
import dev.mailfetch.imap.ImapDiagnosis.Stage;
import dev.mailfetch.imap.ImapDiagnosis.Status;
import dev.mailfetch.imap.ImapDiagnosis.Step;
import dev.mailfetch.imap.ImapSymptom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A stage of the IMAP doctor while it runs: its findings, summary and time. */
final class DoctorDraft {
  private final Stage stage;
  private final List<Finding> findings = new ArrayList<>();
  private String summary = "";
  private long began = -1;
  private long tookNanos;

  DoctorDraft(Stage stage) {
    this.stage = stage;
  }

  DoctorDraft begin() {
    began = System.nanoTime();
    return this;
  }

  void summary(String summary) {
    this.summary = summary;
  }

  String summary() {
    return summary;
  }

  void add(ImapSymptom symptom, String evidence) {
    findings.add(new Finding(symptom, evidence));
  }

  /** A refusal whose code is the server reply's, as a fetch would stop with it. */
  void add(ImapSymptom symptom, String evidence, FetchError error) {
    findings.add(new Finding(symptom, evidence, Optional.of(error)));
  }

  boolean failed() {
    return findings.stream().anyMatch(f -> f.status() == Status.FAILED);
  }

  void end() {
    if (began >= 0) {
      tookNanos += System.nanoTime() - began;
      began = -1;
    }
  }

  Step step() {
    end();
    boolean ran = tookNanos > 0 || !findings.isEmpty() || !summary.isEmpty();
    if (!ran) {
      return new Step(stage, Status.SKIPPED, Duration.ZERO, "not examined", List.of());
    }
    Status worst = Status.OK;
    for (Finding f : findings) {
      if (f.status() == Status.FAILED) {
        worst = Status.FAILED;
      } else if (f.status() == Status.WARNING && worst != Status.FAILED) {
        worst = Status.WARNING;
      } else if (f.status() == Status.SKIPPED && worst == Status.OK && findings.size() == 1) {
        worst = Status.SKIPPED;
      }
    }
    return new Step(
        stage,
        worst,
        worst == Status.SKIPPED ? Duration.ZERO : Duration.ofNanos(tookNanos),
        summary,
        findings);
  }
}
