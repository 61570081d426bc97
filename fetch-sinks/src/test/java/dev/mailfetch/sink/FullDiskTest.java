package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchListener;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real full disk: a 64 KiB tmpfs holds the Maildir (and, in one variant, the state beside it, as
 * the command keeps it), a fake POP3 server holds 20 messages of 6 kB, and mailfetch fetches them
 * in delete mode. The run stops at the first failure with one error that names the full disk,
 * instead of downloading the 12 messages that cannot fit to fail each one; nothing that is not
 * stored is deleted, nothing counts against a message; once the disk has room, the next run stores
 * the rest, each message once. Mounting needs root (or CAP_SYS_ADMIN); where it cannot, the test is
 * skipped and says why.
 */
@Timeout(60)
class FullDiskTest {
  private static final String ACCOUNT = "alice@full-disk";
  private static final String PASSWORD = "full disk";
  private static final int MESSAGES = 20;
  @TempDir Path tmp;
  private Path disk;

  @AfterEach
  void unmount() throws Exception {
    if (disk != null) {
      run("umount", disk.toString());
    }
  }

  @ParameterizedTest(name = "state on the full disk too: {0}")
  @ValueSource(booleans = {false, true})
  void aFullDisk_stopsTheRunAtTheFirstFailure_withOneError_nothingLost(boolean stateOnTheDisk)
      throws Exception {
    disk = mountTmpfs(tmp.resolve("disk"), "64k");
    FakeMailbox mailbox = FakeMailbox.create();
    Map<String, byte[]> sent = new LinkedHashMap<>();
    for (int i = 1; i <= MESSAGES; i++) {
      byte[] m = message(i);
      mailbox.add("u" + i, m);
      sent.put("u" + i, m);
    }
    Path maildir = disk.resolve("Maildir");
    Path state = stateOnTheDisk ? maildir.resolve("mailfetch-state") : tmp.resolve("state");
    try (FakePop3Server server =
        FakePop3Server.builder().account("alice", PASSWORD, mailbox).start()) {
      Pop3Source source =
          Pop3Source.builder()
              .host("localhost")
              .port(server.port())
              .security(Security.NONE)
              .allowPlaintextAuthentication(true)
              .user("alice")
              .password(() -> PASSWORD)
              .account(ACCOUNT)
              .build();
      AtomicInteger started = new AtomicInteger();
      FetchResult full = fetch(source, maildir, state, started);

      FetchException e =
          full.error()
              .orElseThrow(() -> new AssertionError("no error on a full disk: " + full.summary()));
      assertTrue(
          e.error() == FetchError.SINK_FAILED
              || (stateOnTheDisk && e.error() == FetchError.STATE_FAILED),
          e::getMessage);
      assertTrue(e.getMessage().contains("No space left on device"), e::getMessage);
      assertEquals(
          1, e.getMessage().split("_FAILED", -1).length - 1, () -> "one code: " + e.getMessage());
      int stored = full.count(MessageOutcome.Kind.DELIVERED);
      assertTrue(stored < MESSAGES, full::summary);
      long attempted =
          full.outcomes().stream()
              .filter(o -> o.kind() == MessageOutcome.Kind.FAILED && o.attempted())
              .count();
      assertTrue(
          attempted <= 1, () -> attempted + " messages failed one by one: " + full.summary());
      assertTrue(
          started.get() <= stored + 1,
          () -> started.get() + " messages handed to the sink for " + stored + " stored");
      server.awaitSessionsEnded(Duration.ofSeconds(10));
      assertTrue(mailbox.size() >= MESSAGES - stored, "nothing not stored is deleted");
      if (e.error() == FetchError.SINK_FAILED) {
        assertTrue(e.detail().contains("the disk is full, so the run stopped"), e::detail);
        assertTrue(
            e.remedy().commandLine().startsWith("Free some space"), e.remedy().commandLine());
      }

      run("mount", "-o", "remount,size=4m", disk.toString()); // room made
      FetchResult next = fetch(source, maildir, state, new AtomicInteger());
      assertTrue(next.ok(), next::summary);
      server.awaitSessionsEnded(Duration.ofSeconds(10));
      assertEquals(0, mailbox.size(), "all stored, all deleted");
      try (JournalUidStore s = JournalUidStore.open(state)) {
        for (String uid : sent.keySet()) {
          UidRecord rec = s.get(uid).orElseThrow();
          assertEquals(0, rec.failures(), uid + ": a full disk does not count against a message");
        }
      }
    }
    List<String> files = new ArrayList<>();
    for (String uid : sent.keySet()) {
      Path f = MaildirSinkContractTest.MaildirFiles.find(maildir, DeliveryKey.of(ACCOUNT, uid));
      assertArrayEquals(MailCorpus.toLf(sent.get(uid)), Files.readAllBytes(f), uid);
      files.add(f.getFileName().toString());
    }
    try (var inNew = Files.list(maildir.resolve("new"))) {
      assertEquals(MESSAGES, inNew.count(), "each message once: " + files);
    }
  }

  private static FetchResult fetch(
      Pop3Source source, Path maildir, Path state, AtomicInteger started) throws IOException {
    try (MaildirSink sink = MaildirSink.open(maildir);
        JournalUidStore store = JournalUidStore.open(state)) {
      return Fetcher.builder()
          .source(source)
          .sink(sink)
          .uidStore(store)
          .retention(Retention.DELETE_AFTER_DELIVERY)
          .batchSize(50)
          .listener(
              new FetchListener() {
                @Override
                public void messageStarted(MessageRef ref) {
                  started.incrementAndGet();
                }
              })
          .build()
          .run();
    }
  }

  private static byte[] message(int i) {
    StringBuilder b =
        new StringBuilder(
            "From: a@example.com\r\nTo: b@example.com\r\nSubject: message "
                + i
                + "\r\nMessage-ID: <"
                + i
                + "@full-disk>\r\n\r\n");
    while (b.length() < 6000) {
      b.append("Line ").append(b.length()).append(" of message ").append(i).append(".\r\n");
    }
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Mounts a tmpfs of {@code size} at {@code at}, or skips the test saying why it cannot. */
  private static Path mountTmpfs(Path at, String size) throws Exception {
    Files.createDirectories(at);
    String why =
        run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", at.toString());
    Assumptions.assumeTrue(
        why == null,
        () ->
            "a full disk needs a small tmpfs, and mounting one failed (it needs"
                + " root or CAP_SYS_ADMIN): "
                + why);
    return at;
  }

  /** Runs a command; null when it succeeded, else what it said. */
  private static String run(String... command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return command[0] + " cannot be run: " + e.getMessage();
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return command[0] + " did not finish";
    }
    return p.exitValue() == 0
        ? null
        : String.join(" ", command) + " exited " + p.exitValue() + ": " + out;
  }
}
