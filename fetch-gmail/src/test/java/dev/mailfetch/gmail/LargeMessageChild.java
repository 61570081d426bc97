package dev.mailfetch.gmail;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome.Kind;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.sink.MaildirSink;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The process {@link LargeMessageTest} runs under {@code -Xmx64m}: one fetch of the POP3 server's
 * one message, into the fake Gmail ({@code gmail <base URI> <journal directory>}) or, for the
 * baseline, into a Maildir ({@code maildir <directory>}). Prints {@code fetched <ms>} and exits 0
 * when the run delivered the message. The POP3 password and the access token come from the
 * environment.
 */
public final class LargeMessageChild {
  private LargeMessageChild() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Pop3Source source =
        Pop3Source.builder()
            .host("127.0.0.1")
            .port(port)
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .user("alice")
            .password(() -> System.getenv("LARGE_TEST_PASSWORD"))
            .account(LargeMessageTest.ACCOUNT)
            .build();
    long started = System.nanoTime();
    FetchResult r;
    try (MessageSink sink =
        args[1].equals("gmail")
            ? GmailProof.sink(
                URI.create(args[2]),
                Path.of(args[3]),
                GmailProof.GMAIL_UNITS_PER_SECOND,
                Duration.ofSeconds(1),
                1,
                () -> System.getenv("LARGE_TEST_TOKEN"))
            : MaildirSink.open(Path.of(args[2]))) {
      r =
          Fetcher.builder()
              .source(source)
              .sink(sink)
              .uidStore(InMemoryUidStore.create())
              .build()
              .run();
    }
    long ms = (System.nanoTime() - started) / 1_000_000;
    System.out.println(r.summary().replace('\n', ' '));
    System.out.println("fetched " + ms);
    System.out.flush();
    System.exit(r.ok() && r.count(Kind.DELIVERED) == 1 ? 0 : 1);
  }
}
