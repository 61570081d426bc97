package dev.mailfetch.imap;

import static dev.mailfetch.imap.StoredMessages.asSet;
import static dev.mailfetch.imap.StoredMessages.contents;
import static dev.mailfetch.imap.StoredMessages.firstMissing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.ForwardingMessageSink;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Retention;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.imap.internal.ImapSession;
import dev.mailfetch.imap.internal.ImapSettings;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateCourier;
import dev.mailfetch.testkit.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ImapSource and ImapAppendSink against a private Courier IMAP (Debian's courier-imap 5.0.13,
 * {@link PrivateCourier}), over STARTTLS and implicit TLS, every message compared byte for byte
 * with Courier's own Maildir files.
 */
@Timeout(120)
class ImapSourceCourierTest {
  @TempDir static Path dir;
  private static PrivateCourier courier;
  private static String unavailable;
  private static TestCertificates certs;
  private static MailCorpus corpus;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.generate();
    corpus = MailCorpus.generate(23, 24);
    unavailable = PrivateCourier.whyUnavailable().orElse(null);
    if (unavailable == null) {
      courier = PrivateCourier.start(m -> {}, certs);
    }
  }

  /** Each test is reported skipped, with the reason, where the server cannot run here. */
  @BeforeEach
  void serverRuns() {
    assumeTrue(unavailable == null, () -> unavailable);
  }

  @AfterAll
  static void stop() throws Exception {
    if (courier != null) {
      courier.stop();
    }
  }

  private static ImapSource.Builder source(ImapSecurity security) {
    return ImapSource.builder()
        .host("localhost")
        .port(security == ImapSecurity.IMPLICIT_TLS ? courier.imapsPort() : courier.imapPort())
        .security(security)
        .sslContext(certs.clientContext())
        .user(PrivateCourier.USER)
        .password(() -> PrivateCourier.PASSWORD);
  }

  private static FetchResult fetch(Fetcher.Builder fetcher, InMemorySink into) {
    return fetcher
        .sink(
            new ForwardingMessageSink(into) {
              @Override
              public LineEnding lineEnding() {
                return LineEnding.LF; // as Courier keeps them
              }
            })
        .batchSize(7)
        .build()
        .run();
  }

  private static Fetcher.Builder fetcher(ImapSource.Builder source, Retention retention) {
    return Fetcher.builder()
        .source(source.build())
        .uidStore(InMemoryUidStore.create())
        .retention(retention);
  }

  @Test
  void starttlsAndImplicitTls_deliverEveryMessage_asCourierKeepsIt_byteForByte() throws Exception {
    courier.refill(corpus::writeMaildir);
    List<byte[]> stored = courier.messages("INBOX");
    for (ImapSecurity security : List.of(ImapSecurity.STARTTLS, ImapSecurity.IMPLICIT_TLS)) {
      InMemorySink sink = InMemorySink.create();
      FetchResult r = fetch(fetcher(source(security), Retention.KEEP), sink);
      assertTrue(r.ok(), r.summary());
      assertEquals(corpus.messages().size(), r.count(MessageOutcome.Kind.DELIVERED), r.summary());
      assertEquals(asSet(stored), asSet(contents(sink)), firstMissing(stored, contents(sink)));
    }
  }

  @Test
  void keep_leavesEveryFileAsItWas_notEvenSeen() throws Exception {
    courier.refill(corpus.filter(m -> m.size() < 20_000)::writeMaildir);
    fetch(fetcher(source(ImapSecurity.IMPLICIT_TLS), Retention.KEEP), InMemorySink.create());
    List<byte[]> before = courier.messages("INBOX");
    FetchResult r =
        fetch(fetcher(source(ImapSecurity.IMPLICIT_TLS), Retention.KEEP), InMemorySink.create());
    assertTrue(r.ok(), r.summary());
    assertEquals(asSet(before), asSet(courier.messages("INBOX")));
    for (Path f : courier.files("INBOX")) {
      String name = f.getFileName().toString();
      String flags = name.contains(":2,") ? name.substring(name.indexOf(":2,") + 3) : "";
      assertFalse(flags.contains("S"), "marked \\Seen: " + name); // Maildir's info, "S" is \Seen
    }
  }

  @Test
  void expungeAfterDelivery_leavesNothingInTheMaildir() throws Exception {
    courier.refill(corpus.filter(m -> m.size() < 20_000)::writeMaildir);
    selectOnce(); // else a new second between listing and deleting renumbers it: nothing deleted
    List<byte[]> before = courier.messages("INBOX");
    InMemorySink sink = InMemorySink.create();
    FetchResult r =
        fetch(fetcher(source(ImapSecurity.STARTTLS), Retention.DELETE_AFTER_DELIVERY), sink);
    assertTrue(r.ok(), r.summary());
    assertEquals(before.size(), r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    assertEquals(asSet(before), asSet(contents(sink)));
    assertEquals(List.of(), courier.files("INBOX"));
  }

  @Test
  void moveTo_withoutMove_copiesIntoThatFolder_andExpungesOnlyWhatWasFetched() throws Exception {
    courier.refill(corpus.filter(m -> m.size() < 5_000)::writeMaildir);
    courier.createFolder("INBOX.Fetched");
    selectOnce();
    List<byte[]> before = courier.messages("INBOX");
    FetchResult r =
        fetch(
            fetcher(
                source(ImapSecurity.IMPLICIT_TLS).deletion(ImapDeletion.moveTo("INBOX.Fetched")),
                Retention.DELETE_AFTER_DELIVERY),
            InMemorySink.create());
    assertTrue(r.ok() && r.warnings().isEmpty(), r.summary() + r.warnings());
    assertEquals(List.of(), courier.files("INBOX"));
    assertEquals(asSet(before), asSet(courier.messages("INBOX.Fetched")));
  }

  /** Opens INBOX read-write once, as a mail client would: then Courier keeps its UIDs. */
  private static void selectOnce() throws Exception {
    try (ImapSession s =
        ImapSession.open(
            new ImapSettings(
                "localhost",
                courier.imapsPort(),
                ImapSecurity.IMPLICIT_TLS,
                certs.clientContext(),
                ImapLimits.defaults(),
                PrivateCourier.USER,
                () -> PrivateCourier.PASSWORD,
                null,
                false,
                null))) {
      s.login();
      s.commands().select("INBOX");
    }
  }

  @Test
  void eachMessagesId_isTheUidValidityAndUid_CourierSaved_inItsUidDatabase() throws Exception {
    courier.refill(corpus.filter(m -> m.size() < 5_000)::writeMaildir);
    selectOnce();
    List<MessageRef> listed;
    try (FetchSession s = source(ImapSecurity.IMPLICIT_TLS).build().open()) {
      listed = SourceProbe.list(s);
      assertTrue(s.quit());
    }
    // courierimapuiddb: a version line "1 UIDVALIDITY NEXTUID", then "UID FILENAME" lines
    List<String> uiddb = Files.readAllLines(courier.maildir().resolve("courierimapuiddb"));
    String uidValidity = uiddb.get(0).split(" ")[1];
    List<String> expected = new ArrayList<>();
    for (String line : uiddb.subList(1, uiddb.size())) {
      expected.add("INBOX;UIDVALIDITY=" + uidValidity + "/;UID=" + line.split(" ")[0]);
    }
    assertEquals(expected, listed.stream().map(MessageRef::uid).toList(), uiddb.toString());
  }

  /**
   * Quirk I10 as Courier has it: a Maildir it never opened read-write (mail delivered into {@code
   * new/}, read only with EXAMINE and STATUS, as "keep" does) has no {@code courierimapuiddb}, and
   * each session numbers it afresh under a new UIDVALIDITY (the time in seconds).
   */
  @Test
  void aMaildirCourierNeverOpenedReadWrite_isRenumberedEachSession_andNothingComesTwice(
      @TempDir Path state) throws Exception {
    courier.refill(corpus.filter(m -> m.size() < 5_000)::writeMaildir);
    int messages = courier.files("INBOX").size();
    InMemorySink sink = InMemorySink.create();
    try (JournalUidStore store = JournalUidStore.open(state.resolve("state"))) {
      Fetcher fetcher =
          Fetcher.builder()
              .source(source(ImapSecurity.IMPLICIT_TLS).build())
              .sink(sink)
              .uidStore(store)
              .build();
      FetchResult first = fetcher.run();
      assertEquals(messages, first.count(MessageOutcome.Kind.DELIVERED), first.summary());
      Thread.sleep(1100); // a new second: a new UIDVALIDITY
      FetchResult second = fetcher.run();
      assertTrue(second.ok(), second.summary());
      assertEquals(0, second.count(MessageOutcome.Kind.DELIVERED), second.summary());
      assertEquals(messages, second.count(MessageOutcome.Kind.ALREADY_SEEN), second.summary());
      String warnings =
          second.warnings().stream().map(Exception::getMessage).reduce("", String::concat);
      assertTrue(warnings.contains("renumbered") && warnings.contains("INBOX"), warnings);
    }
    assertFalse(Files.exists(courier.maildir().resolve("courierimapuiddb")));
    assertEquals(messages, sink.messages().size());
  }

  @Test
  void theMark_skipsTheListing_ofAnUnchangedMailbox_andListsOnceMailArrives() throws Exception {
    courier.refill(corpus.filter(m -> m.size() < 5_000)::writeMaildir);
    selectOnce(); // else each second brings a new UIDVALIDITY (the test above)
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
    Path arrived = courier.maildir().resolve("new/1800000000.M1P1.arrived");
    Files.write(arrived, "Subject: later\n\nlater\n".getBytes(StandardCharsets.US_ASCII));
    FetchResult third = fetcher.run();
    assertFalse(third.unchanged(), third.summary());
    assertEquals(1, third.count(MessageOutcome.Kind.DELIVERED), third.summary());
  }

  /**
   * What Courier answers to a UID FETCH of a message that another program removed after this
   * session saw it: not NO, not NIL, not nothing (quirk I03's forms) but a notice in its place,
   * "Subject: message unavailable", with OK: quirk I26 (docs/quirks.md).
   */
  @Test
  void aMessageRemovedMeanwhile_isServedByCourierAsAnUnavailableNotice() throws Exception {
    courier.refill(corpus.filter(m -> m.size() < 5_000)::writeMaildir);
    selectOnce();
    try (Socket socket = new Socket("127.0.0.1", courier.imapPort())) {
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      String login = "a LOGIN " + PrivateCourier.USER + " \"" + PrivateCourier.PASSWORD + "\"\r\n";
      out.write(login.getBytes(StandardCharsets.US_ASCII));
      readUntil(in, "a OK"); // Courier's imaplogin drops what was sent after LOGIN
      out.write("b SELECT INBOX\r\n".getBytes(StandardCharsets.US_ASCII));
      String selected = readUntil(in, "b OK");
      assertTrue(selected.contains("[UIDVALIDITY "), selected);
      assertFalse(selected.contains("[UIDNEXT "), "quirk I05: " + selected);
      List<String> uiddb = Files.readAllLines(courier.maildir().resolve("courierimapuiddb"));
      String[] second = uiddb.get(2).split(" "); // "UID FILENAME"
      for (Path f : courier.files("INBOX")) {
        if (f.getFileName().toString().startsWith(second[1])) {
          Files.delete(f); // another program (or client) removed it
        }
      }
      out.write(
          ("c UID FETCH " + second[0] + " (UID BODY.PEEK[])\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      String answer = readUntil(in, "c ");
      assertTrue(answer.contains("Subject: message unavailable"), answer);
      assertTrue(answer.contains("This message is no longer available on the server."), answer);
      assertTrue(answer.contains("\r\nc OK"), answer);
    }
  }

  /**
   * The real {@link ImapSource} against the same: a message removed after the listing (while the
   * first is being stored) fails as one deleted meanwhile, naming I26, instead of Courier's notice
   * being delivered as it; every other message arrives byte for byte.
   */
  @Test
  void aMessageRemovedMeanwhile_failsWithI26_andTheOthersArrive() throws Exception {
    courier.refill(corpus.filter(m -> m.size() < 5_000)::writeMaildir);
    selectOnce();
    List<String> uiddb = Files.readAllLines(courier.maildir().resolve("courierimapuiddb"));
    String[] last = uiddb.get(uiddb.size() - 1).split(" "); // "UID FILENAME", fetched last
    Path file = null;
    for (Path f : courier.files("INBOX")) {
      if (f.getFileName().toString().startsWith(last[1])) {
        file = f;
      }
    }
    assertTrue(file != null, uiddb.toString());
    Path removed = file;
    List<byte[]> expected = new ArrayList<>(courier.messages("INBOX"));
    byte[] gone = Files.readAllBytes(removed);
    expected.removeIf(m -> Arrays.equals(m, gone));
    InMemorySink sink = InMemorySink.create();
    FetchResult r =
        fetcher(source(ImapSecurity.IMPLICIT_TLS), Retention.KEEP)
            .sink(
                new ForwardingMessageSink(sink) {
                  @Override
                  public Delivery begin(Envelope envelope) throws IOException {
                    Files.deleteIfExists(removed); // another program removes it meanwhile
                    return super.begin(envelope);
                  }

                  @Override
                  public LineEnding lineEnding() {
                    return LineEnding.LF; // as Courier keeps them
                  }
                })
            .batchSize(1) // the last is asked for well after the first is stored
            .build()
            .run();
    MessageOutcome failed =
        r.outcomes().stream()
            .filter(o -> o.ref().uid().endsWith(";UID=" + last[0]))
            .findFirst()
            .orElseThrow(() -> new AssertionError(r.summary()));
    assertEquals(MessageOutcome.Kind.FAILED, failed.kind(), r.summary());
    assertEquals(Optional.of(QuirkId.I26), failed.error().quirk(), failed.error().getMessage());
    assertEquals(FetchError.SERVER_TEMPORARY, failed.error().error());
    assertTrue(r.quirks().contains(QuirkId.I26), r.summary());
    assertEquals(expected.size(), r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    assertEquals(asSet(expected), asSet(contents(sink)), firstMissing(expected, contents(sink)));
  }

  private static String readUntil(InputStream in, String tagged) throws IOException {
    StringBuilder got = new StringBuilder();
    while (got.indexOf("\r\n" + tagged) < 0 || !got.toString().endsWith("\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after: " + got);
      }
      got.append((char) b);
    }
    return got.toString();
  }

  @Test
  void appendSink_storesEachMessage_asCourierKeepsIt_afterTheKeyHeader() throws Exception {
    courier.refill(m -> {});
    courier.createFolder("INBOX.Archive");
    String account = "pop@courier-test";
    List<byte[]> sent = new ArrayList<>();
    for (MailCorpus.Message m : corpus.filter(m -> m.size() < 40_000).messages()) {
      sent.add(MailCorpus.toLf(m.content()));
    }
    Path pem = certs.writeCaPem(dir);
    try (ImapAppendSink sink =
        ImapAppendSink.builder()
            .host("localhost")
            .port(courier.imapsPort())
            .trustPem(pem)
            .user(PrivateCourier.USER)
            .password(() -> PrivateCourier.PASSWORD)
            .folder("INBOX.Archive")
            .build()) {
      for (int i = 0; i < sent.size(); i++) {
        Delivery d = sink.begin(new Envelope(account, "m" + i, 0, Set.of(), false));
        d.write(ByteBuffer.wrap(sent.get(i)));
        d.complete(DeliveryKey.of(account, "m" + i));
      }
      sink.sync();
      assertTrue(sent.stream().anyMatch(m -> ImapSourceCyrusTest.eightBitHeaderBytes(m) > 0));
      assertEquals(List.of(), sink.takeWarnings(), "Courier keeps 8-bit header bytes: no warning");
    }
    List<byte[]> stored = courier.messages("INBOX.Archive");
    assertEquals(sent.size(), stored.size());
    for (int i = 0; i < sent.size(); i++) {
      byte[] line =
          (ImapAppendSink.KEY_HEADER + ": " + DeliveryKey.of(account, "m" + i) + "\n")
              .getBytes(StandardCharsets.US_ASCII);
      byte[] expected = new byte[line.length + sent.get(i).length];
      System.arraycopy(line, 0, expected, 0, line.length);
      System.arraycopy(sent.get(i), 0, expected, line.length, sent.get(i).length);
      assertTrue(
          stored.stream().anyMatch(s -> Arrays.equals(s, expected)),
          "message m" + i + " not stored byte for byte");
    }
  }
}
