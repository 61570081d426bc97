package dev.mailfetch.imap;

import static dev.mailfetch.imap.StoredMessages.asSet;
import static dev.mailfetch.imap.StoredMessages.contents;
import static dev.mailfetch.imap.StoredMessages.firstMissing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mailfetch.api.DeliveriesFailed;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.Retrieval;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateCyrus;
import dev.mailfetch.testkit.TestCertificates;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ImapSource and ImapAppendSink against a private Cyrus IMAP (Debian's cyrus-imapd 3.6, {@link
 * PrivateCyrus}), over STARTTLS and implicit TLS: mail appended as known bytes, fetched, and
 * compared byte for byte with Cyrus's own spool files.
 */
@Timeout(120)
class ImapSourceCyrusTest {
  @TempDir static Path dir;
  private static PrivateCyrus cyrus;
  private static String unavailable;
  private static TestCertificates certs;
  private static MailCorpus corpus;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.generate();
    corpus = MailCorpus.generate(29, 24);
    unavailable = PrivateCyrus.whyUnavailable().orElse(null);
    if (unavailable == null) {
      cyrus = PrivateCyrus.start(certs);
    }
  }

  /** Each test is reported skipped, with the reason, where the server cannot run here. */
  @BeforeEach
  void serverRuns() {
    assumeTrue(unavailable == null, () -> unavailable);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cyrus != null) {
      cyrus.stop();
    }
  }

  private static ImapSource.Builder source(ImapSecurity security) {
    return ImapSource.builder()
        .host("localhost")
        .port(security == ImapSecurity.IMPLICIT_TLS ? cyrus.imapsPort() : cyrus.imapPort())
        .security(security)
        .sslContext(certs.clientContext())
        .user(PrivateCyrus.USER)
        .password(() -> PrivateCyrus.PASSWORD);
  }

  private static FetchResult fetch(ImapSource.Builder source, Retention r, InMemorySink into) {
    return Fetcher.builder()
        .source(source.build())
        .sink(into)
        .uidStore(InMemoryUidStore.create())
        .retention(r)
        .batchSize(7)
        .build()
        .run();
  }

  /** Empties {@code folder} and appends {@code messages}; returns what Cyrus said of each. */
  private static List<String> fill(String folder, List<MailCorpus.Message> messages)
      throws Exception {
    fetch(
        source(ImapSecurity.IMPLICIT_TLS), Retention.DELETE_AFTER_DELIVERY, InMemorySink.create());
    List<String> refused = new ArrayList<>();
    for (MailCorpus.Message m : messages) {
      try {
        cyrus.append(folder, m.content());
      } catch (IOException e) {
        refused.add(m.uid() + ": " + e.getMessage());
      }
    }
    return refused;
  }

  @Test
  void starttlsAndImplicitTls_deliverEveryMessage_asCyrusKeepsIt_byteForByte() throws Exception {
    List<String> refused = fill("INBOX", corpus.messages());
    List<byte[]> stored = cyrus.messages("INBOX");
    assertEquals(corpus.messages().size() - refused.size(), stored.size(), refused.toString());
    for (ImapSecurity security : List.of(ImapSecurity.STARTTLS, ImapSecurity.IMPLICIT_TLS)) {
      InMemorySink sink = InMemorySink.create();
      FetchResult r = fetch(source(security), Retention.KEEP, sink);
      assertTrue(r.ok(), r.summary());
      assertEquals(stored.size(), r.count(MessageOutcome.Kind.DELIVERED), r.summary());
      assertEquals(asSet(stored), asSet(contents(sink)), firstMissing(stored, contents(sink)));
    }
  }

  /** Whether {@code m} holds a NUL byte, which Cyrus refuses on APPEND. */
  static boolean hasNul(byte[] m) {
    for (byte b : m) {
      if (b == 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code m} as Cyrus stores it: each 8-bit byte of the header section replaced by {@code X} (its
   * {@code munge8bit}, on by default; Cyrus 3.6 does not offer UTF8=ACCEPT, RFC 6855).
   */
  static byte[] munged(byte[] m) {
    byte[] out = m.clone();
    for (int i = 0; i < out.length; i++) {
      if (i >= 3
          && out[i - 3] == '\r'
          && out[i - 2] == '\n'
          && out[i - 1] == '\r'
          && out[i] == '\n') {
        break;
      }
      if (out[i] < 0) {
        out[i] = 'X';
      }
    }
    return out;
  }

  /** The bytes with the high bit set in {@code m}'s header section (CRLF or LF line ends). */
  static int eightBitHeaderBytes(byte[] m) {
    int n = 0;
    for (int i = 0; i < m.length; i++) {
      boolean lf = i + 1 < m.length && m[i + 1] == '\n';
      boolean crlf = i + 2 < m.length && m[i + 1] == '\r' && m[i + 2] == '\n';
      if (m[i] == '\n' && (lf || crlf)) {
        break; // the empty line that ends the header section
      }
      if (m[i] < 0) {
        n++;
      }
    }
    return n;
  }

  @Test
  void anAppendOfKnownBytes_isStoredAsSent_butEightBitHeaderBytesAsX_andNulRefused()
      throws Exception {
    List<String> refused = fill("INBOX", corpus.messages());
    List<String> withNul = new ArrayList<>();
    for (MailCorpus.Message m : corpus.messages()) {
      if (hasNul(m.content())) {
        withNul.add(m.uid() + ": Cyrus did not append: t NO Message contains NUL characters");
      }
    }
    assertEquals(withNul, refused);
    Set<String> expected =
        asSet(
            corpus.messages().stream()
                .map(MailCorpus.Message::content)
                .filter(m -> !hasNul(m))
                .map(ImapSourceCyrusTest::munged)
                .toList());
    assertEquals(expected, asSet(cyrus.messages("INBOX")));
  }

  @Test
  void keep_leavesEveryMessage_andExpunge_leavesNothingInTheSpool() throws Exception {
    fill("INBOX", corpus.filter(m -> m.size() < 20_000).messages());
    List<byte[]> before = cyrus.messages("INBOX");
    FetchResult kept = fetch(source(ImapSecurity.STARTTLS), Retention.KEEP, InMemorySink.create());
    assertTrue(kept.ok(), kept.summary());
    assertEquals(asSet(before), asSet(cyrus.messages("INBOX")));
    InMemorySink sink = InMemorySink.create();
    FetchResult r = fetch(source(ImapSecurity.IMPLICIT_TLS), Retention.DELETE_AFTER_DELIVERY, sink);
    assertTrue(r.ok() && r.warnings().isEmpty(), r.summary() + r.warnings());
    assertEquals(before.size(), r.count(MessageOutcome.Kind.DELIVERED), r.summary());
    assertEquals(asSet(before), asSet(contents(sink)));
    assertEquals(List.of(), cyrus.messages("INBOX"));
  }

  @Test
  void moveTo_movesTheFetchedMessagesIntoThatFolder() throws Exception {
    fill("INBOX", corpus.filter(m -> m.size() < 5_000).messages());
    if (cyrus.directory("Fetched").isEmpty()) {
      cyrus.createFolder("Fetched");
    }
    List<byte[]> before = cyrus.messages("INBOX");
    List<byte[]> there = cyrus.messages("Fetched");
    FetchResult r =
        fetch(
            source(ImapSecurity.IMPLICIT_TLS).deletion(ImapDeletion.moveTo("Fetched")),
            Retention.DELETE_AFTER_DELIVERY,
            InMemorySink.create());
    assertTrue(r.ok() && r.warnings().isEmpty(), r.summary() + r.warnings());
    assertEquals(List.of(), cyrus.messages("INBOX"));
    List<byte[]> expected = new ArrayList<>(there);
    expected.addAll(before);
    assertEquals(asSet(expected), asSet(cyrus.messages("Fetched")));
  }

  @Test
  void eachMessagesId_isTheUidValidityAndUid_CyrusGaveItOnAppend() throws Exception {
    fetch(
        source(ImapSecurity.IMPLICIT_TLS), Retention.DELETE_AFTER_DELIVERY, InMemorySink.create());
    List<String> expected = new ArrayList<>();
    for (MailCorpus.Message m : corpus.filter(m -> m.size() < 5_000).messages()) {
      PrivateCyrus.Appended a = cyrus.append("INBOX", m.content());
      expected.add("INBOX;UIDVALIDITY=" + a.uidValidity() + "/;UID=" + a.uid());
    }
    try (FetchSession s = source(ImapSecurity.IMPLICIT_TLS).build().open()) {
      assertEquals(expected, SourceProbe.list(s).stream().map(MessageRef::uid).toList());
      assertTrue(s.quit());
    }
  }

  @Test
  void aMessageExpungedMeanwhile_failsAlone_andTheOthersArrive() throws Exception {
    fill("INBOX", corpus.filter(m -> m.size() < 5_000).messages());
    try (FetchSession s = source(ImapSecurity.STARTTLS).build().open()) {
      List<MessageRef> listed = SourceProbe.list(s);
      String uid = listed.get(1).uid();
      cyrus.expunge("INBOX", Long.parseLong(uid.substring(uid.lastIndexOf('=') + 1)));
      SourceProbe probe = new SourceProbe();
      s.retrieve(Retrieval.of(listed.subList(0, 3)), probe);
      assertEquals(
          List.of("start 1", "end 1", "failed 2", "start 3", "end 3"),
          probe.calls,
          probe.failed.toString());
      assertEquals(FetchError.SERVER_TEMPORARY, probe.failed.get(listed.get(1)).error());
      assertTrue(s.quit());
    }
  }

  @Test
  void theMark_skipsTheListing_ofAnUnchangedMailbox_andListsOnceMailArrives() throws Exception {
    fill("INBOX", corpus.filter(m -> m.size() < 5_000).messages());
    Fetcher fetcher =
        Fetcher.builder()
            .source(source(ImapSecurity.IMPLICIT_TLS).build())
            .sink(InMemorySink.create())
            .uidStore(InMemoryUidStore.create())
            .build();
    FetchResult first = fetcher.run();
    assertTrue(first.ok() && !first.unchanged(), first.summary());
    FetchResult second = fetcher.run();
    assertTrue(second.unchanged(), second.summary());
    assertEquals(0, second.listed());
    cyrus.append("INBOX", "Subject: later\r\n\r\nlater\r\n".getBytes(StandardCharsets.US_ASCII));
    FetchResult third = fetcher.run();
    assertFalse(third.unchanged(), third.summary());
    assertEquals(1, third.count(MessageOutcome.Kind.DELIVERED), third.summary());
  }

  @Test
  void appendSink_storesEachMessage_asCyrusKeepsIt_afterTheKeyHeader() throws Exception {
    cyrus.createFolder("Archive");
    String account = "pop@cyrus-test";
    List<byte[]> sent = new ArrayList<>();
    for (MailCorpus.Message m : corpus.filter(m -> m.size() < 40_000).messages()) {
      sent.add(m.content());
    }
    DeliveriesFailed failed = null;
    try (ImapAppendSink sink =
        ImapAppendSink.builder()
            .host("localhost")
            .port(cyrus.imapsPort())
            .trustPem(certs.writeCaPem(dir))
            .user(PrivateCyrus.USER)
            .password(() -> PrivateCyrus.PASSWORD)
            .folder("Archive")
            .build()) {
      for (int i = 0; i < sent.size(); i++) {
        Delivery d = sink.begin(new Envelope(account, "m" + i, 0, Set.of(), false));
        d.write(ByteBuffer.wrap(MailCorpus.toLf(sent.get(i)))); // the sink's line ending
        d.complete(DeliveryKey.of(account, "m" + i));
      }
      try {
        sink.sync();
      } catch (DeliveriesFailed e) {
        failed = e;
      }
      // Cyrus said OK to each, and stored their 8-bit header bytes as X: the sink reads them back
      // and says so, once (SINK_ALTERED).
      List<byte[]> eightBit =
          sent.stream().filter(m -> !hasNul(m) && eightBitHeaderBytes(m) > 0).toList();
      assertFalse(eightBit.isEmpty(), "the corpus has raw UTF-8 headers");
      List<FetchException> warnings = sink.takeWarnings();
      assertEquals(1, warnings.size(), warnings.toString());
      FetchException w = warnings.get(0);
      assertEquals(FetchError.SINK_ALTERED, w.error());
      long bytes = eightBit.stream().mapToInt(ImapSourceCyrusTest::eightBitHeaderBytes).sum();
      assertTrue(
          w.detail().contains("stored " + eightBit.size() + " message")
              && w.detail().contains(bytes + " of " + bytes + " 8-bit header bytes")
              && w.detail().contains("(Archive UID "),
          w.detail());
      assertTrue(w.remedy().commandLine().contains("munge8bit: no"), w.remedy().commandLine());
      assertEquals(List.of(), sink.takeWarnings(), "said once");
    }
    long withNul = sent.stream().filter(ImapSourceCyrusTest::hasNul).count();
    if (withNul > 0) { // refused as a whole, in the server's words; never stored altered
      assertTrue(failed != null && failed.getMessage().contains("NUL characters"), "" + failed);
      assertTrue(failed.getMessage().startsWith(withNul + " deliveries"), failed.getMessage());
    }
    List<byte[]> stored = cyrus.messages("Archive");
    assertEquals(sent.size() - withNul, stored.size());
    for (int i = 0; i < sent.size(); i++) {
      if (hasNul(sent.get(i))) {
        continue;
      }
      byte[] line =
          (ImapAppendSink.KEY_HEADER + ": " + DeliveryKey.of(account, "m" + i) + "\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      byte[] expected = new byte[line.length + sent.get(i).length];
      System.arraycopy(line, 0, expected, 0, line.length);
      System.arraycopy(munged(sent.get(i)), 0, expected, line.length, sent.get(i).length);
      assertTrue(
          stored.stream().anyMatch(s -> Arrays.equals(s, expected)),
          "message m" + i + " not stored byte for byte");
    }
  }
}
