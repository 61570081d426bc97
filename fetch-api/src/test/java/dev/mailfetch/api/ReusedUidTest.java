package dev.mailfetch.api;

import static dev.mailfetch.api.MessageOutcome.Kind.ALREADY_SEEN;
import static dev.mailfetch.api.MessageOutcome.Kind.DELIVERED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Quirk Q51: a server that gives new mail a unique id an earlier message had (servers that derive
 * ids from message numbers). The engine must fetch what is really new, recognise what is not, never
 * delete a message it did not fetch, and say that the server is at fault.
 */
class ReusedUidTest {
  private static List<MessageOutcome.Kind> kinds(FetchResult r) {
    return r.outcomes().stream().map(MessageOutcome::kind).collect(Collectors.toList());
  }

  private static String mail(String subject, String body) {
    return "Received: from mx.test.invalid\r\nMessage-ID: <"
        + subject.replace(' ', '.')
        + "@test.invalid>\r\n"
        + "Subject: "
        + subject
        + "\r\n\r\n"
        + body
        + "\r\n";
  }

  private static Rig rig(boolean fingerprints) {
    Rig rig = new Rig();
    if (fingerprints) {
      rig.store.inner = InMemoryUidStore.keepingFingerprints();
    }
    return rig;
  }

  private static Set<String> sinkContents(Rig rig) {
    Set<String> out = new HashSet<>();
    for (InMemorySink.StoredMessage m : rig.sink.inner.messages()) {
      assertTrue(out.add(new String(m.content(), StandardCharsets.UTF_8)), "stored twice");
    }
    return out;
  }

