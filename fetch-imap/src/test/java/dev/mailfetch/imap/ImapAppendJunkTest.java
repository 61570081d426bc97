package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message its source filed as junk ({@link LabelDecision#JUNK}) goes into the server's junk
 * folder, found by its special use ({@code \Junk}, RFC 6154), and on Gmail's IMAP into Spam.
 */
@Timeout(30)
class ImapAppendJunkTest {
  @TempDir Path tmp;

  private static ImapAppendSink sink(FakeImapServer server, String user, String password) {
    return ImapAppendSink.builder()
        .host("127.0.0.1")
        .port(server.port())
        .security(ImapSecurity.NONE)
        .allowPlaintextAuthentication(true)
        .user(user)
        .password(() -> password)
        .limits(ImapAppendFaultTest.SHORT)
        .build();
  }

  private static String subject(ImapMessage m) {
    String text = new String(m.content(), StandardCharsets.US_ASCII);
    int at = text.indexOf("Subject: ");
    return text.substring(at + 9, text.indexOf("\r\n", at));
  }

  @Test
  void junkGoesToTheFolderWhoseSpecialUseIsJunk_whateverItsName() throws Exception {
    try (FakeImapServer server =
            FakeImapServer.builder()
                .account("alice", "pw")
                .specialUse("alice", "Spam", "\\Junk")
                .start();
        ImapAppendSink sink = sink(server, "alice", "pw")) {
      ImapAppendSinkGreenMailTest.deliver(sink, 1, Set.of(LabelDecision.JUNK), true);
      ImapAppendSinkGreenMailTest.deliver(sink, 2, Set.of(), false);
      sink.sync();
      List<String> folders = server.folders("alice");
      assertFalse(folders.contains("Junk"), "no folder made: " + folders);
      assertFalse(folders.contains("\\Junk"), "never a folder named \\Junk: " + folders);
      List<ImapMessage> junk = server.messages("alice", "Spam");
      assertEquals(1, junk.size(), "folders: " + folders);
      assertEquals("message 1", subject(junk.get(0)));
      assertEquals(1, server.messages("alice", "INBOX").size());
    }
  }

  @Test
  void onGmailsImap_junkGoesToSpam_withItsOtherLabels_notTheInbox() throws Exception {
    try (FakeImapServer gmail =
            FakeImapServer.builder().gmail().account("me@gmail.com", "app-pw").start();
        ImapAppendSink sink = sink(gmail, "me@gmail.com", "app-pw")) {
      ImapAppendSinkGreenMailTest.deliver(sink, 1, Set.of(LabelDecision.JUNK, "Newsletters"), true);
      sink.sync();
      List<ImapMessage> spam = gmail.messages("me@gmail.com", "[Gmail]/Spam");
      assertEquals(1, spam.size());
      assertEquals(Set.of("\\Spam", "Newsletters"), spam.get(0).labels());
      assertTrue(gmail.messages("me@gmail.com", "INBOX").isEmpty());
      assertFalse(gmail.folders("me@gmail.com").contains("\\Junk"));
    }
  }
}
