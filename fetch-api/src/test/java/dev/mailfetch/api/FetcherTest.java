package dev.mailfetch.api;

import static dev.mailfetch.api.MessageOutcome.Kind.ALREADY_SEEN;
import static dev.mailfetch.api.MessageOutcome.Kind.DELIVERED;
import static dev.mailfetch.api.MessageOutcome.Kind.DUPLICATE;
import static dev.mailfetch.api.MessageOutcome.Kind.FAILED;
import static dev.mailfetch.api.MessageOutcome.Kind.SKIPPED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FetcherTest {
  /** A source whose sessions are {@code wrap} applied to {@code real}'s. */
  static FetchSource wrapping(FetchSource real, UnaryOperator<FetchSession> wrap) {
    return new FetchSource() {
      @Override
      public String account() {
        return real.account();
      }

      @Override
      public FetchSession open() throws FetchException {
        return wrap.apply(real.open());
      }
    };
  }

  private static List<MessageOutcome.Kind> kinds(FetchResult r) {
    return r.outcomes().stream().map(MessageOutcome::kind).collect(Collectors.toList());
  }

  @Nested
  class Delivery {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 64, 4096})
    void everyMessageArrivesByteExact_whateverTheSliceSize(int slice) {
      Rig rig = new Rig().withMessages(5);
      rig.mailbox.slice = slice;
      FetchResult r = rig.fetcher().run();

      assertTrue(r.ok(), r::summary);
      assertEquals(List.of(DELIVERED, DELIVERED, DELIVERED, DELIVERED, DELIVERED), kinds(r));
      Map<String, String> sink = rig.sinkByUid();
      for (int i = 1; i <= 5; i++) {
        assertEquals(Rig.message(i), sink.get("m" + i));
      }
      assertEquals(5L * Rig.message(1).length(), r.bytesDelivered());
    }

    @Test
    void bytesSurviveHeaderHoldBack_evenWithoutAnEmptyLine() {
      Rig rig = new Rig();
      rig.mailbox.add("no-body", "Subject: only headers\r\nX-A: b\r\n"); // quirk Q09
      rig.mailbox.add("no-headers", "\r\nJust a body.\r\n");
      rig.mailbox.add("empty", "");
      rig.mailbox.add("bare-lf", "Subject: lf\n\nbody\n");
      FetchResult r = rig.fetcher(b -> b.labelPolicy((account, h) -> LabelDecision.INBOX)).run();

      assertTrue(r.ok(), r::summary);
      Map<String, String> sink = rig.sinkByUid();
      assertEquals("Subject: only headers\r\nX-A: b\r\n", sink.get("no-body"));
      assertEquals("\r\nJust a body.\r\n", sink.get("no-headers"));
      assertEquals("", sink.get("empty"));
      assertEquals("Subject: lf\n\nbody\n", sink.get("bare-lf"));
    }

    @Test
    void secondRun_downloadsNothing() {
      Rig rig = new Rig().withMessages(3);
      rig.fetcher().run();
      rig.events.clear();

      FetchResult second = rig.fetcher().run();

      assertEquals(List.of(ALREADY_SEEN, ALREADY_SEEN, ALREADY_SEEN), kinds(second));
      assertFalse(rig.events.stream().anyMatch(e -> e.startsWith("retr")), rig.events::toString);
      assertEquals(3, rig.sink.inner.size());
    }

    @Test
    void aPollAmongSeenMail_keepsListingOrder_tellsTheListenerOnce_andCountsWithoutAKey() {
      Rig rig = new Rig().withMessages(3);
      rig.fetcher().run();
      rig.mailbox.add("m4", "Subject: new\r\n\r\nnew\r\n");
      List<String> finished = new ArrayList<>();
      FetchListener heard =
          new FetchListener() {
            @Override
            public void messageFinished(MessageOutcome outcome) {
              finished.add(outcome.ref().uid() + ":" + outcome.kind());
            }
          };

      FetchResult r = rig.fetcher(b -> b.listener(heard)).run();

      assertEquals(List.of(ALREADY_SEEN, ALREADY_SEEN, ALREADY_SEEN, DELIVERED), kinds(r));
      assertEquals(
          List.of("m1:ALREADY_SEEN", "m2:ALREADY_SEEN", "m3:ALREADY_SEEN", "m4:DELIVERED"),
          finished);
      assertEquals(3, r.count(ALREADY_SEEN));
      assertEquals(1, r.count(DELIVERED));
      assertEquals(r.outcomes().get(3).bytes(), r.bytesDelivered());
      // Settled from the state alone: the outcome names the message, and no key was looked up.
      assertEquals("m2", r.outcomes().get(1).ref().uid());
      assertNull(r.outcomes().get(1).key());
      // The compact list is an ordinary immutable list to its reader.
      assertEquals(List.copyOf(r.outcomes()), r.outcomes());
      assertThrows(
          UnsupportedOperationException.class, () -> r.outcomes().set(0, r.outcomes().get(3)));
    }

    @Test
    void keep_neverDeletes() {
      Rig rig = new Rig().withMessages(3);
      rig.fetcher().run();
      rig.fetcher().run();
      assertEquals(Set.of("m1", "m2", "m3"), rig.mailbox.uids());
      assertFalse(rig.events.stream().anyMatch(e -> e.startsWith("dele")));
    }

    @Test
    void aSinkThatAlreadyHoldsTheKey_storesNothingNew() {
      Rig rig = new Rig().withMessages(2);
      rig.fetcher().run();
      rig.store.inner = InMemoryUidStore.create(); // the state was lost, the mail was not
      rig.events.clear();

      FetchResult r = rig.fetcher().run();

      assertTrue(r.ok(), r::summary);
      assertEquals(List.of(ALREADY_SEEN, ALREADY_SEEN), kinds(r));
      assertEquals(2, rig.sink.inner.size());
      assertFalse(
          rig.events.stream().anyMatch(e -> e.startsWith("retr")),
          "a message the sink holds is not downloaded again: " + rig.events);
      assertEquals(UidRecord.State.DELIVERED, rig.store.inner.get("m1").orElseThrow().state());
    }
  }

  @Nested
  class Deletion {
    @Test
    void deleteAfterDelivery_deletesOnlyAfterSinkSyncAndStoreRecord() {
      Rig rig = new Rig().withMessages(7);
      FetchResult r =
          rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY).batchSize(3)).run();

      assertTrue(r.ok(), r::summary);
      assertEquals(7, r.deleted());
      assertEquals(Set.of(), rig.mailbox.uids());
      // Every DELE comes after the completion of its message, then a sink sync, then a store sync.
      List<String> ev = rig.events;
      for (int i = 1; i <= 7; i++) {
        int complete = ev.indexOf("complete m" + i);
        int dele = ev.indexOf("dele m" + i);
        int sinkSync = indexAfter(ev, "sink.sync", complete);
        int storeSync = indexAfter(ev, "store.sync", sinkSync);
        assertTrue(
            complete >= 0 && sinkSync > complete && storeSync > sinkSync && dele > storeSync,
            "m" + i + ": " + ev);
      }
      assertEquals(UidRecord.State.DELETED, rig.store.inner.get("m1").orElseThrow().state());
    }

    private int indexAfter(List<String> ev, String what, int from) {
      for (int i = Math.max(0, from); i < ev.size(); i++) {
        if (ev.get(i).equals(what)) {
          return i;
        }
      }
      return -1;
    }

    @Test
    void aStopBetweenBatches_endsLikeAFinishedRun_deletingWhatWasStored() {
      Rig rig = new Rig().withMessages(6);
      int[] synced = {0};
      FetchListener count =
          new FetchListener() {
            @Override
            public void batchSynced(int messages) {
              synced[0]++;
            }
          };
      FetchResult r =
          rig.fetcher(
                  b -> b.retention(Retention.DELETE_AFTER_DELIVERY).batchSize(2).listener(count))
              .run(() -> synced[0] >= 1);

      assertEquals(FetchError.STOPPED, r.error().orElseThrow().error());
      assertEquals(List.of(DELIVERED, DELIVERED, FAILED, FAILED, FAILED, FAILED), kinds(r));
      assertFalse(r.outcomes().get(2).attempted(), "not counted against the message");
      assertEquals(2, r.deleted(), "the session ended with QUIT: the stored two are deleted");
      assertEquals(Set.of("m3", "m4", "m5", "m6"), rig.mailbox.uids());
      FetchResult next = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertEquals(4, next.count(DELIVERED));
      assertEquals(6, rig.sink.inner.size(), "nothing lost, nothing twice");
    }

    @Test
    void aStopInsideABatch_finishesTheMessageInProgress_storesIt_andDeletesNothing() {
      Rig rig = new Rig().withMessages(5);
      boolean[] stop = {false};
      FetchListener stopAtSecond =
          new FetchListener() {
            @Override
            public void messageStarted(MessageRef ref) {
              if (ref.number() == 2) {
                stop[0] = true; // the poller closing while message 2 arrives
              }
            }
          };
      FetchResult r =
          rig.fetcher(
                  b ->
                      b.retention(Retention.DELETE_AFTER_DELIVERY)
                          .batchSize(5)
                          .listener(stopAtSecond))
              .run(() -> stop[0]);

      assertEquals(FetchError.STOPPED, r.error().orElseThrow().error());
      assertEquals(List.of(DELIVERED, DELIVERED, FAILED, FAILED, FAILED), kinds(r));
      assertEquals(2, rig.sink.inner.size(), "the message in progress was finished and synced");
      assertEquals(0, r.deleted(), "the session was dropped: nothing deleted this time");
      assertEquals(5, rig.mailbox.uids().size());
      FetchResult next = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertEquals(3, next.count(DELIVERED));
      assertEquals(2, next.count(ALREADY_SEEN));
      assertEquals(5, rig.sink.inner.size(), "nothing lost, nothing twice");
      assertEquals(Set.of(), rig.mailbox.uids());
    }

    @Test
    void deleteAfterAnAge_countsFromFirstSeen() {
      Rig rig = new Rig().withMessages(2);
      Retention twoDays = Retention.deleteAfter(Duration.ofDays(2));
      FetchResult first = rig.fetcher(b -> b.retention(twoDays)).run();
      assertEquals(0, first.deleted());

      rig.clock.advance(Duration.ofDays(1));
      rig.mailbox.add("m3", Rig.message(3));
      assertEquals(0, rig.fetcher(b -> b.retention(twoDays)).run().deleted());

      rig.clock.advance(Duration.ofDays(1)); // m1, m2 are two days old; m3 one day
      FetchResult third = rig.fetcher(b -> b.retention(twoDays)).run();
      assertEquals(2, third.deleted());
      assertEquals(Set.of("m3"), rig.mailbox.uids());
      assertEquals(3, rig.sink.inner.size());
    }

    @Test
    void quitNotConfirmed_deletionsStayPending_andAreRetried() {
      Rig rig = new Rig().withMessages(2);
      rig.faults.quitUnconfirmed = true;
      FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertEquals(0, r.deleted());
      assertEquals(2, r.deletionsUnconfirmed());
      assertEquals(Set.of("m1", "m2"), rig.mailbox.uids());
      assertTrue(r.ok(), "nothing failed: " + r.summary());
      assertEquals(FetchResult.Status.WARNING, r.status(), "but it is not silent");
      assertEquals(1, r.warnings().size(), r::summary);
      assertEquals(FetchError.DELETION_UNCONFIRMED, r.warnings().get(0).error());
      assertTrue(
          r.warnings().get(0).getMessage().contains("2 messages"),
          r.warnings().get(0).getMessage());

      rig.faults.quitUnconfirmed = false;
      FetchResult again = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertEquals(List.of(ALREADY_SEEN, ALREADY_SEEN), kinds(again));
      assertEquals(2, again.deleted());
      assertEquals(Set.of(), rig.mailbox.uids());
      assertEquals(2, rig.sink.inner.size());
    }

    @Test
    void deleRefused_isAWarningNamingTheMessage_andTheOthersAreDeleted() {
      Rig rig = new Rig().withMessages(3);
      rig.faults.deleteRefused.add("m2");
      FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertEquals(2, r.deleted());
      assertEquals(1, r.deletionsRefused());
      assertTrue(r.summary().contains("2 deleted (1 refused)"), r.summary());
      assertEquals(Set.of("m2"), rig.mailbox.uids());
      assertEquals(FetchResult.Status.WARNING, r.status());
      FetchException w = r.warnings().get(0);
      assertEquals(FetchError.DELETION_UNCONFIRMED, w.error());
      assertTrue(w.getMessage().contains("message 2 (uid m2)"), w.getMessage());

      rig.faults.deleteRefused.clear();
      FetchResult again = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertEquals(1, again.deleted(), "the next run deletes it");
      assertEquals(FetchResult.Status.OK, again.status());
      assertEquals(List.of(), again.warnings());
    }

    @Test
    void deleFails_nothingDeleted_sessionNotCommitted() {
      Rig rig = new Rig().withMessages(2);
      rig.faults.deleteFails = true;
      FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertEquals(FetchError.CONNECTION_RESET, r.error().orElseThrow().error());
      assertEquals(List.of(DELIVERED, DELIVERED), kinds(r));
      assertEquals(Set.of("m1", "m2"), rig.mailbox.uids());
      assertFalse(rig.events.contains("quit"));
    }
  }

  @Nested
  class Failures {
    @Test
    void serverRefusesOneMessage_othersStillFlow_andItIsRetriedNextRun() {
      Rig rig = new Rig().withMessages(4);
      rig.faults.refuse.put(
          "m2",
          new FetchException(
              FetchError.SERVER_TEMPORARY, "RETR 2 refused", "-ERR [SYS/TEMP] try later", null));
      FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();

      assertEquals(List.of(DELIVERED, FAILED, DELIVERED, DELIVERED), kinds(r));
      assertEquals(FetchError.SERVER_TEMPORARY, r.outcomes().get(1).error().error());
      assertTrue(r.outcomes().get(1).attempted());
      assertEquals(Set.of("m2"), rig.mailbox.uids(), "the failed message stays on the server");
      assertFalse(rig.sinkByUid().containsKey("m2"));
      assertEquals(1, rig.store.inner.get("m2").orElseThrow().failures());

      rig.faults.refuse.clear();
      FetchResult next = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertEquals(List.of(DELIVERED), kinds(next));
      assertEquals(Rig.message(2), rig.sinkByUid().get("m2"));
      assertEquals(Set.of(), rig.mailbox.uids());
    }

    @Test
    void connectionDropsMidMessage_partialIsAborted_completedOnesKept_restNotAttempted() {
      Rig rig = new Rig().withMessages(5);
      rig.faults.dropAfterBytes.put("m3", 20L);
      FetchResult r =
          rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY).batchSize(10)).run();

      assertEquals(List.of(DELIVERED, DELIVERED, FAILED, FAILED, FAILED), kinds(r));
      assertEquals(FetchError.CONNECTION_RESET, r.error().orElseThrow().error());
      assertTrue(r.outcomes().get(2).attempted());
      assertFalse(r.outcomes().get(3).attempted());
      assertEquals(Set.of("m1", "m2"), rig.sinkByUid().keySet(), "no partial message in the sink");
      assertEquals(5, rig.mailbox.uids().size(), "a broken session deletes nothing");
      assertEquals(1, rig.store.inner.get("m3").orElseThrow().failures());
      assertTrue(
          rig.store.inner.get("m4").isEmpty(), "a message not attempted is not counted against");

      rig.faults.dropAfterBytes.clear();
      FetchResult next = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertTrue(next.ok(), next::summary);
      assertEquals(
          List.of(ALREADY_SEEN, ALREADY_SEEN, DELIVERED, DELIVERED, DELIVERED), kinds(next));
      assertEquals(Set.of(), rig.mailbox.uids());
      assertEquals(5, rig.sinkByUid().size());
    }

    @Test
    void aMessageThatKeepsFailing_isQuarantinedAfterNRuns_andReportedWithItsError() {
      Rig rig = new Rig().withMessages(3);
      rig.faults.refuse.put("m2", new FetchException(FetchError.READ_ERROR, "framing broke"));
      for (int run = 1; run <= 3; run++) {
        FetchResult r = rig.fetcher(b -> b.quarantineAfter(3)).run();
        assertEquals(FAILED, r.outcomes().get(1).kind(), "run " + run);
        FetchException e = r.outcomes().get(1).error();
        if (run < 3) {
          assertEquals(
              "framing broke",
              e.detail(),
              "run " + run + ": tried again next run, as its remedy says");
        } else {
          assertEquals(
              "framing broke; it has now failed in 3 runs and is quarantined: later runs do not try it",
              e.detail());
          assertTrue(
              e.remedy().commandLine().contains("--retry-quarantined"), e.remedy().commandLine());
        }
      }
      FetchResult r = rig.fetcher(b -> b.quarantineAfter(3)).run();
      MessageOutcome m2 = r.outcomes().get(1);
      assertEquals(SKIPPED, m2.kind());
      assertEquals(SkipReason.QUARANTINED, m2.skipReason());
      assertEquals(FetchError.READ_ERROR, m2.error().error());
      assertTrue(r.ok(), "a quarantined message is reported, not failed again: " + r.summary());
      assertEquals(FetchResult.Status.ERROR, r.status(), "but it needs a person, every run");
      assertTrue(
          m2.error().getMessage().contains("message 2 (uid m2) is quarantined"),
          m2.error().getMessage());
      assertTrue(
          m2.error().remedy().commandLine().contains("--retry-quarantined"),
          m2.error().remedy().commandLine());
      assertTrue(
          m2.error().remedy().library().contains("retryQuarantined(true)"),
          m2.error().remedy().library());
      assertEquals(Set.of("m1", "m2", "m3"), rig.mailbox.uids());
    }

    @Test
    void aQuarantinedMessage_saysItsLastErrorInWords_inEveryRun_afterARestartToo() {
      Rig rig = new Rig().withMessages(2);
      rig.faults.refuse.put(
          "m2",
          new FetchException(
              FetchError.SERVER_PERMANENT,
              "the server refused message 2",
              "-ERR Message damaged\r\n2026-11-21 INFO forged",
              null));
      for (int run = 1; run <= 2; run++) {
        rig.fetcher(b -> b.quarantineAfter(2)).run();
      }
      rig.crash(); // a new process: only what the state made durable
      for (int run = 1; run <= 2; run++) {
        MessageOutcome m2 = rig.fetcher(b -> b.quarantineAfter(2)).run().outcomes().get(1);
        assertEquals(SkipReason.QUARANTINED, m2.skipReason());
        assertEquals(FetchError.SERVER_PERMANENT, m2.error().error());
        String said = m2.error().detail();
        assertTrue(
            said.contains(
                "Its last error: the server refused message 2 (server said: \"-ERR Message damaged"
                    + "\\r\\n2026-11-21 INFO forged\")"),
            said);
        assertFalse(said.contains("\n") || said.contains("\r"), "escaped: " + said);
      }
    }

    @Test
    void retryQuarantined_triesItAgain_andAFixedMessageIsDelivered() {
      Rig rig = new Rig().withMessages(2);
      rig.faults.refuse.put("m2", new FetchException(FetchError.READ_ERROR, "framing broke"));
      for (int run = 1; run <= 2; run++) {
        rig.fetcher(b -> b.quarantineAfter(2)).run();
      }
      assertEquals(SKIPPED, rig.fetcher(b -> b.quarantineAfter(2)).run().outcomes().get(1).kind());
      FetchResult stillBroken = rig.fetcher(b -> b.quarantineAfter(2).retryQuarantined(true)).run();
      assertEquals(FAILED, stillBroken.outcomes().get(1).kind(), "tried again, and failed again");
      assertEquals(3, rig.store.inner.get("m2").orElseThrow().failures());
      FetchException again = stillBroken.outcomes().get(1).error();
      assertEquals(FetchError.READ_ERROR, again.error());
      assertTrue(
          again
              .detail()
              .startsWith(
                  "framing broke; it failed again when tried once more, in 3 runs in all,"
                      + " and stays quarantined: later runs do not try it"),
          again.detail());
      assertTrue(
          again.remedy().commandLine().contains("--retry-quarantined"),
          again.remedy().commandLine());
      assertFalse(
          again.remedy().commandLine().contains("tried again"),
          "it is not: " + again.remedy().commandLine());
      assertEquals(
          "framing broke",
          rig.store.inner.get("m2").orElseThrow().lastErrorDetail(),
          "the state keeps the error's own words");
      assertEquals(SKIPPED, rig.fetcher(b -> b.quarantineAfter(2)).run().outcomes().get(1).kind());

      rig.faults.refuse.clear();
      FetchResult fixed = rig.fetcher(b -> b.quarantineAfter(2).retryQuarantined(true)).run();
      assertEquals(List.of(ALREADY_SEEN, DELIVERED), kinds(fixed));
      assertEquals(FetchResult.Status.OK, fixed.status());
    }

    @Test
    void sinkWriteFails_messageAborted_leftOnServer_notCountedAgainstIt() {
      Rig rig = new Rig().withMessages(3);
      rig.faults.sinkWriteFails.add("m2");
      for (int run = 0; run < 6; run++) {
        FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
        MessageOutcome m2 =
            r.outcomes().stream().filter(o -> o.ref().uid().equals("m2")).findFirst().orElseThrow();
        assertEquals(FAILED, m2.kind());
        assertEquals(FetchError.SINK_FAILED, m2.error().error());
        assertTrue(
            m2.error().getMessage().contains("the destination rejected this message"),
            m2.error().getMessage());
      }
      assertEquals(Set.of("m2"), rig.mailbox.uids());
      assertEquals(0, rig.store.inner.get("m2").map(UidRecord::failures).orElse(0));
      assertEquals(Set.of("m1", "m3"), rig.sinkByUid().keySet());
    }

    @Test
    void sinkSyncFails_runStops_nothingDeleted_nothingRecorded_nextRunRecovers() {
      Rig rig = new Rig().withMessages(4);
      rig.faults.sinkSyncFails = true;
      FetchResult r =
          rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY).batchSize(2)).run();

      assertEquals(FetchError.SINK_FAILED, r.error().orElseThrow().error());
      assertEquals(List.of(FAILED, FAILED, FAILED, FAILED), kinds(r));
      assertFalse(r.outcomes().get(2).attempted());
      assertEquals(4, rig.mailbox.uids().size());
      assertTrue(rig.store.inner.get("m1").isEmpty());

      rig.faults.sinkSyncFails = false;
      FetchResult next = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertTrue(next.ok(), next::summary);
      assertEquals(4, rig.sinkByUid().size());
      assertEquals(Set.of(), rig.mailbox.uids());
    }

    @Test
    void storeFails_deliveredButNotDeleted_nextRunRecognisesThemWithoutDuplicates() {
      Rig rig = new Rig().withMessages(3);
      rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run(); // baseline written
      rig.mailbox.add("m4", Rig.message(4)).add("m5", Rig.message(5));
      rig.faults.storeSyncFails = true;
      FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();

      assertEquals(FetchError.STATE_FAILED, r.error().orElseThrow().error());
      assertEquals(Set.of("m4", "m5"), rig.mailbox.uids());

      rig.crash();
      rig.faults.storeSyncFails = false;
      FetchResult next = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertTrue(next.ok(), next::summary);
      assertEquals(Set.of(), rig.mailbox.uids());
      assertEquals(5, rig.sinkByUid().size());
    }

    @Test
    void openFails_resultCarriesTheError_noOutcomes() {
      Rig rig = new Rig().withMessages(2);
      rig.faults.arm(1, Faults.Kind.FAIL);
      FetchResult r = rig.fetcher().run();
      assertEquals(FetchError.CONNECTION_TIMED_OUT, r.error().orElseThrow().error());
      assertEquals(0, r.listed());
      assertNull(r.server());
      assertFalse(r.ok());
    }

    @Test
    void listingFails_everyListedMessageStillHasAnOutcome() {
      Rig rig = new Rig().withMessages(2);
      rig.faults.arm(2, Faults.Kind.FAIL); // open, then list
      FetchResult r = rig.fetcher().run();
      assertEquals(FetchError.CONNECTION_RESET, r.error().orElseThrow().error());
      assertEquals(0, r.listed());
    }
  }

  @Nested
  class Policy {
    @Test
    void leaveOnServer_withoutStableUids_isRefusedUpFront_inWords() {
      Rig rig = new Rig().withMessages(2);
      rig.mailbox.stableUids = false;
      FetchResult r = rig.fetcher().run();
      FetchException e = r.error().orElseThrow();
      assertEquals(FetchError.POLICY, e.error());
      assertTrue(e.getMessage().contains("UIDL"), e.getMessage());
      assertTrue(e.remedy().library().contains("DELETE_AFTER_DELIVERY"), e.remedy().library());
      assertTrue(e.remedy().commandLine().contains("--delete"), e.remedy().commandLine());
      assertEquals(0, r.listed());
      assertEquals(0, rig.sink.inner.size());
    }

    @Test
    void leaveOnServer_withExpireZero_isRefused_deleteModeIsFine() {
      Rig rig = new Rig().withMessages(2);
      rig.mailbox.expire = Optional.of(Duration.ZERO);
      FetchResult keep =
          rig.fetcher(b -> b.retention(Retention.deleteAfter(Duration.ofDays(7)))).run();
      assertEquals(FetchError.POLICY, keep.error().orElseThrow().error());
      assertTrue(keep.error().orElseThrow().getMessage().contains("EXPIRE 0"));

      FetchResult delete = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertTrue(delete.ok(), delete::summary);
      assertEquals(2, delete.deleted());
    }

    @Test
    void withoutStableUids_deleteMode_keysByContent_soACrashBeforeQuitDuplicatesNothing() {
      Rig rig = new Rig().withMessages(3);
      rig.mailbox.stableUids = false;
      rig.faults.quitUnconfirmed = true; // delivered, synced, but the deletions never happen
      FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertEquals(List.of(DELIVERED, DELIVERED, DELIVERED), kinds(r));

      rig.faults.quitUnconfirmed = false;
      FetchResult again = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertEquals(List.of(ALREADY_SEEN, ALREADY_SEEN, ALREADY_SEEN), kinds(again));
      assertEquals(3, rig.sink.inner.size());
      assertEquals(Set.of(), rig.mailbox.uids());
    }

    @Test
    void onlyNew_firstRunRecordsWhatIsThere_laterMailIsFetched_baselineNeverDeleted() {
      Rig rig = new Rig().withMessages(3);
      FetchResult first =
          rig.fetcher(b -> b.onlyNew(true).retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertEquals(List.of(SKIPPED, SKIPPED, SKIPPED), kinds(first));
      assertEquals(SkipReason.ONLY_NEW, first.outcomes().get(0).skipReason());
      assertEquals(0, rig.sink.inner.size());

      rig.mailbox.add("m4", Rig.message(4));
      FetchResult second =
          rig.fetcher(b -> b.onlyNew(true).retention(Retention.DELETE_AFTER_DELIVERY)).run();
      assertEquals(List.of(SKIPPED, SKIPPED, SKIPPED, DELIVERED), kinds(second));
      assertEquals(Set.of("m4"), rig.sinkByUid().keySet());
      assertEquals(Set.of("m1", "m2", "m3"), rig.mailbox.uids());
    }

    @Test
    void onlyNew_firstRunOnAnEmptyMailbox_stillFetchesWhatArrivesLater() {
      Rig rig = new Rig();
      assertTrue(rig.fetcher(b -> b.onlyNew(true)).run().ok());
      rig.mailbox.add("m1", Rig.message(1));
      FetchResult r = rig.fetcher(b -> b.onlyNew(true)).run();
      assertEquals(List.of(DELIVERED), kinds(r));
    }

    @Test
    void tooManyMessages_isGmailsError_andNothingIsFetched() {
      Rig rig = new Rig().withMessages(5);
      FetchResult r = rig.fetcher(b -> b.limits(FetchLimits.builder().maxListing(4).build())).run();
      FetchException e = r.error().orElseThrow();
      assertEquals(FetchError.TOO_MANY_MESSAGES, e.error());
      assertTrue(e.getMessage().contains("the listing limit of"), e.getMessage());
      assertTrue(e.remedy().library().contains("maxListing"), e.remedy().library());
      assertEquals(0, rig.sink.inner.size());
    }

    @Test
    void announcedTooLarge_isSkipped_actuallyTooLarge_isFailedAndNotStored() {
      Rig rig = new Rig().withMessages(2);
      rig.mailbox.add("big", "Subject: big\r\n\r\n" + "x".repeat(5000));
      long limit = 1000;
      FetchResult r =
          rig.fetcher(b -> b.limits(FetchLimits.builder().maxMessageSize(limit).build())).run();
      assertEquals(List.of(DELIVERED, DELIVERED, SKIPPED), kinds(r));
      assertEquals(SkipReason.MESSAGE_SIZE_LIMIT, r.outcomes().get(2).skipReason());
    }

    @Test
    void aServerThatUnderstatesSizes_cannotSlipABigMessagePastTheLimit() {
      Rig rig = new Rig();
      FetchSource lying = lyingAboutSizes(rig);
      FetchResult r =
          Fetcher.builder()
              .source(lying)
              .sink(rig.sink)
              .uidStore(rig.store)
              .limits(FetchLimits.builder().maxMessageSize(100).build())
              .build()
              .run();
      assertEquals(List.of(FAILED), kinds(r));
      assertEquals(FetchError.LIMIT_EXCEEDED, r.outcomes().get(0).error().error());
      assertTrue(r.outcomes().get(0).error().getMessage().contains("the message size limit"));
      assertTrue(r.outcomes().get(0).error().remedy().library().contains("maxMessageSize"));
      assertEquals(0, rig.sink.inner.size());
    }

    private FetchSource lyingAboutSizes(Rig rig) {
      rig.mailbox.add("big", "Subject: big\r\n\r\n" + "x".repeat(5000));
      return wrapping(
          rig.mailbox.source(Rig.ACCOUNT),
          s ->
              new ForwardingFetchSession(s) {
                @Override
                public void list(ListingHandler h) throws FetchException {
                  delegate()
                      .list(
                          new ListingHandler() {
                            @Override
                            public void count(int messages, long octets) throws FetchException {
                              h.count(messages, 10);
                            }

                            @Override
                            public void message(MessageRef ref) throws FetchException {
                              h.message(new MessageRef(ref.number(), ref.uid(), 10)); // quirk Q32
                            }
                          });
                }
              });
    }

    @Test
    void runLimits_deferTheRestToTheNextRun() {
      Rig rig = new Rig().withMessages(5);
      FetchLimits two = FetchLimits.builder().maxMessagesPerRun(2).build();
      FetchResult r = rig.fetcher(b -> b.limits(two)).run();
      assertEquals(List.of(DELIVERED, DELIVERED, SKIPPED, SKIPPED, SKIPPED), kinds(r));
      assertEquals(SkipReason.RUN_LIMIT, r.outcomes().get(4).skipReason());
      assertTrue(r.ok());
      rig.fetcher(b -> b.limits(two)).run();
      FetchResult last = rig.fetcher(b -> b.limits(two)).run();
      assertEquals(
          List.of(ALREADY_SEEN, ALREADY_SEEN, ALREADY_SEEN, ALREADY_SEEN, DELIVERED), kinds(last));

      Rig bytes = new Rig().withMessages(3);
      long oneMessage = Rig.message(1).length();
      FetchResult b1 =
          bytes
              .fetcher(b -> b.limits(FetchLimits.builder().maxBytesPerRun(oneMessage + 1).build()))
              .run();
      assertEquals(
          List.of(DELIVERED, DELIVERED, SKIPPED),
          kinds(b1),
          "the message that crosses the cap is included");
    }
  }

  @Nested
  class LabelsDedupProvenance {
    @Test
    void labelsComeFromThePolicy_decidedOnTheHeaders() {
      Rig rig = new Rig().withMessages(2);
      LabelPolicy bySubject =
          (account, h) ->
              h.first("subject").orElse("").endsWith("2")
                  ? new LabelDecision(Set.of("Two", "Lists"), true)
                  : LabelDecision.INBOX;
      rig.fetcher(b -> b.labelPolicy(bySubject)).run();
      List<InMemorySink.StoredMessage> stored = rig.sink.inner.messages();
      assertEquals(Set.of(), stored.get(0).envelope().labels());
      assertEquals(Set.of("Two", "Lists"), stored.get(1).envelope().labels());
      assertTrue(stored.get(1).envelope().archived());
      assertEquals(Rig.message(2), new String(stored.get(1).content(), StandardCharsets.UTF_8));
    }

    @Test
    void fixedLabels_needNoHeaders() {
      Rig rig = new Rig().withMessages(1);
      rig.fetcher(b -> b.labelPolicy(LabelPolicy.fixed(Set.of("Fetched"), false))).run();
      assertEquals(Set.of("Fetched"), rig.sink.inner.messages().get(0).envelope().labels());
      assertFalse(LabelPolicy.fixed(Set.of("x"), false).needsHeaders());
    }

    @Test
    void duplicates_firstCopyWins_laterCopiesAreDiscardedRecordedAndDeleted() {
      Rig rig = new Rig();
      rig.mailbox.add("a", Rig.message(1)).add("b", Rig.message(2)).add("c", Rig.message(1));
      MessageIdDedup dedup = new MessageIdDedup();
      FetchResult r =
          rig.fetcher(
                  b -> b.dedupPolicy(dedup).retention(Retention.DELETE_AFTER_DELIVERY).batchSize(1))
              .run();

      assertTrue(
          r.ok(),
          r::summary); // deleting a duplicate once failed the state store (DELETED needs a key)
      assertEquals(List.of(DELIVERED, DELIVERED, DUPLICATE), kinds(r));
      MessageOutcome c = r.outcomes().get(2);
      assertEquals(r.outcomes().get(0).key(), c.duplicateOf());
      assertTrue(c.duplicateReason().contains("<1@test.invalid>"));
      assertEquals(Set.of("a", "b"), rig.sinkByUid().keySet());
      assertEquals(UidRecord.State.DUPLICATE, rig.store.inner.get("c").orElseThrow().state());
      assertEquals(Set.of(), rig.mailbox.uids());
    }

    @Test
    void aDuplicatesLabels_areAddedToTheFirstCopy_notLost() {
      Rig rig = new Rig();
      rig.mailbox.add("a", Rig.message(1)).add("b", Rig.message(2)).add("c", Rig.message(1));
      AtomicInteger n = new AtomicInteger();
      LabelPolicy perMessage =
          (account, headers) -> new LabelDecision(Set.of("L" + n.incrementAndGet()), false);
      FetchResult r =
          rig.fetcher(b -> b.dedupPolicy(new MessageIdDedup()).labelPolicy(perMessage).batchSize(1))
              .run();
      assertEquals(List.of(DELIVERED, DELIVERED, DUPLICATE), kinds(r));
      DeliveryKey first = r.outcomes().get(0).key();
      InMemorySink.StoredMessage a =
          rig.sink.inner.messages().stream()
              .filter(m -> m.key().equals(first))
              .findFirst()
              .orElseThrow();
      assertEquals(
          Set.of("L1", "L3"),
          a.envelope().labels(),
          "the first copy now carries the duplicate's label too");
      assertEquals(2, rig.sink.inner.size());
    }

    @Test
    void aDuplicateWhoseLabelsCannotBeAdded_failsAndStaysOnTheServer() {
      Rig rig = new Rig();
      rig.mailbox.add("a", Rig.message(1)).add("c", Rig.message(1));
      rig.faults.addLabelsFails = true;
      LabelPolicy labelled = LabelPolicy.fixed(Set.of("Work"), false);
      FetchResult r =
          rig.fetcher(
                  b ->
                      b.dedupPolicy(new MessageIdDedup())
                          .labelPolicy(labelled)
                          .retention(Retention.DELETE_AFTER_DELIVERY)
                          .batchSize(1))
              .run();
      assertEquals(List.of(DELIVERED, FAILED), kinds(r));
      assertEquals(FetchError.SINK_FAILED, r.outcomes().get(1).error().error());
      assertEquals(
          Set.of("c"), rig.mailbox.uids(), "never deleted: its labels are not filed anywhere yet");
    }

    @Test
    void aVerdictNamingACopyTheSinkDoesNotHold_neverCostsTheMessage() {
      Rig rig = new Rig().withMessages(1);
      DeliveryKey phantom = DeliveryKey.of("someone-else", "gone");
      DedupPolicy liar = (env, h) -> DedupVerdict.duplicateOf(phantom, "a stale memory");
      FetchResult r = rig.fetcher(b -> b.dedupPolicy(liar)).run();
      assertEquals(List.of(DELIVERED), kinds(r));
      assertEquals(1, rig.sink.inner.size());
    }

    @Test
    void provenanceHeader_isPrepended_parseable_andTheMessageFollowsIntact() {
      Rig rig = new Rig().withMessages(1);
      rig.fetcher(b -> b.provenanceHeader(true)).run();
      String stored = rig.sinkByUid().get("m1");
      assertTrue(stored.startsWith(ProvenanceHeader.NAME + ": "), stored);
      int end = stored.indexOf("\r\nReceived:");
      String value = stored.substring(ProvenanceHeader.NAME.length() + 1, end);
      ProvenanceHeader p = ProvenanceHeader.parse(value);
      assertEquals(
          new ProvenanceHeader(
              Rig.ACCOUNT, "pop.test.invalid:995", "m1", Instant.parse("2026-11-21T12:00:00Z")),
          p);
      assertEquals(Rig.message(1), stored.substring(end + 2));
      HeaderBlock h = HeaderBlock.of(stored.getBytes(StandardCharsets.UTF_8), true);
      assertEquals(
          "m1", ProvenanceHeader.parse(h.first(ProvenanceHeader.NAME).orElseThrow()).uid());
    }
  }

  @Nested
  class Guards {
    @Test
    void aThrowingListener_costsNothing_andEveryListedMessageFinishesOnce() {
      Rig rig = new Rig().withMessages(4);
      rig.faults.refuse.put("m3", new FetchException(FetchError.SERVER_TEMPORARY, "no"));
      List<String> finished = new ArrayList<>();
      FetchListener hostile =
          new FetchListener() {
            @Override
            public void messageStarted(MessageRef ref) {
              throw new IllegalStateException("listener bug");
            }

            @Override
            public void messageFinished(MessageOutcome outcome) {
              finished.add(outcome.ref().uid());
              throw new IllegalStateException("listener bug");
            }

            @Override
            public void runFinished(FetchResult result) {
              throw new IllegalStateException("listener bug");
            }
          };
      FetchResult r = rig.fetcher(b -> b.listener(hostile)).run();
      assertEquals(List.of(DELIVERED, DELIVERED, FAILED, DELIVERED), kinds(r));
      assertEquals(List.of("m1", "m2", "m3", "m4"), finished);
    }

    @Test
    void policiesThatThrowOrReturnNull_costNoMessage() {
      Rig rig = new Rig().withMessages(3);
      LabelPolicy brokenLabels =
          (account, h) -> {
            if (h.first("Subject").orElse("").endsWith("2")) {
              throw new IllegalStateException("label bug");
            }
            return null;
          };
      DedupPolicy brokenDedup =
          (env, h) -> {
            if (env.uid().equals("m3")) {
              throw new IOException("dedup store unreadable");
            }
            return null;
          };
      FetchResult r = rig.fetcher(b -> b.labelPolicy(brokenLabels).dedupPolicy(brokenDedup)).run();
      assertTrue(r.ok(), r::summary);
      assertEquals(List.of(DELIVERED, DELIVERED, DELIVERED), kinds(r));
      assertEquals(Rig.message(2), rig.sinkByUid().get("m2"));
      // costs no message, but is not silent: one warning per policy, not one per message
      assertEquals(FetchResult.Status.WARNING, r.status());
      assertEquals(2, r.warnings().size(), r.warnings()::toString);
      FetchException labels = r.warnings().get(0);
      assertEquals(FetchError.CONFIGURATION, labels.error());
      assertTrue(
          labels
              .getMessage()
              .contains("the label rules failed for 3 messages (the first, message 1 (uid m1)"),
          labels.getMessage());
      assertTrue(
          labels.remedy().commandLine().contains("--label-rule"), labels.remedy().commandLine());
      FetchException dedup = r.warnings().get(1);
      assertEquals(FetchError.STATE_FAILED, dedup.error());
      assertTrue(dedup.getMessage().contains("stored as new"), dedup.getMessage());
    }

    @Test
    void whatTheSessionWarnsOf_isInTheResultsWarnings() {
      Rig rig = new Rig().withMessages(2);
      FetchException contradicted =
          new FetchException(FetchError.WRONG_ORDER, "STAT counts 4 messages, UIDL names 2");
      FetchSource warning =
          wrapping(
              rig.mailbox.source(Rig.ACCOUNT),
              s ->
                  new ForwardingFetchSession(s) {
                    @Override
                    public List<FetchException> warnings() {
                      return List.of(contradicted);
                    }
                  });
      FetchResult r =
          Fetcher.builder().source(warning).sink(rig.sink).uidStore(rig.store).build().run();
      assertEquals(List.of(DELIVERED, DELIVERED), kinds(r));
      assertEquals(List.of(contradicted), r.warnings());
      assertEquals(FetchResult.Status.WARNING, r.status());
    }

    @Test
    void aSourceWithABug_isAProtocolError_andWhatWasCompleteIsKept() {
      Rig rig = new Rig().withMessages(3);
      FetchSource buggy =
          wrapping(
              rig.mailbox.source(Rig.ACCOUNT),
              s ->
                  new ForwardingFetchSession(s) {
                    @Override
                    public void retrieve(Retrieval request, MessageHandler h)
                        throws FetchException {
                      delegate()
                          .retrieve(
                              Retrieval.of(request.batch().subList(0, 1))
                                  .withLineEnding(request.lineEnding()),
                              h);
                      throw new IndexOutOfBoundsException("source bug");
                    }
                  });
      FetchResult r =
          Fetcher.builder()
              .source(buggy)
              .sink(rig.sink)
              .uidStore(rig.store)
              .retention(Retention.DELETE_AFTER_DELIVERY)
              .build()
              .run();
      assertEquals(FetchError.PROTOCOL, r.error().orElseThrow().error());
      assertTrue(r.error().orElseThrow().getMessage().contains("source bug"));
      assertEquals(List.of(DELIVERED, FAILED, FAILED), kinds(r));
      assertEquals(3, rig.mailbox.uids().size(), "a broken session deletes nothing");
    }

    @Test
    void twoRunsAtOnce_theSecondIsLocked() throws Exception {
      Rig rig = new Rig().withMessages(1);
      CountDownLatch inside = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Fetcher f =
          rig.fetcher(
              b ->
                  b.listener(
                      new FetchListener() {
                        @Override
                        public void runStarted(String account) {
                          inside.countDown();
                          try {
                            release.await(10, TimeUnit.SECONDS);
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        }
                      }));
      ExecutorService ex = Executors.newSingleThreadExecutor();
      try {
        Future<FetchResult> first = ex.submit(() -> f.run());
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        FetchResult second = f.run();
        assertEquals(FetchError.LOCKED, second.error().orElseThrow().error());
        release.countDown();
        assertTrue(first.get(10, TimeUnit.SECONDS).ok());
      } finally {
        release.countDown();
        ex.shutdownNow();
      }
    }

    @Test
    void builder_failsFast_withTheSettingNamed() {
      Rig rig = new Rig();
      IllegalStateException missing =
          assertThrows(IllegalStateException.class, () -> Fetcher.builder().sink(rig.sink).build());
      assertTrue(
          missing.getMessage().contains("source") && missing.getMessage().contains("uidStore"));
      IllegalStateException twice =
          assertThrows(
              IllegalStateException.class, () -> Fetcher.builder().batchSize(5).batchSize(6));
      assertEquals("batchSize was already set to 5", twice.getMessage());
      IllegalArgumentException zero =
          assertThrows(IllegalArgumentException.class, () -> Fetcher.builder().batchSize(0));
      assertEquals("batchSize must be from 1 to 10000: 0", zero.getMessage());
      assertThrows(IllegalArgumentException.class, () -> FetchLimits.builder().maxListing(-1));
      assertThrows(
          IllegalArgumentException.class, () -> Retention.deleteAfter(Duration.ofDays(-1)));
      FetchSource badName =
          new FetchSource() {
            @Override
            public String account() {
              return "evil\r\nDELE 1";
            }

            @Override
            public FetchSession open() {
              throw new AssertionError("never opened");
            }
          };
      IllegalStateException name =
          assertThrows(
              IllegalStateException.class,
              () -> Fetcher.builder().source(badName).sink(rig.sink).uidStore(rig.store).build());
      assertTrue(name.getMessage().contains("evil\\r\\nDELE 1"), name.getMessage());
    }
  }
}
