package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * What the engine does with an incremental listing ({@link MailboxMarks#listOnlyNewSince}, {@link
 * MailboxMarks#listedOnlyNew()}): a mailbox of numbered messages whose session proves, as IMAP's
 * UIDNEXT and MESSAGES do, that nothing below the mark's next number left, and then lists only from
 * it. A partial listing never loses a message, never delivers one twice and never makes the store
 * forget one.
 */
class IncrementalListingTest {
  private static final String ACCOUNT = "carol@imap.test.invalid";

  private final NumberedMailbox mailbox = new NumberedMailbox();
  private final InMemorySink sink = InMemorySink.create();
  private final RecordingStore store = new RecordingStore(InMemoryUidStore.create());

  private FetchResult run() {
    return Fetcher.builder().source(mailbox).sink(sink).uidStore(store).build().run();
  }

  private FetchResult run(Retention retention) {
    return Fetcher.builder()
        .source(mailbox)
        .sink(sink)
        .uidStore(store)
        .retention(retention)
        .build()
        .run();
  }

  @Test
  void oneNewMessageInABigMailbox_isTheOnlyOneListed_andNothingIsForgotten() throws IOException {
    mailbox.arrive(1000);
    assertEquals(1000, run().count(MessageOutcome.Kind.DELIVERED));
    mailbox.arrive(1);
    int prunings = store.prunings;

    FetchResult second = run();

    assertTrue(mailbox.lastListingPartial);
    assertEquals(1, second.listed(), "only the new message was listed");
    assertEquals(1, second.count(MessageOutcome.Kind.DELIVERED));
    assertEquals(1001, sink.size());
    assertEquals(prunings, store.prunings, "no record was weighed against a partial listing");
    assertTrue(store.get("m1").isPresent());
    assertTrue(run().unchanged(), "the incremental run kept its mark");
  }

  @Test
  void anExpungeSinceTheMark_makesTheListingComplete_andTheStorePrunes() {
    mailbox.arrive(10);
    run();
    mailbox.expunge("m3");
    mailbox.arrive(1);
    int prunings = store.prunings;

    FetchResult second = run();

    assertFalse(mailbox.lastListingPartial);
    assertEquals(10, second.listed());
    assertEquals(prunings + 1, store.prunings);
    assertTrue(store.lastPruned.contains("m3"));
    assertEquals(11, sink.size());
  }

  @Test
  void afterAFailedMessage_theNextRunHasNoMark_andListsInFull() {
    mailbox.arrive(5);
    mailbox.refused.add("m4");
    assertEquals(1, run().count(MessageOutcome.Kind.FAILED));
    mailbox.refused.clear();
    mailbox.arrive(1);

    FetchResult second = run();

    assertNull(mailbox.offered, "no mark was kept, so none was offered");
    assertFalse(mailbox.lastListingPartial);
    assertEquals(6, second.listed());
    assertEquals(2, second.count(MessageOutcome.Kind.DELIVERED), "m4 again, and m6");
    assertEquals(6, sink.size());
  }

  @Test
  void aMessageTooLargeForTheRun_holdsTheMarkBack_soItIsSeenAgain() {
    mailbox.bodies.put("m2", "Subject: big\r\n\r\n" + "x".repeat(5000) + "\r\n");
    mailbox.arrive(3);
    FetchResult first =
        Fetcher.builder()
            .source(mailbox)
            .sink(sink)
            .uidStore(store)
            .limits(FetchLimits.builder().maxMessageSize(1000).build())
            .build()
            .run();
    assertEquals(1, first.count(MessageOutcome.Kind.SKIPPED));
    mailbox.arrive(1);

    FetchResult second = run(); // the limit lifted

    assertNull(mailbox.offered);
    assertEquals(4, second.listed());
    assertEquals(4, sink.size(), "the message held back came in the complete listing");
  }

  @Test
  void aMarkKeptWhileKeepingMail_sparesNoListing_onceMailIsDeletedAfterDelivery() {
    mailbox.arrive(3);
    run(); // kept on the server, mark kept
    assertTrue(run().unchanged(), "the mark holds while mail is kept");

    FetchResult deleting = run(Retention.DELETE_AFTER_DELIVERY);

    assertFalse(deleting.unchanged(), "the mailbox did not change, but what is due did");
    assertEquals(3, deleting.listed());
    assertEquals(3, deleting.deleted(), "the messages kept before are deleted now, as due");
    assertEquals(0, run(Retention.DELETE_AFTER_DELIVERY).listed(), "the emptied mailbox, listed");
    assertTrue(
        run(Retention.DELETE_AFTER_DELIVERY).unchanged(), "a deleting run's mark serves the next");
    assertTrue(run().unchanged(), "and serves a run that keeps mail, too");
    assertEquals(3, sink.size(), "nothing twice");
  }

  @Test
  void deletingAfterDelivery_neverAsksForAnIncrementalListing() {
    mailbox.arrive(3);
    run(); // kept on the server, mark kept
    mailbox.arrive(1);

    FetchResult second = run(Retention.DELETE_AFTER_DELIVERY);

    assertNull(mailbox.offered, "a mark made while keeping mail says nothing of what is now due");
    assertEquals(4, second.listed());
    assertEquals(4, second.deleted(), "the messages kept before are deleted now, as due");
  }

  @Test
  void aSourceThatCannotSayHowItListed_isTakenAsPartial_soNothingIsForgotten() {
    mailbox.arrive(3);
    run();
    mailbox.expunge("m1");
    mailbox.arrive(1);
    mailbox.failToSay = true;
    int prunings = store.prunings;

    FetchResult second = run();

    assertEquals(prunings, store.prunings);
    assertEquals(4, sink.size());
    assertEquals(1, second.count(MessageOutcome.Kind.DELIVERED));
  }

  /**
   * Arrivals, expunges, refused retrievals and runs in any order: a run that failed nothing leaves
   * every message of the mailbox in the sink, no message is ever delivered twice, and no run whose
   * listing was partial asks the store to weigh its records against it.
   */
  @Property(tries = 60)
  void partialListings_neverLose_neverDuplicate_neverPrune(@ForAll("steps") List<Integer> steps)
      throws IOException {
    NumberedMailbox box = new NumberedMailbox();
    InMemorySink to = InMemorySink.create();
    RecordingStore state = new RecordingStore(InMemoryUidStore.create());
    for (int step : steps) {
      if (step < 40) {
        box.arrive(1 + step % 3);
      } else if (step < 55) {
        List<String> present = new ArrayList<>(box.messages.keySet());
        if (!present.isEmpty()) {
          box.expunge(present.get(step % present.size()));
        }
      } else if (step < 65) {
        List<String> present = new ArrayList<>(box.messages.keySet());
        if (!present.isEmpty()) {
          box.refused.add(present.get(present.size() - 1 - step % present.size()));
        }
      } else {
        int prunings = state.prunings;
        FetchResult r = Fetcher.builder().source(box).sink(to).uidStore(state).build().run();
        if (box.lastListingPartial) {
          assertEquals(prunings, state.prunings, "a partial listing pruned the store");
        }
        box.refused.clear();
        Map<String, Integer> copies = new HashMap<>();
        for (InMemorySink.StoredMessage m : to.messages()) {
          copies.merge(m.envelope().uid(), 1, Integer::sum);
        }
        copies.forEach((uid, n) -> assertEquals(1, n, uid + " delivered " + n + " times"));
        if (r.count(MessageOutcome.Kind.FAILED) == 0 && r.error().isEmpty()) {
          for (String uid : box.messages.keySet()) {
            assertTrue(copies.containsKey(uid), uid + " was lost");
          }
        }
        for (String uid : box.messages.keySet()) {
          assertTrue(
              state.get(uid).isPresent() || !copies.containsKey(uid),
              "the store forgot " + uid + " though it is still in the mailbox");
        }
      }
    }
  }

  @Provide
  Arbitrary<List<Integer>> steps() {
    return Arbitraries.integers().between(0, 99).list().ofMinSize(5).ofMaxSize(40);
  }

  /**
   * Messages {@code m1, m2, …} in the order they arrived; the mark is {@code next=N count=C}. An
   * incremental listing is made, as IMAP makes it, only when the messages below the mark's next
   * number are as many as the mark counted (then none of them left).
   */
  private static final class NumberedMailbox implements FetchSource {
    final Map<String, byte[]> messages = new LinkedHashMap<>();
    final Map<String, String> bodies = new HashMap<>();
    final Set<String> refused = new HashSet<>();
    int next = 1;
    String offered;
    boolean lastListingPartial;
    boolean failToSay;

    void arrive(int n) {
      for (int i = 0; i < n; i++) {
        String uid = "m" + next++;
        String body =
            bodies.getOrDefault(
                uid, "Message-ID: <" + uid + "@test>\r\nSubject: " + uid + "\r\n\r\nhi\r\n");
        messages.put(uid, body.getBytes(StandardCharsets.US_ASCII));
      }
    }

    void expunge(String uid) {
      messages.remove(uid);
    }

    static int numberOf(String uid) {
      return Integer.parseInt(uid.substring(1));
    }

    @Override
    public String account() {
      return ACCOUNT;
    }

    @Override
    public FetchSession open() {
      offered = null;
      return new Session();
    }

    private final class Session implements FetchSession, MailboxMarks {
      private final Map<String, byte[]> snapshot = new LinkedHashMap<>(messages);
      private final int snapshotNext = next;
      private boolean partial;

      @Override
      public Capabilities capabilities() {
        return new Capabilities(true, Optional.empty(), Optional.empty(), Set.of("IMAP4rev1"));
      }

      @Override
      public String server() {
        return "imap.test.invalid:993";
      }

      @Override
      public void list(ListingHandler handler) throws FetchException {
        int from = 1;
        if (offered != null) {
          int markNext = Integer.parseInt(offered.replaceAll("next=(\\d+) .*", "$1"));
          int markCount = Integer.parseInt(offered.replaceAll(".*count=(\\d+)", "$1"));
          long below = snapshot.keySet().stream().filter(u -> numberOf(u) < markNext).count();
          if (below == markCount) {
            from = markNext;
          }
        }
        partial = from > 1;
        lastListingPartial = partial;
        List<String> listed = new ArrayList<>();
        for (String uid : snapshot.keySet()) {
          if (numberOf(uid) >= from) {
            listed.add(uid);
          }
        }
        handler.count(listed.size(), 0);
        int n = 0;
        for (String uid : listed) {
          handler.message(new MessageRef(++n, uid, snapshot.get(uid).length));
        }
      }

      @Override
      public void retrieve(Retrieval request, MessageHandler to) throws FetchException {
        MessageHandler handler = request.convertingFromCrlf(to);
        for (MessageRef ref : request.batch()) {
          if (refused.contains(ref.uid())) {
            handler.failed(ref, new FetchException(FetchError.PROTOCOL, "test: refused"));
            continue;
          }
          handler.start(ref);
          handler.data(ByteBuffer.wrap(snapshot.get(ref.uid())));
          handler.end();
        }
      }

      @Override
      public Optional<MailboxMarks> mailboxMarks() {
        return Optional.of(this);
      }

      @Override
      public String listed() {
        return "next=" + snapshotNext + " count=" + snapshot.size();
      }

      @Override
      public boolean unchangedSince(String mark) {
        return mark.equals(listed());
      }

      @Override
      public void listOnlyNewSince(String mark) {
        offered = mark;
      }

      @Override
      public boolean listedOnlyNew() {
        if (failToSay) {
          throw new IllegalStateException("test: cannot say");
        }
        return partial;
      }

      @Override
      public Set<MessageRef> delete(List<MessageRef> refs) {
        for (MessageRef ref : refs) {
          messages.remove(ref.uid());
        }
        return new HashSet<>(refs);
      }

      @Override
      public boolean quit() {
        return true;
      }

      @Override
      public void close() {}
    }
  }

  /** A store that forgets what a listing lacks, as a real one does, and counts when asked to. */
  private static final class RecordingStore extends ForwardingStore {
    int prunings;
    Set<String> lastPruned = Set.of();
    private final Set<String> known = new HashSet<>();
    private final Map<String, UidRecord> forgotten = new HashMap<>();

    RecordingStore(UidStore delegate) {
      super(delegate);
    }

    @Override
    public void put(UidRecord record) throws IOException {
      known.add(record.uid());
      forgotten.remove(record.uid());
      super.put(record);
    }

    @Override
    public Optional<UidRecord> get(String uid) throws IOException {
      return forgotten.containsKey(uid) ? Optional.empty() : super.get(uid);
    }

    @Override
    public Set<String> retainListed(Set<String> listed, Instant now) throws IOException {
      prunings++;
      Set<String> gone = new HashSet<>();
      for (String uid : known) {
        if (!listed.contains(uid)) {
          gone.add(uid);
        }
      }
      for (String uid : gone) {
        forgotten.put(uid, super.get(uid).orElse(null));
        known.remove(uid);
      }
      lastPruned = gone;
      return gone;
    }
  }
}
