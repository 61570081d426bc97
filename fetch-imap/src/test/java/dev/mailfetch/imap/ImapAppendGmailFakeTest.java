package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.LabelPolicy;
import dev.mailfetch.api.Retention;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ImapAppendSink on the fake Gmail IMAP ({@code X-GM-EXT-1}): one copy per message, labels set with
 * {@code X-GM-LABELS}, archived meaning "not in INBOX", end to end from the POP3 server.
 */
@Timeout(30)
class ImapAppendGmailFakeTest {
  @TempDir Path tmp;

  private List<ImapMessage> deliver(boolean archived) throws Exception {
    FakeMailbox box = FakeMailbox.create();
    for (int i = 1; i <= 3; i++) {
      box.add("uid-" + i, ImapAppendFaultTest.message(i));
    }
    try (FakePop3Server pop3 = FakePop3Server.builder().account("pop", "pw", box).start();
        FakeImapServer gmail =
            FakeImapServer.builder().gmail().account("me@gmail.com", "app-pw").start();
        ImapAppendSink sink =
            ImapAppendSink.builder()
                .host("127.0.0.1")
                .port(gmail.port())
                .security(ImapSecurity.NONE)
                .allowPlaintextAuthentication(true)
                .user("me@gmail.com")
                .password(() -> "app-pw")
                .journal(tmp.resolve("journal-" + archived))
                .limits(ImapAppendFaultTest.SHORT)
                .build()) {
      FetchResult r =
          Fetcher.builder()
              .source(
                  Pop3Source.builder()
                      .host("127.0.0.1")
                      .port(pop3.port())
                      .security(Security.NONE)
                      .allowPlaintextAuthentication(true)
                      .user("pop")
                      .password(() -> "pw")
                      .account("pop@gmail-test")
                      .build())
              .sink(sink)
              .uidStore(InMemoryUidStore.create())
              .labelPolicy(LabelPolicy.fixed(Set.of("Lists/Work"), archived))
              .retention(Retention.DELETE_AFTER_DELIVERY)
              .build()
              .run();
      assertTrue(r.ok(), r.summary());
      assertTrue(pop3.mailbox("pop").messages().isEmpty());
      List<ImapMessage> all = gmail.messages("me@gmail.com");
      assertEquals(3, all.size(), "one copy each: " + all);
      assertEquals(
          archived ? 0 : 3, gmail.messages("me@gmail.com", "INBOX").size(), "INBOX is a label");
      assertEquals(3, gmail.messages("me@gmail.com", "Lists/Work").size());
      for (ImapMessage m : all) {
        byte[] sent = ImapAppendFaultTest.message(Integer.parseInt(idOf(m)));
        byte[] got = m.content();
        // The sink prepends its key header and nothing else.
        String text = new String(got, StandardCharsets.US_ASCII);
        assertTrue(text.startsWith(ImapAppendSink.KEY_HEADER + ": "), text);
        assertArrayEquals(sent, Arrays.copyOfRange(got, text.indexOf("\r\n") + 2, got.length));
      }
      return all;
    }
  }

  private static String idOf(ImapMessage m) {
    String text = new String(m.content(), StandardCharsets.US_ASCII);
    int at = text.indexOf("Message-ID: <") + "Message-ID: <".length();
    return text.substring(at, text.indexOf('@', at));
  }

  @Test
  void labelsAreSetOnTheOneCopyWithXGmLabels() throws Exception {
    for (ImapMessage m : deliver(false)) {
      assertEquals(Set.of("\\Inbox", "Lists/Work"), m.labels());
    }
  }

  @Test
  void archivedMeansNotInTheInboxOnGmail() throws Exception {
    for (ImapMessage m : deliver(true)) {
      assertEquals(Set.of("Lists/Work"), m.labels());
    }
  }
}
