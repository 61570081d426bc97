package dev.mailfetch.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.UidStore;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.smtp.FakeSmtpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the engine: a mail server that ends every session ({@code 421}) is the destination's
 * trouble, not the messages'. With quarantine after 2 runs, three failing runs leave every message
 * on the POP3 server without a strike.
 */
@Timeout(30)
class RelayGoneStrikesNoMessageTest {
  private static final int MESSAGES = 3;

  @TempDir Path tmp;

  @Test
  void smtpServerThatEndsEverySessionStrikesNoMessage() throws Exception {
    try (FakeSmtpServer fake =
        FakeSmtpServer.smtp("PIPELINING").on("RCPT", "421 4.3.2 shutting down").start()) {
      threeFailingRunsStrikeNoMessage(
          run ->
              SmtpSink.builder()
                  .host("127.0.0.1")
                  .port(fake.port())
                  .security(SmtpSecurity.NONE)
                  .recipients("bob@example.org")
                  .journal(tmp.resolve("smtp-journal"))
                  .build());
    }
  }

  @Test
  void lmtpServerThatEndsEverySessionStrikesNoMessage() throws Exception {
    try (FakeSmtpServer fake =
        FakeSmtpServer.lmtp().on("RCPT", "421 4.3.2 shutting down").start()) {
      threeFailingRunsStrikeNoMessage(
          run ->
              LmtpSink.builder()
                  .host("127.0.0.1")
                  .port(fake.port())
                  .recipients("bob@example.org")
                  .journal(tmp.resolve("lmtp-journal"))
                  .build());
    }
  }

  private void threeFailingRunsStrikeNoMessage(Function<Integer, MessageSink> sinks)
      throws Exception {
    FakeMailbox box = FakeMailbox.create();
    for (int i = 1; i <= MESSAGES; i++) {
      box.add(
          "uid-" + i,
          ("From: a@example.org\r\nSubject: gone " + i + "\r\n\r\nbody " + i + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
    }
    UidStore store = InMemoryUidStore.create();
    try (FakePop3Server pop3 = FakePop3Server.builder().account("pop", "pw", box).start()) {
      for (int run = 0; run < 3; run++) {
        MessageSink sink = sinks.apply(run);
        FetchResult r;
        try {
          r =
              Fetcher.builder()
                  .source(
                      Pop3Source.builder()
                          .host("127.0.0.1")
                          .port(pop3.port())
                          .security(Security.NONE)
                          .allowPlaintextAuthentication(true)
                          .user("pop")
                          .password(() -> "pw")
                          .account("pop@gone-test")
                          .build())
                  .sink(sink)
                  .uidStore(store)
                  .retention(Retention.DELETE_AFTER_DELIVERY)
                  .quarantineAfter(2)
                  .build()
                  .run();
        } finally {
          sink.close();
        }
        assertFalse(r.ok(), r.summary());
        assertEquals(FetchError.SINK_FAILED, r.firstError().orElseThrow().error(), r.summary());
        assertEquals(0, r.count(MessageOutcome.Kind.SKIPPED), "none quarantined: " + r.summary());
        assertEquals(MESSAGES, pop3.mailbox("pop").messages().size(), "all stay on POP3");
      }
      for (int i = 1; i <= MESSAGES; i++) {
        UidRecord rec = store.get("uid-" + i).orElse(null);
        assertTrue(
            rec == null || rec.failures() == 0,
            "message " + i + " got a strike for the destination's failure: " + rec);
      }
    }
  }
}
