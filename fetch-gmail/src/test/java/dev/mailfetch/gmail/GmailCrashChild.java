package dev.mailfetch.gmail;

import dev.mailfetch.api.FetchLimits;
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
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The process {@link GmailCrashTest} kills: fetches from a POP3 server on loopback into the fake
 * Gmail through a {@link GmailImportSink} whose journal is in a real directory, in delete mode, one
 * session of at most {@code perSession} messages after another until the server lists nothing (as a
 * poll would), printing a line per engine event so the parent can choose a moment to send SIGKILL.
 * Arguments: POP3 port, the fake Gmail's base URI, the sink's journal directory, the UID store's
 * directory (a {@code JournalUidStore} as a user's, header fingerprints and all), messages per
 * session, quota units per second, parallel imports. The POP3 password and the access token come
 * from the environment, never the command line.
 */
public final class GmailCrashChild {
  private GmailCrashChild() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    URI gmail = URI.create(args[1]);
    Path journal = Path.of(args[2]);
    Path state = Path.of(args[3]);
    int perSession = Integer.parseInt(args[4]);
    long unitsPerSecond = Long.parseLong(args[5]);
    int parallelism = Integer.parseInt(args[6]);
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
          public void messageReceived(MessageRef ref, long octets) {
            event("received " + ref.uid());
          }

          @Override
          public void messageFinished(MessageOutcome outcome) {
            if (outcome.kind()
                != MessageOutcome.Kind.SKIPPED) { // the messages past this session's cap: no moment
              event("finished " + outcome.kind());
            }
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
            .account(GmailCrashTest.ACCOUNT)
            .build();
    int sessions = 0;
    try (GmailImportSink sink =
            GmailProof.sink(
                gmail,
                journal,
                unitsPerSecond,
                Duration.ofSeconds(1),
                parallelism,
                () -> System.getenv("CRASH_TEST_TOKEN"));
        JournalUidStore store = JournalUidStore.open(state)) {
      out.println("ready");
      out.flush();
      Fetcher fetcher =
          Fetcher.builder()
              .source(source)
              .sink(sink)
              .uidStore(store)
              .retention(Retention.DELETE_AFTER_DELIVERY)
              .batchSize(5)
              .limits(FetchLimits.builder().maxMessagesPerRun(perSession).build())
              .listener(events)
              .build();
      while (true) {
        sessions++;
        out.println("session " + sessions);
        out.flush();
        FetchResult r = fetcher.run();
        if (!r.ok()) {
          out.println("failed " + r.summary().replace('\n', ' '));
          out.flush();
          System.exit(1);
        }
        if (r.listed() == 0) {
          break;
        }
      }
    }
    out.println("done after " + sessions + " sessions");
    out.flush();
    System.exit(0);
  }
}
