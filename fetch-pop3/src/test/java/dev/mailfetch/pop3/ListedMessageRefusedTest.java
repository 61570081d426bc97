package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.FakePop3Server.After;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A message the server itself listed, then refused with {@code -ERR} (quirk Q34, Dovecot's
 * concurrent expunge): RFC 1939 §4 has the server keep every listed message for the session, so
 * without a response code that says otherwise it is {@code PROTOCOL}, as docs/errors.md files it;
 * that message fails, the others arrive, and it is tried again next run.
 */
@Timeout(60)
class ListedMessageRefusedTest {
  @Test
  void Q34_aListedMessageRefused_isProtocol_namingTheMessage_andTheOthersArrive() {
    try (FakePop3Server s =
        Pop3SourceTest.server(MailCorpus.generate(34, 3).toMailbox())
            .quirk(Quirk.Q34_RETR_ERR_LISTED)
            .start()) {
      InMemorySink sink = InMemorySink.create();
      FetchResult r =
          Pop3SourceTest.fetch(
              Pop3SourceTest.client(s, Security.NONE).build(),
              sink,
              InMemoryUidStore.create(),
              Retention.DELETE_AFTER_DELIVERY);
      assertEquals(2, r.count(MessageOutcome.Kind.DELIVERED), r::summary);
      MessageOutcome refused = r.outcomes().get(1);
      assertEquals(MessageOutcome.Kind.FAILED, refused.kind());
      FetchException e = refused.error();
      assertEquals(FetchError.PROTOCOL, e.error(), e.getMessage());
      assertTrue(e.detail().contains("message 2") && e.detail().contains("listed"), e.detail());
      assertTrue(e.detail().contains("Message 2 expunged."), "the server's words: " + e.detail());
      assertFalse(
          e.remedy().commandLine().contains("--quirk"), "no setting tolerates it: " + e.remedy());
      assertTrue(e.remedy().commandLine().contains("next run"), e.remedy().commandLine());
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(1, s.mailbox("alice").size(), "only the refused message stays");
    }
  }

  @Test
  void aListedMessageRefusedWithSysTemp_isTheServersTemporaryProblem() {
    try (FakePop3Server s =
        Pop3SourceTest.server(MailCorpus.generate(35, 1).toMailbox())
            .respond("RETR", "-ERR [SYS/TEMP] storage unavailable\r\n", After.CONTINUE)
            .start()) {
      FetchResult r =
          Pop3SourceTest.fetch(
              Pop3SourceTest.client(s, Security.NONE).build(),
              InMemorySink.create(),
              InMemoryUidStore.create(),
              Retention.KEEP);
      assertEquals(FetchError.SERVER_TEMPORARY, r.outcomes().get(0).error().error(), r::summary);
    }
  }
}
