package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Diagnosis.Status;
import dev.mailfetch.pop3.Diagnosis.Step;
import dev.mailfetch.pop3.Symptom;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StepDraftTest {
  @Test
  void aStepNeverBegun_isSkippedBecauseAnEarlierOneFailed() {
    Step s = new StepDraft(Stage.MAILBOX).build();
    assertEquals(Status.SKIPPED, s.status());
    assertEquals("skipped: an earlier step failed", s.summary());
    assertEquals(Duration.ZERO, s.took());
  }

  @Test
  void aSymptomFoundTwice_isOneFinding_withBothEvidences() {
    StepDraft d = new StepDraft(Stage.COMPLIANCE);
    d.resume();
    d.add(Symptom.UID_SYNTAX, "first");
    d.add(Symptom.UID_SYNTAX, "second");
    d.add(Symptom.UID_SYNTAX, "first");
    Step s = d.build();
    assertEquals(1, s.findings().size());
    assertEquals("first; second", s.findings().get(0).evidence());
  }

  @Test
  void theStatusIsTheWorstFinding_unlessAStageDecidesIt() {
    StepDraft d = new StepDraft(Stage.TCP);
    d.resume();
    d.add(Symptom.CONNECTION_REFUSED, "refused");
    assertEquals(Status.FAILED, d.build().status());
    StepDraft skipped = new StepDraft(Stage.AUTHENTICATION);
    skipped.resume();
    skipped.add(Symptom.LOGIN_NOT_TRIED, "no password");
    skipped.status(Status.SKIPPED);
    assertEquals(Status.SKIPPED, skipped.build().status());
  }

  @Test
  void notesFollowTheSummary_exceptForTheCapabilities_whoseNotesAreAFinding() {
    StepDraft d = new StepDraft(Stage.TCP);
    d.resume();
    d.summary("port 110: plain POP3");
    d.note("other ports: 995 TLS");
    assertEquals("port 110: plain POP3; other ports: 995 TLS", d.build().summary());
    StepDraft caps = new StepDraft(Stage.CAPABILITIES);
    caps.resume();
    caps.summary("UIDL, TOP");
    caps.note("greeting: +OK");
    assertEquals("UIDL, TOP", caps.build().summary());
  }

  @Test
  void onlyTheTimeWorkedIsCounted() throws InterruptedException {
    StepDraft d = new StepDraft(Stage.TLS);
    d.resume();
    d.pause();
    Thread.sleep(50);
    d.resume();
    d.end();
    assertTrue(d.build().took().toMillis() < 50, d.build().took().toString());
  }
}
