package dev.mailfetch.pop3.internal;

import dev.mailfetch.pop3.Diagnosis.Finding;
import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Diagnosis.Status;
import dev.mailfetch.pop3.Diagnosis.Step;
import dev.mailfetch.pop3.Symptom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A step being examined: timed across the pieces of work that belong to it. */
final class StepDraft {
  private final Stage stage;
  private final List<Finding> findings = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private String summary = "";

  /** Set where the findings do not decide it (a skip, a failure found elsewhere); else null. */
  private Status status;

  private boolean begun;
  private long nanos;
  private long since = -1;

  StepDraft(Stage stage) {
    this.stage = stage;
  }

  /** The step's one line in the report; empty until a stage says it. */
  String summary() {
    return summary;
  }

  void summary(String summary) {
    this.summary = summary;
  }

  /** Something seen that is no finding of its own: shown after the summary. */
  void note(String note) {
    notes.add(note);
  }

  List<String> notes() {
    return List.copyOf(notes);
  }

  /** Decides the step's status, whatever its findings say. */
  void status(Status status) {
    this.status = status;
  }

  boolean hasFindings() {
    return !findings.isEmpty();
  }

  /** Whether work of this step has begun (a step never begun is skipped). */
  boolean begun() {
    return begun;
  }

  /**
   * Adds a finding; a second one of the same symptom joins the first, so the report says it once.
   */
  void add(Symptom symptom, String evidence) {
    for (int i = 0; i < findings.size(); i++) {
      Finding f = findings.get(i);
      if (f.symptom() == symptom) {
        if (!f.evidence().contains(evidence)) {
          findings.set(i, new Finding(symptom, f.evidence() + "; " + evidence));
        }
        return;
      }
    }
    findings.add(new Finding(symptom, evidence));
  }

  boolean has(Symptom symptom) {
    return findings.stream().anyMatch(f -> f.symptom() == symptom);
  }

  Status worst() {
    Status w = Status.OK;
    for (Finding f : findings) {
      if (f.status() == Status.FAILED) {
        return Status.FAILED;
      }
      if (f.status() == Status.WARNING) {
        w = Status.WARNING;
      }
    }
    return w;
  }

  void resume() {
    begun = true;
    if (since < 0) {
      since = System.nanoTime();
    }
  }

  void pause() {
    if (since >= 0) {
      nanos += System.nanoTime() - since;
      since = -1;
    }
  }

  void end() {
    pause();
  }

  void reset() {
    findings.clear();
    notes.clear();
    summary = "";
    status = null;
    begun = false;
    nanos = 0;
    since = -1;
  }

  void skip(String why) {
    status = Status.SKIPPED;
    summary = "skipped: " + why;
  }

  Step build() {
    pause();
    Status st = status;
    if (st == null) {
      st = begun ? worst() : Status.SKIPPED;
    }
    String text = summary;
    if (!begun && st == Status.SKIPPED && text.isEmpty()) {
      text = "skipped: an earlier step failed";
    }
    if (text.isEmpty()) {
      text = findings.isEmpty() ? "" : findings.get(0).evidence();
    }
    if (!notes.isEmpty() && stage != Stage.CAPABILITIES) {
      text = text + (text.isEmpty() ? "" : "; ") + String.join("; ", notes);
    }
    return new Step(
        stage, st, st == Status.SKIPPED ? Duration.ZERO : Duration.ofNanos(nanos), text, findings);
  }
}
