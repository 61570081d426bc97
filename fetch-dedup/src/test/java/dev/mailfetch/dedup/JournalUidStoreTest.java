package dev.mailfetch.dedup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.UidRecord.State;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class JournalUidStoreTest {
  private static final String ACCOUNT = "alice@example.org";
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  @TempDir Path tmp;

  static UidRecord delivered(String uid, Instant seen) {
    return UidRecord.of(uid, State.DELIVERED, seen, DeliveryKey.of(ACCOUNT, uid));
  }

  @Test
  void aPollWithNothingNew_writesNothing() throws IOException {
    Path dir = tmp.resolve("acct");
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      for (int i = 0; i < 100; i++) {
        s.put(delivered("m" + i, T0));
      }
      s.retainListed(Set.of(), T0); // all gone: marks written
      s.sync();
    }
    long size = Files.size(dir.resolve("uids.journal"));
    byte[] before = Files.readAllBytes(dir.resolve("uids.journal"));
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      for (int i = 0; i < 100; i++) {
        s.put(s.get("m" + i).orElseThrow()); // what an engine may do: the same records again
      }
      s.retainListed(Set.of(), T0.plusSeconds(60));
      s.sync();
    }
    assertEquals(size, Files.size(dir.resolve("uids.journal")));
    assertArrayEquals(before, Files.readAllBytes(dir.resolve("uids.journal")));
  }

  @Test
  void aJournalCutAtEveryByteOfItsLastWrite_recoversEverySavedRecord_andWritesOnAfterward()
      throws IOException {
    Path dir = tmp.resolve("acct");
    Path journal = dir.resolve("uids.journal");
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      for (int i = 0; i < 20; i++) {
        s.put(delivered("saved-" + i, T0));
      }
      s.sync();
    }
    long saved = Files.size(journal);
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      s.put(delivered("last-1", T0));
      s.put(UidRecord.of("last-2", State.FAILED, T0, null).failedOnce(FetchError.CONNECTION_RESET));
      s.sync();
    }
    byte[] whole = Files.readAllBytes(journal);
    int cuts = 0;
    for (long cut = saved; cut < whole.length; cut++) {
      Path d = tmp.resolve("cut-" + cut);
      Files.createDirectories(d);
      Files.write(d.resolve("uids.journal"), Arrays.copyOf(whole, (int) cut));
      try (JournalUidStore s = JournalUidStore.open(d)) {
        for (int i = 0; i < 20; i++) {
          assertTrue(s.get("saved-" + i).isPresent(), "cut at " + cut + ": saved-" + i);
        }
        s.put(delivered("after-repair", T0));
        s.sync();
      }
      try (JournalUidStore s = JournalUidStore.open(d)) {
        assertTrue(
            s.get("after-repair").isPresent(),
            "cut at " + cut + ": appends after the repair are whole");
        assertTrue(s.get("saved-19").isPresent());
      }
      cuts++;
    }
    assertTrue(cuts > 40, "every byte of the last write was a cut: " + cuts);
  }

  @Test
  void zerosLeftAtTheEndByACrash_areDropped() throws IOException {
    Path dir = tmp.resolve("acct");
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      s.put(delivered("kept", T0));
      s.sync();
    }
    Path journal = dir.resolve("uids.journal");
    long saved = Files.size(journal);
    try (FileChannel c = FileChannel.open(journal, StandardOpenOption.APPEND)) {
      c.write(ByteBuffer.allocate(4096)); // the file grew, its data never came
    }
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      assertTrue(s.get("kept").isPresent());
    }
    assertEquals(saved, Files.size(journal), "cut back to the last whole record");
  }

  @Test
  void damageToSavedData_isAConfigurationError_namingTheFileAndTheWayOut_andChangesNothing()
      throws IOException {
    Path dir = tmp.resolve("acct");
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      s.put(delivered("first", T0));
      s.sync();
      s.put(delivered("second", T0));
      s.sync();
    }
    Path journal = dir.resolve("uids.journal");
    byte[] bytes = Files.readAllBytes(journal);
    bytes[20] ^= 0x40; // inside the first record, which a later commit follows
    Files.write(journal, bytes);
    FetchException e = assertThrows(FetchException.class, () -> JournalUidStore.open(dir));
    assertEquals(FetchError.STATE_DAMAGED, e.error());
    assertTrue(e.getMessage().contains(journal.toString()), e.getMessage());
    assertTrue(
        e.remedy()
            .commandLine()
            .contains("Restore " + journal + " from a backup; or move it aside"),
        e.remedy().commandLine());
    assertTrue(!e.detail().contains("move it aside"), "said once, as the remedy: " + e.detail());
    assertArrayEquals(bytes, Files.readAllBytes(journal), "never replaced, never cut");
    JournalUidStore.open(tmp.resolve("other")).close(); // and its lease was released
  }

  @Test
  void aFileThatIsNotAStateFile_isReportedAsDamagedState() throws IOException {
    Path dir = tmp.resolve("acct");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("uids.journal"), "uid1 delivered\nuid2 delivered\n");
    FetchException e = assertThrows(FetchException.class, () -> JournalUidStore.open(dir));
    assertEquals(FetchError.STATE_DAMAGED, e.error());
    assertTrue(e.getMessage().contains("does not start as a mailfetch state file"), e.getMessage());
  }

  @Test
  void aSecondOpener_inThisProcess_getsLocked_namingTheOwner_untilTheFirstCloses()
      throws IOException {
    Path dir = tmp.resolve("acct");
    JournalUidStore first = JournalUidStore.open(dir);
    FetchException e = assertThrows(FetchException.class, () -> JournalUidStore.open(dir));
    assertEquals(FetchError.LOCKED, e.error());
    assertTrue(
        e.detail()
            .contains(
                "is already open in this process (pid " + ProcessHandle.current().pid() + ")"),
        e.detail());
    assertTrue(
        e.remedy().library().startsWith("Close the other JournalUidStore of " + dir),
        e.remedy().library());
    assertTrue(
        e.remedy().commandLine().contains("a state directory of its own"),
        e.remedy().commandLine());
    first.close();
    JournalUidStore.open(dir).close();
  }

  @Test
  void aSecondOpener_inAnotherProcess_getsLocked_andTheLeaseGoesWithAKilledOwner()
      throws Exception {
    Path dir = tmp.resolve("acct");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LeaseHolder.class.getName(),
                dir.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("held", out.readLine(), "the child took the lease");
      FetchException e = assertThrows(FetchException.class, () -> JournalUidStore.open(dir));
      assertEquals(FetchError.LOCKED, e.error());
      assertTrue(
          e.detail()
              .startsWith(
                  "the account whose state is in "
                      + dir
                      + " is held by another mailfetch:"
                      + " process "
                      + child.pid()
                      + " on "),
          e.detail());
      assertTrue(e.detail().contains(", since 20"), "since when: " + e.detail());
      assertTrue(
          e.detail()
              .contains("a poll holds its accounts as long as it runs, a fetch until it ends"),
          e.detail());
      String advice = e.remedy().commandLine();
      assertTrue(
          advice.startsWith("Wait for that mailfetch to end, or stop it (process " + child.pid()),
          advice);
      assertFalse(
          advice.contains("POP3") || advice.contains("other programs"),
          "not about mail programs: " + advice);
      assertTrue(e.remedy().library().contains("process " + child.pid()), e.remedy().library());
    } finally {
      child.destroyForcibly(); // SIGKILL: no chance to release anything
      assertTrue(child.waitFor(20, TimeUnit.SECONDS));
    }
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      assertTrue(s.get("held-by-child").isPresent(), "what the child synced is there");
    }
  }

  @Test
  void anOwnerWithoutASignOfLife_isReportedAsPerhapsHung_butALiveLockIsNeverTaken()
      throws IOException {
    Path dir = tmp.resolve("acct");
    JournalUidStore first = JournalUidStore.open(dir);
    try {
      Files.writeString(
          dir.resolve("lease"),
          "pid=4242 host=elsewhere since=2026-01-01T00:00:00Z alive=2026-01-01T00:05:00Z\n");
      FetchException e = assertThrows(FetchException.class, () -> JournalUidStore.open(dir));
      assertEquals(FetchError.LOCKED, e.error());
      assertTrue(
          e.getMessage().contains("process 4242 on elsewhere, since 2026-01-01T00:00:00Z"),
          e.getMessage());
      assertTrue(
          e.getMessage().contains("no sign of life since 2026-01-01T00:05:00Z"), e.getMessage());
    } finally {
      first.close();
    }
    JournalUidStore.open(dir).close(); // released with its owner
    assertEquals("", Files.readString(dir.resolve("lease")), "no owner once released");
  }

  /** Takes the lease, records one UID, says so, and waits to be killed. */
  public static final class LeaseHolder {
    public static void main(String[] args) throws Exception {
      JournalUidStore s = JournalUidStore.open(Path.of(args[0]));
      s.put(delivered("held-by-child", T0));
      s.sync();
      System.out.println("held");
      System.out.flush();
      Thread.sleep(120_000);
    }
  }

  @Test
  void aJournalOfMostlyOldRecords_isCompacted_andReadsTheSameAfterward() throws IOException {
    Path dir = tmp.resolve("acct");
    Path journal = dir.resolve("uids.journal");
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      for (int round = 0; round < 30; round++) {
        for (int i = 0; i < 1000; i++) {
          s.put(
              UidRecord.of("m" + i, State.FAILED, T0, null)
                  .failedOnce(FetchError.values()[round % 5]));
        }
        s.sync();
      }
      assertTrue(Files.size(journal) < 200_000, "compacted as it went: " + Files.size(journal));
      s.recordFirstRun(T0);
      s.compact();
    }
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      for (int i = 0; i < 1000; i++) {
        assertEquals(FetchError.values()[29 % 5], s.get("m" + i).orElseThrow().lastError());
      }
      assertEquals(Optional.of(T0), s.firstRun());
    }
    assertTrue(Files.notExists(dir.resolve("uids.journal.new")));
  }

  @Test
  void anAccountName_becomesOneSafeDirectory() {
    Path root = Path.of("/state");
    assertEquals(
        root.resolve("alice@example.org"), JournalUidStore.directoryFor(root, "alice@example.org"));
    assertEquals(
        root.resolve("%2E."),
        JournalUidStore.directoryFor(root, "..").normalize(),
        "never . or ..");
    assertEquals(root.resolve("a%2Fb%3Ac"), JournalUidStore.directoryFor(root, "a/b:c"));
    assertEquals(root.resolve("%C3%BC"), JournalUidStore.directoryFor(root, "ü"));
    assertEquals(root.resolve("%"), JournalUidStore.directoryFor(root, ""));
  }

  // ---------------------------------------------------------------- versions of the record

  /** Copies the state directory that mailfetch before record version 2 wrote (see its Gen.java). */
  private Path version1State() throws IOException {
    Path dir = tmp.resolve("v1");
    Files.createDirectories(dir);
    for (String f : List.of("uids.journal", "headers.journal")) {
      try (InputStream in = JournalUidStoreTest.class.getResourceAsStream("/state-v1/" + f)) {
        Files.copy(in, dir.resolve(f));
      }
    }
    return dir;
  }

  @Test
  void aStateFileWrittenByVersion1_stillOpens_withEveryRecordAsItWas_andTakesNewRecords()
      throws IOException {
    Path dir = version1State();
    Instant t = Instant.parse("2026-11-01T10:00:00Z");
    String acct = "alice@v1";
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      assertEquals(Optional.of(t), s.firstRun());
      assertEquals(Optional.empty(), s.mailboxMark(), "a file before mailbox marks has none");
      assertEquals(
          Optional.of(UidRecord.of("d1", State.DELIVERED, t, DeliveryKey.of(acct, "d1"))),
          s.get("d1"));
      assertEquals(
          UidRecord.UNKNOWN_SIZE, s.get("d1").orElseThrow().size(), "version 1 kept no size");
      assertEquals(Optional.of(UidRecord.of("b1", State.BASELINE, t, null)), s.get("b1"));
      assertEquals(Optional.of(UidRecord.of("u1", State.DUPLICATE, t, null)), s.get("u1"));
      assertEquals(
          Optional.of(
              UidRecord.of("x1", State.DELIVERED, t.plusSeconds(60), DeliveryKey.of(acct, "x1"))
                  .deleted()),
          s.get("x1"));
      UidRecord f1 = s.get("f1").orElseThrow();
      assertEquals(
          List.of(State.FAILED, 2, FetchError.READ_ERROR),
          List.of(f1.state(), f1.failures(), f1.lastError()));
      assertEquals(null, f1.lastErrorDetail(), "version 1 kept no words");
      assertTrue(s.get("gone").isPresent());
      assertEquals(
          Set.of("gone"),
          s.retainListed(Set.of("d1", "b1", "u1", "x1", "f1", "g1"), t.plusSeconds(7200)),
          "the gone mark was read");
      assertEquals(1, s.fingerprints(Set.of("d1", "b1")).size(), "the fingerprints too");
      s.put(
          UidRecord.of("new", State.FAILED, t, null)
              .withSize(1234)
              .failedOnce(new FetchException(FetchError.CONNECTION_RESET, "cut off in message 7")));
      s.sync();
    }
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      assertEquals(
          State.DELIVERED, s.get("d1").orElseThrow().state(), "old and new records side by side");
      UidRecord n = s.get("new").orElseThrow();
      assertEquals(1234, n.size());
      assertEquals("cut off in message 7", n.lastErrorDetail());
      s.compact(); // rewrites every record in the new version
    }
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      assertEquals(Optional.of(UidRecord.of("u1", State.DUPLICATE, t, null)), s.get("u1"));
      assertEquals("cut off in message 7", s.get("new").orElseThrow().lastErrorDetail());
    }
  }

  @Test
  void theListedSize_andTheLastErrorsWords_surviveAReopen_andACompaction() throws IOException {
    Path dir = tmp.resolve("acct");
    String hostile = "RETR failed \"\r\n2026 INFO fake line\u001b[2J " + "x".repeat(400);
    UidRecord failed =
        UidRecord.of("f", State.FAILED, T0, null)
            .withSize(5_000_000_000L)
            .failedOnce(new FetchException(FetchError.PROTOCOL, hostile, "-ERR \u00e9\r\n", null));
    UidRecord big = delivered("d", T0).withSize(0xFFFF_FFFEL);
    try (JournalUidStore s = JournalUidStore.open(dir)) {
      s.put(failed);
      s.put(big);
      s.put(delivered("none", T0).withSize(0));
      s.put(
          UidRecord.of("words", State.FAILED, T0, null)
              .failedOnce(
                  new FetchException(
                      FetchError.PROTOCOL,
                      "the server refused message 2 (RFC 1939 §4) — Grüße \ud83d\udce7")));
      s.sync();
    }
    for (int round = 0; round < 2; round++) {
      try (JournalUidStore s = JournalUidStore.open(dir)) {
        UidRecord f = s.get("f").orElseThrow();
        assertEquals(failed, f);
        assertEquals(5_000_000_000L, f.size());
        assertEquals(UidRecord.MAX_DETAIL_CHARS, f.lastErrorDetail().length(), "bounded");
        assertTrue(
            f.lastErrorDetail()
                .startsWith("RETR failed \"\\x0D\\x0A2026 INFO fake line\\x1B[2J xx"),
            f.lastErrorDetail());
        assertTrue(f.lastErrorDetail().endsWith("..."), f.lastErrorDetail());
        assertEquals(0xFFFF_FFFEL, s.get("d").orElseThrow().size());
        assertEquals(0, s.get("none").orElseThrow().size());
        assertEquals(
            "the server refused message 2 (RFC 1939 §4) — Grüße \ud83d\udce7",
            s.get("words").orElseThrow().lastErrorDetail(),
            "mailfetch's own words, as they were");
        s.put(f); // the same record again: nothing to write
        s.compact();
      }
    }
  }

  @Test
  void theStoreBuilder_refusesASettingTwice_showingTheFirstValue() {
    JournalUidStore.Builder b =
        JournalUidStore.builder(Path.of("unused")).forgetAfter(Duration.ofDays(2));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> b.forgetAfter(Duration.ofDays(3)));
    assertEquals("forgetAfter was already set to PT48H", e.getMessage());
    assertEquals(
        "staleAfter must be at least a minute: PT1S",
        assertThrows(
                IllegalArgumentException.class,
                () -> JournalUidStore.builder(Path.of("unused")).staleAfter(Duration.ofSeconds(1)))
            .getMessage());
  }
}
