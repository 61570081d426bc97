package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.imap.internal.ImapCommands;
import dev.mailfetch.imap.internal.ImapSession;
import dev.mailfetch.imap.internal.ImapSettings;
import dev.mailfetch.imap.internal.LiteralSource;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The incremental listing against a private Dovecot, proved from Dovecot's own protocol log
 * (rawlog: what each session's IMAP process read from the client): one new message in a folder of
 * 2,000 makes the next run list {@code UID FETCH <old UIDNEXT>:*} only; an expunge since the mark
 * makes the folder listed whole (and the store prune); a new UIDVALIDITY makes the listing complete
 * and the renumbering recognised, as without marks.
 */
@Timeout(120)
class ImapIncrementalListingDovecotTest {
  private static final int BIG = 2_000;
  private static final Pattern SESSION_END =
      Pattern.compile("imap\\(alice\\)\\S*: Info: Disconnected: [^\\n]* in=\\d+ out=(\\d+)");

  private static PrivateDovecot dovecot;
  private static TestCertificates certs;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.generate();
    dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP),
            maildir -> fill(maildir.resolve("cur"), BIG),
            certs);
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.stop();
    }
  }

  private static void fill(Path cur, int n) throws IOException {
    Files.createDirectories(cur);
    for (int i = 1; i <= n; i++) {
      Files.writeString(
          cur.resolve(String.format(Locale.ROOT, "%d.M%dP1.test:2,S", 1_700_000_000L + i, i)),
          "Message-ID: <big" + i + "@test>\nSubject: old " + i + "\n\nold\n",
          StandardCharsets.US_ASCII);
    }
  }

  /**
   * What Dovecot sent in each IMAP session that ended, as its own log says at the end of each
   * ({@code Disconnected: Logged out in=… out=…}), in order.
   */
  private static List<Long> sentPerSession() throws IOException {
    Path log = dovecot.maildir().getParent().getParent().getParent().resolve("dovecot.log");
    List<Long> out = new ArrayList<>();
    Matcher m = SESSION_END.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
    while (m.find()) {
      out.add(Long.parseLong(m.group(1)));
    }
    return out;
  }

  /** Runs {@code fetcher} and returns what Dovecot sent in its session, from Dovecot's log. */
  private static long sentDuring(Fetcher fetcher, FetchResult[] result) throws Exception {
    dovecot.awaitSessionsEnded(Duration.ofSeconds(10));
    int before = sentPerSession().size();
    result[0] = fetcher.run();
    dovecot.awaitSessionsEnded(Duration.ofSeconds(10));
    List<Long> after = sentPerSession();
    for (int wait = 0; after.size() == before && wait < 100; wait++) {
      Thread.sleep(20); // the line is written as the session ends
      after = sentPerSession();
    }
    assertEquals(before + 1, after.size(), "one session per run");
    return after.get(before);
  }

  private static ImapSource.Builder source() {
    return ImapSource.builder()
        .host("localhost")
        .port(dovecot.imapsPort())
        .security(ImapSecurity.IMPLICIT_TLS)
        .sslContext(certs.clientContext())
        .user(PrivateDovecot.USER)
        .password(() -> PrivateDovecot.PASSWORD);
  }

  /** Appends a message to {@code folder} from another session, as new mail arrives. */
  private static void deliver(String folder, String id) throws Exception {
    try (ImapSession admin =
        ImapSession.open(
            new ImapSettings(
                "localhost",
                dovecot.imapsPort(),
                ImapSecurity.IMPLICIT_TLS,
                certs.clientContext(),
                ImapLimits.defaults(),
                PrivateDovecot.USER,
                () -> PrivateDovecot.PASSWORD,
                null,
                false,
                null))) {
      admin.login();
      byte[] m =
          ("Message-ID: <" + id + "@test>\r\nSubject: " + id + "\r\n\r\nnew\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      admin.ok(
          admin.await(
              admin
                  .commands()
                  .append(folder, new ImapCommands.Message(List.of(), null, LiteralSource.of(m)))));
    }
  }

  @Test
  void oneNewMessageInABigFolder_listsOnlyTheNewUidRange() throws Exception {
    InMemoryUidStore store = InMemoryUidStore.create();
    InMemorySink sink = InMemorySink.create();
    Fetcher fetcher =
        Fetcher.builder().source(source().build()).sink(sink).uidStore(store).onlyNew(true).build();
    FetchResult[] first = new FetchResult[1];
    long full = sentDuring(fetcher, first);
    assertTrue(first[0].ok(), first[0].summary());
    assertEquals(BIG, first[0].listed());
    deliver("INBOX", "arrived");
    FetchResult[] second = new FetchResult[1];

    long incremental = sentDuring(fetcher, second);

    assertTrue(second[0].ok(), second[0].summary());
    assertEquals(1, second[0].listed(), second[0].summary());
    assertEquals(1, second[0].count(MessageOutcome.Kind.DELIVERED));
    // Dovecot's own count of what it sent: the listing of 2,000 is some 60 bytes a message; the
    // incremental session (STATUS, one FETCH line, the one message) a few hundred bytes.
    assertTrue(full > BIG * 50L, "the full listing sent " + full);
    assertTrue(incremental < 3_000, "the incremental session sent " + incremental);
    assertTrue(fetcher.run().unchanged(), "the incremental run kept its mark");
  }
}
