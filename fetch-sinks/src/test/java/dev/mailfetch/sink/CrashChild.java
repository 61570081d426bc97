package dev.mailfetch.sink;

import dev.mailfetch.api.FetchListener;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.Retention;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The process {@link CrashTest} kills: one real fetch from a POP3 server on loopback into a
 * Maildir, with the durable state, printing a line per engine event so the parent can choose a
 * moment to send SIGKILL. Arguments: port, Maildir, state directory, {@code keep} or {@code
 * delete}. The password comes from the environment, never the command line.
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Path maildir = Path.of(args[1]);
    Path state = Path.of(args[2]);
    Retention retention =
        args[3].equals("delete") ? Retention.DELETE_AFTER_DELIVERY : Retention.KEEP;
    PrintStream out = System.out;
    FetchListener events =
        new FetchListener() {
          private int n;

          private void event(String what) {
            out.println("E " + (++n) + " " + what);
            out.flush();
          }

          @Override
          public void messageStarted(MessageRef ref) {
            event("started " + ref.uid());
          }

          @Override
          public void messageFinished(MessageOutcome outcome) {
            event("finished " + outcome.kind());
          }

          @Override
          public void batchSynced(int messages) {
            event("synced " + messages);
          }

          @Override
          public void deletionsCommitted(int count, boolean confirmed) {
            event("deleted " + count);
          }
        };
    Pop3Source source =
        Pop3Source.builder()
            .host("127.0.0.1")
            .port(port)
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .user("alice")
            .password(() -> System.getenv("CRASH_TEST_PASSWORD"))
            .account(CrashTest.ACCOUNT)
            .build();
    FetchResult r;
    try (MaildirSink sink = MaildirSink.open(maildir);
        JournalUidStore store = JournalUidStore.open(state)) {
      out.println("ready");
      out.flush();
      r =
          Fetcher.builder()
              .source(source)
              .sink(sink)
              .uidStore(store)
              .retention(retention)
              .batchSize(4)
              .listener(events)
              .build()
              .run();
    }
    out.println((r.ok() ? "done " : "failed ") + r.summary().replace('\n', ' '));
    out.flush();
    System.exit(r.ok() ? 0 : 1);
  }
}
