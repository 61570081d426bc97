package dev.mailfetch.api;

import static dev.mailfetch.api.MessageOutcome.Kind.DELIVERED;
import static dev.mailfetch.api.MessageOutcome.Kind.FAILED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A sink whose place fails (a full disk, no permission, a directory that vanished) fails every
 * message alike: the run stops at the first such failure, with one error that says what is wrong
 * with the place and what to do, instead of downloading every remaining message to fail each one.
 * Nothing is lost, nothing is deleted that is not stored, and nothing counts against the messages.
 * A failure that is the message's own (the destination rejects that message) leaves the others
 * flowing, as before.
 */
class SinkPlaceTest {

  private static long attempted(FetchResult r) {
    return r.outcomes().stream().filter(o -> o.kind() == FAILED && o.attempted()).count();
  }

  @Test
  void aFullDisk_stopsTheRunAtTheFirstFailure_withOneError_andTheNextRunFetchesTheRest() {
    Rig rig = new Rig().withMessages(20);
    rig.faults.diskSpace = 7L * Rig.message(10).length() + 20;
    int[] started = {0};
    FetchResult r =
        rig.fetcher(
                b ->
                    b.retention(Retention.DELETE_AFTER_DELIVERY)
                        .batchSize(5)
                        .listener(
                            new FetchListener() {
                              @Override
                              public void messageStarted(MessageRef ref) {
                                started[0]++;
                              }
                            }))
            .run();

    FetchException e = r.error().orElseThrow();
    assertEquals(FetchError.SINK_FAILED, e.error());
    assertTrue(e.detail().contains("No space left on device"), e.detail());
    assertTrue(e.detail().contains("the disk is full, so the run stopped"), e.detail());
    assertTrue(
        e.remedy().commandLine().startsWith("Free some space on the disk"),
        e.remedy().commandLine());
    assertEquals(7, r.count(DELIVERED), r::summary);
    assertEquals(1, attempted(r), "one message met the full disk; no other was downloaded to fail");
    assertEquals(8, started[0], "the source handed over nothing after the failure");
    MessageOutcome hit = r.outcomes().get(7);
    assertSame(e, hit.error(), "one error, said once: the message's is the run's");
    assertEquals(FetchResult.Status.ERROR, r.status());
    assertTrue(
        rig.mailbox.uids().containsAll(Set.of("m8", "m9", "m20")), "nothing not stored is deleted");
    for (int i = 1; i <= 20; i++) {
      assertEquals(
          0,
          rig.store.inner.get("m" + i).map(UidRecord::failures).orElse(0),
          "counted against m" + i);
    }

    rig.faults.diskSpace = -1; // space freed
    FetchResult next =
        rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY).batchSize(5)).run();
    assertTrue(next.ok(), next::summary);
    assertEquals(20, rig.sinkByUid().size(), "each message once");
    assertEquals(Set.of(), rig.mailbox.uids());
  }

  static Stream<Arguments> placesThatFail() {
    return Stream.of(
        Arguments.of(
            new AccessDeniedException("/home/a/Mail/tmp/1.P2Q3.mailfetch"),
            "permission denied",
            "Give the user mailfetch runs as"),
        Arguments.of(
            new NoSuchFileException("/home/a/Mail/tmp/1.P2Q3.mailfetch"),
            "does not exist",
            "Restore the place"),
        Arguments.of(
            new FileSystemException(
                "/mnt/usb/Mail/tmp/1.P2Q3.mailfetch", null, "Read-only file system"),
            "Read-only file system",
            "Make the file system writable"),
        Arguments.of(
            new IOException(
                "cannot create /m/tmp/x: Disk quota exceeded",
                new FileSystemException("/m/tmp/x", null, "Disk quota exceeded")),
            "Disk quota exceeded",
            "Free some space"),
        Arguments.of(
            new IOException(
                "cannot append to imap.example.com", new ConnectException("Connection refused")),
            "cannot append",
            "Check that the place where mail is stored is reachable"),
        Arguments.of(
            new IOException("Gmail gave no answer", new SocketTimeoutException("Read timed out")),
            "does not answer",
            "Check that the place where mail is stored is reachable"));
  }

  @ParameterizedTest
  @MethodSource("placesThatFail")
  void aPlaceThatCannotTakeMail_stopsTheRunAtTheFirstMessage_inWordsThatFit(
      IOException failure, String reason, String remedy) {
    Rig rig = new Rig().withMessages(6);
    rig.faults.placeBroken = failure;
    FetchResult r = rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
    FetchException e = r.error().orElseThrow();
    assertEquals(FetchError.SINK_FAILED, e.error());
    assertTrue(e.detail().contains(reason), e.detail());
    assertTrue(e.remedy().commandLine().startsWith(remedy), e.remedy().commandLine());
    assertTrue(e.remedy().commandLine().contains("nothing was lost"), e.remedy().commandLine());
    assertEquals(1, attempted(r), r::summary);
    assertEquals(6, rig.mailbox.uids().size());
    assertEquals(
        List.of("retr m1"), rig.mailbox.events.stream().filter(s -> s.startsWith("retr")).toList());
  }

  @Test
  void aMessageTheDestinationRejects_failsAlone_andTheOthersGoIn() {
    Rig rig = new Rig().withMessages(4);
    rig.faults.sinkWriteFails.add("m2");
    FetchResult r = rig.fetcher().run();
    assertTrue(r.error().isEmpty(), r::summary);
    assertEquals(3, r.count(DELIVERED));
    assertEquals(FAILED, r.outcomes().get(1).kind());
    assertFalse(r.outcomes().get(1).error().detail().contains("stopped"));
  }
}
