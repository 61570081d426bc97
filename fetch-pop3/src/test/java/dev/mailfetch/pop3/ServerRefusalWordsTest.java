package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.FakePop3Server.After;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the server said when it refused something that does not break the session (a DELE, the end
 * of the session): {@link FetchSession#lastRefusal()}, which the engine quotes in its warnings of
 * deletions that were not confirmed.
 */
@Timeout(60)
class ServerRefusalWordsTest {
  private static List<MessageRef> listing(FetchSession session) throws Exception {
    List<MessageRef> refs = new ArrayList<>();
    session.list(
        new ListingHandler() {
          @Override
          public void count(int messages, long octets) {}

          @Override
          public void message(MessageRef ref) {
            refs.add(ref);
          }
        });
    return refs;
  }

  @Test
  void aRefusedDele_isQuotedInTheServersOwnWords() throws Exception {
    try (FakePop3Server s =
            Pop3SourceTest.server(MailCorpus.generate(61, 2).toMailbox())
                .respond("DELE", "-ERR [SYS/TEMP] cannot delete now\r\n", After.CONTINUE)
                .start();
        FetchSession session = Pop3SourceTest.client(s, Security.NONE).build().open()) {
      assertEquals(Optional.empty(), session.lastRefusal(), "nothing refused yet");
      Set<MessageRef> accepted = session.delete(listing(session));
      assertTrue(accepted.isEmpty(), accepted::toString);
      assertEquals(Optional.of("-ERR [SYS/TEMP] cannot delete now"), session.lastRefusal());
    }
  }

  @Test
  void Q35_QUIT_ERR_theRefusedEndOfTheSession_isQuotedInTheServersOwnWords() throws Exception {
    try (FakePop3Server s =
            Pop3SourceTest.server(MailCorpus.generate(62, 1).toMailbox())
                .quirk(Quirk.Q35_QUIT_ERR)
                .start();
        FetchSession session = Pop3SourceTest.client(s, Security.NONE).build().open()) {
      assertEquals(1, session.delete(listing(session)).size());
      assertEquals(Optional.empty(), session.lastRefusal(), "DELE was accepted");
      assertFalse(session.quit());
      assertEquals(Optional.of("-ERR Error locking your mailbox"), session.lastRefusal());
    }
  }

  @Test
  void aQuitWithoutAReply_hasNoWordsToQuote() throws Exception {
    try (FakePop3Server s =
            Pop3SourceTest.server(MailCorpus.generate(63, 1).toMailbox())
                .quirk(Quirk.Q35_QUIT_NO_REPLY)
                .start();
        FetchSession session = Pop3SourceTest.client(s, Security.NONE).build().open()) {
      session.delete(listing(session));
      assertFalse(session.quit());
      assertEquals(Optional.empty(), session.lastRefusal(), "no words came: nothing to quote");
    }
  }
}