  private static FetchException warningAbout(FetchResult r, String words) {
    return r.warnings().stream()
        .filter(w -> w.getMessage().contains(words))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no warning with \"" + words + "\": " + r.warnings()));
  }

  @Test
  void Q51_newMailUnderAUidSeenBefore_withAnotherSize_isFetched_andTheServerIsBlamed() {
    Rig rig = rig(true);
    rig.mailbox
        .add("n1", mail("one", "first"))
        .add("n2", mail("two", "second"))
        .add("n3", mail("three", "third"));
    assertEquals(List.of(DELIVERED, DELIVERED, DELIVERED), kinds(rig.fetcher().run()));
    String fresh =
        mail("four", "the new message, which took the id n3 of a message deleted elsewhere");
    rig.mailbox.remove("n3").add("n3", fresh);

    FetchResult r = rig.fetcher().run();
    assertEquals(List.of(ALREADY_SEEN, ALREADY_SEEN, DELIVERED), kinds(r), r::summary);
    assertNotEquals(
        DeliveryKey.of(Rig.ACCOUNT, "n3"), r.outcomes().get(2).key(), "a key of its own");
    assertTrue(sinkContents(rig).contains(fresh));
    assertEquals(4, rig.sink.inner.messages().size());
    assertTrue(r.quirks().contains(QuirkId.Q51), r.quirks()::toString);
    FetchException w = warningAbout(r, "message 3 (uid n3)");
    assertEquals(FetchError.PROTOCOL, w.error());
    assertTrue(w.detail().contains("1 fetched as new mail"), w.detail());
    assertEquals(FetchResult.Status.WARNING, r.status());

    rig.events.clear();
    FetchResult again = rig.fetcher().run();
    assertEquals(List.of(ALREADY_SEEN, ALREADY_SEEN, ALREADY_SEEN), kinds(again), again::summary);
    assertEquals(List.of(), again.warnings());
    assertEquals(
        List.of("store.sync", "quit"), rig.events, "the new size is known: no TOP, no RETR");
  }

  @Test
  void
      Q51_inDeleteMode_newMailUnderTheIdsOfDeletedMessages_isFetchedNotDeleted_evenAtTheSameSize() {
    Rig rig = rig(true);
    rig.mailbox.add("n1", mail("one", "first")).add("n2", mail("two", "second"));
    rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    assertEquals(Set.of(), rig.mailbox.uids());
    String otherSize = mail("three", "a longer body than any before");
    String sameSize = mail("fiv", "second"); // exactly as long as message n2 was
    assertEquals(mail("two", "second").length(), sameSize.length());
    rig.mailbox.add("n1", otherSize).add("n2", sameSize);

    FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    assertEquals(List.of(DELIVERED, DELIVERED), kinds(r), r::summary);
    assertTrue(
        sinkContents(rig).containsAll(List.of(otherSize, sameSize)), "nothing deleted unread");
    assertEquals(Set.of(), rig.mailbox.uids());
    assertTrue(r.quirks().contains(QuirkId.Q51));
    assertTrue(
        warningAbout(r, "2 fetched as new mail")
            .detail()
            .contains("message 1 (uid n1), message 2 (uid n2)"));
  }

  @Test
  void Q51_keepDays_newMailOfTheSameSizeUnderAnIdDueForDeletion_isFetched_notDeletedUnread() {
    Rig rig = rig(true);
    rig.mailbox.add("n1", mail("one", "first")).add("n2", mail("two", "second"));
    Duration week = Duration.ofDays(7);
    rig.fetcher(b -> b.retention(Retention.deleteAfter(week))).run();
    String sameSize = mail("six", "second");
    rig.mailbox
        .remove("n2")
        .add("n2", sameSize); // n2 read and deleted elsewhere; new mail takes its id
    rig.clock.advance(Duration.ofDays(8));

    FetchResult r = rig.fetcher(b -> b.retention(Retention.deleteAfter(week))).run();
    assertEquals(List.of(ALREADY_SEEN, DELIVERED), kinds(r), r::summary);
    assertTrue(sinkContents(rig).contains(sameSize), "fetched, not deleted unread");
    assertEquals(
        Set.of("n2"), rig.mailbox.uids(), "n1 was due and deleted; the new n2 is a week from due");
    assertTrue(r.quirks().contains(QuirkId.Q51));
  }

  @Test
  void
      headersWithOnlyAServersOwnFields_identifyNothing_soAnotherEmptyMessageIsNotTakenForTheFirst() {
    Rig rig = rig(true);
    rig.mailbox.add("n1", "X-UIDL: n1\r\n\r\n"); // served empty (Q53)
    rig.fetcher().run();
    String other =
        "Received: by pop.test.invalid\r\nX-UIDL: n1\r\n\r\n"; // another, under the same id
    rig.mailbox.clear().add("n1", other);

    FetchResult r = rig.fetcher().run();
    assertEquals(List.of(DELIVERED), kinds(r), r::summary);
    assertTrue(sinkContents(rig).contains(other));
  }

  @Test
  void aServerThatDidNotDelete_isNotTakenForReuse_andTheMessageIsDeletedAgain() {
    Rig rig = rig(true);
    rig.mailbox.add("n1", mail("one", "first"));
    rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    rig.mailbox.add(
        "n1", mail("one", "first")); // the server said it deleted it, but it is still there (Q30)
    rig.events.clear();

    FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    assertEquals(List.of(ALREADY_SEEN), kinds(r), r::summary);
    assertEquals(List.of(), r.warnings());
    assertFalse(r.quirks().contains(QuirkId.Q51));
    assertTrue(
        rig.events.contains("top n1") && rig.events.contains("dele n1"), rig.events::toString);
    assertFalse(rig.events.contains("retr n1"));
    assertEquals(1, rig.sink.inner.messages().size());
  }

  @Test
  void theSameMessage_listedWithANewSize_isRecognisedByItsHeaders_andNotFetchedAgain() {
    Rig rig = rig(true);
    rig.mailbox.add("n1", mail("one", "first"));
    rig.fetcher().run();
    // The server rewrote it with a status field (left out of the fingerprint): another size, the
    // same message.
    rig.mailbox.clear().add("n1", "Status: RO\r\n" + mail("one", "first"));
    rig.events.clear();

    FetchResult r = rig.fetcher().run();
    assertEquals(List.of(ALREADY_SEEN), kinds(r), r::summary);
    assertEquals(List.of(), r.warnings());
    assertEquals(List.of("top n1", "store.sync", "quit"), rig.events);
    rig.events.clear();
    rig.fetcher().run();
    assertEquals(List.of("store.sync", "quit"), rig.events, "the new size was learned");
  }

  @Test
  void Q51_idsDerivedFromNumbers_shiftAfterADeletionElsewhere_onlyTheNewMessageIsFetched() {
    Rig rig = rig(true);
    List<String> old =
        List.of(mail("a", "1"), mail("bb", "22"), mail("ccc", "333"), mail("dddd", "4444"));
    for (int i = 0; i < old.size(); i++) {
      rig.mailbox.add("n" + (i + 1), old.get(i));
    }
    rig.fetcher().run();
    // Message 2 is deleted elsewhere: the others move up a number, and so an id; then new mail
    // arrives.
    String fresh = mail("eeeee", "55555");
    List<String> now = new ArrayList<>(List.of(old.get(0), old.get(2), old.get(3), fresh));
    rig.mailbox.clear();
    for (int i = 0; i < now.size(); i++) {
      rig.mailbox.add("n" + (i + 1), now.get(i));
    }

    FetchResult r = rig.fetcher().run();
    assertEquals(
        List.of(ALREADY_SEEN, ALREADY_SEEN, ALREADY_SEEN, DELIVERED), kinds(r), r::summary);
    assertEquals(5, sinkContents(rig).size(), "nothing stored twice, nothing missed");
    assertTrue(sinkContents(rig).contains(fresh));
    assertTrue(
        warningAbout(r, "fetched as new mail")
            .detail()
            .contains("1 fetched as new mail, 2 recognised as fetched before"),
        r.warnings()::toString);
    assertEquals(
        List.of(ALREADY_SEEN, ALREADY_SEEN, ALREADY_SEEN, ALREADY_SEEN),
        kinds(rig.fetcher().run()));
  }

  @Test
  void withoutFingerprints_aNewSizeIsFetchedInCaseItIsNew_andSaysItMayBeASecondCopy() {
    Rig rig = rig(false);
    rig.mailbox.add("n1", mail("one", "first"));
    rig.fetcher().run();
    String fresh = mail("two", "another message under the same id");
    rig.mailbox.clear().add("n1", fresh);

    FetchResult r = rig.fetcher().run();
    assertEquals(List.of(DELIVERED), kinds(r), r::summary);
    assertTrue(sinkContents(rig).contains(fresh));
    FetchException w = warningAbout(r, "message 1 (uid n1)");
    assertTrue(w.detail().contains("the state keeps no header fingerprints"), w.detail());
    assertTrue(w.detail().contains("twice"), w.detail());
    assertTrue(
        w.remedy().library().contains("InMemoryUidStore.keepingFingerprints()"),
        w.remedy().library());
    assertFalse(r.quirks().contains(QuirkId.Q51), "not proven");
    assertEquals(List.of(ALREADY_SEEN), kinds(rig.fetcher().run()), "once");
  }

  @Test
  void withoutAWayToCompare_aDeletedIdListedAgainAtItsSize_isNeitherFetchedNorDeleted() {
    Rig rig = rig(true);
    rig.mailbox.headersAlone = false;
    rig.mailbox.add("n1", mail("one", "first"));
    rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    String sameSize = mail("two", "first");
    rig.mailbox.add("n1", sameSize);
    rig.events.clear();

    FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    assertEquals(List.of(ALREADY_SEEN), kinds(r), r::summary);
    assertEquals(Set.of("n1"), rig.mailbox.uids(), "not deleted: it may be new mail");
    assertFalse(
        rig.events.stream().anyMatch(e -> e.startsWith("dele") || e.startsWith("retr")),
        rig.events::toString);
    FetchException w = warningAbout(r, "message 1 (uid n1)");
    assertTrue(w.detail().contains("cannot send a message's header section alone"), w.detail());
    assertTrue(w.detail().contains("neither fetched nor deleted"), w.detail());
  }

  @Test
  void aReusedIdsNewMessage_thatFails_isCheckedAgainNextRun_notTakenForTheOldOne() {
    Rig rig = rig(true);
    rig.mailbox.add("n1", mail("one", "first"));
    rig.fetcher().run();
    String fresh = mail("two", "the new one, cut off the first time");
    rig.mailbox.clear().add("n1", fresh);
    rig.faults.dropAfterBytes.put("n1", 20L);
    assertEquals(List.of(MessageOutcome.Kind.FAILED), kinds(rig.fetcher().run()));
    rig.faults.dropAfterBytes.clear();

    FetchResult r = rig.fetcher().run();
    assertEquals(List.of(DELIVERED), kinds(r), r::summary);
    assertTrue(sinkContents(rig).contains(fresh));
  }
}
