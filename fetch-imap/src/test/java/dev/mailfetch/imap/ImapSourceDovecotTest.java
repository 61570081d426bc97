package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.ForwardingMessageSink;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MailboxMarks;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.Renumbering;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.Retrieval;
import dev.mailfetch.imap.internal.ImapCommands;
import dev.mailfetch.imap.internal.ImapSession;
import dev.mailfetch.imap.internal.ImapSettings;
import dev.mailfetch.imap.internal.LiteralSource;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.RequiresDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ImapSource against a private Dovecot over STARTTLS and implicit TLS, every message compared byte
 * for byte with Dovecot's own Maildir files; deletion, the cheap "unchanged" check, a renumbered
 * folder, a message deleted meanwhile, header reading.
 */
@Timeout(120)
@RequiresDovecot(PrivateDovecot.Service.IMAP)
class ImapSourceDovecotTest {
  @TempDir static Path dir;
  private static PrivateDovecot dovecot;
  private static TestCertificates certs;
  private static MailCorpus corpus;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.generate();
    corpus = MailCorpus.generate(20, 30);
    dovecot =
        PrivateDovecot.start(EnumSet.of(PrivateDovecot.Service.IMAP), corpus::writeMaildir, certs);
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.stop();
    }
  }

  /**
   * Refills the Maildir with {@code c}; again if Dovecot was still writing its index from the last
   * session's end (a file that vanishes under the walk).
   */
  private static void refill(MailCorpus c) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        dovecot.refill(c::writeMaildir);
        return;
      } catch (NoSuchFileException e) {
        if (attempt == 10) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private static ImapSource.Builder source(ImapSecurity security) {
    return ImapSource.builder()
        .host("localhost")
        .port(security == ImapSecurity.IMPLICIT_TLS ? dovecot.imapsPort() : dovecot.imapPort())
        .security(security)
        .sslContext(certs.clientContext())
        .user(PrivateDovecot.USER)
        .password(() -> PrivateDovecot.PASSWORD);
  }

  /**
   * What Dovecot's Maildir files hold, as IMAP can carry it: a NUL byte becomes 0x80, as Dovecot
   * sends it (RFC 9051 §4.3: a literal holds no NUL; only BINARY, RFC 3516, could carry one).
   */
  private static List<byte[]> stored(String folder) throws Exception {
    List<byte[]> out = new ArrayList<>();
    for (byte[] m : dovecot.messages(folder)) {
      byte[] b = m.clone();
      for (int i = 0; i < b.length; i++) {
        if (b[i] == 0) {
          b[i] = (byte) 0x80;
        }
      }
      out.add(b);
    }
    return out;
  }

  /** Where the first message of {@code got} not in {@code expected} differs from its nearest. */
  private static String firstDifference(List<byte[]> expected, List<byte[]> got) {
    Set<String> want = asSet(expected);
    for (byte[] g : got) {
      if (!want.contains(Base64.getEncoder().encodeToString(g))) {
        String gs = new String(g, StandardCharsets.ISO_8859_1);
        for (byte[] e : expected) {
          String es = new String(e, StandardCharsets.ISO_8859_1);
          if (es.substring(0, Math.min(60, es.length()))
              .equals(gs.substring(0, Math.min(60, gs.length())))) {
            int i = 0;
            while (i < es.length() && i < gs.length() && es.charAt(i) == gs.charAt(i)) {
              i++;
            }
            return "at "
                + i
                + " of "
                + es.length()
                + "/"
                + gs.length()
                + ": expected ["
                + es.substring(Math.max(0, i - 20), Math.min(es.length(), i + 20))
                    .replace("\r", "\\r")
                    .replace("\n", "\\n")
                + "] got ["
                + gs.substring(Math.max(0, i - 20), Math.min(gs.length(), i + 20))
                    .replace("\r", "\\r")
                    .replace("\n", "\\n")
                + "]";
          }
        }
        return "no match for " + gs.substring(0, 60);
      }
    }
    return "none";
  }

  private static Set<String> asSet(List<byte[]> messages) {
    Set<String> out = new HashSet<>();
    for (byte[] m : messages) {
      assertTrue(out.add(Base64.getEncoder().encodeToString(m)), "a message twice");
    }
    return out;
  }

  private static FetchResult fetch(ImapSecurity security, InMemorySink into, Retention r) {
    return Fetcher.builder()
        .source(source(security).build())
        .sink(
            new ForwardingMessageSink(into) {
              @Override
              public LineEnding lineEnding() {
                return LineEnding.LF; // as Dovecot keeps them
              }
            })
        .uidStore(InMemoryUidStore.create())
        .retention(r)
        .batchSize(7)
        .build()
        .run();
  }

  private static List<byte[]> contents(InMemorySink sink) {
    return sink.messages().stream().map(InMemorySink.StoredMessage::content).toList();
  }

  @Test
  void starttlsAndImplicitTls_deliverEveryMessage_asDovecotKeepsIt_byteForByte() throws Exception {
    refill(corpus);
    for (ImapSecurity security : List.of(ImapSecurity.STARTTLS, ImapSecurity.IMPLICIT_TLS)) {
      InMemorySink sink = InMemorySink.create();
      FetchResult r = fetch(security, sink, Retention.KEEP);
      assertTrue(r.ok(), r.summary());
      assertEquals(30, r.count(MessageOutcome.Kind.DELIVERED), r.summary());
      assertEquals(
          asSet(stored("INBOX")),
          asSet(contents(sink)),
          firstDifference(stored("INBOX"), contents(sink)));
    }
  }

  @Test
  void deleteAfterDelivery_leavesNothingInTheMaildir() throws Exception {
    refill(corpus.filter(m -> m.size() < 20_000));
    int there = dovecot.files("INBOX").size();
    List<byte[]> before = stored("INBOX");
    InMemorySink sink = InMemorySink.create();
    FetchResult r = fetch(ImapSecurity.IMPLICIT_TLS, sink, Retention.DELETE_AFTER_DELIVERY);
    assertTrue(r.ok(), r.summary());
    assertEquals(there, r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    assertEquals(asSet(before), asSet(contents(sink)));
    assertEquals(List.of(), dovecot.files("INBOX"));
  }

  @Test
  void moveTo_putsTheFetchedMessagesInThatFolder() throws Exception {
    refill(corpus.filter(m -> m.size() < 5_000));
    dovecot.doveadm("mailbox", "create", "Fetched");
    List<byte[]> before = dovecot.messages("INBOX");
    FetchResult r =
        Fetcher.builder()
            .source(
                source(ImapSecurity.IMPLICIT_TLS).deletion(ImapDeletion.moveTo("Fetched")).build())
            .sink(InMemorySink.create())
            .uidStore(InMemoryUidStore.create())
            .retention(Retention.DELETE_AFTER_DELIVERY)
            .build()
            .run();
    assertTrue(r.ok(), r.summary());
    assertEquals(List.of(), dovecot.files("INBOX"));
    assertEquals(asSet(before), asSet(dovecot.messages("Fetched")));
  }

  @Test
  void unchangedSince_holdsAcrossAFlagChange_andNotAcrossANewMessage() throws Exception {
    refill(corpus.filter(m -> m.size() < 5_000));
    String mark;
    try (FetchSession s = source(ImapSecurity.IMPLICIT_TLS).build().open()) {
      SourceProbe.list(s);
      mark = s.mailboxMarks().orElseThrow().listed();
      assertTrue(mark.length() <= MailboxMarks.MAX_LENGTH && mark.startsWith("imap2:1:"), mark);
      assertTrue(s.quit());
    }
    assertTrue(unchanged(mark), "nothing changed");
    try (ImapSession admin = admin()) {
      admin.commands().select("INBOX");
      admin.commands().uidStoreFlags("1:*", "+FLAGS", List.of("\\Flagged"));
    }
    assertTrue(unchanged(mark), "only a flag changed");
    try (ImapSession admin = admin()) {
      admin.ok(
          admin.await(
              admin
                  .commands()
                  .append(
                      "INBOX",
                      new ImapCommands.Message(
                          List.of(),
                          null,
                          LiteralSource.of(
                              "Subject: new\r\n\r\nnew\r\n"
                                  .getBytes(StandardCharsets.US_ASCII))))));
    }
    assertFalse(unchanged(mark), "a message arrived");
  }

  private static boolean unchanged(String mark) throws Exception {
    try (FetchSession s = source(ImapSecurity.IMPLICIT_TLS).build().open()) {
      return s.mailboxMarks().orElseThrow().unchangedSince(mark);
    }
  }

  private static ImapSession admin() throws Exception {
    ImapSession s =
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
                null));
    s.login();
    return s;
  }

  @Test
  void aFolderWithANewUidValidity_isRenumbered_andSaysSoInWords() throws Exception {
    MailCorpus few = corpus.filter(m -> m.size() < 5_000);
    refill(few);
    List<MessageRef> before;
    try (FetchSession s = source(ImapSecurity.IMPLICIT_TLS).build().open()) {
      before = SourceProbe.list(s);
    }
    long second = System.currentTimeMillis() / 1000;
    while (System.currentTimeMillis() / 1000 == second) {
      Thread.sleep(20); // Dovecot's UIDVALIDITY is the time of day in seconds
    }
    refill(few);
    try (FetchSession s = source(ImapSecurity.IMPLICIT_TLS).build().open()) {
      List<MessageRef> after = SourceProbe.list(s);
      assertEquals(before.size(), after.size());
      Set<String> gone = new HashSet<>();
      before.forEach(m -> gone.add(m.uid()));
      after.forEach(m -> gone.remove(m.uid()));
      assertEquals(before.size(), gone.size(), "every id is new");
      Renumbering renumbering = s.renumbering().orElseThrow();
      assertEquals(gone, renumbering.renumbered(gone));
      assertEquals(Set.of(), renumbering.renumbered(Set.of("Other;UIDVALIDITY=1/;UID=1")));
      String words = renumbering.mailboxOf(gone.iterator().next());
      assertTrue(words.startsWith("folder INBOX, UIDVALIDITY now "), words);
    }
  }

  @Test
  void aMessageDeletedMeanwhile_failsAlone_andTheOthersArrive() throws Exception {
    MailCorpus few = corpus.filter(m -> m.size() < 5_000);
    refill(few);
    try (FetchSession s = source(ImapSecurity.STARTTLS).build().open()) {
      List<MessageRef> listed = SourceProbe.list(s);
      String uid = listed.get(1).uid();
      dovecot.doveadm(
          "expunge", "mailbox", "INBOX", "uid", uid.substring(uid.lastIndexOf('=') + 1));
      SourceProbe probe = new SourceProbe();
      s.retrieve(Retrieval.of(listed.subList(0, 3)), probe);
      assertEquals(
          List.of("start 1", "end 1", "failed 2", "start 3", "end 3"),
          probe.calls,
          probe.failed.toString());
      assertEquals(FetchError.SERVER_TEMPORARY, probe.failed.get(listed.get(1)).error());
      assertTrue(
          probe
              .failed
              .get(listed.get(1))
              .getMessage()
              .contains("deleted or moved since the listing"),
          probe.failed.get(listed.get(1)).getMessage());
      assertTrue(s.quit());
    }
  }

  @Test
  void theEngine_skipsTheListing_ofAMailboxUnchangedSinceTheLastRun_andListsOnceMailArrives()
      throws Exception {
    refill(corpus.filter(m -> m.size() < 5_000));
    InMemoryUidStore store = InMemoryUidStore.create();
    InMemorySink sink = InMemorySink.create();
    Fetcher fetcher =
        Fetcher.builder()
            .source(source(ImapSecurity.IMPLICIT_TLS).build())
            .sink(sink)
            .uidStore(store)
            .build();
    FetchResult first = fetcher.run();
    assertTrue(first.ok() && !first.unchanged(), first.summary());
    FetchResult second = fetcher.run();
    assertTrue(second.unchanged(), second.summary());
    assertEquals(0, second.listed());
    try (ImapSession admin = admin()) {
      admin.ok(
          admin.await(
              admin
                  .commands()
                  .append(
                      "INBOX",
                      new ImapCommands.Message(
                          List.of(),
                          null,
                          LiteralSource.of(
                              "Subject: later\r\n\r\nlater\r\n"
                                  .getBytes(StandardCharsets.US_ASCII))))));
    }
    FetchResult third = fetcher.run();
    assertFalse(third.unchanged(), third.summary());
    assertEquals(1, third.count(MessageOutcome.Kind.DELIVERED), third.summary());
  }

  @Test
  void namedFolders_areListedInOrder_andAFolderBecomesTheLabelOfItsMessages() throws Exception {
    refill(corpus.filter(m -> m.size() < 3_000));
    int inInbox = dovecot.files("INBOX").size();
    dovecot.doveadm("mailbox", "create", "Work");
    try (ImapSession admin = admin()) {
      for (int i = 0; i < 2; i++) {
        admin.ok(
            admin.await(
                admin
                    .commands()
                    .append(
                        "Work",
                        new ImapCommands.Message(
                            List.of(),
                            null,
                            LiteralSource.of(
                                ("Subject: work " + i + "\r\n\r\nwork\r\n")
                                    .getBytes(StandardCharsets.US_ASCII))))));
      }
    }
    InMemorySink sink = InMemorySink.create();
    FetchResult r =
        Fetcher.builder()
            .source(
                source(ImapSecurity.IMPLICIT_TLS)
                    .folders(ImapFolders.named("INBOX", "Work"))
                    .build())
            .sink(sink)
            .uidStore(InMemoryUidStore.create())
            .build()
            .run();
    assertTrue(r.ok(), r.summary());
    assertEquals(inInbox + 2, r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    for (InMemorySink.StoredMessage m : sink.messages()) {
      boolean work = m.envelope().uid().startsWith("Work;");
      assertEquals(work ? Set.of("Work") : Set.of(), m.envelope().labels(), m.envelope().uid());
      assertEquals(work, m.envelope().archived(), m.envelope().uid());
    }
  }

  @Test
  void headerReading_givesEachHeaderSectionAsStored() throws Exception {
    MailCorpus few = corpus.filter(m -> m.size() < 5_000);
    refill(few);
    List<byte[]> stored = dovecot.messages("INBOX");
    Set<String> headers = new HashSet<>();
    for (byte[] m : stored) {
      String lf = new String(m, StandardCharsets.ISO_8859_1);
      int end = lf.indexOf("\n\n");
      headers.add(lf.substring(0, end + 2).replace("\n", "\r\n"));
    }
    try (FetchSession s = source(ImapSecurity.IMPLICIT_TLS).build().open()) {
      List<MessageRef> listed = SourceProbe.list(s);
      SourceProbe probe = new SourceProbe();
      s.headerReading().orElseThrow().readHeaders(listed, probe);
      assertEquals(listed.size(), probe.whole.size());
      Set<String> got = new HashSet<>();
      probe.whole.values().forEach(b -> got.add(new String(b, StandardCharsets.ISO_8859_1)));
      assertEquals(headers, got);
    }
  }

  @Test
  void retrievalAcrossBatches_withWhatFollowsSentAhead_keepsTheOrder() throws Exception {
    refill(corpus);
    try (FetchSession s = source(ImapSecurity.IMPLICIT_TLS).build().open()) {
      List<MessageRef> listed = SourceProbe.list(s);
      SourceProbe probe = new SourceProbe();
      List<String> expected = new ArrayList<>();
      for (int from = 0; from < listed.size(); from += 4) {
        List<MessageRef> batch = listed.subList(from, Math.min(listed.size(), from + 4));
        s.retrieve(
            Retrieval.of(batch).followedBy(listed.subList(from + batch.size(), listed.size())),
            probe);
        batch.forEach(m -> expected.addAll(List.of("start " + m.number(), "end " + m.number())));
      }
      assertEquals(expected, probe.calls, probe.failed.toString());
      List<byte[]> got = new ArrayList<>(probe.whole.values());
      assertEquals(
          asSet(stored("INBOX").stream().map(MailCorpus::toLf).toList()),
          asSet(got.stream().map(MailCorpus::toLf).toList()));
    }
  }
}
