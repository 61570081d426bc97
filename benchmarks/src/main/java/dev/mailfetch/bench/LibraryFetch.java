package dev.mailfetch.bench;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.Retention;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.sink.MaildirSink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code library} row of the whole-process group ({@link WholeProcessRounds}): README's {@code
 * fetchNewMail}, mailfetch called from a program of its own, as its own JVM with the JDK's
 * defaults, like the {@code bare} row. Between the two, what the library's work costs a short-lived
 * process (journal, lease, durable Maildir delivery, the session's checks); between it and the
 * {@code launcher} row, what the command adds (its options parsed, the report) and what the
 * launcher's JVM options and class archive take away. No dedup store, as {@code --dedup none} in
 * the command's rows.
 *
 * <p>No logging provider: slf4j looks for one as in any program (the command finds slf4j-simple),
 * finds none in the benchmarks' jar, says so once on stderr (the row's log) and logs nothing.
 *
 * <p>Arguments: host, port, the Maildir (its state in {@code Maildir/mailfetch-state}, where README
 * puts it). The password from {@code BENCH_IMAP_PW}; with {@code MAILFETCH_BENCH_CA} (a PEM file)
 * implicit TLS checked against it, else plain POP3. Exit 0 only when the run's status is OK, so a
 * run that failed cannot be timed as fast.
 */
public final class LibraryFetch {
  private LibraryFetch() {}

  public static void main(String[] args) throws IOException {
    String ca = System.getenv(Contenders.CA_FILE_ENV);
    String password = Objects.requireNonNull(System.getenv("BENCH_IMAP_PW"), "BENCH_IMAP_PW");
    Pop3Source.Builder pop3 =
        Pop3Source.builder()
            .host(args[0])
            .port(Integer.parseInt(args[1]))
            .user("alice")
            .password(() -> password);
    if (ca != null) {
      pop3.trustPem(Path.of(ca));
    } else {
      pop3.security(Security.NONE).allowPlaintextAuthentication(true);
    }
    Pop3Source source = pop3.build();
    Path maildir = Path.of(args[2]);
    Path state = JournalUidStore.directoryFor(maildir.resolve("mailfetch-state"), source.account());
    FetchResult result;
    try (MaildirSink sink = MaildirSink.open(maildir);
        JournalUidStore fetched = JournalUidStore.open(state)) {
      result =
          Fetcher.builder()
              .source(source)
              .sink(sink)
              .uidStore(fetched)
              .retention(Retention.KEEP)
              .build()
              .run();
    }
    System.out.println(result.status() + ": " + result.summary());
    System.exit(result.status() == FetchResult.Status.OK ? 0 : 1);
  }
}
