package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.internal.Listing;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutcomeLedgerTest {
  private static OutcomeLedger ledgerOf(int n) {
    Listing listing = new Listing(n);
    for (int i = 1; i <= n; i++) {
      listing.add(i, "u" + i, 100 + i);
    }
    return new OutcomeLedger(listing, true);
  }

  @Test
  void aMessageSettledByItsByteIsDueOnlyAsSeenDueAndMarkedOnce() {
    OutcomeLedger ledger = ledgerOf(3);
    ledger.settle(0, ListedOutcomes.SEEN_DUE);
    ledger.settle(1, ListedOutcomes.SEEN);
    ledger.settle(2, ListedOutcomes.ONLY_NEW);
    assertTrue(ledger.dueForDeletion(0));
    assertFalse(ledger.dueForDeletion(1));
    assertFalse(ledger.dueForDeletion(2));
    assertNull(ledger.item(0), "no RunItem for a message settled by a byte");
    assertEquals(new MessageRef(1, "u1", 101), ledger.ref(0));
    ledger.markDeleted(0);
    assertTrue(ledger.markedDeleted(0));
    assertFalse(ledger.dueForDeletion(0), "marked: no longer due");
    assertFalse(ledger.markedDeleted(1));
  }

  @Test
  void aMessageWithAnItemIsDueWhenItsBarrierMadeItSoAndUntilMarked() {
    OutcomeLedger ledger = ledgerOf(2);
    RunItem due = ledger.newItem(0);
    RunItem kept = ledger.newItem(1);
    due.deleteDue = true;
    assertTrue(ledger.dueForDeletion(0));
    assertFalse(ledger.dueForDeletion(1));
    assertEquals(kept.ref, ledger.ref(1));
    ledger.markDeleted(0);
    assertTrue(due.deleteMarked);
    assertTrue(ledger.markedDeleted(0));
    assertFalse(ledger.dueForDeletion(0));
  }

  @Test
  void finishGivesEveryListedMessageOneOutcomeAndTellsEachOnce() {
    OutcomeLedger ledger = ledgerOf(4);
    ledger.settle(0, ListedOutcomes.SEEN);
    ledger.settle(1, ListedOutcomes.ONLY_NEW);
    RunItem done = ledger.newItem(2);
    done.settle(MessageOutcome.delivered(done.ref, DeliveryKey.of("a", "u3"), 10));
    ledger.newItem(3); // to be downloaded: the run ends before it
    List<MessageOutcome> told = new ArrayList<>();
    FetchListener listener =
        new FetchListener() {
          @Override
          public void messageFinished(MessageOutcome outcome) {
            told.add(outcome);
          }
        };
    ledger.reportSettled(listener);
    assertEquals(3, told.size());
    ledger.reportSettled(listener);
    assertEquals(3, told.size(), "once");
    FetchException stop = new FetchException(FetchError.STOPPED, "stopped");
    List<MessageOutcome> outcomes = ledger.finish(stop, listener);
    assertEquals(4, outcomes.size());
    assertEquals(4, told.size(), "only the last one is new");
    assertEquals(MessageOutcome.Kind.ALREADY_SEEN, outcomes.get(0).kind());
    assertEquals(MessageOutcome.Kind.SKIPPED, outcomes.get(1).kind());
    assertEquals(MessageOutcome.Kind.DELIVERED, outcomes.get(2).kind());
    assertEquals(MessageOutcome.Kind.FAILED, outcomes.get(3).kind());
    assertEquals(stop, outcomes.get(3).error());
    assertFalse(outcomes.get(3).attempted());
  }

  @Test
  void aRunThatEndedBeforeItsPlanFailsEveryMessageUntried() {
    OutcomeLedger ledger = ledgerOf(2);
    List<MessageOutcome> told = new ArrayList<>();
    FetchListener listener =
        new FetchListener() {
          @Override
          public void messageFinished(MessageOutcome outcome) {
            told.add(outcome);
          }
        };
    List<MessageOutcome> outcomes = ledger.finish(null, listener);
    assertEquals(outcomes, told);
    for (MessageOutcome o : outcomes) {
      assertEquals(MessageOutcome.Kind.FAILED, o.kind());
      assertEquals("the run ended before this message", o.error().detail());
    }
  }

  @Test
  void aLedgerOfNothingListedFinishesEmpty() {
    OutcomeLedger ledger = new OutcomeLedger(null, false);
    assertEquals(0, ledger.size());
    assertEquals(List.of(), ledger.finish(null, FetchListener.NONE));
  }
}
