package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.imap.ImapSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The incremental listing against GreenMail's IMAP in the JVM: one new message in a folder of 60
 * (held as old: only new mail is fetched) is listed alone ({@code UID FETCH 61:*}, as the session's
 * protocol trace shows it sent), and an expunge since the mark makes the folder listed whole.
 */
@Timeout(60)
class IncrementalListingGreenMailTest {
  private static final Pattern LISTING =
      Pattern.compile("C: \\S+ UID FETCH (\\S+) \\(UID RFC822\\.SIZE");

  private GreenMailImap greenMail;

  @BeforeEach
  void start() {
    greenMail = new GreenMailImap();
  }

  @AfterEach
  void stop() {
    greenMail.close();
  }

  private Fetcher fetcher(InMemorySink sink, InMemoryUidStore store) {
    return Fetcher.builder()
        .source(
            ImapSource.builder()
                .host("localhost")
                .port(greenMail.imapsPort())
                .sslContext(GreenMailImap.CERTS.clientContext())
                .user(GreenMailImap.USER)
                .password(() -> GreenMailImap.PASSWORD)
                .build())
        .sink(sink)
        .uidStore(store)
        .onlyNew(true)
        .build();
  }

  private void append(int from, int to) throws Exception {
    try (ImapSession s = ImapSession.open(greenMail.plain())) {
      s.login();
      for (int i = from; i <= to; i++) {
        byte[] m =
            ("Message-ID: <g" + i + "@test>\r\nSubject: " + i + "\r\n\r\nbody " + i + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        s.ok(
            s.await(
                s.commands()
                    .append(
                        "INBOX", new ImapCommands.Message(List.of(), null, LiteralSource.of(m)))));
      }
    }
  }

  private void expunge(long uid) throws Exception {
    try (ImapSession s = ImapSession.open(greenMail.plain())) {
      s.login();
      s.commands().select("INBOX");
      s.commands().uidStoreFlags(Long.toString(uid), "+FLAGS", List.of("\\Deleted"));
      s.ok(s.run(ImapCommand.of("EXPUNGE").build()));
    }
  }

  /** Runs {@code fetcher}; the UID ranges its listing asked for, from the session's trace. */
  private static List<String> listedRanges(Fetcher fetcher, FetchResult[] result) {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      result[0] = fetcher.run();
    } finally {
      System.setErr(saved);
    }
    List<String> ranges = new ArrayList<>();
    Matcher m = LISTING.matcher(captured.toString(StandardCharsets.UTF_8));
    while (m.find()) {
      ranges.add(m.group(1));
    }
    return ranges;
  }

  @Test
  void oneNewMessage_isListedAlone_andAnExpungeSinceTheMarkListsTheFolderWhole() throws Exception {
    append(1, 60);
    InMemorySink sink = InMemorySink.create();
    Fetcher fetcher = fetcher(sink, InMemoryUidStore.create());
    FetchResult[] r = new FetchResult[1];
    assertEquals(List.of("1:*"), listedRanges(fetcher, r));
    assertEquals(60, r[0].count(MessageOutcome.Kind.SKIPPED), r[0].summary()); // old: held as seen
    append(61, 61);

    assertEquals(List.of("61:*"), listedRanges(fetcher, r));

    assertEquals(1, r[0].listed(), r[0].summary());
    assertEquals(1, r[0].count(MessageOutcome.Kind.DELIVERED));
    assertEquals(1, sink.size());

    expunge(10);
    append(62, 62);
    assertEquals(List.of("62:*", "1:61"), listedRanges(fetcher, r));
    assertEquals(61, r[0].listed(), r[0].summary());
    assertEquals(1, r[0].count(MessageOutcome.Kind.DELIVERED));
    assertTrue(fetcher.run().unchanged());
  }
}
