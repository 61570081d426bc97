package dev.mailfetch.imap;

import dev.mailfetch.api.Retention;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.sink.MaildirSink;
import dev.mailfetch.testkit.SigkillChild;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The process {@link ImapSourceCrashTest} kills: fetches from a Dovecot IMAP INBOX on loopback
 * through an {@link ImapSource} into a {@link MaildirSink}, keeping or deleting, one session of at
 * most {@code perSession} messages after another until nothing is left to do (as a poll would),
 * printing a line per engine event. Arguments: IMAP port, the Maildir, the UID store's directory,
 * messages per session, {@code keep} or {@code delete}. The password comes from the environment.
 */
public final class ImapSourceCrashChild {
  private ImapSourceCrashChild() {}

  public static void main(String[] args) throws Exception {
    // The test resources turn the protocol trace on; through the parent's pipe it would slow the
    // child down and push the engine events out of the last lines a failure shows.
    System.setProperty("org.slf4j.simpleLogger.log.dev.mailfetch.imap.trace", "warn");
    int imapPort = Integer.parseInt(args[0]);
    Path maildir = Path.of(args[1]);
    Path state = Path.of(args[2]);
    int perSession = Integer.parseInt(args[3]);
    Retention retention = args[4].equals("keep") ? Retention.KEEP : Retention.DELETE_AFTER_DELIVERY;
    PrintStream out = System.out;
    ImapSource source =
        ImapSource.builder()
            .host("127.0.0.1")
            .port(imapPort)
            .security(ImapSecurity.NONE)
            .allowPlaintextAuthentication(true)
            .user("alice")
            .password(() -> System.getenv("CRASH_TEST_IMAP_PASSWORD"))
            .account(ImapSourceCrashTest.ACCOUNT)
            .build();
    int sessions;
    try (MaildirSink sink = MaildirSink.open(maildir);
        JournalUidStore store = JournalUidStore.open(state)) {
      sessions = SigkillChild.fetchUntilDone(source, sink, store, retention, perSession, out);
    }
    out.println("done after " + sessions + " sessions");
    out.flush();
    System.exit(0);
  }
}
