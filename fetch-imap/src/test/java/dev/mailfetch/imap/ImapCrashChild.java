package dev.mailfetch.imap;

import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.SigkillChild;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The process {@link ImapCrashTest} kills: fetches from a POP3 server on loopback into a Dovecot
 * IMAP mailbox through an {@link ImapAppendSink} with its journal, in delete mode, one session of
 * at most {@code perSession} messages after another until the server lists nothing (as a poll
 * would), printing a line per engine event. Arguments: POP3 port, IMAP port, the sink's journal,
 * the UID store's directory, messages per session. Passwords come from the environment.
 */
public final class ImapCrashChild {
  private ImapCrashChild() {}

  public static void main(String[] args) throws Exception {
    int pop3Port = Integer.parseInt(args[0]);
    int imapPort = Integer.parseInt(args[1]);
    Path journal = Path.of(args[2]);
    Path state = Path.of(args[3]);
    int perSession = Integer.parseInt(args[4]);
    PrintStream out = System.out;
    Pop3Source source =
        Pop3Source.builder()
            .host("127.0.0.1")
            .port(pop3Port)
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .user("alice")
            .password(() -> System.getenv("CRASH_TEST_PASSWORD"))
            .account(ImapCrashTest.ACCOUNT)
            .build();
    int sessions = 0;
    try (ImapAppendSink sink =
            ImapAppendSink.builder()
                .host("127.0.0.1")
                .port(imapPort)
                .security(ImapSecurity.NONE)
                .allowPlaintextAuthentication(true)
                .user("alice")
                .password(() -> System.getenv("CRASH_TEST_IMAP_PASSWORD"))
                .folder("INBOX")
                .journal(journal)
                .build();
        JournalUidStore store = JournalUidStore.open(state)) {
      sessions = SigkillChild.fetchUntilEmpty(source, sink, store, perSession, out);
    }
    out.println("done after " + sessions + " sessions");
    out.flush();
    System.exit(0);
  }
}
