package dev.mailfetch.gmail;

import static dev.mailfetch.api.MessageOutcome.Kind.DELIVERED;
import static dev.mailfetch.api.MessageOutcome.Kind.FAILED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.gmail.FaultRule;
import dev.mailfetch.testkit.gmail.GmailFault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One sink shared by two fetchers running at once: each run learns of the messages Gmail refused
 * among its own (a sync reports what was refused since its thread's previous sync; the engine
 * ignores keys it did not complete), and every other message arrives once.
 */
@Timeout(120)
class SharedSinkTest {
  @TempDir Path dir;

  private static FakeMailbox box(String tag, int n) {
    FakeMailbox b = FakeMailbox.create();
    for (int i = 1; i <= n; i++) {
      b.add(
          "u" + i,
          ("Message-ID: <"
                  + tag
                  + i
                  + "@example.org>\r\nSubject: "
                  + tag
                  + " "
                  + i
                  + "\r\n\r\nbody\r\n")
              .getBytes(StandardCharsets.US_ASCII));
    }
    return b;
  }

  private static FetchResult fetch(FakePop3Server pop3, String user, GmailImportSink sink) {
    Pop3Source src =
        Pop3Source.builder()
            .host("127.0.0.1")
            .port(pop3.port())
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .user(user)
            .password(() -> "pw")
            .build();
    return Fetcher.builder()
        .source(src)
        .sink(sink)
        .uidStore(InMemoryUidStore.create())
        .retention(Retention.DELETE_AFTER_DELIVERY)
        .batchSize(3)
        .build()
        .run();
  }

  @Test
  void twoFetchersSharingASink_eachLearnsOfItsOwnRefusedMessage_andTheOthersArriveOnce()
      throws Exception {
    FakeMailbox a = box("a", 9);
    FakeMailbox b = box("b", 9);
    try (GmailRig rig = new GmailRig(dir, FakeMailbox.create());
        FakePop3Server popA = FakePop3Server.builder().account("anna", "pw", a).start();
        FakePop3Server popB = FakePop3Server.builder().account("bert", "pw", b).start()) {
      rig.gmail.inject(
          FaultRule.of(GmailFault.MESSAGE_REJECTED_400).always().forMessageContaining("<a5@"));
      rig.gmail.inject(
          FaultRule.of(GmailFault.MESSAGE_REJECTED_400).always().forMessageContaining("<b2@"));
      try (GmailImportSink sink = rig.sink().parallelism(4).build()) {
        CompletableFuture<FetchResult> ra =
            CompletableFuture.supplyAsync(() -> fetch(popA, "anna", sink));
        CompletableFuture<FetchResult> rb =
            CompletableFuture.supplyAsync(() -> fetch(popB, "bert", sink));
        for (FetchResult r : new FetchResult[] {ra.get(), rb.get()}) {
          assertEquals(8, r.count(DELIVERED), r::summary);
          assertEquals(1, r.count(FAILED), r::summary);
          MessageOutcome refused =
              r.outcomes().stream().filter(o -> o.kind() == FAILED).findFirst().orElseThrow();
          assertEquals(FetchError.SINK_REJECTED, refused.error().error());
        }
      }
      popA.awaitSessionsEnded(Duration.ofSeconds(10));
      popB.awaitSessionsEnded(Duration.ofSeconds(10));
      assertEquals(Set.of("u5"), a.uids(), "anna's refused message stays on her server");
      assertEquals(Set.of("u2"), b.uids(), "bert's refused message stays on his");
      assertEquals(16, rig.inGmail().size());
      assertTrue(rig.copiesByMessageId().values().stream().allMatch(c -> c == 1), "none twice");
    }
  }
}
